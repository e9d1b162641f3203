//! The [`Node`] state machine: public inputs and outputs, and dispatch of packets and timers.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use tracing::{debug, warn};

use crate::codec::{self, Join, Mcast, McastBody, MemberState, Message};
use crate::config::{Config, ConfigError};
use crate::limits::{LEAVE_ANNOUNCEMENTS, SEND_QUEUE_MESSAGES_MAX};
use crate::store::RingStore;
use crate::timers::Timers;
use crate::types::{Destination, Guarantee, NodeId, Output, RingId, TimerKind};

/// Protocol state (brief §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Normal token circulation.
    Operational,
    /// Exchanging JOINs to agree on a member set.
    Gather,
    /// First rotation of the commit token.
    Commit,
    /// Second rotation of the commit token, then old-ring retransmission on the new ring.
    Recovery,
    /// After [`Node::leave`]: the node ignores every input.
    Left,
}

/// Why [`Node::new`] refused to build a node.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Node id 0 is reserved.
    #[error("node id 0 is reserved")]
    ZeroNodeId,
}

/// Why [`Node::send`] refused a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Backpressure: the send queue holds [`crate::SEND_QUEUE_MESSAGES_MAX`] messages; retry later.
    #[error("send queue full ({0} messages)")]
    QueueFull(usize),
    /// The payload exceeds the configured maximum message size.
    #[error("message of {size} bytes exceeds the maximum of {max}")]
    TooLarge {
        /// Payload size.
        size: usize,
        /// Configured maximum.
        max: usize,
    },
    /// The node has left the ring.
    #[error("node has left the ring")]
    Left,
}

/// Counters for observability (subset of corosync's `stats.srp`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Tokens accepted.
    pub orf_token_rx: u64,
    /// Tokens forwarded (retransmissions excluded).
    pub orf_token_tx: u64,
    /// Data messages multicast (new).
    pub mcast_tx: u64,
    /// Data messages retransmitted.
    pub mcast_retx: u64,
    /// Data messages received and stored.
    pub mcast_rx: u64,
    /// JOINs multicast.
    pub memb_join_tx: u64,
    /// JOINs ignored as stale (sent by a member of my ring before that ring formed).
    pub memb_join_stale: u64,
    /// Times Gather was entered.
    pub gather_entered: u64,
    /// Times Commit was entered.
    pub commit_entered: u64,
    /// Times Recovery was entered.
    pub recovery_entered: u64,
    /// Times Operational was entered.
    pub operational_entered: u64,
    /// Token losses detected.
    pub token_lost: u64,
    /// Consensus timeouts.
    pub consensus_timeouts: u64,
    /// Packets dropped because they did not decode, or claimed another sender.
    pub rx_msg_dropped: u64,
    /// Token retransmissions.
    pub token_retransmits: u64,
    /// Times this node left the ring because it kept failing to receive (fail_recv_const).
    pub failed_to_receive: u64,
}

/// A ring a node is operating on (installed) or forming: membership, messages, token bookkeeping.
#[derive(Debug)]
pub(crate) struct Ring {
    pub(crate) id: RingId,
    pub(crate) members: Vec<NodeId>,
    pub(crate) store: RingStore,
    /// Highest token_seq accepted on this ring.
    pub(crate) last_token_seq: Option<u32>,
    /// Messages (new + retransmitted) I broadcast on my previous visit (fcc accounting).
    pub(crate) sent_last_visit: u32,
    /// My backlog reported on my previous visit.
    pub(crate) backlog_last_visit: u32,
    /// token.aru after my previous visit.
    pub(crate) aru_last_visit: u32,
    /// Highest seq every member is known to hold (min aru over my last two visits).
    pub(crate) safe_point: u32,
    /// token.seq at my previous visit (idle detection).
    pub(crate) seq_last_visit: u32,
    /// Consecutive visits with no new message (representative's hold).
    pub(crate) idle_rotations: u32,
    /// My aru at my previous visit (failed-to-receive detection).
    pub(crate) aru_at_last_stuck_check: u32,
    /// Consecutive visits on which my aru held the ring back without progress.
    pub(crate) stuck_visits: u32,
    /// Token visits on which each missing message was found missing (`miss_count_const`).
    pub(crate) miss_counts: crate::missing::MissCounts,
}

