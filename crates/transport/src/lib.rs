//! UDP transport for Totem: unicast (`udpu`) and multicast (`udp`) sockets,
//! up to two redundant rings (active or passive) with fault detection, and
//! AEAD packet encryption with replay protection.
//!
//! The pure part is [`packet`] (framing, AES-256-GCM with per-sender
//! HKDF-SHA256 keys, [`replay`] windows) and [`ring`] (fault rules with time
//! as input). [`Transport`] is the thin socket layer the daemon polls:
//! [`Transport::fds`], [`Transport::send`], [`Transport::recv`],
//! [`Transport::tick`], [`Transport::ring_status`], [`Transport::stats`].
//! [`TransportConfig::from_config`] builds its setup from corosync.conf.

#![deny(missing_docs)]

mod drop_log;
mod error;
pub mod limits;
mod mmsg;
pub mod packet;
pub mod replay;
pub mod ring;
mod setup;
mod sockets;
mod stats;

pub use error::TransportError;
pub use ring::RingEvent;
pub use setup::{
    find_local_node, in_bindnet, node_id, resolved_nodelist, Mode, Multicast, NodeId, Peer,
    RingSetup, TransportConfig,
};
pub use sockets::{epoch_now, next_epoch, read_authkey, Dest, Received, RingStatus, Transport};
pub use stats::Stats;
