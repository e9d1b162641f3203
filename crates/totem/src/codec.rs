//! The versioned binary wire format of Totem packets, with strict decoding.
//!
//! Layout (big-endian): magic `b"TT"`, version `1`, type byte, sender node id (u32), then the
//! type's fields. Lists carry a u16 count checked against [`crate::MEMBERS_MAX`] or
//! [`crate::RTR_ENTRIES_MAX`]; payloads a u32 length checked against
//! [`crate::MESSAGE_SIZE_BYTES_MAX`]. Truncated input, unknown types, bad counts or trailing
//! bytes are a [`DecodeError`], never a panic.

use crate::limits::{MEMBERS_MAX, MESSAGE_SIZE_BYTES_MAX, RTR_ENTRIES_MAX};
use crate::types::{Guarantee, NodeId, RingId};

const MAGIC: [u8; 2] = *b"TT";
/// Wire format version written and accepted.
const VERSION: u8 = 1;

const TYPE_TOKEN: u8 = 0;
const TYPE_MCAST: u8 = 1;
const TYPE_MERGE_DETECT: u8 = 2;
const TYPE_JOIN: u8 = 3;
const TYPE_COMMIT_TOKEN: u8 = 4;
const TYPE_TOKEN_HOLD_CANCEL: u8 = 5;
const TYPE_TOKEN_RECEIVED: u8 = 6;

/// A retransmission request: message `seq` of ring `ring_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetransmitRequest {
    /// Ring the message belongs to.
    pub ring_id: RingId,
    /// Its seq in that ring.
    pub seq: u32,
}

/// The ORF token (brief §2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrfToken {
    /// Ring the token circulates on.
    pub ring_id: RingId,
    /// Rises at every forward; receivers drop tokens not newer than the last one seen.
    pub token_seq: u32,
    /// Highest message seq assigned on this ring.
    pub seq: u32,
    /// All received up to: lowest aru among the members.
    pub aru: u32,
    /// The member that last lowered `aru`, if any.
    pub aru_addr: Option<NodeId>,
    /// Messages broadcast during the last rotation (flow control).
    pub fcc: u32,
    /// Messages queued but not yet sent, summed over members.
    pub backlog: u32,
    /// Recovery: some member had old-ring messages to re-send during the current rotation.
    pub retrans_flg: bool,
    /// Recovery: the last complete rotation had `retrans_flg` clear (set by the representative).
    pub retrans_clean: bool,
    /// Retransmission requests.
    pub rtr_list: Vec<RetransmitRequest>,
}

/// What an MCAST carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum McastBody {
    /// A new application message.
    Application {
        /// Delivery guarantee.
        guarantee: Guarantee,
        /// Application bytes.
        payload: Vec<u8>,
    },
    /// An old-ring message re-sent during recovery (brief §3.5), encapsulated.
    Recovered {
        /// The ring where it was ordered.
        old_ring_id: RingId,
        /// Its seq there.
        old_seq: u32,
        /// Its original sender.
        origin: NodeId,
        /// Its delivery guarantee.
        guarantee: Guarantee,
        /// Application bytes.
        payload: Vec<u8>,
    },
    /// An old-ring seq that held a recovery message of an even older ring: it fills the seq so
    /// that every member's copy of the old ring is gap-free, and is never delivered.
    RecoveredFiller {
        /// The ring whose seq is filled.
        old_ring_id: RingId,
        /// The seq filled.
        old_seq: u32,
    },
}

/// A ring-ordered multicast data message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mcast {
    /// Ring the message is ordered on.
    pub ring_id: RingId,
    /// Its seq on that ring.
    pub seq: u32,
    /// The node that assigned the seq (the original sender, or the re-sender in recovery).
    pub origin: NodeId,
    /// Contents.
    pub body: McastBody,
}

/// A membership JOIN (brief §3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Join {
    /// Nodes the sender believes should form the ring, ascending.
    pub proc_set: Vec<NodeId>,
    /// Nodes the sender considers failed, ascending.
    pub fail_set: Vec<NodeId>,
    /// Highest ring seq the sender knows.
    pub ring_seq: u64,
}

