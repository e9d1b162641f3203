//! Totem single-ring ordering and membership protocol as a sans-IO state machine.
//!
//! **Architecture Invariant:** this crate does no IO: no sockets, files, clocks, threads or
//! randomness. Time and packets are inputs; packets to send, timers to arm, deliveries,
//! configuration changes and ring-seq persistence requests are outputs.
//!
//! # Driving a [`Node`]
//!
//! 1. Build a validated [`Config`] (`Config::default()` or field by field, then
//!    [`Config::validate`]) and create the node with [`Node::new`], passing the ring seq read
//!    from `<state_dir>/ringid_<nodeid>` (0 when absent).
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
mod limits;
mod membership;
mod node;
mod recovery;
mod store;
mod timers;
mod token;
mod types;

pub use codec::{
    decode, encode, CommitToken, DecodeError, Join, Mcast, McastBody, MemberState, Message,
    OrfToken, RetransmitRequest,
};
pub use config::{Config, ConfigError};
pub use limits::{
    MEMBERS_MAX, MESSAGE_SIZE_BYTES_DEFAULT, MESSAGE_SIZE_BYTES_MAX, PACKET_OVERHEAD_BYTES_MAX,
    RTR_ENTRIES_MAX, SEND_QUEUE_MESSAGES_MAX,
};
pub use node::{Node, NodeError, SendError, State, Stats};
pub use types::{
    ConfigurationChange, ConfigurationKind, Delivery, Destination, Guarantee, NodeId, Output,
    RingId, TimerKind,
};
