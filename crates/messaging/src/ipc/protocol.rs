//! The messages of the local IPC protocol, version 1, and their binary encoding.
//!
//! Framing: every frame is a big-endian u32 body length followed by the body; the body's first byte
//! is the message tag. A client first sends [`Request::Hello`] and the daemon answers
//! [`Reply::Hello`]. Every later request gets exactly one reply, in request order. Events
//! ([`Event`]) arrive between replies at any time once the client has asked for them (by joining a
//! CPG group, by tracking quorum or by tracking the ring).

use super::codec::{DecodeError, Reader, Writer};
use crate::limits;

/// Protocol version spoken by this build.
pub const PROTOCOL_VERSION: u16 = 1;

/// A Totem ring id: the representative's node id and the ring sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RingId {
    /// Node id of the ring's representative (lowest member id).
    pub rep: u32,
    /// Ring sequence number.
    pub seq: u64,
}

impl std::fmt::Display for RingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:x}.{:x}", self.rep, self.seq)
    }
}

/// Why a process appears in a CPG confchg's left or joined list (numbers as corosync's CPG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConfchgReason {
    /// The process called join.
    Join = 1,
    /// The process called leave.
    Leave = 2,
    /// Its node left the membership (crash or partition).
    NodeDown = 3,
    /// Its node merged back, with the process already a member.
    NodeUp = 4,
    /// The process exited or disconnected without leaving.
    ProcDown = 5,
}

impl ConfchgReason {
    /// The reason with this number.
    pub fn from_number(number: u8) -> Result<Self, DecodeError> {
        Ok(match number {
            1 => ConfchgReason::Join,
            2 => ConfchgReason::Leave,
            3 => ConfchgReason::NodeDown,
            4 => ConfchgReason::NodeUp,
            5 => ConfchgReason::ProcDown,
            tag => {
                return Err(DecodeError::UnknownTag {
                    what: "confchg reason",
                    tag,
                })
            }
        })
    }
    /// The lowercase word used in tool output.
    pub fn word(self) -> &'static str {
        match self {
            ConfchgReason::Join => "join",
            ConfchgReason::Leave => "leave",
            ConfchgReason::NodeDown => "nodedown",
            ConfchgReason::NodeUp => "nodeup",
            ConfchgReason::ProcDown => "procdown",
        }
    }
}

/// One process of a CPG group: node id plus process id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CpgProcess {
    /// Node the process runs on.
    pub nodeid: u32,
    /// Its process id on that node.
    pub pid: u32,
}

/// A process in a confchg's left or joined list, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpgChange {
    /// The process.
    pub process: CpgProcess,
    /// Why it left or joined.
    pub reason: ConfchgReason,
}

/// One member of the quorum membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumMember {
    /// Node id.
    pub nodeid: u32,
    /// Votes it contributes.
    pub votes: u32,
    /// Its name from the nodelist (or its first address).
    pub name: String,
}

/// Quorum state of the local node, as `corosync-quorumtool -s` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumStatus {
    /// False when no quorum provider is configured.
    pub provider_enabled: bool,
    /// Local node id.
    pub nodeid: u32,
    /// Current ring.
    pub ring_id: RingId,
    /// Whether this partition has quorum.
    pub quorate: bool,
    /// Expected votes in use.
    pub expected_votes: u32,
    /// Highest expected votes reported by any member.
    pub highest_expected: u32,
    /// Sum of the members' votes.
    pub total_votes: u32,
    /// Votes needed for quorum.
    pub quorum: u32,
    /// Flag words in corosync's order (`2Node`, `Quorate`, `WaitForAll`, `LastManStanding`, `AutoTieBreaker`).
    pub flags: Vec<String>,
    /// Members of the current ring, by ascending node id.
    pub members: Vec<QuorumMember>,
}

/// One redundant ring (link) of the local node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingStatus {
    /// Ring number (0 or 1).
    pub number: u32,
    /// Local address on this ring.
    pub address: String,
    /// Whether the ring is marked faulty.
    pub faulty: bool,
    /// Per configured node: node id and whether it is reachable on this ring.
    pub peers: Vec<(u32, bool)>,
}

/// A node of the nodelist as the runtime sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStatus {
    /// Node id.
    pub nodeid: u32,
    /// Its addresses, one per ring.
    pub addresses: Vec<String>,
    /// How many times it has joined the local node's membership.
    pub join_count: u32,
    /// Whether it is in the current ring.
    pub joined: bool,
}

/// Runtime status of the local daemon, for `cfgtool` and `cmapctl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeStatus {
    /// Local node id.
    pub nodeid: u32,
    /// Cluster name.
    pub cluster_name: String,
    /// Transport name (`udpu`, `udp`).
    pub transport: String,
    /// Current ring id.
    pub ring_id: RingId,
    /// Node ids of the current ring, ascending.
    pub ring_members: Vec<u32>,
    /// The local rings.
    pub rings: Vec<RingStatus>,
    /// Nodes ever seen or configured.
    pub members: Vec<MemberStatus>,
    /// Effective configuration values, as `runtime.config.` key suffix and value.
    pub config: Vec<(String, u64)>,
    /// Counters, as `stats.` key suffix and value.
    pub stats: Vec<(String, u64)>,
}

