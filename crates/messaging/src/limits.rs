//! Every bound the daemon and its IPC protocol enforce, in one place.

/// Largest IPC frame body accepted or sent, in bytes (a CPG message plus headers).
pub const IPC_FRAME_BYTES_MAX: usize = 16 * 1024 * 1024 + 4096;
/// Largest CPG message payload a client may multicast, in bytes.
pub const CPG_MESSAGE_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Largest CPG group name, in bytes (as corosync's CPG).
pub const CPG_GROUP_NAME_BYTES_MAX: usize = 128;
/// Largest number of entries in any list carried by one IPC frame.
pub const IPC_LIST_ENTRIES_MAX: usize = 65_536;
/// Bytes queued towards one client before it is considered too slow and disconnected.
pub const CLIENT_OUTPUT_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Bytes of deliveries queued towards a local client from which the daemon holds the ordering
/// token back (at most [`TOKEN_DEFER_MS_MAX`] per visit) until the client has read below it: no
/// node can add messages meanwhile, so a slow reader slows the whole ring down instead of
/// growing the daemon's memory.
pub const CLIENT_OUTPUT_PRESSURE_BYTES: usize = 512 * 1024;
/// Longest time one token visit is held back for a slow local client, in ms (further capped at
/// a quarter of the token retransmit timeout, so a held token is never taken for lost).
pub const TOKEN_DEFER_MS_MAX: u64 = 20;
/// Join intervals after its ring broke within which a node must hold JOINs from a quorate set
/// of nodes, or take itself for cut off (`daemon::cut_off_after_ms`): every node that hears
/// it answers its first JOIN at once, and two intervals leave room for one lost JOIN.
pub const CUT_OFF_JOIN_INTERVALS: u64 = 2;
/// Least time after its ring broke before a node takes itself for cut off, in ms (for very
/// short join intervals: the answer to a JOIN waits for the other node's CPU under load).
pub const CUT_OFF_AFTER_MS_MIN: u64 = 50;
/// Bytes of deliveries queued towards a client beyond which its own multicasts get TRY_AGAIN
/// (a second line behind the token hold, e.g. for a single-node ring where no token turns).
pub const CLIENT_OUTPUT_SENDER_PRESSURE_BYTES: usize = 4 * 1024 * 1024;
/// Bytes buffered from one client before a complete frame must have arrived.
pub const CLIENT_INPUT_BYTES_MAX: usize = IPC_FRAME_BYTES_MAX + 4;
/// Undecoded bytes the daemon reads ahead from one client (more when one frame is larger):
/// beyond it, a pipelining client waits in its socket, not in the daemon's memory.
pub const CLIENT_INPUT_READ_AHEAD_BYTES: usize = 32 * 1024;
/// Bytes of queued multicasts a pipelining client keeps unwritten before
/// `Client::cpg_mcast_queued` answers TryAgain.
pub const CLIENT_QUEUED_OUTPUT_BYTES: usize = 16 * 1024;
/// Unwritten queued multicast bytes at which `Client::cpg_mcast_queued` writes them out at once
/// (below it they go out with the next wait for events or request: few large writes).
pub const CLIENT_QUEUED_FLUSH_BYTES: usize = 8 * 1024;
/// Send buffer a pipelining client asks for on its socket: what waits there is latency (raised
/// to hold one frame when messages are larger).
pub const CLIENT_QUEUED_SNDBUF_BYTES: usize = 8 * 1024;
/// Connected IPC clients at once; further connections are refused.
pub const CLIENTS_MAX: usize = 1024;
/// Events (readable fds, timers, signals) handled per wake-up of the event loop.
pub const EVENTS_PER_WAKEUP_MAX: usize = 256;
/// Frames read from one client per wake-up, so one busy client cannot starve others.
pub const FRAMES_PER_CLIENT_WAKEUP_MAX: usize = 64;
/// Packets read from one socket per wake-up.
pub const PACKETS_PER_SOCKET_WAKEUP_MAX: usize = 64;
/// Messages queued by local clients but not yet accepted by Totem, across all clients.
pub const PENDING_MULTICAST_MAX: usize = 16_384;
/// Bytes of client messages queued but not yet accepted by Totem, summed over the ring: each
/// node's bound is this divided by the number of ring members (between
/// [`PENDING_MULTICAST_BYTES_MIN`] and [`PENDING_MULTICAST_BYTES_MAX`]), so that what waits ahead of a new message across all
/// senders, and with it the round trip, stays about the same whatever the ring's size. Beyond
/// a node's bound its clients get TRY_AGAIN (one message of any allowed size is accepted into
/// an empty queue). 64 KiB per node on a 3-node ring, 38 KiB on a 5-node ring.
pub const RING_PENDING_MULTICAST_BYTES: usize = 192 * 1024;
/// Most bytes of client messages one node queues ahead of Totem (rings of up to 3 nodes):
/// small, so that queueing delay and memory stay low when clients send large messages.
pub const PENDING_MULTICAST_BYTES_MAX: usize = 64 * 1024;
/// Least per-node bound on queued client message bytes (see
/// [`RING_PENDING_MULTICAST_BYTES`]), so that large rings still fill each token visit.
pub const PENDING_MULTICAST_BYTES_MIN: usize = 16 * 1024;
/// Queued multicasts of pipelining clients are taken while fewer than this many cluster
/// messages wait, whatever their size: large messages keep a few in the queue (throughput)
/// while small ones are bounded by [`RING_PENDING_MULTICAST_BYTES`] (round trip).
pub const PENDING_MULTICAST_MESSAGES_FLOOR: usize = 4;
/// Bytes of fragmented CPG messages being reassembled at once, from all senders.
pub const CPG_REASSEMBLY_BYTES_MAX: usize = 256 * 1024 * 1024;
/// Processes (client handles) tracked in one CPG group, cluster-wide.
pub const CPG_GROUP_MEMBERS_MAX: usize = 4096;
/// Distinct CPG groups tracked, cluster-wide.
pub const CPG_GROUPS_MAX: usize = 4096;
/// Largest UDP datagram read from a socket, in bytes.
pub const PACKET_BYTES_MAX: usize = 65_536;
/// Most Totem messages (single messages or bundles of up to one datagram) handed to Totem's
/// send queue ahead of the token, per node. Small, so that what a node broadcasts per token
/// visit is bounded in bytes (about two datagrams) whatever its clients' message sizes: a node
/// with 64 KiB messages cannot hold the ring for longer than one with 1 KiB messages, and
/// messages queued meanwhile travel together as one bundle.
pub const TOTEM_QUEUE_MESSAGES_MAX: usize = 2;
/// glibc's mmap threshold, fixed (see [`crate::memory`]): blocks from this size up get their
/// own mapping, returned to the kernel when freed. Above one full-size Totem message so that
/// per-message buffers stay on the heap.
pub const MALLOC_MMAP_THRESHOLD_BYTES: usize = 128 * 1024;
/// glibc's trim threshold, fixed: free space at the top of the heap beyond it is returned.
pub const MALLOC_TRIM_THRESHOLD_BYTES: usize = 256 * 1024;
/// Most glibc malloc arenas (threads beyond share them; the event loop is single-threaded).
pub const MALLOC_ARENAS_MAX: usize = 2;
/// Least time between two releases of free heap pages to the kernel, in ms.
pub const MEMORY_TRIM_INTERVAL_MS: u64 = 1000;
