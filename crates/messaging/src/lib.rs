//! The messaging half of tandemd: the local IPC protocol, server and client, CPG group state, and the event
//! loop that drives Totem, the transport and votequorum.

pub mod bundle;
pub mod cluster_message;
pub mod cluster_setup;
pub mod cpg_groups;
pub mod daemon;
pub mod error;
pub mod event_loop;
pub mod ipc;
pub mod ipc_server;
pub mod limits;
pub mod local_addresses;
pub mod local_time;
pub mod memory;
pub mod network;
pub mod poller;
pub mod ring_seq_file;
pub mod signals;
pub mod timer_heap;
pub mod transport_network;