/// What happened to this node's ring, as an [`Event::Ring`] tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingChange {
    /// No change: the state when tracking starts.
    Current = 0,
    /// Totem left its ring (token lost, or a JOIN arrived): the node is gathering.
    Broken = 1,
    /// The daemon judged the node cut off: no JOIN from a quorate set of nodes shortly
    /// after the break (the `tandemd.cut_off` counter went up).
    CutOff = 2,
    /// A new ring was installed. The group confchgs of nodes it lost were sent before this
    /// event; those of nodes it gained follow once the members exchanged their lists.
    Formed = 3,
}

impl RingChange {
    fn from_number(n: u8) -> Option<RingChange> {
        Some(match n {
            0 => RingChange::Current,
            1 => RingChange::Broken,
            2 => RingChange::CutOff,
            3 => RingChange::Formed,
            _ => return None,
        })
    }
}

/// This node's ring as [`Event::Ring`] reports it: the change and the counters the runtime
/// status also shows (`srp.operational_entered`, `tandemd.ring_breaks`, `tandemd.cut_off`,
/// `tandemd.ring_break_age_ms`, `totem.consensus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingState {
    /// What happened.
    pub change: RingChange,
    /// Rings installed so far.
    pub rings_formed: u64,
    /// Breaks so far.
    pub breaks: u64,
    /// Breaks judged cut off so far.
    pub cut_off: u64,
    /// How long ago the ring broke, in ms, while it is broken.
    pub break_age_ms: Option<u64>,
    /// Totem's consensus timeout, in ms.
    pub consensus_ms: u64,
}

/// Error codes of [`Reply::Error`] (numbers follow corosync's cs_error_t where one fits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Retry later (membership changing, queue full).
    TryAgain = 6,
    /// Invalid argument.
    InvalidParam = 7,
    /// Not allowed in this state (e.g. mcast before join).
    BadHandle = 9,
    /// Already joined.
    Exist = 18,
    /// Message too large.
    TooBig = 22,
    /// Protocol version not supported.
    Version = 30,
}

impl ErrorCode {
    fn from_number(number: u16) -> Self {
        match number {
            6 => ErrorCode::TryAgain,
            9 => ErrorCode::BadHandle,
            18 => ErrorCode::Exist,
            22 => ErrorCode::TooBig,
            30 => ErrorCode::Version,
            _ => ErrorCode::InvalidParam,
        }
    }
}

/// A client's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// First frame: the protocol version the client speaks.
    Hello {
        /// Client protocol version.
        version: u16,
    },
    /// Join a CPG group (one group per connection).
    CpgJoin {
        /// Group name, at most 128 bytes.
        group: Vec<u8>,
    },
    /// Leave the joined group.
    CpgLeave,
    /// Multicast to the joined group, in agreed order.
    CpgMcast {
        /// Payload.
        data: Vec<u8>,
    },
    /// Current members of the joined group.
    CpgMembership,
    /// Current quorum status.
    QuorumGet,
    /// Start or stop [`Event::Quorum`] notifications (one is sent at once on start).
    QuorumTrack {
        /// True to start.
        enable: bool,
    },
    /// Runtime status (rings, members, config).
    Status,
    /// Leave the cluster cleanly and stop the daemon.
    Shutdown,
    /// Set expected votes cluster-wide (`quorumtool -e`).
    QuorumSetExpected {
        /// New expected votes (at least the current total of votes).
        expected: u32,
    },
    /// Set one node's votes cluster-wide (`quorumtool -v [-n]`).
    QuorumSetVotes {
        /// Node whose votes change; 0 for the local node.
        nodeid: u32,
        /// New number of votes.
        votes: u32,
    },
    /// Make another member (or this node) leave the cluster and stop its daemon (`cfgtool -k`).
    KillNode {
        /// The node to stop.
        nodeid: u32,
    },
    /// Multicast to the joined group, in agreed order, without a reply: the daemon takes such
    /// requests only while its send queue has room and otherwise stops reading the connection,
    /// so a pipelining client is pushed back by its socket filling up. One from a connection
    /// that is not in a group is dropped and counted (`ipc.queued_mcast_dropped`).
    CpgMcastQueued {
        /// Payload.
        data: Vec<u8>,
    },
    /// Every node re-reads its corosync.conf and applies what may change at runtime
    /// (`cfgtool -R`).
    ReloadConfig,
    /// Start or stop [`Event::Ring`] notifications (one is sent at once on start).
    RingTrack {
        /// True to start.
        enable: bool,
    },
}

