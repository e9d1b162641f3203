//! Bounds on packet sizes and on per-sender state.

/// Largest UDP datagram over IPv4.
pub const MAX_DATAGRAM: usize = 65_507;
/// Bytes of the packet header.
pub const HEADER_LEN: usize = 30;
/// Bytes of the AEAD tag appended to encrypted packets.
pub const TAG_LEN: usize = 16;
/// Largest payload [`crate::Transport::send`] accepts.
pub const MAX_PAYLOAD: usize = MAX_DATAGRAM - HEADER_LEN - TAG_LEN;
/// Most distinct senders whose replay windows are kept.
pub const MAX_SENDERS: usize = 384;
/// Packets one [`crate::Transport::recv`] call examines before giving up.
pub const MAX_PACKETS_PER_RECV: usize = 256;
/// Width of the per-sender replay window, in packets.
pub const REPLAY_WINDOW: u64 = 1024;
/// Smallest and largest accepted authkey, bytes.
pub const AUTHKEY_SIZE: std::ops::RangeInclusive<usize> = 16..=4096;
/// Most rings (links) this transport drives.
pub const MAX_RINGS: usize = 2;
/// Datagrams read from one socket per system call (each buffer holds a full datagram).
pub const RECV_BATCH: usize = 16;
/// Sealed packets queued before the transport sends them without waiting for a flush.
pub const SEND_BATCH: usize = 64;
