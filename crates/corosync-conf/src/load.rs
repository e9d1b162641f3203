//! The crate's only IO: reading a corosync.conf file from disk and parsing it.

use std::path::Path;

use crate::{limits, parse, ConfError, Parsed};

/// Why [`load`] failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file was read but is not a valid configuration.
    #[error(transparent)]
    Conf(#[from] ConfError),
}

/// Reads and parses the file at `path`; errors name the path as given.
pub fn load(path: &Path) -> Result<Parsed, LoadError> {
    let name = path.display().to_string();
    let io = |source| LoadError::Io {
        path: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > limits::MAX_TEXT_BYTES as u64 {
        return Err(LoadError::Io {
            path: name.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "file is larger than 1 MiB",
            ),
        });
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    Ok(parse(&text, &name)?)
}