/// Per-member old-ring state collected by the commit token's first rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberState {
    /// The member's last installed regular ring.
    pub old_ring_id: RingId,
    /// Its aru on that ring.
    pub aru: u32,
    /// Highest seq it delivered on that ring.
    pub high_delivered: u32,
    /// Highest seq it received on that ring.
    pub high_seq_received: u32,
    /// Whether it received everything up to `high_seq_received`.
    pub received_flg: bool,
}

/// The commit token (brief §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitToken {
    /// Rises at every forward.
    pub token_seq: u32,
    /// The new ring's id.
    pub ring_id: RingId,
    /// Index in `members` of the intended receiver.
    pub memb_index: u16,
    /// New ring members, ascending; `members[0]` is the representative.
    pub members: Vec<NodeId>,
    /// Per member (same order): its old-ring state once it filled it in.
    pub entries: Vec<Option<MemberState>>,
}

/// Every Totem packet type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// ORF token, unicast to the successor.
    Token(OrfToken),
    /// Ordered data message, multicast.
    Mcast(Mcast),
    /// Representative's idle announcement so that other rings can detect it.
    MergeDetect {
        /// The announced ring.
        ring_id: RingId,
    },
    /// Membership JOIN, multicast.
    Join(Join),
    /// Commit token, unicast around the new ring.
    CommitToken(CommitToken),
    /// Asks the representative to stop holding the token.
    TokenHoldCancel {
        /// The ring concerned.
        ring_id: RingId,
    },
    /// Unicast answer to a retransmitted (duplicate) token: "I already have it". Tells the
    /// predecessor its successor is alive, so that on token loss it suspects the right node.
    TokenReceived {
        /// The ring concerned.
        ring_id: RingId,
    },
}

/// Why bytes could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The packet ended before field `field` (at byte `offset`).
    #[error("truncated packet: missing {field} at byte {offset}")]
    Truncated {
        /// Field being read.
        field: &'static str,
        /// Byte offset.
        offset: usize,
    },
    /// Not a Totem packet.
    #[error("bad magic")]
    BadMagic,
    /// Unsupported wire format version.
    #[error("unsupported wire version {0}")]
    UnsupportedVersion(u8),
    /// Unknown packet type.
    #[error("unknown packet type {0}")]
    UnknownType(u8),
    /// A field holds an impossible value.
    #[error("invalid {field}: {value}")]
    Invalid {
        /// Field name.
        field: &'static str,
        /// Offending value.
        value: u64,
    },
    /// Bytes left over after a complete packet.
    #[error("{0} trailing bytes")]
    Trailing(usize),
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    fn node(&mut self, v: NodeId) {
        self.u32(v.0);
    }
    fn ring(&mut self, v: RingId) {
        self.node(v.rep);
        self.u64(v.seq);
    }
    fn nodes(&mut self, v: &[NodeId]) {
        debug_assert!(v.len() <= MEMBERS_MAX);
        self.u16(v.len() as u16);
        for n in v {
            self.node(*n);
        }
    }
    fn guarantee(&mut self, g: Guarantee) {
        self.u8(match g {
            Guarantee::Agreed => 0,
            Guarantee::Safe => 1,
        });
    }
    fn bytes(&mut self, v: &[u8]) {
        debug_assert!(v.len() <= MESSAGE_SIZE_BYTES_MAX);
        self.u32(v.len() as u32);
        self.0.extend_from_slice(v);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .offset
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len());
        let Some(end) = end else {
            return Err(DecodeError::Truncated {
                field,
                offset: self.offset,
            });
        };
        let out = &self.bytes[self.offset..end];
        self.offset = end;
        Ok(out)
    }
    fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, field)?[0])
    }
    fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(4, field)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        let b = self.take(8, field)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    fn bool(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(DecodeError::Invalid {
                field,
                value: u64::from(v),
            }),
        }
    }
    fn node(&mut self, field: &'static str) -> Result<NodeId, DecodeError> {
        match self.u32(field)? {
            0 => Err(DecodeError::Invalid { field, value: 0 }),
            v => Ok(NodeId(v)),
        }
    }
    fn optional_node(&mut self, field: &'static str) -> Result<Option<NodeId>, DecodeError> {
        Ok(match self.u32(field)? {
            0 => None,
            v => Some(NodeId(v)),
        })
    }
    fn ring(&mut self, field: &'static str) -> Result<RingId, DecodeError> {
        let rep = self.node(field)?;
        let seq = self.u64(field)?;
        Ok(RingId { rep, seq })
    }
    fn count(&mut self, field: &'static str, max: usize) -> Result<usize, DecodeError> {
        let n = usize::from(self.u16(field)?);
        if n > max {
            return Err(DecodeError::Invalid {
                field,
                value: n as u64,
            });
        }
        Ok(n)
    }
    /// A strictly ascending node list (no duplicates).
    fn nodes(&mut self, field: &'static str) -> Result<Vec<NodeId>, DecodeError> {
        let n = self.count(field, MEMBERS_MAX)?;
        let mut out: Vec<NodeId> = Vec::with_capacity(n);
        for _ in 0..n {
            let node = self.node(field)?;
            if out.last().is_some_and(|last| *last >= node) {
                return Err(DecodeError::Invalid {
                    field,
                    value: u64::from(node.0),
                });
            }
            out.push(node);
        }
        Ok(out)
    }
    fn guarantee(&mut self) -> Result<Guarantee, DecodeError> {
        match self.u8("guarantee")? {
            0 => Ok(Guarantee::Agreed),
            1 => Ok(Guarantee::Safe),
            v => Err(DecodeError::Invalid {
                field: "guarantee",
                value: u64::from(v),
            }),
        }
    }
    fn bytes(&mut self, field: &'static str) -> Result<Vec<u8>, DecodeError> {
        let n = self.u32(field)? as usize;
        if n > MESSAGE_SIZE_BYTES_MAX {
            return Err(DecodeError::Invalid {
                field,
                value: n as u64,
            });
        }
        Ok(self.take(n, field)?.to_vec())
    }
}