/// The daemon's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Answer to Hello.
    Hello {
        /// Daemon protocol version.
        version: u16,
        /// Local node id.
        nodeid: u32,
        /// The process id the daemon recorded for this connection.
        pid: u32,
    },
    /// The request succeeded.
    Ok,
    /// The request failed.
    Error {
        /// Error class.
        code: ErrorCode,
        /// Human-readable explanation.
        message: String,
    },
    /// Answer to CpgMembership.
    CpgMembers {
        /// Members, in join order.
        members: Vec<CpgProcess>,
    },
    /// Answer to QuorumGet.
    Quorum(QuorumStatus),
    /// Answer to Status.
    Status(RuntimeStatus),
}

/// A message the daemon sends without a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A message multicast to the joined group, in agreed order.
    CpgDeliver {
        /// Group name.
        group: Vec<u8>,
        /// Ring on which it was ordered.
        ring_id: RingId,
        /// Sender.
        sender: CpgProcess,
        /// Sender's per-connection message number, from 1.
        sequence: u64,
        /// Payload.
        data: Vec<u8>,
    },
    /// Membership of the joined group changed.
    CpgConfchg {
        /// Group name.
        group: Vec<u8>,
        /// Ring current when the change was ordered.
        ring_id: RingId,
        /// Members after the change, in join order.
        members: Vec<CpgProcess>,
        /// Processes that left.
        left: Vec<CpgChange>,
        /// Processes that joined.
        joined: Vec<CpgChange>,
    },
    /// Quorum or node membership changed.
    Quorum(QuorumStatus),
    /// This node's ring broke, was judged cut off, or formed again.
    Ring(RingState),
}

/// Anything the daemon sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerMessage {
    /// Answer to the oldest unanswered request.
    Reply(Reply),
    /// Unsolicited event.
    Event(Event),
}

mod tag {
    pub const HELLO: u8 = 1;
    pub const CPG_JOIN: u8 = 2;
    pub const CPG_LEAVE: u8 = 3;
    pub const CPG_MCAST: u8 = 4;
    pub const CPG_MEMBERSHIP: u8 = 5;
    pub const QUORUM_GET: u8 = 6;
    pub const QUORUM_TRACK: u8 = 7;
    pub const STATUS: u8 = 8;
    pub const SHUTDOWN: u8 = 9;
    pub const QUORUM_SET_EXPECTED: u8 = 10;
    pub const QUORUM_SET_VOTES: u8 = 11;
    pub const KILL_NODE: u8 = 12;
    pub const CPG_MCAST_QUEUED: u8 = 13;
    pub const RELOAD_CONFIG: u8 = 14;
    pub const RING_TRACK: u8 = 15;

    pub const REPLY_HELLO: u8 = 128;
    pub const REPLY_OK: u8 = 129;
    pub const REPLY_ERROR: u8 = 130;
    pub const REPLY_CPG_MEMBERS: u8 = 131;
    pub const REPLY_QUORUM: u8 = 132;
    pub const REPLY_STATUS: u8 = 133;

    pub const EVENT_CPG_DELIVER: u8 = 192;
    pub const EVENT_CPG_CONFCHG: u8 = 193;
    pub const EVENT_QUORUM: u8 = 194;
    pub const EVENT_RING: u8 = 195;
}

const STRING_BYTES_MAX: usize = 4096;

impl Request {
    /// Encodes the frame body.
    pub fn encode(&self) -> Vec<u8> {
        self.write(Writer::new).finish()
    }

    /// Encodes the whole frame (length prefix and body), as written to the socket.
    pub fn encode_framed(&self) -> Vec<u8> {
        self.write(Writer::framed).finish_framed()
    }

    fn write(&self, start: fn(u8) -> Writer) -> Writer {
        match self {
            Request::Hello { version } => {
                let mut w = start(tag::HELLO);
                w.u16(*version);
                w
            }
            Request::CpgJoin { group } => {
                let mut w = start(tag::CPG_JOIN);
                w.bytes(group);
                w
            }
            Request::CpgLeave => start(tag::CPG_LEAVE),
            Request::CpgMcast { data } => {
                let mut w = start(tag::CPG_MCAST);
                w.bytes(data);
                w
            }
            Request::CpgMembership => start(tag::CPG_MEMBERSHIP),
            Request::QuorumGet => start(tag::QUORUM_GET),
            Request::QuorumTrack { enable } => {
                let mut w = start(tag::QUORUM_TRACK);
                w.bool(*enable);
                w
            }
            Request::Status => start(tag::STATUS),
            Request::Shutdown => start(tag::SHUTDOWN),
            Request::QuorumSetExpected { expected } => {
                let mut w = start(tag::QUORUM_SET_EXPECTED);
                w.u32(*expected);
                w
            }
            Request::QuorumSetVotes { nodeid, votes } => {
                let mut w = start(tag::QUORUM_SET_VOTES);
                w.u32(*nodeid).u32(*votes);
                w
            }
            Request::KillNode { nodeid } => {
                let mut w = start(tag::KILL_NODE);
                w.u32(*nodeid);
                w
            }
            Request::CpgMcastQueued { data } => {
                let mut w = start(tag::CPG_MCAST_QUEUED);
                w.bytes(data);
                w
            }
            Request::ReloadConfig => start(tag::RELOAD_CONFIG),
            Request::RingTrack { enable } => {
                let mut w = start(tag::RING_TRACK);
                w.bool(*enable);
                w
            }
        }
    }

