//! Errors of setting up and using the transport.

use std::net::SocketAddr;

/// Why the transport could not be set up or could not send.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The configuration cannot be used by this transport.
    #[error("transport configuration: {0}")]
    Config(String),
    /// A host name in the nodelist did not resolve.
    #[error("cannot resolve {host}: {reason}")]
    Resolve {
        /// The name.
        host: String,
        /// Why.
        reason: String,
    },
    /// A socket could not be created, configured or bound.
    #[error("cannot set up socket {addr}: {source}")]
    Socket {
        /// Address being bound or joined.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The authkey could not be read or has a bad size.
    #[error("authkey {path}: {reason}")]
    Key {
        /// Key file path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The epoch state file could not be read or written.
    #[error("epoch state {path}: {reason}")]
    Epoch {
        /// State file path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The payload could not be framed.
    #[error(transparent)]
    Seal(#[from] crate::packet::SealError),
    /// The destination node is not known.
    #[error("unknown destination node {0}")]
    UnknownNode(u32),
}
