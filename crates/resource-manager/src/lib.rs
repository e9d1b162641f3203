//! Runs the controller on a node: CIB replica on disk, executor, and the cluster messaging client; serves the admin API.
//!
//! - [`manager::run`] connects to the local tandemd as a CPG client, joins the
//!   controllers' group ([`manager::DEFAULT_GROUP`]) and drives a [`controller::Controller`]:
//!   agreed-order deliveries and group membership changes become controller inputs, its
//!   multicasts go to the group, its operations to the real [`executor::Executor`], its CIB
//!   changes to [`cib_store::CibStore`] (coalesced, written by [`disk_writer`]), its timers to
//!   the loop's timer queue; the quorum verdict comes from tandemd's quorum events.
//! - [`ring_watch`] follows tandemd's ring events (break, cut-off verdict, ring formed;
//!   a slow status poll as fallback) and tells the controller when this node is cut off
//!   (token lost, no ring within a grace), so it stops its resources before the lone
//!   node's ring forms.
//! - [`disk_writer`] writes the CIB replica and the pe-* inputs in a thread of its own,
//!   off the path from a result to the next dispatch.
//! - [`admin`] is the admin socket (`crm.sock`) the `tandem` tools use: query the CIB,
//!   status snapshot, replace/modify/create/delete, transient attributes, cleanup.
//!
//! `tandemd` (crate `tandemd`) starts [`manager::run`] in a thread beside the messaging loop.

#![deny(missing_docs)]

pub mod admin;
pub mod cib_text;
pub mod disk_writer;
pub mod error;
pub mod exec_bridge;
pub mod fence_history;
pub mod fence_pending;
pub mod ipc_link;
pub mod limits;
pub mod manager;
pub mod ring_watch;

pub use error::RmError;
pub use manager::{run, RmOptions};