    /// Decodes a frame body.
    pub fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let request = match r.u8("request tag")? {
            tag::HELLO => Request::Hello {
                version: r.u16("version")?,
            },
            // Over-long names are refused by the daemon with InvalidParam, not as bad frames.
            tag::CPG_JOIN => Request::CpgJoin {
                group: r.bytes("group name", STRING_BYTES_MAX)?.to_vec(),
            },
            tag::CPG_LEAVE => Request::CpgLeave,
            tag::CPG_MCAST => Request::CpgMcast {
                data: r.bytes("message", limits::CPG_MESSAGE_BYTES_MAX)?.to_vec(),
            },
            tag::CPG_MEMBERSHIP => Request::CpgMembership,
            tag::QUORUM_GET => Request::QuorumGet,
            tag::QUORUM_TRACK => Request::QuorumTrack {
                enable: r.bool("enable")?,
            },
            tag::STATUS => Request::Status,
            tag::SHUTDOWN => Request::Shutdown,
            tag::QUORUM_SET_EXPECTED => Request::QuorumSetExpected {
                expected: r.u32("expected votes")?,
            },
            tag::QUORUM_SET_VOTES => Request::QuorumSetVotes {
                nodeid: r.u32("nodeid")?,
                votes: r.u32("votes")?,
            },
            tag::KILL_NODE => Request::KillNode {
                nodeid: r.u32("nodeid")?,
            },
            tag::CPG_MCAST_QUEUED => Request::CpgMcastQueued {
                data: r.bytes("message", limits::CPG_MESSAGE_BYTES_MAX)?.to_vec(),
            },
            tag::RELOAD_CONFIG => Request::ReloadConfig,
            tag::RING_TRACK => Request::RingTrack {
                enable: r.bool("enable")?,
            },
            tag => {
                return Err(DecodeError::UnknownTag {
                    what: "request",
                    tag,
                })
            }
        };
        r.end()?;
        Ok(request)
    }
}

fn write_ring_id(w: &mut Writer, ring_id: RingId) {
    w.u32(ring_id.rep).u64(ring_id.seq);
}

fn read_ring_id(r: &mut Reader<'_>) -> Result<RingId, DecodeError> {
    Ok(RingId {
        rep: r.u32("ring id rep")?,
        seq: r.u64("ring id seq")?,
    })
}

fn write_processes(w: &mut Writer, processes: &[CpgProcess]) {
    w.count(processes.len());
    for process in processes {
        w.u32(process.nodeid).u32(process.pid);
    }
}

fn read_processes(r: &mut Reader<'_>) -> Result<Vec<CpgProcess>, DecodeError> {
    let count = r.count("member count")?;
    let mut processes = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        processes.push(CpgProcess {
            nodeid: r.u32("member nodeid")?,
            pid: r.u32("member pid")?,
        });
    }
    Ok(processes)
}

fn write_changes(w: &mut Writer, changes: &[CpgChange]) {
    w.count(changes.len());
    for change in changes {
        w.u32(change.process.nodeid)
            .u32(change.process.pid)
            .u8(change.reason as u8);
    }
}

fn read_changes(r: &mut Reader<'_>) -> Result<Vec<CpgChange>, DecodeError> {
    let count = r.count("change count")?;
    let mut changes = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let nodeid = r.u32("change nodeid")?;
        let pid = r.u32("change pid")?;
        let reason = ConfchgReason::from_number(r.u8("change reason")?)?;
        changes.push(CpgChange {
            process: CpgProcess { nodeid, pid },
            reason,
        });
    }
    Ok(changes)
}

fn write_quorum(w: &mut Writer, status: &QuorumStatus) {
    w.bool(status.provider_enabled).u32(status.nodeid);
    write_ring_id(w, status.ring_id);
    w.bool(status.quorate)
        .u32(status.expected_votes)
        .u32(status.highest_expected)
        .u32(status.total_votes)
        .u32(status.quorum);
    w.count(status.flags.len());
    for flag in &status.flags {
        w.str(flag);
    }
    w.count(status.members.len());
    for member in &status.members {
        w.u32(member.nodeid).u32(member.votes).str(&member.name);
    }
}

fn read_quorum(r: &mut Reader<'_>) -> Result<QuorumStatus, DecodeError> {
    let provider_enabled = r.bool("provider enabled")?;
    let nodeid = r.u32("nodeid")?;
    let ring_id = read_ring_id(r)?;
    let quorate = r.bool("quorate")?;
    let expected_votes = r.u32("expected votes")?;
    let highest_expected = r.u32("highest expected")?;
    let total_votes = r.u32("total votes")?;
    let quorum = r.u32("quorum")?;
    let flag_count = r.count("flag count")?;
    let mut flags = Vec::new();
    for _ in 0..flag_count {
        flags.push(r.str("flag", STRING_BYTES_MAX)?);
    }
    let member_count = r.count("member count")?;
    let mut members = Vec::new();
    for _ in 0..member_count {
        members.push(QuorumMember {
            nodeid: r.u32("member nodeid")?,
            votes: r.u32("member votes")?,
            name: r.str("member name", STRING_BYTES_MAX)?,
        });
    }
    Ok(QuorumStatus {
        provider_enabled,
        nodeid,
        ring_id,
        quorate,
        expected_votes,
        highest_expected,
        total_votes,
        quorum,
        flags,
        members,
    })
}

