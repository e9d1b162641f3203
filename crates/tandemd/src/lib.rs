//! The Tandem daemon, one per node: the messaging event loop ([`messaging`]) with the resource
//! manager ([`resource_manager`]) beside it in a thread, started from one corosync.conf.
//!
//! [`node::run_node`] is the whole daemon; the `tandemd` binary parses flags around it, and
//! `tandem demo` calls it in each namespace it starts.

#![deny(missing_docs)]

pub mod logging;
pub mod node;

pub use node::{run_node, NodeError, NodeOptions};
