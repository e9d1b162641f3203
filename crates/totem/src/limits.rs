//! Hard limits of the protocol state machine: every queue and list is bounded by one of these.

/// Most nodes a ring may hold (corosync's PROCESSOR_COUNT_MAX is 384).
pub const MEMBERS_MAX: usize = 384;

/// Largest application payload accepted by [`crate::Node::send`], in bytes.
/// The transport fragments nothing: it must carry datagrams of this size plus the header.
pub const MESSAGE_SIZE_BYTES_MAX: usize = 1024 * 1024;

/// Default largest application payload: one packet must fit a UDP datagram (65507 bytes)
/// with room for the transport's authentication overhead.
pub const MESSAGE_SIZE_BYTES_DEFAULT: usize = 65_000;

/// Most bytes a data packet adds around its payload (header, ring ids, recovery wrapping).
pub const PACKET_OVERHEAD_BYTES_MAX: usize = 64;

/// Most retransmission requests carried by one token (brief §2.1: capped at 30).
pub const RTR_ENTRIES_MAX: usize = 30;

/// Most application messages waiting in a node's send queue; beyond it `send` applies backpressure.
pub const SEND_QUEUE_MESSAGES_MAX: usize = 16 * 1024;

/// Most messages of one ring held in a node's store beyond the ring-wide aru: no node adds new
/// messages once `token.seq - token.aru` reaches this, so stores stay bounded when a member lags.
pub const RING_MESSAGES_IN_FLIGHT_MAX: u32 = 2048;

/// Largest `window_size` a configuration may set.
pub const WINDOW_SIZE_MAX: u32 = 1024;

/// How many copies of the leave announcement a leaving node multicasts.
pub const LEAVE_ANNOUNCEMENTS: usize = 3;

/// Largest gap between a ring's highest seq and a node's aru that the 32-bit seq space tolerates
/// before a node refuses to add messages (keeps seq arithmetic far from wrap-around).
pub const RING_SEQ_LIMIT: u32 = u32::MAX - 2 * RING_MESSAGES_IN_FLIGHT_MAX;

const _: () = assert!(RTR_ENTRIES_MAX > 0);
const _: () = assert!(MESSAGE_SIZE_BYTES_DEFAULT + PACKET_OVERHEAD_BYTES_MAX <= 65_507);
const _: () = assert!(MEMBERS_MAX <= u16::MAX as usize);
const _: () = assert!(WINDOW_SIZE_MAX < RING_MESSAGES_IN_FLIGHT_MAX);