fn write_pairs(w: &mut Writer, pairs: &[(String, u64)]) {
    w.count(pairs.len());
    for (key, value) in pairs {
        w.str(key).u64(*value);
    }
}

fn read_pairs(r: &mut Reader<'_>) -> Result<Vec<(String, u64)>, DecodeError> {
    let count = r.count("key count")?;
    let mut pairs = Vec::new();
    for _ in 0..count {
        pairs.push((r.str("key", STRING_BYTES_MAX)?, r.u64("value")?));
    }
    Ok(pairs)
}

fn write_status(w: &mut Writer, status: &RuntimeStatus) {
    w.u32(status.nodeid)
        .str(&status.cluster_name)
        .str(&status.transport);
    write_ring_id(w, status.ring_id);
    w.count(status.ring_members.len());
    for nodeid in &status.ring_members {
        w.u32(*nodeid);
    }
    w.count(status.rings.len());
    for ring in &status.rings {
        w.u32(ring.number).str(&ring.address).bool(ring.faulty);
        w.count(ring.peers.len());
        for (nodeid, connected) in &ring.peers {
            w.u32(*nodeid).bool(*connected);
        }
    }
    w.count(status.members.len());
    for member in &status.members {
        w.u32(member.nodeid);
        w.count(member.addresses.len());
        for address in &member.addresses {
            w.str(address);
        }
        w.u32(member.join_count).bool(member.joined);
    }
    write_pairs(w, &status.config);
    write_pairs(w, &status.stats);
}

fn read_status(r: &mut Reader<'_>) -> Result<RuntimeStatus, DecodeError> {
    let nodeid = r.u32("nodeid")?;
    let cluster_name = r.str("cluster name", STRING_BYTES_MAX)?;
    let transport = r.str("transport", STRING_BYTES_MAX)?;
    let ring_id = read_ring_id(r)?;
    let ring_member_count = r.count("ring member count")?;
    let mut ring_members = Vec::new();
    for _ in 0..ring_member_count {
        ring_members.push(r.u32("ring member")?);
    }
    let ring_count = r.count("ring count")?;
    let mut rings = Vec::new();
    for _ in 0..ring_count {
        let number = r.u32("ring number")?;
        let address = r.str("ring address", STRING_BYTES_MAX)?;
        let faulty = r.bool("ring faulty")?;
        let peer_count = r.count("peer count")?;
        let mut peers = Vec::new();
        for _ in 0..peer_count {
            peers.push((r.u32("peer nodeid")?, r.bool("peer connected")?));
        }
        rings.push(RingStatus {
            number,
            address,
            faulty,
            peers,
        });
    }
    let member_count = r.count("member count")?;
    let mut members = Vec::new();
    for _ in 0..member_count {
        let nodeid = r.u32("member nodeid")?;
        let address_count = r.count("address count")?;
        let mut addresses = Vec::new();
        for _ in 0..address_count {
            addresses.push(r.str("member address", STRING_BYTES_MAX)?);
        }
        members.push(MemberStatus {
            nodeid,
            addresses,
            join_count: r.u32("join count")?,
            joined: r.bool("joined")?,
        });
    }
    let config = read_pairs(r)?;
    let stats = read_pairs(r)?;
    Ok(RuntimeStatus {
        nodeid,
        cluster_name,
        transport,
        ring_id,
        ring_members,
        rings,
        members,
        config,
        stats,
    })
}

impl ServerMessage {
    /// Encodes the frame body.
    pub fn encode(&self) -> Vec<u8> {
        self.write(Writer::new).finish()
    }

    /// Encodes the whole frame (length prefix and body), as written to the socket.
    pub fn encode_framed(&self) -> Vec<u8> {
        self.write(Writer::framed).finish_framed()
    }

