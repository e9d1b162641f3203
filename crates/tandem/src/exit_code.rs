//! Exit codes shared by every tool, following Pacemaker's CLI conventions.

use std::fmt;

/// Generic error (Pacemaker's CRM_EX_ERROR).
pub const ERROR: u8 = 1;
/// Command-line usage error (Pacemaker's CRM_EX_USAGE); also a dangerous command without
/// `--force`.
pub const USAGE: u8 = 64;
/// An input file could not be read (CRM_EX_NOINPUT).
pub const NO_INPUT: u8 = 66;
/// A file could not be created (CRM_EX_CANTCREAT).
pub const CANT_CREATE: u8 = 73;
/// The configuration (or a CIB file) is invalid (CRM_EX_CONFIG).
pub const CONFIG: u8 = 78;
/// Not connected to the cluster (CRM_EX_UNAVAILABLE / not connected, as crm_mon answers).
pub const NOT_CONNECTED: u8 = 102;
/// No such object: a missing CIB file, shadow copy or element (CRM_EX_NOSUCH).
pub const NO_SUCH: u8 = 105;
/// The object already exists (CRM_EX_EXISTS).
pub const EXISTS: u8 = 108;

/// An error that ends the tool with a particular exit code (not the generic 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// What went wrong, naming the file or object.
    pub message: String,
}

impl Failure {
    /// A failure with exit code `code`.
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The exit code an error carries, if it (or a cause) is a [`Failure`].
pub fn code_of(error: &anyhow::Error) -> Option<u8> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Failure>().map(|f| f.code))
}

/// True when the error is a closed stdout (`tandem ... | head`), which is not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