impl Ring {
    pub(crate) fn new(id: RingId, members: Vec<NodeId>) -> Ring {
        debug_assert!(members.windows(2).all(|w| w[0] < w[1]));
        Ring {
            id,
            members,
            store: RingStore::default(),
            last_token_seq: None,
            sent_last_visit: 0,
            backlog_last_visit: 0,
            aru_last_visit: 0,
            safe_point: 0,
            seq_last_visit: 0,
            idle_rotations: 0,
            aru_at_last_stuck_check: 0,
            stuck_visits: 0,
            miss_counts: Default::default(),
        }
    }

    /// The member after `me` in ring order.
    pub(crate) fn successor(&self, me: NodeId) -> NodeId {
        let index = self.members.iter().position(|m| *m == me).unwrap_or(0);
        self.members[(index + 1) % self.members.len()]
    }
}

/// Gather-state bookkeeping (brief §3.3).
#[derive(Debug, Default)]
pub(crate) struct Gather {
    pub(crate) proc_set: BTreeSet<NodeId>,
    pub(crate) fail_set: BTreeSet<NodeId>,
    /// Last JOIN received from each node in this gather round.
    pub(crate) joins: BTreeMap<NodeId, Join>,
    /// My successor whose token went unanswered, and when it joins the fail set unless a JOIN
    /// from it arrives first (see `Node::enter_gather`).
    pub(crate) suspect: Option<(NodeId, u64)>,
}

/// A ring being formed (Commit and Recovery states).
#[derive(Debug)]
pub(crate) struct Forming {
    pub(crate) ring: Ring,
    /// Old-ring state of every member, once the first rotation filled them.
    pub(crate) entries: Vec<Option<MemberState>>,
    /// Members of the new ring that come from my old ring (the transitional configuration).
    pub(crate) trans: Vec<NodeId>,
    /// Old-ring messages I must re-send on the new ring.
    pub(crate) pending: VecDeque<Mcast>,
    /// Old-ring seqs up to this may be delivered in the old regular configuration even if safe.
    pub(crate) safe_limit: u32,
    /// Last commit token_seq seen for this ring.
    pub(crate) commit_token_seq: u32,
    /// The representative has sent the initial ORF token.
    pub(crate) token_started: bool,
    /// Once known: every re-sent old-ring message has a seq at most this.
    pub(crate) recovery_target: Option<u32>,
}

/// One node's Totem state machine. See the crate documentation for the driving contract.
#[derive(Debug)]
pub struct Node {
    pub(crate) config: Config,
    pub(crate) me: NodeId,
    pub(crate) nodelist: BTreeSet<NodeId>,
    pub(crate) state: State,
    pub(crate) outputs: VecDeque<Output>,
    pub(crate) timers: Timers,
    /// The installed ring (before the first install: a pseudo ring of this node alone).
    pub(crate) current: Ring,
    /// Whether any ring has been installed yet.
    pub(crate) installed_once: bool,
    pub(crate) forming: Option<Forming>,
    pub(crate) gather: Gather,
    /// Highest ring seq known (persisted, joined, seen).
    pub(crate) highest_ring_seq: u64,
    /// Highest commit-token ring seq accepted.
    pub(crate) highest_commit_seq: u64,
    /// Last token forwarded (successor, bytes) for retransmission.
    pub(crate) token_copy: Option<(NodeId, Vec<u8>)>,
    /// The representative is holding an idle token.
    pub(crate) held_token: Option<codec::OrfToken>,
    /// A TOKEN_HOLD_CANCEL for the current ring reached the representative while the token
    /// was on its way round: its next visit forwards the token instead of holding it (the
    /// sender queued a message after its own visit; held, it would wait `hold` ms).
    pub(crate) hold_cancel_pending: bool,
    /// Any packet arrived from the successor since the last token forward (liveness hint).
    pub(crate) unanswered_retransmits: u32,
    /// token.seq of the last ORF token forwarded.
    pub(crate) forwarded_seq: u32,
    pub(crate) send_queue: VecDeque<(Guarantee, Vec<u8>)>,
    pub(crate) stats: Stats,
    /// When I last answered an older foreign ring's packet with a merge probe (rate limit).
    pub(crate) probe_answered_ms: Option<u64>,
    /// Draws the `send_join` delays.
    pub(crate) jitter: crate::jitter::Jitter,
    /// A JOIN waits for its `send_join` delay (the join timer then sends it).
    pub(crate) join_delayed: bool,
}