    fn write(&self, start: fn(u8) -> Writer) -> Writer {
        match self {
            ServerMessage::Reply(reply) => match reply {
                Reply::Hello {
                    version,
                    nodeid,
                    pid,
                } => {
                    let mut w = start(tag::REPLY_HELLO);
                    w.u16(*version).u32(*nodeid).u32(*pid);
                    w
                }
                Reply::Ok => start(tag::REPLY_OK),
                Reply::Error { code, message } => {
                    let mut w = start(tag::REPLY_ERROR);
                    w.u16(*code as u16).str(message);
                    w
                }
                Reply::CpgMembers { members } => {
                    let mut w = start(tag::REPLY_CPG_MEMBERS);
                    write_processes(&mut w, members);
                    w
                }
                Reply::Quorum(status) => {
                    let mut w = start(tag::REPLY_QUORUM);
                    write_quorum(&mut w, status);
                    w
                }
                Reply::Status(status) => {
                    let mut w = start(tag::REPLY_STATUS);
                    write_status(&mut w, status);
                    w
                }
            },
            ServerMessage::Event(event) => match event {
                Event::CpgDeliver {
                    group,
                    ring_id,
                    sender,
                    sequence,
                    data,
                } => {
                    let mut w = start(tag::EVENT_CPG_DELIVER);
                    w.bytes(group);
                    write_ring_id(&mut w, *ring_id);
                    w.u32(sender.nodeid)
                        .u32(sender.pid)
                        .u64(*sequence)
                        .bytes(data);
                    w
                }
                Event::CpgConfchg {
                    group,
                    ring_id,
                    members,
                    left,
                    joined,
                } => {
                    let mut w = start(tag::EVENT_CPG_CONFCHG);
                    w.bytes(group);
                    write_ring_id(&mut w, *ring_id);
                    write_processes(&mut w, members);
                    write_changes(&mut w, left);
                    write_changes(&mut w, joined);
                    w
                }
                Event::Quorum(status) => {
                    let mut w = start(tag::EVENT_QUORUM);
                    write_quorum(&mut w, status);
                    w
                }
                Event::Ring(ring) => {
                    let mut w = start(tag::EVENT_RING);
                    w.u8(ring.change as u8)
                        .u64(ring.rings_formed)
                        .u64(ring.breaks)
                        .u64(ring.cut_off)
                        .bool(ring.break_age_ms.is_some())
                        .u64(ring.break_age_ms.unwrap_or(0))
                        .u64(ring.consensus_ms);
                    w
                }
            },
        }
    }

    /// Decodes a frame body.
    pub fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let message = match r.u8("message tag")? {
            tag::REPLY_HELLO => ServerMessage::Reply(Reply::Hello {
                version: r.u16("version")?,
                nodeid: r.u32("nodeid")?,
                pid: r.u32("pid")?,
            }),
            tag::REPLY_OK => ServerMessage::Reply(Reply::Ok),
            tag::REPLY_ERROR => ServerMessage::Reply(Reply::Error {
                code: ErrorCode::from_number(r.u16("error code")?),
                message: r.str("error message", STRING_BYTES_MAX)?,
            }),
            tag::REPLY_CPG_MEMBERS => ServerMessage::Reply(Reply::CpgMembers {
                members: read_processes(&mut r)?,
            }),
            tag::REPLY_QUORUM => ServerMessage::Reply(Reply::Quorum(read_quorum(&mut r)?)),
            tag::REPLY_STATUS => ServerMessage::Reply(Reply::Status(read_status(&mut r)?)),
            tag::EVENT_CPG_DELIVER => {
                let group = r
                    .bytes("group name", limits::CPG_GROUP_NAME_BYTES_MAX)?
                    .to_vec();
                let ring_id = read_ring_id(&mut r)?;
                let sender = CpgProcess {
                    nodeid: r.u32("sender nodeid")?,
                    pid: r.u32("sender pid")?,
                };
                let sequence = r.u64("sequence")?;
                let data = r.bytes("message", limits::CPG_MESSAGE_BYTES_MAX)?.to_vec();
                ServerMessage::Event(Event::CpgDeliver {
                    group,
                    ring_id,
                    sender,
                    sequence,
                    data,
                })
            }
            tag::EVENT_CPG_CONFCHG => {
                let group = r
                    .bytes("group name", limits::CPG_GROUP_NAME_BYTES_MAX)?
                    .to_vec();
                let ring_id = read_ring_id(&mut r)?;
                let members = read_processes(&mut r)?;
                let left = read_changes(&mut r)?;
                let joined = read_changes(&mut r)?;
                ServerMessage::Event(Event::CpgConfchg {
                    group,
                    ring_id,
                    members,
                    left,
                    joined,
                })
            }
            tag::EVENT_QUORUM => ServerMessage::Event(Event::Quorum(read_quorum(&mut r)?)),
            tag::EVENT_RING => {
                let change = r.u8("ring change")?;
                let change = RingChange::from_number(change).ok_or(DecodeError::UnknownTag {
                    what: "ring change",
                    tag: change,
                })?;
                let rings_formed = r.u64("rings formed")?;
                let breaks = r.u64("ring breaks")?;
                let cut_off = r.u64("cut off")?;
                let broken = r.bool("ring broken")?;
                let age = r.u64("ring break age")?;
                ServerMessage::Event(Event::Ring(RingState {
                    change,
                    rings_formed,
                    breaks,
                    cut_off,
                    break_age_ms: broken.then_some(age),
                    consensus_ms: r.u64("consensus")?,
                }))
            }
            tag => {
                return Err(DecodeError::UnknownTag {
                    what: "server message",
                    tag,
                })
            }
        };
        r.end()?;
        Ok(message)
    }
}

