//! Totem single-ring ordering and membership protocol as a sans-IO state machine.
//!
//! **Architecture Invariant:** this crate does no IO: no sockets, files, clocks, threads or
//! randomness. Time and packets are inputs; packets to send, timers to arm, deliveries,
//! configuration changes and ring-seq persistence requests are outputs.
//!
//! # Driving a [`Node`]
//!
//! 1. Build a [`Config`] (`Config::for_token(token_real_ms)` derives consensus, retransmit
//!    and hold as corosync does; override fields from corosync.conf) and create the node with
//!    `Node::new(config, my_id, &nodelist, restored_ring_seq, now_ms)`, passing the ring seq
//!    read from `<state_dir>/ringid_<nodeid>` (0 when absent). `new` validates the config.
//!    The node starts in Gather and at once installs a singleton ring (brief §3.2 reason 15),
//!    then merges with the nodes it hears.
//! 2. Feed inputs, each with the current time in milliseconds since an arbitrary epoch; time
//!    must never go backwards across calls:
//!    - [`Node::handle_packet`] for every datagram received from the transport,
//!    - [`Node::handle_timer`] when a timer armed by [`Output::SetTimer`] expires (or call
//!      [`Node::handle_timeouts`] with the current time, using [`Node::next_deadline`]),
//!    - [`Node::send`] for an application message (agreed order),
//!    - [`Node::leave`] for a clean shutdown.
//! 3. After every input, drain [`Node::poll_output`] until it returns `None` and act on each
//!    [`Output`] **in order**. In particular [`Output::PersistRingSeq`] must be durably written
//!    before any later [`Output::Transmit`] is sent (this is what makes ring seqs monotonic
//!    across restarts, guarantee G9).
//!
//! # Transport contract
//! [`Destination::All`] means every other node (multicast, or one unicast per nodelist
//! member); [`Destination::Node`] is a unicast (tokens). Loss, duplication and reordering
//! are tolerated. `handle_packet`'s `from` must be the sender's node id as the transport
//! authenticated it; packets whose header names another sender are dropped and counted.
//! Packets are at most `message_size_bytes_max + PACKET_OVERHEAD_BYTES_MAX` bytes.
//!
//! # Glossary
//! `aru` = all received up to; `seq` = a message's position in a ring's total order; `rep` =
//! ring representative (lowest node id); `rtr` = retransmission request list; `fcc` = flow
//! control count (messages broadcast in the last token rotation).
//!
//! # Delivery stream
//! Each node emits, in order: `Regular(C1)`, deliveries…, `Transitional(T1)`, deliveries…,
//! `Regular(C2)`, … exactly as extended virtual synchrony prescribes (brief §1, §3.5).
//! A [`Delivery`] carries the ring id and seq under which the message was ordered; those
//! are identical at every node that delivers it.

mod codec;
mod config;
mod jitter;
mod limits;
mod membership;
mod merge;
mod missing;
mod node;
mod reconfigure;
mod recovery;
mod store;
mod timers;
mod token;
mod types;

pub use codec::{
    decode, encode, is_token, CommitToken, DecodeError, Join, Mcast, McastBody, MemberState,
    Message, OrfToken, RetransmitRequest,
};
pub use config::{Config, ConfigError, DEFAULT_SEQNO_UNCHANGED_CONST};
pub use limits::{
    MEMBERS_MAX, MESSAGE_SIZE_BYTES_DEFAULT, MESSAGE_SIZE_BYTES_MAX, PACKET_OVERHEAD_BYTES_MAX,
    RTR_ENTRIES_MAX, SEND_QUEUE_MESSAGES_MAX,
};
pub use node::{Node, NodeError, SendError, State, Stats};
pub use types::{
    ConfigurationChange, ConfigurationKind, Delivery, Destination, Guarantee, NodeId, Output,
    RingId, TimerKind,
};
