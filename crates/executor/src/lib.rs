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

pub mod agent_info;
pub mod conformance;
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
pub mod spec;

pub use agent_info::{metadata as cached_metadata, read_metadata, resolve_timeout, run_blocking};
pub use error::ExecError;
pub use metadata::{ActionInfo, Metadata, MetadataCache, ParamInfo, ParamProblem};
pub use outcome::{Captured, ExecStatus, OcfCode, OpResult};
pub use paths::AgentPaths;
pub use request::{CloneMeta, NotifyMeta, OpRequest};
pub use runner::{AgentRunner, EventKind, Executor, ExecutorConfig, OpEvent, OpId, Waker};
pub use spec::{Action, AgentSpec, Class};
