//! Errors that stop the messaging daemon.

use std::path::PathBuf;

/// Why the daemon could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The persisted ring seq could not be read at start.
    #[error("cannot read {path}: {source}")]
    RingSeqRead {
        /// The ring seq file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The ring seq could not be persisted before a new ring's packets leave.
    #[error("cannot store the ring seq in {path}: {source}")]
    RingSeqStore {
        /// The ring seq file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Totem refused its configuration.
    #[error("totem: {0}")]
    Totem(#[from] totem::NodeError),
    /// epoll could not be created or waited on.
    #[error("polling: {0}")]
    Poll(#[source] std::io::Error),
}