impl Node {
    /// Creates a node and starts it: it forms a singleton ring at once (brief §3.2, reason 15)
    /// and then merges with the other nodes it hears.
    ///
    /// `nodelist` restricts which senders are accepted (empty: anyone); `restored_ring_seq` is
    /// the seq read from the ringid file (0 if none); `now_ms` the current time.
    pub fn new(
        config: Config,
        me: NodeId,
        nodelist: &[NodeId],
        restored_ring_seq: u64,
        now_ms: u64,
    ) -> Result<Node, NodeError> {
        config.validate()?;
        if me.0 == 0 {
            return Err(NodeError::ZeroNodeId);
        }
        let pseudo = RingId {
            rep: me,
            seq: restored_ring_seq,
        };
        let jitter = crate::jitter::Jitter::new(config.jitter_seed, me.0);
        let mut node = Node {
            config,
            me,
            nodelist: nodelist.iter().copied().collect(),
            state: State::Gather,
            outputs: VecDeque::new(),
            timers: Timers::default(),
            current: Ring::new(pseudo, vec![me]),
            installed_once: false,
            forming: None,
            gather: Gather::default(),
            highest_ring_seq: restored_ring_seq,
            highest_commit_seq: restored_ring_seq,
            token_copy: None,
            held_token: None,
            hold_cancel_pending: false,
            unanswered_retransmits: 0,
            forwarded_seq: 0,
            send_queue: VecDeque::new(),
            stats: Stats::default(),
            probe_answered_ms: None,
            jitter,
            join_delayed: false,
        };
        node.gather.proc_set.insert(me);
        node.enter_gather(now_ms, "interface change", BTreeSet::new(), BTreeSet::new());
        Ok(node)
    }

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.me
    }

    /// Current protocol state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The installed ring's id (before the first install, a pseudo id with the restored seq).
    pub fn ring_id(&self) -> RingId {
        self.current.id
    }

    /// Members of the installed ring, ascending.
    pub fn members(&self) -> &[NodeId] {
        &self.current.members
    }

    /// Nodes whose JOIN this node holds in the current Gather round (none outside Gather): the
    /// nodes it hears from since it left its ring, bar those that exclude it or that it failed.
    /// A node that hears no quorate set of them soon after losing its ring is cut off.
    pub fn joins_heard(&self) -> Vec<NodeId> {
        if self.state != State::Gather {
            return Vec::new();
        }
        self.gather.joins.keys().copied().collect()
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The validated configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Messages accepted by [`Node::send`] and not yet broadcast.
    pub fn send_queue_len(&self) -> usize {
        self.send_queue.len()
    }

    /// Messages held in stores (installed ring, plus the ring being formed): bounded by the
    /// flow-control limits; exposed so tests can check it.
    pub fn stored_messages(&self) -> usize {
        self.current.store.len() + self.forming.as_ref().map_or(0, |f| f.ring.store.len())
    }

    /// Next output to act on, in order; `None` when drained.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The earliest armed timer deadline, for callers that prefer polling to per-kind timers.
    pub fn next_deadline(&self) -> Option<u64> {
        self.timers.next().map(|(at, _)| at)
    }

    /// Fires every timer due at `now_ms`, earliest first.
    pub fn handle_timeouts(&mut self, now_ms: u64) {
        // Bounded: each firing removes its deadline; re-arming is always in the future.
        for _ in 0..TimerKind::ALL.len() * 2 {
            match self.timers.next() {
                Some((at, kind)) if at <= now_ms => self.handle_timer(now_ms, kind),
                _ => return,
            }
        }
    }

    /// The timer `kind` expired. Calls for a timer that is not (or no longer) due are ignored,
    /// so a late or duplicate firing from the caller's timer wheel is harmless.
    pub fn handle_timer(&mut self, now_ms: u64, kind: TimerKind) {
        if self.state == State::Left || !self.timers.take_due(kind, now_ms) {
            return;
        }
        match kind {
            TimerKind::TokenLoss => self.on_token_loss(now_ms),
            TimerKind::TokenRetransmit => self.on_token_retransmit(now_ms),
            TimerKind::TokenHold => self.hold_expired(now_ms),
            TimerKind::Join => self.on_join_timer(now_ms),
            TimerKind::Consensus => self.on_consensus_timeout(now_ms),
            TimerKind::MergeDetect => self.on_merge_detect_timer(now_ms),
        }
    }

    /// Queues an application message for agreed delivery to the ring.
    pub fn send(&mut self, now_ms: u64, payload: Vec<u8>) -> Result<(), SendError> {
        self.send_with(now_ms, payload, Guarantee::Agreed)
    }

    /// Queues an application message with the given delivery guarantee.
    /// Accepted in every state but `Left`; messages queued during a membership change are
    /// sent once the new ring is operational.
    pub fn send_with(
        &mut self,
        now_ms: u64,
        payload: Vec<u8>,
        guarantee: Guarantee,
    ) -> Result<(), SendError> {
        if self.state == State::Left {
            return Err(SendError::Left);
        }
        if payload.len() > self.config.message_size_bytes_max {
            return Err(SendError::TooLarge {
                size: payload.len(),
                max: self.config.message_size_bytes_max,
            });
        }
        if self.send_queue.len() >= SEND_QUEUE_MESSAGES_MAX {
            return Err(SendError::QueueFull(self.send_queue.len()));
        }
        let was_empty = self.send_queue.is_empty();
        self.send_queue.push_back((guarantee, payload));
        if self.state == State::Operational {
            if self.current.members.len() == 1 {
                self.singleton_send(now_ms);
            } else if self.held_token.is_some() {
                self.release_held_token(now_ms);
            } else if was_empty && self.current.idle_rotations > 0 {
                let ring_id = self.current.id;
                self.transmit(Destination::All, &Message::TokenHoldCancel { ring_id });
            }
        }
        Ok(())
    }

    /// Clean shutdown: announces the departure so the others re-form at once (brief §3.7),
    /// then ignores every input. Queued messages not yet broadcast are dropped.
    pub fn leave(&mut self, _now_ms: u64) {
        if self.state == State::Left {
            return;
        }
        let join = Join {
            proc_set: self.current.members.clone(),
            fail_set: vec![self.me],
            ring_seq: self.highest_ring_seq,
        };
        for _ in 0..LEAVE_ANNOUNCEMENTS {
            self.transmit(Destination::All, &Message::Join(join.clone()));
        }
        for kind in TimerKind::ALL {
            self.timers.cancel(&mut self.outputs, kind);
        }
        self.state = State::Left;
        self.send_queue.clear();
        debug!(node = %self.me, "left the ring");
    }

    /// A datagram arrived from `from` (as identified by the transport).
    pub fn handle_packet(&mut self, now_ms: u64, from: NodeId, bytes: &[u8]) {
        if self.state == State::Left {
            return;
        }
        let (sender, message) = match codec::decode(bytes) {
            Ok(decoded) => decoded,
            Err(error) => {
                self.stats.rx_msg_dropped += 1;
                warn!(node = %self.me, %from, %error, "dropping undecodable packet");
                return;
            }
        };
        if sender != from
            || sender == self.me
            || (!self.nodelist.is_empty() && !self.nodelist.contains(&sender))
        {
            self.stats.rx_msg_dropped += 1;
            return;
        }
        if sender == self.active_ring().successor(self.me) && self.proves_token_received(&message) {
            self.unanswered_retransmits = 0;
        }
        match message {
            Message::Token(token) => self.on_token(now_ms, sender, token),
            Message::Mcast(mcast) => self.on_mcast(now_ms, sender, mcast),
            Message::MergeDetect { ring_id } => self.on_merge_detect(now_ms, sender, ring_id),
            Message::Join(join) => self.on_join(now_ms, sender, join),
            Message::CommitToken(token) => self.on_commit_token(now_ms, sender, token),
            Message::TokenHoldCancel { ring_id } => {
                if ring_id == self.current.id {
                    if self.held_token.is_some() {
                        self.release_held_token(now_ms);
                    } else if self.state == State::Operational
                        && self.current.members.first() == Some(&self.me)
                    {
                        self.hold_cancel_pending = true;
                    }
                }
            }
            // Its only effect, marking the successor as heard from, happened above.
            Message::TokenReceived { .. } => {}
        }
    }

    /// Whether a packet from my successor shows it is alive and got my last token.
    fn proves_token_received(&self, message: &Message) -> bool {
        match message {
            Message::TokenReceived { .. } | Message::Join(_) | Message::CommitToken(_) => true,
            Message::Mcast(m) => m.ring_id == self.active_ring().id && m.seq > self.forwarded_seq,
            Message::Token(_) | Message::MergeDetect { .. } | Message::TokenHoldCancel { .. } => {
                false
            }
        }
    }

    /// The successor, if my last token to it went unanswered through several retransmissions:
    /// the node that should be failed at once rather than after a consensus timeout.
    pub(crate) fn suspected_successor(&self) -> Option<NodeId> {
        match &self.token_copy {
            Some((next, _)) if self.unanswered_retransmits >= 2 => Some(*next),
            _ => None,
        }
    }

    /// The ring whose token and messages this node currently processes.
    pub(crate) fn active_ring(&self) -> &Ring {
        match (&self.forming, self.state) {
            (Some(forming), State::Recovery | State::Commit) => &forming.ring,
            _ => &self.current,
        }
    }

    /// Encodes and queues a packet.
    pub(crate) fn transmit(&mut self, dest: Destination, message: &Message) {
        let bytes = codec::encode(self.me, message);
        self.outputs.push_back(Output::Transmit { dest, bytes });
    }

    /// Records and persists a newly learned ring seq before it is used.
    pub(crate) fn persist_ring_seq(&mut self, seq: u64) {
        self.highest_ring_seq = self.highest_ring_seq.max(seq);
        self.outputs.push_back(Output::PersistRingSeq(seq));
    }

    /// A data message arrived.
    fn on_mcast(&mut self, now_ms: u64, sender: NodeId, mcast: Mcast) {
        let in_forming = matches!(self.state, State::Recovery)
            && self
                .forming
                .as_ref()
                .is_some_and(|f| f.ring.id == mcast.ring_id);
        if in_forming {
            self.store_forming(mcast);
            return;
        }
        if mcast.ring_id == self.current.id {
            match self.state {
                State::Operational => {
                    self.store_current(mcast);
                    self.deliver_ready();
                }
                // Before reporting my old-ring state in the commit token, late old-ring
                // messages still count; afterwards my old-ring set is frozen (brief §3.5).
                State::Gather => {
                    self.store_current(mcast);
                }
                State::Commit | State::Recovery | State::Left => {}
            }
            return;
        }
        if self.state == State::Operational && !self.is_newer_foreign(mcast.ring_id) {
            self.answer_older_ring(now_ms, sender, mcast.ring_id);
            return;
        }
        if self.state == State::Operational {
            debug!(node = %self.me, ring = %mcast.ring_id, "foreign message in operational state");
            self.enter_gather(
                now_ms,
                "foreign message in operational state",
                BTreeSet::from([sender]),
                BTreeSet::new(),
            );
        }
    }

    fn store_current(&mut self, mcast: Mcast) {
        let seq = mcast.seq;
        if self.current.store.insert(seq, mcast) {
            self.stats.mcast_rx += 1;
        }
    }

    /// A message of the ring being formed: keep it, and unwrap recovered old-ring messages.
    pub(crate) fn store_forming(&mut self, mcast: Mcast) {
        let old_ring = self.current.id;
        let inner = match &mcast.body {
            McastBody::Recovered {
                old_ring_id,
                old_seq,
                origin,
                guarantee,
                payload,
            } if *old_ring_id == old_ring => Some(Mcast {
                ring_id: old_ring,
                seq: *old_seq,
                origin: *origin,
                body: McastBody::Application {
                    guarantee: *guarantee,
                    payload: payload.clone(),
                },
            }),
            McastBody::RecoveredFiller {
                old_ring_id,
                old_seq,
            } if *old_ring_id == old_ring => Some(Mcast {
                ring_id: old_ring,
                seq: *old_seq,
                origin: mcast.origin,
                body: McastBody::RecoveredFiller {
                    old_ring_id: *old_ring_id,
                    old_seq: *old_seq,
                },
            }),
            _ => None,
        };
        let Some(forming) = self.forming.as_mut() else {
            return;
        };
        if forming.ring.store.insert(mcast.seq, mcast) {
            self.stats.mcast_rx += 1;
            if let Some(inner) = inner {
                let seq = inner.seq;
                self.current.store.insert(seq, inner);
            }
        }
    }

    /// Whether `ring_id` is another ring at least as new as mine (stale packets are ignored).
    pub(crate) fn is_newer_foreign(&self, ring_id: RingId) -> bool {
        ring_id != self.current.id && ring_id.seq >= self.current.id.seq
    }
}
