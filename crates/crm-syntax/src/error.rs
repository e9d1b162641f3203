//! Errors: where a text fails to parse, and why a statement cannot be applied.

use thiserror::Error;

/// A syntax error, naming the place (source, line, column) and the offending word.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{source_name}:{line}:{column}: {message} (near '{word}')")]
pub struct ParseError {
    /// Name of the text's source (a file name, or `<stdin>`).
    pub source_name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The word the parser stopped at ("" at the end of a statement).
    pub word: String,
    /// What was wrong.
    pub message: String,
}

/// Why a statement could not be applied to a CIB document.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ApplyError {
    /// The document has no `<configuration>` element.
    #[error("the CIB document has no <configuration> element")]
    NoConfiguration,
    /// A statement refers to an object that does not exist.
    #[error("line {line}: {what} '{id}' does not exist")]
    Missing {
        /// Line of the statement.
        line: usize,
        /// Kind of object looked for.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A statement would create an object whose id another kind of object holds.
    #[error("line {line}: id '{id}' is already used by a {existing} element")]
    IdTaken {
        /// Line of the statement.
        line: usize,
        /// The id.
        id: String,
        /// Element name of the current holder.
        existing: String,
    },
    /// `apply` (interactive mode) does not redefine objects; `load_update` does.
    #[error("line {line}: cannot create {kind} with id '{id}': found an existing {kind} with the same id")]
    Exists {
        /// Line of the statement.
        line: usize,
        /// Element name of the existing object.
        kind: String,
        /// The id.
        id: String,
    },
    /// One `load` defines the same object twice.
    #[error("line {line}: '{id}' is defined twice in one load")]
    Duplicate {
        /// Line of the second definition.
        line: usize,
        /// The id.
        id: String,
    },
    /// A resource cannot be put into a container.
    #[error("line {line}: resource '{id}' cannot be put into '{container}': {reason}")]
    BadMember {
        /// Line of the statement.
        line: usize,
        /// The member resource.
        id: String,
        /// The container being defined.
        container: String,
        /// Why not.
        reason: String,
    },
    /// No free generated id could be found.
    #[error("no free id derived from '{0}'")]
    IdsExhausted(String),
}