/// Encodes `message` as sent by `sender`.
pub fn encode(sender: NodeId, message: &Message) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(64));
    w.0.extend_from_slice(&MAGIC);
    w.u8(VERSION);
    w.u8(match message {
        Message::Token(_) => TYPE_TOKEN,
        Message::Mcast(_) => TYPE_MCAST,
        Message::MergeDetect { .. } => TYPE_MERGE_DETECT,
        Message::Join(_) => TYPE_JOIN,
        Message::CommitToken(_) => TYPE_COMMIT_TOKEN,
        Message::TokenHoldCancel { .. } => TYPE_TOKEN_HOLD_CANCEL,
        Message::TokenReceived { .. } => TYPE_TOKEN_RECEIVED,
    });
    w.node(sender);
    match message {
        Message::Token(t) => encode_token(&mut w, t),
        Message::Mcast(m) => encode_mcast(&mut w, m),
        Message::MergeDetect { ring_id }
        | Message::TokenHoldCancel { ring_id }
        | Message::TokenReceived { ring_id } => w.ring(*ring_id),
        Message::Join(j) => {
            w.nodes(&j.proc_set);
            w.nodes(&j.fail_set);
            w.u64(j.ring_seq);
        }
        Message::CommitToken(c) => encode_commit(&mut w, c),
    }
    w.0
}

fn encode_token(w: &mut Writer, t: &OrfToken) {
    w.ring(t.ring_id);
    w.u32(t.token_seq);
    w.u32(t.seq);
    w.u32(t.aru);
    w.u32(t.aru_addr.map_or(0, |n| n.0));
    w.u32(t.fcc);
    w.u32(t.backlog);
    w.bool(t.retrans_flg);
    w.bool(t.retrans_clean);
    debug_assert!(t.rtr_list.len() <= RTR_ENTRIES_MAX);
    w.u16(t.rtr_list.len() as u16);
    for r in &t.rtr_list {
        w.ring(r.ring_id);
        w.u32(r.seq);
    }
}

