//! The local client API: a versioned, length-prefixed binary protocol over a Unix socket.
//!
//! This is the API the resource manager and the tools are built on.
//!
//! # Transport
//! A stream socket, by default `/run/tandem/tandem.sock` (mode 0660, group `haclient` when that
//! group exists). The daemon records each connection's process id (SO_PEERCRED); in CPG a
//! process is (node id, that pid).
//!
//! # Framing and versioning
//! Every frame is a big-endian u32 body length, then the body (at most
//! [`crate::limits::IPC_FRAME_BYTES_MAX`] bytes). The first body byte is a tag; fields follow in
//! big-endian order, byte strings as u32 length + bytes, lists as u32 count + entries
//! ([`codec`]). The client's first frame must be [`Request::Hello`] with
//! [`PROTOCOL_VERSION`]; a mismatch gets [`Reply::Error`] with [`ErrorCode::Version`]. A new
//! version adds tags; it never changes the meaning of an existing one.
//!
//! # Requests, replies, events
//! Each request except `CpgMcastQueued` gets exactly one [`Reply`], in request order. [`Event`]s arrive between
//! replies at any time; a client must keep reading or it is disconnected once
//! [`crate::limits::CLIENT_OUTPUT_BYTES_MAX`] bytes are queued for it (logged).
//!
//! | Request | Reply | Effect |
//! |---|---|---|
//! | `Hello{version}` | `Hello{version,nodeid,pid}` | handshake |
//! | `CpgJoin{group}` | `Ok` / `Error(Exist)` | join a closed process group (one per connection) |
//! | `CpgLeave` | `Ok` / `Error(BadHandle)` | leave it; the own leave confchg is the last event of the group |
//! | `CpgMcast{data}` | `Ok` / `Error(TryAgain, TooBig, BadHandle)` | multicast in agreed order; Ok = accepted for ordering |
//! | `CpgMcastQueued{data}` | none | as `CpgMcast`, pipelined: taken only while the send queue has room, else the connection is not read until it has ([`Client::cpg_mcast_queued`]) |
//! | `CpgMembership` | `CpgMembers{members}` | current members of the joined group |
//! | `QuorumGet` | `Quorum(status)` | votequorum status, members and ring id |
//! | `QuorumTrack{enable}` | `Ok` | then one `Event::Quorum` now and one per change |
//! | `RingTrack{enable}` | `Ok` | then one `Event::Ring` now and one when the ring breaks, when the node is judged cut off and when a ring forms |
//! | `Status` | `Status(runtime)` | node id, rings and their faults, members with join_count, config, counters |
//! | `Shutdown` | `Ok` | leave the cluster cleanly and stop the daemon (`cfgtool -H`) |
//!
//! # CPG guarantees
//! Semantics follow corosync's CPG (totem brief §6): a joiner's first event is its own join
//! confchg (reason JOIN); it then receives every message ordered after its join, in the same
//! order as every other member (agreed order, self-delivery). Joins, leaves and messages are
//! totally ordered together, so every member sees a confchg at the same stream position.
//! Reasons: JOIN, LEAVE, NODEDOWN (node failed or partitioned away; reported after that node's
//! last delivered message), NODEUP (a process already in the group on a node that merged
//! back; one confchg per group listing all of them), PROCDOWN (a client disconnected without
//! leaving). Each event carries the ring id it was ordered in; `CpgDeliver` also carries the
//! sender's per-connection message number, from 1.

pub mod client;
pub mod codec;
pub mod protocol;

pub use client::{socket_path, Client, ClientError, DEFAULT_SOCKET_PATH};
pub use protocol::*;
