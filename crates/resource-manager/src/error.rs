//! Errors of the resource manager.

use std::path::PathBuf;

/// What can stop the resource manager or fail an admin call.
#[derive(Debug, thiserror::Error)]
pub enum RmError {
    /// Talking to tandemd failed.
    #[error("tandemd IPC at {path}: {message}")]
    Ipc {
        /// Socket path.
        path: PathBuf,
        /// What happened.
        message: String,
    },
    /// The CIB store could not be opened, read or written.
    #[error("CIB store: {0}")]
    Store(#[from] cib_store::StoreError),
    /// The executor could not start.
    #[error("executor: {0}")]
    Executor(#[from] executor::ExecError),
    /// A socket or file operation failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The admin socket answered with an error, or not as the protocol says.
    #[error("{0}")]
    Admin(String),
    /// The node's configuration is unusable.
    #[error("{0}")]
    Config(String),
}