fn encode_mcast(w: &mut Writer, m: &Mcast) {
    w.ring(m.ring_id);
    w.u32(m.seq);
    w.node(m.origin);
    match &m.body {
        McastBody::Application { guarantee, payload } => {
            w.u8(0);
            w.guarantee(*guarantee);
            w.bytes(payload);
        }
        McastBody::Recovered {
            old_ring_id,
            old_seq,
            origin,
            guarantee,
            payload,
        } => {
            w.u8(1);
            w.ring(*old_ring_id);
            w.u32(*old_seq);
            w.node(*origin);
            w.guarantee(*guarantee);
            w.bytes(payload);
        }
        McastBody::RecoveredFiller {
            old_ring_id,
            old_seq,
        } => {
            w.u8(2);
            w.ring(*old_ring_id);
            w.u32(*old_seq);
        }
    }
}

fn encode_commit(w: &mut Writer, c: &CommitToken) {
    w.u32(c.token_seq);
    w.ring(c.ring_id);
    w.u16(c.memb_index);
    w.nodes(&c.members);
    debug_assert_eq!(c.entries.len(), c.members.len());
    for e in &c.entries {
        match e {
            None => w.u8(0),
            Some(s) => {
                w.u8(1);
                w.ring(s.old_ring_id);
                w.u32(s.aru);
                w.u32(s.high_delivered);
                w.u32(s.high_seq_received);
                w.bool(s.received_flg);
            }
        }
    }
}

/// Whether a packet is an ordering token (by its header alone, without decoding it), so that a
/// runtime can tell tokens from other packets cheaply.
pub fn is_token(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && bytes[..2] == MAGIC && bytes[2] == VERSION && bytes[3] == TYPE_TOKEN
}

/// Decodes one packet into its sender and message; rejects anything malformed.
pub fn decode(bytes: &[u8]) -> Result<(NodeId, Message), DecodeError> {
    let mut r = Reader { bytes, offset: 0 };
    if r.take(2, "magic")? != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    let version = r.u8("version")?;
    if version != VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let kind = r.u8("type")?;
    let sender = r.node("sender")?;
    let message = match kind {
        TYPE_TOKEN => Message::Token(decode_token(&mut r)?),
        TYPE_MCAST => Message::Mcast(decode_mcast(&mut r)?),
        TYPE_MERGE_DETECT => Message::MergeDetect {
            ring_id: r.ring("ring_id")?,
        },
        TYPE_JOIN => Message::Join(Join {
            proc_set: r.nodes("proc_list")?,
            fail_set: r.nodes("failed_list")?,
            ring_seq: r.u64("ring_seq")?,
        }),
        TYPE_COMMIT_TOKEN => Message::CommitToken(decode_commit(&mut r)?),
        TYPE_TOKEN_HOLD_CANCEL => Message::TokenHoldCancel {
            ring_id: r.ring("ring_id")?,
        },
        TYPE_TOKEN_RECEIVED => Message::TokenReceived {
            ring_id: r.ring("ring_id")?,
        },
        other => return Err(DecodeError::UnknownType(other)),
    };
    if r.offset != bytes.len() {
        return Err(DecodeError::Trailing(bytes.len() - r.offset));
    }
    Ok((sender, message))
}

fn decode_token(r: &mut Reader<'_>) -> Result<OrfToken, DecodeError> {
    let ring_id = r.ring("ring_id")?;
    let token_seq = r.u32("token_seq")?;
    let seq = r.u32("seq")?;
    let aru = r.u32("aru")?;
    if aru > seq {
        return Err(DecodeError::Invalid {
            field: "aru",
            value: u64::from(aru),
        });
    }
    let aru_addr = r.optional_node("aru_addr")?;
    let fcc = r.u32("fcc")?;
    let backlog = r.u32("backlog")?;
    let retrans_flg = r.bool("retrans_flg")?;
    let retrans_clean = r.bool("retrans_clean")?;
    let n = r.count("rtr_list", RTR_ENTRIES_MAX)?;
    let mut rtr_list = Vec::with_capacity(n);
    for _ in 0..n {
        rtr_list.push(RetransmitRequest {
            ring_id: r.ring("rtr_list")?,
            seq: r.u32("rtr_list")?,
        });
    }
    Ok(OrfToken {
        ring_id,
        token_seq,
        seq,
        aru,
        aru_addr,
        fcc,
        backlog,
        retrans_flg,
        retrans_clean,
        rtr_list,
    })
}

