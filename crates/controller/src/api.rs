//! The controller's inputs and outputs.

use crate::error::ControllerError;
use crate::message::CibOp;

/// A node id as the membership layer numbers nodes (corosync nodeid).
pub type NodeId = u32;

/// A member of the controllers' process group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Node id.
    pub id: NodeId,
    /// Node name (the `uname` in the CIB).
    pub name: String,
}

impl Member {
    /// A member.
    pub fn new(id: NodeId, name: &str) -> Member {
        Member {
            id,
            name: name.to_string(),
        }
    }
}

/// Who this controller is.
#[derive(Clone, Debug)]
pub struct ControllerConfig {
    /// This node's id.
    pub node_id: NodeId,
    /// This node's name.
    pub node_name: String,
    /// A unique id of this controller instance (a UUID the daemon generates at start),
    /// written into transition keys.
    pub instance: String,
}

/// Something that happened, fed to [`crate::Controller::handle`].
#[derive(Clone, Debug)]
pub enum Input {
    /// A group message, delivered in agreed order (own messages included).
    Message {
        /// Sender node id.
        from: NodeId,
        /// The bytes as multicast.
        bytes: Vec<u8>,
    },
    /// The group's membership changed; `members` in the agreed (join) order, identical on
    /// every member, and delivered in the same place of the message order everywhere.
    Membership(Vec<Member>),
    /// The local quorum verdict changed. For a membership change, feed the new verdict
    /// before the [`Input::Membership`] (as votequorum reports on the ring's configuration
    /// before the process group's change), so the first schedule after a node loss uses it.
    Quorum(bool),
    /// The local executor finished an operation (or a recurring one reported).
    Executed(ExecResult),
    /// A timer set with [`Output::SetTimer`] expired.
    Timer(Timer),
    /// This node wants to leave the cluster cleanly: its resources are moved away, then
    /// [`Output::ShutdownReady`] says it may go (and its departure is not a failure).
    Shutdown,
    /// Totem lost the token and no new ring formed within a short grace, and this node alone
    /// would not be quorate: it is probably cut off from a quorate majority, which may
    /// recover its resources after `unfenced-recovery-delay`. Without fencing and with
    /// no-quorum-policy=stop the controller stops them at once on the local executor. A
    /// later [`Input::Membership`] ends the state.
    Isolated,
    /// An administrator asks for a node to be fenced (`stonith_admin --fence/--reboot`):
    /// a member other than the target (this node when it can) runs the fencing, whose
    /// result every replica records as the scheduler's own fencing would be.
    Fence {
        /// The node to fence.
        target: String,
        /// `off` or `reboot`; `confirm` records the node as fenced without running any
        /// device (the administrator vouches that it is down, `stonith_admin --confirm`).
        action: String,
    },
    /// An administrator's CIB change; answered by [`Output::AdminReply`] once applied.
    Admin {
        /// Caller's request number (0 is reserved for the controller's own requests,
        /// which get no reply).
        req: u64,
        /// The change.
        op: CibOp,
    },
}

/// An operation for the local executor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecRequest {
    /// Handle to quote in [`ExecResult`] and [`Output::Cancel`].
    pub handle: u64,
    /// Resource id.
    pub rsc: String,
    /// Agent class (`ocf`, `lsb`, `systemd`, `stonith`, ...).
    pub class: String,
    /// Agent provider.
    pub provider: Option<String>,
    /// Agent type.
    pub kind: String,
    /// Action (start, stop, monitor, promote, demote, reboot, off, ...).
    pub action: String,
    /// Interval in ms; non-zero means recurring.
    pub interval_ms: u64,
    /// Timeout in ms.
    pub timeout_ms: u64,
    /// Instance parameters and `CRM_meta_*` values.
    pub params: Vec<(String, String)>,
    /// The node to fence, for stonith requests.
    pub fence_target: Option<String>,
}

/// An operation's result from the local executor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecResult {
    /// The request's handle.
    pub handle: u64,
    /// OCF return code.
    pub rc: i32,
    /// Execution status (0 done, 1 cancelled, 2 timed out, 3 not supported, 4 error,
    /// 7 not installed, as in lrm_rsc_op's op-status).
    pub op_status: i32,
    /// Agent's exit reason.
    pub exit_reason: String,
    /// Run time in ms.
    pub exec_ms: u64,
    /// Time queued in ms.
    pub queue_ms: u64,
}

/// Timers the controller asks for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// cluster-recheck-interval elapsed (stale when `gen` is old).
    Recheck {
        /// Generation.
        gen: u64,
    },
    /// The delay after an unfenced node loss elapsed (see `unfenced-recovery-delay`).
    RecoveryDelay,
    /// The DC may check the replicas again (see `replica_check`).
    ReplicaCheck,
    /// A fence device's `pcmk_delay_base`/`pcmk_delay_max` delay ended: run it now.
    FenceDelay {
        /// The handle its execution will carry.
        handle: u64,
    },
    /// An action dispatched by the DC has not answered in time.
    ActionTimeout {
        /// Transition number.
        transition: u64,
        /// Action index.
        action: usize,
    },
}

/// Which pe-* series a scheduler input belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputSeries {
    /// pe-input.
    Input,
    /// pe-warn.
    Warn,
    /// pe-error.
    Error,
}

/// What the controller asks its host to do.
#[derive(Clone, Debug)]
pub enum Output {
    /// Multicast these bytes to the group (agreed order, delivered back to us too).
    Multicast(Vec<u8>),
    /// Run an operation on the local executor.
    Exec(ExecRequest),
    /// Cancel a recurring operation.
    Cancel {
        /// The request's handle.
        handle: u64,
    },
    /// The CIB changed: persist [`crate::Controller::cib_xml`] (the host may coalesce
    /// several changes into one write; at most one of these per `handle` call).
    CibChanged,
    /// Save a scheduler input in the pe-* series bounded by `max` (the property's value;
    /// -1 unlimited, 0 none).
    SchedulerInput {
        /// The series.
        series: InputSeries,
        /// The CIB the scheduler ran on.
        xml: String,
        /// pe-*-series-max.
        max: i64,
    },
    /// Call back with [`Input::Timer`] after `after_ms`.
    SetTimer {
        /// The timer.
        timer: Timer,
        /// Delay in ms.
        after_ms: u64,
    },
    /// After [`Input::Shutdown`]: nothing runs here any more; the node may leave.
    ShutdownReady,
    /// An administrator's request was applied (or refused) by this replica.
    AdminReply {
        /// The request number.
        req: u64,
        /// Outcome.
        result: Result<(), ControllerError>,
    },
}
