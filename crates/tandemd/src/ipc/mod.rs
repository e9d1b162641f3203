//! The local client API: a versioned, length-prefixed binary protocol over a Unix socket.

pub mod client;
pub mod codec;
pub mod protocol;

pub use client::{socket_path, Client, ClientError, DEFAULT_SOCKET_PATH};
pub use protocol::*;
