//! Errors from the CIB store.

use std::path::PathBuf;

/// Why reading or writing the stored CIB failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file operation failed.
    #[error("{path}: {op}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done (read, write, fsync, rename ...).
        op: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file exists but its contents cannot be trusted.
    #[error("{path}: corrupt CIB: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Checksum mismatch, missing signature, not a CIB ...
        reason: String,
    },
    /// The file is larger than [`crate::limits::MAX_CIB_BYTES`].
    #[error("{path}: {size} bytes exceeds the CIB size limit")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
}

impl StoreError {
    /// True when the stored CIB exists but is damaged (fetch a copy from peers).
    pub fn is_corrupt(&self) -> bool {
        matches!(self, StoreError::Corrupt { .. })
    }
}

/// Builds an [`StoreError::Io`] mapper for `path` and `op`.
pub(crate) fn io(
    path: &std::path::Path,
    op: &'static str,
) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { path, op, source }
}
