//! Identifiers and the values a [`crate::Node`] hands to its caller.

use std::fmt;

/// A node's 32-bit identifier (corosync `nodeid`). Zero is reserved and never valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A ring's identity: its representative and a 64-bit seq that rises with every new ring.
/// Ordered as the tuple `(seq, rep)`; displayed as corosync does: `<rep hex>.<seq hex>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RingId {
    /// Representative: the lowest node id of the ring.
    pub rep: NodeId,
    /// Ring sequence number, persisted per node so that it never goes backwards.
    pub seq: u64,
}

impl PartialOrd for RingId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RingId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.seq, self.rep).cmp(&(other.seq, other.rep))
    }
}

impl fmt::Display for RingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:x}.{:x}", self.rep.0, self.seq)
    }
}

/// Where a packet goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Every other node (UDP multicast, or one unicast per nodelist member for `udpu`).
    /// The sender never needs its own copy back.
    All,
    /// One node (ring successor for tokens).
    Node(NodeId),
}

/// The timers a node arms. At most one deadline per kind is pending at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// No token within `token` ms: the ring is considered broken.
    TokenLoss,
    /// Re-send the last forwarded token (every `token_retransmit` ms).
    TokenRetransmit,
    /// The representative stops holding an idle token and forwards it.
    TokenHold,
    /// Re-multicast the JOIN in Gather (every `join` ms).
    Join,
    /// Consensus not reached in time: fail the silent nodes.
    Consensus,
    /// Representative's periodic merge-detect announcement (every `merge` ms).
    MergeDetect,
}

impl TimerKind {
    /// Every kind, in a fixed order.
    pub const ALL: [TimerKind; 6] = [
        TimerKind::TokenLoss,
        TimerKind::TokenRetransmit,
        TimerKind::TokenHold,
        TimerKind::Join,
        TimerKind::Consensus,
        TimerKind::MergeDetect,
    ];
}

/// Delivery guarantee of a message (brief §1, G3/G5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Guarantee {
    /// Total order (G3).
    Agreed,
    /// Total order, delivered only once every member of the configuration holds a copy (G5).
    Safe,
}

/// Kind of a configuration change (extended virtual synchrony).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigurationKind {
    /// The members of the new ring that were in this node's previous regular configuration;
    /// remaining old-ring messages are delivered under it.
    Transitional,
    /// A newly installed ring's membership.
    Regular,
}

/// A configuration change, delivered in stream order with the messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigurationChange {
    /// Transitional or regular.
    pub kind: ConfigurationKind,
    /// The new ring's id (both for the transitional and the regular change).
    pub ring_id: RingId,
    /// Members of this configuration, ascending.
    pub members: Vec<NodeId>,
    /// Regular only: members of the previous regular configuration that are not in this one.
    /// Empty for a transitional change (departures are reported once, after their last
    /// messages, by the regular change — G8).
    pub left: Vec<NodeId>,
    /// Regular only: members that were not in the previous regular configuration.
    pub joined: Vec<NodeId>,
}

/// An application message delivered in total order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The ring in which the message was ordered.
    pub ring_id: RingId,
    /// The node that sent it.
    pub sender: NodeId,
    /// Its position in that ring's total order.
    pub seq: u32,
    /// Delivery guarantee requested by the sender.
    pub guarantee: Guarantee,
    /// The application bytes, unchanged.
    pub payload: Vec<u8>,
}

/// Something the caller must do, drained with [`crate::Node::poll_output`] in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send `bytes` (an encoded [`crate::Message`]) to `dest`.
    Transmit {
        /// Where to send it.
        dest: Destination,
        /// The datagram.
        bytes: Vec<u8>,
    },
    /// Arm (or re-arm) the timer `kind` to fire at `at_ms`; replaces any earlier deadline.
    SetTimer {
        /// Which timer.
        kind: TimerKind,
        /// Absolute deadline, same epoch as the `now_ms` inputs.
        at_ms: u64,
    },
    /// Disarm the timer `kind`.
    CancelTimer {
        /// Which timer.
        kind: TimerKind,
    },
    /// Deliver an application message.
    Deliver(Delivery),
    /// A configuration change (transitional or regular).
    ConfigurationChange(ConfigurationChange),
    /// Durably store this ring seq (`<state_dir>/ringid_<nodeid>`) before sending any later
    /// `Transmit`; pass it back to [`crate::Node::new`] after a restart.
    PersistRingSeq(u64),
}
