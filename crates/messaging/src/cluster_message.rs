//! Messages tandemd daemons multicast to each other through Totem, and their binary encoding.
//!
//! Each payload handed to Totem starts with a version byte and a tag byte. Everything here is
//! ordered by Totem, so every daemon applies the same messages in the same order.

use crate::ipc::codec::{DecodeError, Reader, Writer};
use crate::ipc::protocol::{ConfchgReason, RingId};
use crate::limits;

/// Largest payload piece carried by one Totem message; larger CPG messages are fragmented.
pub const FRAGMENT_BYTES: usize = 60_000;

/// Bytes a CPG message adds around its payload (version, tags, group name, pid, sequence).
pub const CPG_ENVELOPE_BYTES: usize = 2 + 4 + limits::CPG_GROUP_NAME_BYTES_MAX + 4 + 8 + 1 + 4;

/// Largest Totem message tandemd hands to Totem: one fragment and its envelope.
pub const TOTEM_MESSAGE_BYTES_MAX: usize = FRAGMENT_BYTES + CPG_ENVELOPE_BYTES;

/// Splits a client's message into the cluster messages that carry it.
pub fn cpg_messages(group: &[u8], pid: u32, sequence: u64, data: Vec<u8>) -> Vec<ClusterMessage> {
    if data.len() <= FRAGMENT_BYTES {
        return vec![ClusterMessage::CpgMcast {
            group: group.to_vec(),
            pid,
            sequence,
            data,
        }];
    }
    let count = data.len().div_ceil(FRAGMENT_BYTES);
    data.chunks(FRAGMENT_BYTES)
        .enumerate()
        .map(|(index, piece)| ClusterMessage::CpgFragment {
            group: group.to_vec(),
            pid,
            sequence,
            last: index + 1 == count,
            data: piece.to_vec(),
        })
        .collect()
}

/// Version byte of the daemon-to-daemon payload format.
pub const CLUSTER_MESSAGE_VERSION: u8 = 1;

/// Quorum information one node announces after every ring change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// Votes of the sender.
    pub votes: u32,
    /// Expected votes the sender uses.
    pub expected_votes: u32,
    /// Whether the sender is currently quorate.
    pub quorate: bool,
    /// Whether wait_for_all still holds the sender inquorate.
    pub wait_for_all_waiting: bool,
}

/// One daemon-to-daemon message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterMessage {
    /// A local process joined a group.
    CpgJoin {
        /// Group name.
        group: Vec<u8>,
        /// Process id on the sending node.
        pid: u32,
    },
    /// A local process left a group (reason Leave or ProcDown).
    CpgLeave {
        /// Group name.
        group: Vec<u8>,
        /// Process id on the sending node.
        pid: u32,
        /// Why it left.
        reason: ConfchgReason,
    },
    /// A message from a local process to its group.
    CpgMcast {
        /// Group name.
        group: Vec<u8>,
        /// Process id on the sending node.
        pid: u32,
        /// Per-connection message number, from 1.
        sequence: u64,
        /// Payload.
        data: Vec<u8>,
    },
    /// One piece of a message too large for one Totem message; pieces of one message are sent
    /// in order, and the piece with `last` completes it.
    CpgFragment {
        /// Group name.
        group: Vec<u8>,
        /// Process id on the sending node.
        pid: u32,
        /// The whole message's per-connection number.
        sequence: u64,
        /// Whether this piece completes the message.
        last: bool,
        /// The piece.
        data: Vec<u8>,
    },
    /// After a ring change: the sender's local group members, so new nodes learn them.
    JoinList {
        /// Ring this list belongs to; lists for other rings are ignored.
        ring_id: RingId,
        /// (group, pid) of every local process in a group.
        entries: Vec<(Vec<u8>, u32)>,
    },
    /// After a ring change: the sender's votequorum information.
    NodeInfo {
        /// Ring this belongs to.
        ring_id: RingId,
        /// The information.
        info: NodeInfo,
    },
    /// Expected votes set at runtime (`quorumtool -e`), applied by every node in agreed order.
    QuorumSetExpected {
        /// New expected votes.
        expected: u32,
    },
    /// A node's votes set at runtime (`quorumtool -v`), applied by every node in agreed order.
    QuorumSetVotes {
        /// Node whose votes change.
        nodeid: u32,
        /// New number of votes.
        votes: u32,
    },
    /// A member asked node `nodeid` to leave the cluster and stop (`cfgtool -k`).
    KillNode {
        /// The node to stop.
        nodeid: u32,
    },
    /// Every node re-reads its corosync.conf and applies what may change at runtime.
    ReloadConfig,
}

