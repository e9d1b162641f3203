//! Errors that reject a configuration, and warnings that only report on it.

use std::fmt;

/// Why a configuration text was rejected. Every variant names the file and,
/// where one exists, the line and the dotted key (`totem.token`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfError {
    /// The text is not corosync.conf syntax (bad line, unbalanced braces).
    #[error("parser error: {file}:{line}: {message}")]
    Syntax {
        /// File name given to the parser.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A key has a value of the wrong type or outside its range.
    #[error("{file}:{line}: value of key \"{key}\" is expected to be {expected}, but \"{value}\" was given")]
    Value {
        /// File name given to the parser.
        file: String,
        /// 1-based line number of the key.
        line: usize,
        /// Dotted key, e.g. `totem.token`.
        key: String,
        /// The offending value, as written.
        value: String,
        /// What was expected, e.g. `integer in 0..=4294967295`.
        expected: String,
    },
    /// A required key is absent.
    #[error("{file}: missing required key \"{key}\"")]
    Missing {
        /// File name given to the parser.
        file: String,
        /// Dotted key that is missing.
        key: String,
    },
    /// Values are individually valid but inconsistent together.
    #[error("{file}:{line}: {key}: {message}")]
    Invalid {
        /// File name given to the parser.
        file: String,
        /// 1-based line of the key at fault (0 when the key is absent).
        line: usize,
        /// Dotted key at fault.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// A non-fatal remark about the configuration: an unknown or obsolete key or
/// section that was ignored, or a value that was adjusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// File name given to the parser.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// Dotted key or section path the warning is about.
    pub key: String,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.key, self.message
        )
    }
}
