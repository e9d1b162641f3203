//! Errors the controller reports.

/// Why an input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControllerError {
    /// A group message could not be decoded.
    #[error("malformed group message: {0}")]
    Message(String),
    /// An administrator's CIB change could not be applied.
    #[error("{path}: {message}")]
    Update {
        /// XML path of the element concerned.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl ControllerError {
    /// An update error at `path`.
    pub fn update(path: impl Into<String>, message: impl Into<String>) -> ControllerError {
        ControllerError::Update {
            path: path.into(),
            message: message.into(),
        }
    }
}