/// Prefixes a frame body with its length.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The whole frame of a CPG multicast request for `data`, built without copying `data` into a
/// [`Request`] first (the client's hot path; equal to `Request::CpgMcast`'s encoded frame).
pub fn cpg_mcast_frame(data: &[u8]) -> Vec<u8> {
    let mut w = Writer::framed_with_capacity(tag::CPG_MCAST, data.len() + 4);
    w.bytes(data);
    w.finish_framed()
}

/// A delivered CPG message borrowed from the frame it arrived in
/// ([`crate::ipc::Client::dispatch`]: no copy, no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery<'a> {
    /// Group name.
    pub group: &'a [u8],
    /// Ring on which it was ordered.
    pub ring_id: RingId,
    /// Sender.
    pub sender: CpgProcess,
    /// Sender's per-connection message number, from 1.
    pub sequence: u64,
    /// Payload.
    pub data: &'a [u8],
}

/// An event as [`crate::ipc::Client::dispatch`] hands it over: deliveries borrowed, the rare
/// others owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRef<'a> {
    /// A delivered message.
    Deliver(Delivery<'a>),
    /// Any other event (and deliveries buffered while a request waited for its reply).
    Owned(Event),
}

/// Decodes a frame body when it is an [`Event::CpgDeliver`] (None for any other message),
/// borrowing group and payload from `body`.
pub fn decode_delivery(body: &[u8]) -> Result<Option<Delivery<'_>>, DecodeError> {
    if body.first() != Some(&tag::EVENT_CPG_DELIVER) {
        return Ok(None);
    }
    let mut r = Reader::new(body);
    r.u8("message tag")?;
    let group = r.bytes("group name", limits::CPG_GROUP_NAME_BYTES_MAX)?;
    let ring_id = read_ring_id(&mut r)?;
    let sender = CpgProcess {
        nodeid: r.u32("sender nodeid")?,
        pid: r.u32("sender pid")?,
    };
    let sequence = r.u64("sequence")?;
    let data = r.bytes("message", limits::CPG_MESSAGE_BYTES_MAX)?;
    r.end()?;
    Ok(Some(Delivery {
        group,
        ring_id,
        sender,
        sequence,
        data,
    }))
}

/// Appends the whole frame of a [`Request::CpgMcastQueued`] for `data` to `out` (the
/// pipelining client's hot path: no allocation once `out` has grown).
pub fn push_cpg_mcast_queued_frame(out: &mut Vec<u8>, data: &[u8]) {
    let body = 1 + 4 + data.len();
    out.reserve(4 + body);
    out.extend_from_slice(&u32::try_from(body).unwrap_or(u32::MAX).to_be_bytes());
    out.push(tag::CPG_MCAST_QUEUED);
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(data);
}

