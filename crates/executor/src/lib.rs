//! Runs OCF, LSB, systemd and stonith agents with timeouts, bounded output and no leftover processes.
//!
//! - [`AgentSpec`] and [`Action`] name what to run; [`OpRequest`] adds the resource,
//!   parameters, meta attributes, timeout and interval.
//! - [`Executor`] (behind the [`AgentRunner`] trait) runs requests: one at a time per
//!   resource, up to a limit overall, recurring ones repeatedly; results arrive as
//!   [`OpEvent`]s on a channel.
//! - [`run_blocking`] runs one request in the calling thread (for tools).
//! - [`Metadata`] parses agents' meta-data, validates parameters and gives default timeouts.
//! - [`conformance`] runs the ocf-tester style sequence on an agent.
//! - [`discovery`] lists installed agents.
//! - [`sim::SimRunner`] is a seeded, logical-time [`AgentRunner`] for tests of the layers above.
//!
//! # Driving the executor
//!
//! 1. Start it with an [`ExecutorConfig`]; keep the event [`Receiver`](std::sync::mpsc::Receiver).
//!    A [`Waker`] in the config is called after each event, e.g. to write an eventfd that
//!    the daemon's poll loop watches.
//! 2. [`AgentRunner::submit`] an [`OpRequest`]; keep the [`OpId`].
//! 3. Drain the receiver: one [`EventKind::Completed`] per one-shot operation; for a
//!    recurring one a [`EventKind::FirstResult`], then [`EventKind::Changed`] whenever the
//!    result changes and [`EventKind::Refresh`] after each unchanged refresh period.
//! 4. [`AgentRunner::cancel`] a recurring operation to end it ([`EventKind::Cancelled`]).
//!
//! ```no_run
//! use std::time::Duration;
//! use executor::{Action, AgentRunner, AgentSpec, Executor, ExecutorConfig, OpRequest};
//!
//! let (executor, events) = Executor::start(ExecutorConfig::default())?;
//! let spec = AgentSpec::parse("ocf:heartbeat:Dummy")?;
//! executor.submit(OpRequest::new("db", spec.clone(), Action::Start))?;
//! let monitor = executor.submit(OpRequest::new("db", spec, Action::Monitor).every(Duration::from_secs(10)))?;
//! for event in events.iter() {
//!     println!("{} {} {}", event.request.resource, event.request.action, event.result.summary());
//!     if event.id == monitor {
//!         executor.cancel(monitor)?;
//!         break;
//!     }
//! }
//! # Ok::<(), executor::ExecError>(())
//! ```
//!
//! # Processes
//!
//! Each agent runs in a process group of its own with a cleared environment. On timeout the
//! group gets SIGTERM, then SIGKILL after the grace period; a daemon an agent starts
//! successfully is the resource and is left running. With `reap_orphans` (the default) the
//! process becomes a child subreaper and a background thread reaps agents' orphans, never
//! children in the program's own process group (see [`reaper`]).

#![deny(missing_docs)]

pub mod agent_info;
pub mod conformance;
pub mod dbus;
pub mod discovery;
pub mod error;
pub mod invoke;
pub mod limits;
pub mod lsb;
pub mod metadata;
pub mod outcome;
pub mod paths;
pub mod process;
pub mod reaper;
pub mod request;
pub mod runner;
pub mod sim;
pub mod spawn;
pub mod spec;
pub mod systemd;
mod workers;

pub use agent_info::{metadata as cached_metadata, read_metadata, resolve_timeout, run_blocking};
pub use error::ExecError;
pub use metadata::{ActionInfo, Metadata, MetadataCache, ParamInfo, ParamProblem};
pub use outcome::{Captured, ExecStatus, OcfCode, OpResult};
pub use paths::AgentPaths;
pub use request::{CloneMeta, NotifyMeta, OpRequest};
pub use runner::{AgentRunner, EventKind, Executor, ExecutorConfig, OpEvent, OpId, Waker};
pub use spec::{Action, AgentSpec, Class};