mod tag {
    pub const CPG_JOIN: u8 = 1;
    pub const CPG_LEAVE: u8 = 2;
    pub const CPG_MCAST: u8 = 3;
    pub const JOIN_LIST: u8 = 4;
    pub const NODE_INFO: u8 = 5;
    pub const CPG_FRAGMENT: u8 = 6;
    pub const QUORUM_SET_EXPECTED: u8 = 7;
    pub const QUORUM_SET_VOTES: u8 = 8;
    pub const KILL_NODE: u8 = 9;
    pub const RELOAD_CONFIG: u8 = 10;
}

impl ClusterMessage {
    /// Encodes the payload handed to Totem.
    pub fn encode(&self) -> Vec<u8> {
        let mut w;
        match self {
            ClusterMessage::CpgJoin { group, pid } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::CPG_JOIN).bytes(group).u32(*pid);
            }
            ClusterMessage::CpgLeave { group, pid, reason } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::CPG_LEAVE)
                    .bytes(group)
                    .u32(*pid)
                    .u8(*reason as u8);
            }
            ClusterMessage::CpgMcast {
                group,
                pid,
                sequence,
                data,
            } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::CPG_MCAST)
                    .bytes(group)
                    .u32(*pid)
                    .u64(*sequence)
                    .bytes(data);
            }
            ClusterMessage::CpgFragment {
                group,
                pid,
                sequence,
                last,
                data,
            } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::CPG_FRAGMENT)
                    .bytes(group)
                    .u32(*pid)
                    .u64(*sequence)
                    .bool(*last)
                    .bytes(data);
            }
            ClusterMessage::JoinList { ring_id, entries } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::JOIN_LIST).u32(ring_id.rep).u64(ring_id.seq);
                w.count(entries.len());
                for (group, pid) in entries {
                    w.bytes(group).u32(*pid);
                }
            }
            ClusterMessage::NodeInfo { ring_id, info } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::NODE_INFO)
                    .u32(ring_id.rep)
                    .u64(ring_id.seq)
                    .u32(info.votes)
                    .u32(info.expected_votes)
                    .bool(info.quorate)
                    .bool(info.wait_for_all_waiting);
            }
            ClusterMessage::QuorumSetExpected { expected } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::QUORUM_SET_EXPECTED).u32(*expected);
            }
            ClusterMessage::QuorumSetVotes { nodeid, votes } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::QUORUM_SET_VOTES).u32(*nodeid).u32(*votes);
            }
            ClusterMessage::KillNode { nodeid } => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::KILL_NODE).u32(*nodeid);
            }
            ClusterMessage::ReloadConfig => {
                w = Writer::new(CLUSTER_MESSAGE_VERSION);
                w.u8(tag::RELOAD_CONFIG);
            }
        }
        w.finish()
    }

    /// Decodes a payload delivered by Totem.
    pub fn decode(payload: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(payload);
        let version = r.u8("version")?;
        if version != CLUSTER_MESSAGE_VERSION {
            return Err(DecodeError::UnknownTag {
                what: "cluster message version",
                tag: version,
            });
        }
        let group_max = limits::CPG_GROUP_NAME_BYTES_MAX;
        let message = match r.u8("cluster message tag")? {
            tag::CPG_JOIN => ClusterMessage::CpgJoin {
                group: r.bytes("group", group_max)?.to_vec(),
                pid: r.u32("pid")?,
            },
            tag::CPG_LEAVE => ClusterMessage::CpgLeave {
                group: r.bytes("group", group_max)?.to_vec(),
                pid: r.u32("pid")?,
                reason: ConfchgReason::from_number(r.u8("reason")?)?,
            },
            tag::CPG_MCAST => ClusterMessage::CpgMcast {
                group: r.bytes("group", group_max)?.to_vec(),
                pid: r.u32("pid")?,
                sequence: r.u64("sequence")?,
                data: r.bytes("data", limits::CPG_MESSAGE_BYTES_MAX)?.to_vec(),
            },
            tag::CPG_FRAGMENT => ClusterMessage::CpgFragment {
                group: r.bytes("group", group_max)?.to_vec(),
                pid: r.u32("pid")?,
                sequence: r.u64("sequence")?,
                last: r.bool("last")?,
                data: r.bytes("data", limits::CPG_MESSAGE_BYTES_MAX)?.to_vec(),
            },
            tag::JOIN_LIST => {
                let ring_id = RingId {
                    rep: r.u32("ring rep")?,
                    seq: r.u64("ring seq")?,
                };
                let count = r.count("entry count")?;
                let mut entries = Vec::new();
                for _ in 0..count {
                    entries.push((r.bytes("group", group_max)?.to_vec(), r.u32("pid")?));
                }
                ClusterMessage::JoinList { ring_id, entries }
            }
            tag::NODE_INFO => ClusterMessage::NodeInfo {
                ring_id: RingId {
                    rep: r.u32("ring rep")?,
                    seq: r.u64("ring seq")?,
                },
                info: NodeInfo {
                    votes: r.u32("votes")?,
                    expected_votes: r.u32("expected votes")?,
                    quorate: r.bool("quorate")?,
                    wait_for_all_waiting: r.bool("wait_for_all_waiting")?,
                },
            },
            tag::QUORUM_SET_EXPECTED => ClusterMessage::QuorumSetExpected {
                expected: r.u32("expected votes")?,
            },
            tag::QUORUM_SET_VOTES => ClusterMessage::QuorumSetVotes {
                nodeid: r.u32("nodeid")?,
                votes: r.u32("votes")?,
            },
            tag::KILL_NODE => ClusterMessage::KillNode {
                nodeid: r.u32("nodeid")?,
            },
            tag::RELOAD_CONFIG => ClusterMessage::ReloadConfig,
            tag => {
                return Err(DecodeError::UnknownTag {
                    what: "cluster message",
                    tag,
                })
            }
        };
        r.end()?;
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_round_trips() {
        let ring_id = RingId { rep: 1, seq: 9 };
        let messages = [
            ClusterMessage::CpgJoin {
                group: b"g1".to_vec(),
                pid: 7,
            },
            ClusterMessage::CpgLeave {
                group: b"g1".to_vec(),
                pid: 7,
                reason: ConfchgReason::ProcDown,
            },
            ClusterMessage::CpgMcast {
                group: b"g1".to_vec(),
                pid: 7,
                sequence: 3,
                data: b"hello".to_vec(),
            },
            ClusterMessage::CpgFragment {
                group: b"g1".to_vec(),
                pid: 7,
                sequence: 4,
                last: true,
                data: b"tail".to_vec(),
            },
            ClusterMessage::JoinList {
                ring_id,
                entries: vec![(b"a".to_vec(), 1), (b"b".to_vec(), 2)],
            },
            ClusterMessage::NodeInfo {
                ring_id,
                info: NodeInfo {
                    votes: 1,
                    expected_votes: 3,
                    quorate: true,
                    wait_for_all_waiting: false,
                },
            },
            ClusterMessage::QuorumSetExpected { expected: 7 },
            ClusterMessage::QuorumSetVotes {
                nodeid: 3,
                votes: 2,
            },
            ClusterMessage::KillNode { nodeid: 2 },
            ClusterMessage::ReloadConfig,
        ];
        for message in messages {
            let bytes = message.encode();
            assert_eq!(ClusterMessage::decode(&bytes), Ok(message.clone()));
            // Every truncation is an error, never a panic.
            for cut in 0..bytes.len() {
                assert!(ClusterMessage::decode(&bytes[..cut]).is_err());
            }
        }
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(ClusterMessage::decode(&[2, 1]).is_err());
        assert!(ClusterMessage::decode(&[1, 99]).is_err());
        assert!(ClusterMessage::decode(&[1, 1, 255, 255, 255, 255]).is_err());
    }
}
