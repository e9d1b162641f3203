//! Bounds on the controller's queues and counters.

/// Messages held while a CIB sync round is in progress; past this the round is
/// abandoned and the held messages dropped (a new membership change restarts it).
pub const MAX_HELD_MESSAGES: usize = 10_000;

/// Largest encoded group message the controller accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Most messages in one [`crate::Message::Batch`] (a sender flushes at this many; a
/// receiver refuses more).
pub const MAX_BATCH_MESSAGES: usize = 64;

/// Most actions the DC keeps in flight across the cluster, whatever batch-limit says.
pub const MAX_IN_FLIGHT: usize = 10_000;

/// Actions one node runs at once when neither `node-action-limit` nor the node itself says
/// (Pacemaker's default is twice the node's cores; the host tells the controller its own).
pub const DEFAULT_NODE_JOBS: usize = 4;

/// Largest per-node action limit a node may report when it joins.
pub const MAX_NODE_JOBS: usize = 1024;

/// Operations one node's controller tracks at once (one-shot and recurring).
pub const MAX_LOCAL_OPS: usize = 100_000;

/// Extra time the DC waits past an action's timeout before calling it lost, in ms.
pub const ACTION_TIMEOUT_MARGIN_MS: u64 = 10_000;

/// Default operation timeout when the configuration gives none, in ms.
pub const DEFAULT_OP_TIMEOUT_MS: u64 = 20_000;

/// Default cluster-recheck-interval, in ms (Pacemaker 2.1: 15 minutes).
pub const DEFAULT_RECHECK_MS: u64 = 15 * 60 * 1000;

/// Fail-count value meaning INFINITY.
pub const INFINITY: i64 = 1_000_000;

/// Default of the `unfenced-recovery-delay` property, in ms: without fencing, how long the
/// quorate DC waits after losing a node that ran resources before recovering them, so a
/// node that lost quorum (no-quorum-policy=stop) has stopped them first.
pub const DEFAULT_UNFENCED_RECOVERY_DELAY_MS: u64 = 5_000;

/// Default time one fence device may take for a fencing action (`stonith-timeout`), in ms.
pub const DEFAULT_STONITH_TIMEOUT_MS: u64 = 60_000;

/// Fencing operations remembered for `stonith_admin --history`.
pub const MAX_FENCE_HISTORY: usize = 64;

/// The instance part of the transition key of an administrator's fencing request.
pub const ADMIN_FENCE_KEY: &str = "stonith_admin";

/// Default of `stonith-max-attempts`: failed fencings of one target before the DC stops
/// retrying it at once (it tries again at the next cluster recheck).
pub const DEFAULT_STONITH_MAX_ATTEMPTS: u32 = 10;

/// The DC checks the CIB replicas against its own at most this often (ms), when idle after
/// a change: each check serialises and hashes the whole CIB on every node.
pub const REPLICA_CHECK_INTERVAL_MS: u64 = 10_000;