/// Splits the first complete frame body off `buffer`, if one is there.
///
/// Returns the body's range within `buffer` and the total bytes it used, or an error when the
/// announced length exceeds the frame limit.
pub fn next_frame(buffer: &[u8]) -> Result<Option<(std::ops::Range<usize>, usize)>, DecodeError> {
    if buffer.len() < 4 {
        return Ok(None);
    }
    let length = u32::from_be_bytes([buffer[0], buffer[1], buffer[2], buffer[3]]) as usize;
    if length > limits::IPC_FRAME_BYTES_MAX {
        return Err(DecodeError::TooLong {
            field: "frame",
            length,
            max: limits::IPC_FRAME_BYTES_MAX,
        });
    }
    if buffer.len() < 4 + length {
        return Ok(None);
    }
    Ok(Some((4..4 + length, 4 + length)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quorum_status() -> QuorumStatus {
        QuorumStatus {
            provider_enabled: true,
            nodeid: 1,
            ring_id: RingId { rep: 1, seq: 9 },
            quorate: true,
            expected_votes: 3,
            highest_expected: 3,
            total_votes: 3,
            quorum: 2,
            flags: vec!["Quorate".to_string()],
            members: vec![QuorumMember {
                nodeid: 1,
                votes: 1,
                name: "node1".to_string(),
            }],
        }
    }

    #[test]
    fn requests_round_trip_and_truncations_fail() {
        let requests = [
            Request::Hello { version: 1 },
            Request::CpgJoin {
                group: b"g1".to_vec(),
            },
            Request::CpgLeave,
            Request::CpgMcast {
                data: b"payload".to_vec(),
            },
            Request::CpgMembership,
            Request::QuorumGet,
            Request::QuorumTrack { enable: true },
            Request::Status,
            Request::Shutdown,
            Request::QuorumSetExpected { expected: 5 },
            Request::QuorumSetVotes {
                nodeid: 2,
                votes: 3,
            },
            Request::KillNode { nodeid: 3 },
            Request::ReloadConfig,
            Request::RingTrack { enable: true },
            Request::CpgMcastQueued {
                data: b"queued".to_vec(),
            },
        ];
        for request in requests {
            let body = request.encode();
            assert_eq!(request.encode_framed(), frame(&body), "{request:?}");
            if let Request::CpgMcast { data } = &request {
                assert_eq!(cpg_mcast_frame(data), frame(&body));
            }
            if let Request::CpgMcastQueued { data } = &request {
                let mut out = b"before".to_vec();
                push_cpg_mcast_queued_frame(&mut out, data);
                assert_eq!(out[6..], frame(&body)[..]);
            }
            assert_eq!(Request::decode(&body), Ok(request.clone()));
            for cut in 0..body.len() {
                let truncated = Request::decode(&body[..cut]);
                assert!(
                    truncated.is_err() || cut == body.len(),
                    "{request:?} cut {cut}"
                );
            }
        }
        assert!(Request::decode(&[250]).is_err());
    }

    #[test]
    fn borrowed_deliveries_decode_like_owned_ones() {
        let event = Event::CpgDeliver {
            group: b"grp".to_vec(),
            ring_id: RingId { rep: 2, seq: 12 },
            sender: CpgProcess { nodeid: 3, pid: 99 },
            sequence: 41,
            data: vec![7; 300],
        };
        let body = ServerMessage::Event(event.clone()).encode();
        let delivery = decode_delivery(&body)
            .expect("decodes")
            .expect("a delivery");
        let Event::CpgDeliver {
            group,
            ring_id,
            sender,
            sequence,
            data,
        } = event
        else {
            unreachable!("built as a delivery")
        };
        assert_eq!(delivery.group, &group[..]);
        assert_eq!(delivery.ring_id, ring_id);
        assert_eq!(delivery.sender, sender);
        assert_eq!(delivery.sequence, sequence);
        assert_eq!(delivery.data, &data[..]);
        for cut in 1..body.len() {
            assert!(decode_delivery(&body[..cut]).is_err(), "cut {cut}");
        }
        let other = ServerMessage::Reply(Reply::Ok).encode();
        assert_eq!(decode_delivery(&other), Ok(None));
    }

    #[test]
    fn server_messages_round_trip() {
        let process = CpgProcess { nodeid: 2, pid: 44 };
        let messages = [
            ServerMessage::Reply(Reply::Hello {
                version: 1,
                nodeid: 3,
                pid: 9,
            }),
            ServerMessage::Reply(Reply::Ok),
            ServerMessage::Reply(Reply::Error {
                code: ErrorCode::Exist,
                message: "already joined".to_string(),
            }),
            ServerMessage::Reply(Reply::CpgMembers {
                members: vec![process],
            }),
            ServerMessage::Reply(Reply::Quorum(quorum_status())),
            ServerMessage::Reply(Reply::Status(RuntimeStatus {
                nodeid: 1,
                cluster_name: "c".to_string(),
                transport: "udpu".to_string(),
                ring_id: RingId { rep: 1, seq: 5 },
                ring_members: vec![1, 2],
                rings: vec![RingStatus {
                    number: 0,
                    address: "10.0.0.1".to_string(),
                    faulty: false,
                    peers: vec![(1, true), (2, false)],
                }],
                members: vec![MemberStatus {
                    nodeid: 2,
                    addresses: vec!["10.0.0.2".to_string()],
                    join_count: 1,
                    joined: true,
                }],
                config: vec![("totem.token".to_string(), 3000)],
                stats: vec![("srp.mcast_tx".to_string(), 4)],
            })),
            ServerMessage::Event(Event::CpgDeliver {
                group: b"g".to_vec(),
                ring_id: RingId { rep: 1, seq: 5 },
                sender: process,
                sequence: 7,
                data: vec![0, 1, 2],
            }),
            ServerMessage::Event(Event::CpgConfchg {
                group: b"g".to_vec(),
                ring_id: RingId { rep: 1, seq: 5 },
                members: vec![process],
                left: vec![CpgChange {
                    process,
                    reason: ConfchgReason::NodeDown,
                }],
                joined: vec![],
            }),
            ServerMessage::Event(Event::Quorum(quorum_status())),
            ServerMessage::Event(Event::Ring(RingState {
                change: RingChange::Broken,
                rings_formed: 3,
                breaks: 2,
                cut_off: 0,
                break_age_ms: Some(0),
                consensus_ms: 1980,
            })),
            ServerMessage::Event(Event::Ring(RingState {
                change: RingChange::Formed,
                rings_formed: 4,
                breaks: 2,
                cut_off: 1,
                break_age_ms: None,
                consensus_ms: 1980,
            })),
        ];
        for message in messages {
            let body = message.encode();
            assert_eq!(message.encode_framed(), frame(&body), "{message:?}");
            assert_eq!(ServerMessage::decode(&body), Ok(message.clone()));
            for cut in 0..body.len() {
                assert!(ServerMessage::decode(&body[..cut]).is_err());
            }
        }
    }

    #[test]
    fn framing_waits_for_whole_frames_and_bounds_length() {
        let framed = frame(b"abc");
        assert_eq!(next_frame(&framed[..5]), Ok(None));
        assert_eq!(next_frame(&framed), Ok(Some((4..7, 7))));
        assert!(next_frame(&[0xff, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn ring_id_prints_as_hex_pair() {
        assert_eq!(RingId { rep: 26, seq: 5 }.to_string(), "1a.5");
    }
}
