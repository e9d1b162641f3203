//! Runs the controller on a node: CIB replica on disk, executor, and the cluster messaging client; serves the admin API.
