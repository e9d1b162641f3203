//! Errors the executor reports for requests it cannot run at all.

use std::path::PathBuf;

/// Why a request was refused or could not be prepared.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The agent spec text is malformed.
    #[error("invalid agent spec '{spec}': {reason}")]
    InvalidSpec {
        /// The text as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The action name is not one the executor knows.
    #[error("unknown action '{0}'")]
    UnknownAction(String),
    /// A parameter or meta attribute is malformed or too large.
    #[error("invalid parameter '{name}': {reason}")]
    InvalidParam {
        /// Parameter name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The request itself is inconsistent.
    #[error("invalid request for resource '{resource}': {reason}")]
    InvalidRequest {
        /// Resource id of the request.
        resource: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Too many operations are pending.
    #[error("executor queue full ({limit} operations pending)")]
    QueueFull {
        /// The bound that was hit.
        limit: usize,
    },
    /// The executor has been shut down.
    #[error("executor is shut down")]
    ShutDown,
    /// No pending operation has this id.
    #[error("no pending operation with id {0}")]
    NoSuchOp(u64),
    /// The agent's meta-data could not be read or parsed.
    #[error("meta-data of {spec}: {reason}")]
    Metadata {
        /// Agent spec.
        spec: String,
        /// What went wrong.
        reason: String,
    },
    /// A directory of agents could not be read.
    #[error("cannot list {path}: {reason}")]
    List {
        /// Directory.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The class needs systemd and systemd is not running.
    #[error("systemd is not running on this host (no /run/systemd/system)")]
    SystemdNotRunning,
    /// Invalid configuration.
    #[error("invalid executor configuration: {0}")]
    Config(String),
}