fn decode_mcast(r: &mut Reader<'_>) -> Result<Mcast, DecodeError> {
    let ring_id = r.ring("ring_id")?;
    let seq = r.u32("seq")?;
    if seq == 0 {
        return Err(DecodeError::Invalid {
            field: "seq",
            value: 0,
        });
    }
    let origin = r.node("node_id")?;
    let body = match r.u8("body")? {
        0 => McastBody::Application {
            guarantee: r.guarantee()?,
            payload: r.bytes("payload")?,
        },
        1 => McastBody::Recovered {
            old_ring_id: r.ring("old_ring_id")?,
            old_seq: match r.u32("old_seq")? {
                0 => {
                    return Err(DecodeError::Invalid {
                        field: "old_seq",
                        value: 0,
                    })
                }
                v => v,
            },
            origin: r.node("origin")?,
            guarantee: r.guarantee()?,
            payload: r.bytes("payload")?,
        },
        2 => McastBody::RecoveredFiller {
            old_ring_id: r.ring("old_ring_id")?,
            old_seq: match r.u32("old_seq")? {
                0 => {
                    return Err(DecodeError::Invalid {
                        field: "old_seq",
                        value: 0,
                    })
                }
                v => v,
            },
        },
        v => {
            return Err(DecodeError::Invalid {
                field: "body",
                value: u64::from(v),
            })
        }
    };
    Ok(Mcast {
        ring_id,
        seq,
        origin,
        body,
    })
}

