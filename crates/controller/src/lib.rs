//! The cluster resource manager's brain as a pure state machine: DC election, node join, CIB replication, transition execution, attributes.
//!
//! One [`Controller`] runs per node. It does no IO and reads no clock: the host (tandemd)
//! feeds it [`Input`]s with the current time and carries out the [`Output`]s.
//!
//! # Driving it
//!
//! ```text
//! let mut c = Controller::new(ControllerConfig { node_id, node_name, instance }, cib_from_disk);
//! loop {
//!     let input = match event {
//!         group message (agreed order, own included) => Input::Message { from, bytes },
//!         group membership change (join order)      => Input::Membership(members),
//!         SIGTERM / `tandem cluster stop`              => Input::Shutdown,
//!         votequorum verdict                         => Input::Quorum(quorate),
//!         executor result / recurring change         => Input::Executed(result),
//!         timer the controller asked for             => Input::Timer(timer),
//!         cibadmin / crm_attribute / cleanup          => Input::Admin { req, op },
//!     };
//!     for out in c.handle(now_ms, input) {
//!         Output::Multicast(bytes)     => send to the controllers' CPG group
//!         Output::Exec(request)        => executor.submit (recurring when interval_ms > 0)
//!         Output::Cancel { handle }    => executor.cancel
//!         Output::CibChanged           => cib_store.save(&c.cib_xml()?) (may be coalesced)
//!         Output::SchedulerInput {..}  => pe_series.save(series, &xml, max)
//!         Output::SetTimer {..}        => arm a timer, feed Input::Timer when it fires
//!         Output::AdminReply {..}      => answer the waiting client
//!         Output::ShutdownReady        => leave the group and exit
//!     }
//! }
//! ```
//!
//! `tests/harness` wires N controllers through a simulated agreed-order group and fake
//! agents; `tests/cluster.rs` holds the scenarios (cold start, node loss, DC loss,
//! monitor failure and migration-threshold, failed start, partition with
//! no-quorum-policy=stop and heal, rejoin and corrupt-CIB sync, fencing, rolling
//! restart, DC crash mid-transition), cross-checked with Pacemaker's own
//! `crm_simulate` when it is installed. `examples/scale.rs` measures larger clusters.
//!
//! # How it works, and why the replicas agree
//!
//! - **DC election** needs no messages: the DC is the first member of the agreed
//!   membership, which the group layer lists in join order, identically on every node
//!   and at the same point of the message stream (virtual synchrony). Every member
//!   therefore names the same DC for the same configuration, and the longest-standing
//!   member keeps the role when others join. A partition elects one DC per side.
//! - **Join and CIB sync.** On each membership change every member multicasts its CIB
//!   version ([`Message::Version`]). Once all members' versions are delivered, each node
//!   computes the same winner (highest `(admin_epoch, epoch, num_updates)`, ties to the
//!   longest-standing member) and the winner multicasts its CIB ([`Message::Sync`]).
//!   Every replica installs it, records the membership in the status section, and
//!   applies the CIB updates it held back during the round, in delivery order. Each
//!   member then multicasts its own operation history (authoritative for its node, like
//!   Pacemaker's join-time LRM refresh); the DC schedules once every member's is in.
//! - **Updates** (administrator changes, operation results, attributes, quorum) are
//!   group messages, applied by every replica when delivered, in agreed order, so all
//!   copies stay identical. Configuration changes bump `epoch` (resetting
//!   `num_updates`), status changes bump `num_updates`.
//! - **Transitions.** After any change (and every cluster-recheck-interval) the DC runs
//!   [`scheduler::schedule`], saves the input ([`Output::SchedulerInput`]), and dispatches
//!   actions whose prerequisites completed as [`Message::Exec`] to the target node, at
//!   most batch-limit at a time across the cluster (none for 0 or -1: the load-derived
//!   throttle is not implemented) and node-action-limit per node (by default what each
//!   node announced with its join: twice its cores); one-shot actions go first, and a
//!   first recurring monitor waits until every one-shot action is dispatched; that node's controller hands them to its
//!   executor and multicasts the result ([`Message::Result`]), which every replica records
//!   as an `lrm_rsc_op` (`RSC_last_0`, `RSC_monitor_N`, `RSC_last_failure_0`). An
//!   unexpected result, an update, a membership change or an action timeout aborts the
//!   transition: nothing more is dispatched and, once the in-flight actions answered,
//!   the scheduler runs again.
//! - **Pending actions.** Every replica records a dispatched start/stop/promote/demote
//!   as pending (`op-status=-1`, `call-id=-1`) when the [`Message::Exec`] is delivered,
//!   so a DC elected while it runs sees it in progress and does not start the resource
//!   a second time elsewhere.
//! - **Clean shutdown.** [`Input::Shutdown`] sets the node's `shutdown` attribute; the
//!   scheduler moves its resources away and [`Output::ShutdownReady`] follows once
//!   nothing is left here; its departure then records `expected=down` (no fencing).
//! - **Failures** bump `fail-count-RSC#OP_INTERVAL` and set `last-failure-...` in the
//!   node's transient attributes (INFINITY for a failed start unless
//!   start-failure-is-fatal=false); [`CibOp::Cleanup`] clears history and counts. The
//!   scheduler's `clear_failcount` actions (a fail count past the resource's
//!   failure-timeout) delete that resource's fail counts there, history kept
//!   ([`failure_expiry`]), and the DC rechecks when the next one expires (the graph's
//!   `recheck-by`), not only every cluster-recheck-interval.
//! - **Fencing** actions go to a member other than the target (the target itself only
//!   when it is alone: `no-quorum-policy=suicide`), which reads the plan from its replica
//!   ([`fencing_topology`]: the `fencing-topology` levels, or every device able to fence
//!   the target), tries it level by level and reports one result naming the level used; a
//!   successful result marks the target down and erases its history.
//! - **Node loss** leaves the node's state `in_ccm=false` with `expected=member`: the
//!   scheduler fences it first when stonith-enabled, or recovers its resources at once
//!   when fencing is disabled (the lost node's history and transient attributes are then
//!   dropped, as it resends its own history when it rejoins; stops the scheduler still
//!   plans on an absent node are taken as implied). `have-quorum` is written by the DC from its quorum input;
//!   no-quorum-policy is applied by the scheduler.
//! - **Without fencing**, the quorate side waits `unfenced-recovery-delay` before
//!   recovering a lost node's resources, and a node cut off ([`Input::Isolated`]: the
//!   token lost, no ring within a grace, not quorate alone) stops its own at once, on its
//!   local executor, by the scheduler's plan for a partition without quorum, instead of
//!   waiting the consensus timeout for a ring of its own: the delay covers the grace and
//!   the stop, not the consensus timeout.
//! - **Removed resources**: the scheduler's `delete` actions for their histories become
//!   cleanups the DC multicasts (applied in place on every replica).

#![deny(missing_docs)]

pub mod api;
pub mod cib_doc;
pub mod controller;
pub mod error;
pub mod failure_expiry;
pub mod fencing_topology;
pub mod limits;
pub mod message;
pub mod options;
pub mod transition;
pub mod version;

pub use api::{
    ControllerConfig, ExecRequest, ExecResult, Input, InputSeries, Member, NodeId, Output, Timer,
};
pub use controller::{Controller, FenceEvent, Phase};
pub use error::ControllerError;
pub use message::{CibOp, ExecAction, Message, OpRecord};
pub use version::CibVersion;
