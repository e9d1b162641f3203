//! Bounds of the resource manager's queues and buffers.

use std::time::Duration;

/// Largest admin request or reply body (a whole CIB fits).
pub const ADMIN_BODY_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Admin connections served at once; more are refused.
pub const ADMIN_CONNECTIONS_MAX: usize = 64;
/// How long an admin client waits for its change to be applied in agreed order.
pub const ADMIN_REPLY_TIMEOUT: Duration = Duration::from_secs(30);
/// Events queued for the manager's loop before producers block.
pub const EVENT_QUEUE_MAX: usize = 65_536;
/// How long to keep trying to connect to tandemd at start.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Retries of a multicast the daemon asked us to try again later.
pub const MCAST_RETRIES_MAX: u32 = 200;
/// Delay before re-sending a multicast refused with TryAgain.
pub const MCAST_RETRY_DELAY: Duration = Duration::from_millis(20);
/// After a shutdown request, how long the manager waits for its resources to move away
/// before leaving anyway (Pacemaker's shutdown-escalation is 20 minutes).
pub const SHUTDOWN_ESCALATION: Duration = Duration::from_secs(20 * 60);

/// Shortest time between two writes of the CIB replica to disk; changes in
/// between are written together (the first change after a quiet spell is
/// written at once).
pub const CIB_SAVE_INTERVAL: Duration = Duration::from_millis(200);
/// Shortest time between two writes of the CIB replica when only its status section
/// changed since the last one (operation results, attributes): see `cib_text`.
pub const CIB_STATUS_SAVE_INTERVAL: Duration = Duration::from_secs(2);
/// Longest a regained quorum is held back waiting for the merged group membership.
pub const QUORUM_HOLD_MAX: Duration = Duration::from_secs(2);

/// How often the manager reads tandemd's Totem counters to notice a broken ring, until
/// tandemd's first ring event arrives.
pub const RING_POLL: Duration = Duration::from_millis(25);
/// How often while the ring is broken: a cut-off verdict (see `ring_watch`) reaches the
/// manager at most this long after tandemd made it (part of the default
/// `unfenced-recovery-delay`, see tandemd's `node::recovery_delay_ms`).
pub const RING_POLL_IN_DOUBT: Duration = Duration::from_millis(10);
/// How often the manager reads the counters once tandemd sends ring events (the events
/// carry the verdict; the poll is only a fallback).
pub const RING_POLL_FALLBACK: Duration = Duration::from_secs(1);
/// Scheduler inputs waiting for the disk writer; past this the oldest is dropped (logged).
pub const DISK_INPUTS_QUEUED_MAX: usize = 16;
