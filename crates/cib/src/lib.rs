//! Typed model of the Pacemaker 2.1 CIB: XML in and out, versions, diffs, durable storage.
