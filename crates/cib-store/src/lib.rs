//! Durable CIB storage on disk: atomic writes with checksums, backups, and the pe-input series.
