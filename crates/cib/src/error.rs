//! Errors from reading a CIB.

/// Why a CIB could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CibError {
    /// The text is not well-formed XML.
    #[error("line {line}, column {column}: malformed XML: {message}")]
    Xml {
        /// 1-based line of the problem.
        line: u32,
        /// 1-based column of the problem.
        column: u32,
        /// The parser's description.
        message: String,
    },
    /// The XML is well-formed but does not describe a valid CIB.
    #[error("line {line}: {path}: {message}")]
    Invalid {
        /// 1-based line of the offending element.
        line: u32,
        /// Element path with ids, such as `/cib/configuration/resources/primitive[@id='x']`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The document nests deeper than [`crate::limits::MAX_DEPTH`].
    #[error("line {line}: {path}: elements nested deeper than {max}", max = crate::limits::MAX_DEPTH)]
    TooDeep {
        /// 1-based line of the first too-deep element.
        line: u32,
        /// Element path down to it.
        path: String,
    },
    /// The document is larger than [`crate::limits::MAX_DOCUMENT_BYTES`].
    #[error("document of {0} bytes exceeds the limit")]
    TooLarge(usize),
}
