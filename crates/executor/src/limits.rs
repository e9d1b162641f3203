//! Every bound the executor enforces, in one place.

use std::time::Duration;

/// Bytes of an agent's stdout kept with a result; the rest is counted and dropped.
pub const MAX_STDOUT_BYTES: usize = 64 * 1024;
/// Bytes of an agent's stderr kept with a result; the rest is counted and dropped.
pub const MAX_STDERR_BYTES: usize = 64 * 1024;
/// Bytes of meta-data output accepted before the meta-data is declared invalid.
pub const MAX_METADATA_BYTES: usize = 1024 * 1024;
/// Timeout used when neither the request nor the agent's meta-data give one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest timeout a request may ask for.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// Time between SIGTERM and SIGKILL of a timed-out operation's process group.
pub const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(2);
/// Operations running at once across all resources, unless configured otherwise.
pub const DEFAULT_MAX_CONCURRENT: usize = 32;
/// Highest concurrency limit a configuration may ask for.
pub const MAX_CONCURRENT: usize = 1024;
/// Operations accepted but not yet finished (queued, running or recurring) across all resources.
pub const MAX_PENDING_OPS: usize = 16 * 1024;
/// Completion events buffered for a slow consumer before the executor waits.
pub const MAX_EVENT_BACKLOG: usize = 4096;
/// Parameters plus meta attributes in one request.
pub const MAX_PARAMS: usize = 512;
/// Bytes of one parameter value.
pub const MAX_PARAM_VALUE_BYTES: usize = 64 * 1024;
/// Agent specs whose meta-data the cache keeps.
pub const MAX_CACHED_METADATA: usize = 1024;
/// Shortest interval a recurring operation may have.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// Default period after which an unchanged recurring result is reported again.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(600);
/// Longest time spent draining pipes after the agent exited (a forked daemon may hold them).
pub const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(50);

/// How long a worker thread with no operation to run waits for one before it exits.
pub const WORKER_IDLE_EXIT: Duration = Duration::from_secs(30);
/// Bytes read from an LSB script when looking for its INIT INFO header.
pub const MAX_LSB_HEADER_BYTES: usize = 64 * 1024;
/// Agents listed by one directory scan.
pub const MAX_LISTED_AGENTS: usize = 10_000;