fn decode_commit(r: &mut Reader<'_>) -> Result<CommitToken, DecodeError> {
    let token_seq = r.u32("token_seq")?;
    let ring_id = r.ring("ring_id")?;
    let memb_index = r.u16("memb_index")?;
    let members = r.nodes("members")?;
    if members.is_empty() || usize::from(memb_index) >= members.len() {
        return Err(DecodeError::Invalid {
            field: "memb_index",
            value: u64::from(memb_index),
        });
    }
    if members[0] != ring_id.rep {
        return Err(DecodeError::Invalid {
            field: "ring_id",
            value: u64::from(ring_id.rep.0),
        });
    }
    let mut entries = Vec::with_capacity(members.len());
    for _ in 0..members.len() {
        entries.push(match r.u8("entry")? {
            0 => None,
            1 => Some(MemberState {
                old_ring_id: r.ring("old_ring_id")?,
                aru: r.u32("aru")?,
                high_delivered: r.u32("high_delivered")?,
                high_seq_received: r.u32("high_seq_received")?,
                received_flg: r.bool("received_flg")?,
            }),
            v => {
                return Err(DecodeError::Invalid {
                    field: "entry",
                    value: u64::from(v),
                })
            }
        });
    }
    Ok(CommitToken {
        token_seq,
        ring_id,
        memb_index,
        members,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(rep: u32, seq: u64) -> RingId {
        RingId {
            rep: NodeId(rep),
            seq,
        }
    }

    fn samples() -> Vec<Message> {
        vec![
            Message::Token(OrfToken {
                ring_id: ring(1, 9),
                token_seq: 7,
                seq: 20,
                aru: 18,
                aru_addr: Some(NodeId(3)),
                fcc: 4,
                backlog: 2,
                retrans_flg: true,
                retrans_clean: false,
                rtr_list: vec![RetransmitRequest {
                    ring_id: ring(1, 9),
                    seq: 19,
                }],
            }),
            Message::Mcast(Mcast {
                ring_id: ring(1, 9),
                seq: 21,
                origin: NodeId(2),
                body: McastBody::Application {
                    guarantee: Guarantee::Agreed,
                    payload: b"hello".to_vec(),
                },
            }),
            Message::Mcast(Mcast {
                ring_id: ring(1, 13),
                seq: 1,
                origin: NodeId(2),
                body: McastBody::Recovered {
                    old_ring_id: ring(1, 9),
                    old_seq: 19,
                    origin: NodeId(3),
                    guarantee: Guarantee::Safe,
                    payload: vec![],
                },
            }),
            Message::Mcast(Mcast {
                ring_id: ring(1, 13),
                seq: 2,
                origin: NodeId(2),
                body: McastBody::RecoveredFiller {
                    old_ring_id: ring(1, 9),
                    old_seq: 4,
                },
            }),
            Message::MergeDetect {
                ring_id: ring(4, 0x1a),
            },
            Message::Join(Join {
                proc_set: vec![NodeId(1), NodeId(2)],
                fail_set: vec![NodeId(3)],
                ring_seq: 9,
            }),
            Message::CommitToken(CommitToken {
                token_seq: 1,
                ring_id: ring(1, 13),
                memb_index: 1,
                members: vec![NodeId(1), NodeId(2)],
                entries: vec![
                    Some(MemberState {
                        old_ring_id: ring(1, 9),
                        aru: 3,
                        high_delivered: 3,
                        high_seq_received: 5,
                        received_flg: false,
                    }),
                    None,
                ],
            }),
            Message::TokenHoldCancel {
                ring_id: ring(1, 9),
            },
        ]
    }

    /// Every packet type survives encode → decode unchanged (pair assertion on the codec).
    #[test]
    fn round_trip() {
        for m in samples() {
            let bytes = encode(NodeId(2), &m);
            assert_eq!(decode(&bytes), Ok((NodeId(2), m)));
        }
    }

    /// `is_token` recognises exactly the packets that decode as tokens.
    #[test]
    fn is_token_matches_decode() {
        let mut tokens = 0;
        for m in samples() {
            let bytes = encode(NodeId(2), &m);
            let token = matches!(m, Message::Token(_));
            tokens += usize::from(token);
            assert_eq!(is_token(&bytes), token, "{m:?}");
            assert!(!is_token(&bytes[..3]));
        }
        assert!(tokens > 0);
        assert!(!is_token(b""));
    }

    /// Every strict prefix of every packet is rejected, as is any trailing byte.
    #[test]
    fn truncated_and_trailing_are_errors() {
        for m in samples() {
            let bytes = encode(NodeId(2), &m);
            for len in 0..bytes.len() {
                assert!(
                    decode(&bytes[..len]).is_err(),
                    "prefix {len} of {m:?} accepted"
                );
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(decode(&longer), Err(DecodeError::Trailing(1)));
        }
    }

    /// Garbage never panics: flip every byte of every sample through several values.
    #[test]
    fn garbage_never_panics() {
        for m in samples() {
            let bytes = encode(NodeId(2), &m);
            for i in 0..bytes.len() {
                for v in [0u8, 1, 2, 0x7f, 0xff] {
                    let mut b = bytes.clone();
                    b[i] = v;
                    let _ = decode(&b);
                }
            }
        }
        assert_eq!(decode(b"XX\x01\x00"), Err(DecodeError::BadMagic));
        assert_eq!(
            decode(b"TT\x02\x00\x00\x00\x00\x01"),
            Err(DecodeError::UnsupportedVersion(2))
        );
        assert_eq!(
            decode(b"TT\x01\x09\x00\x00\x00\x01"),
            Err(DecodeError::UnknownType(9))
        );
    }

    #[test]
    fn unsorted_member_list_is_rejected() {
        let m = Message::Join(Join {
            proc_set: vec![NodeId(2), NodeId(1)],
            fail_set: vec![],
            ring_seq: 0,
        });
        let bytes = encode(NodeId(1), &m);
        assert!(matches!(
            decode(&bytes),
            Err(DecodeError::Invalid {
                field: "proc_list",
                ..
            })
        ));
    }
}
