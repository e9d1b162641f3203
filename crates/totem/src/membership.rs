//! Membership (brief §3.2–§3.4): Gather with JOIN proc/fail sets and consensus, and the commit
//! token's two rotations.

use std::collections::BTreeSet;

use tracing::debug;

use crate::codec::{CommitToken, Join, MemberState, Message};
use crate::node::{Forming, Node, Ring, State};
use crate::types::{Destination, NodeId, Output, RingId, TimerKind};

/// Join intervals a suspected successor has to send a JOIN before it is failed.
const SUSPECT_GRACE_JOIN_INTERVALS: u64 = 2;

impl Node {
    /// Enters (or restarts) Gather (brief §3.2), adding `joining` to the proc set and
    /// `suspects` to the fail set.
    pub(crate) fn enter_gather(
        &mut self,
        now_ms: u64,
        reason: &str,
        joining: BTreeSet<NodeId>,
        suspects: BTreeSet<NodeId>,
    ) {
        debug!(node = %self.me, "entering GATHER state from {reason}");
        self.stats.gather_entered += 1;
        let previous = self.state;
        let suspected = self.suspected_successor();
        if previous != State::Gather {
            let mut proc_set: BTreeSet<NodeId> = self.current.members.iter().copied().collect();
            if let Some(forming) = self.forming.take() {
                proc_set.extend(forming.ring.members.iter().copied());
            }
            if previous != State::Operational {
                proc_set.extend(self.gather.proc_set.iter().copied());
            }
            proc_set.insert(self.me);
            self.gather.proc_set = proc_set;
            self.gather.fail_set.clear();
            self.gather.joins.clear();
            self.gather.suspect = None;
        }
        self.gather.proc_set.extend(
            joining
                .into_iter()
                .filter(|n| !self.gather.fail_set.contains(n)),
        );
        self.gather
            .fail_set
            .extend(suspects.into_iter().filter(|n| *n != self.me));
        if previous != State::Gather {
            if let Some(successor) = suspected.filter(|n| *n != self.me) {
                // A crashed successor never answers, so failing it at once saves the consensus
                // timeout. But the token may have been lost to a partition that has healed by
                // now: a successor that is alive sends a JOIN within a join interval or two,
                // and failing it anyway would spread through the others' fail sets and split
                // the ring (issue 2). So it is failed only if no JOIN from it arrives in time.
                let at = now_ms + SUSPECT_GRACE_JOIN_INTERVALS * self.config.join_ms;
                debug!(node = %self.me, %successor, fail_at_ms = at, "token to successor went unanswered: suspecting it");
                self.gather.suspect = Some((successor, at));
            }
        }
        self.state = State::Gather;
        self.held_token = None;
        self.hold_cancel_pending = false;
        self.token_copy = None;
        for kind in [
            TimerKind::TokenLoss,
            TimerKind::TokenRetransmit,
            TimerKind::TokenHold,
            TimerKind::MergeDetect,
        ] {
            self.timers.cancel(&mut self.outputs, kind);
        }
        self.timers.set(
            &mut self.outputs,
            TimerKind::Consensus,
            now_ms + self.config.consensus_ms,
        );
        self.send_join(now_ms);
        self.check_consensus(now_ms);
    }

    /// Multicasts my JOIN and re-arms the join timer. With `send_join` set, the JOIN instead
    /// waits a random `0..=send_join` ms (corosync.conf(5)) and the join timer sends it then,
    /// with the sets as they are at that moment; a JOIN already waiting keeps its deadline.
    pub(crate) fn send_join(&mut self, now_ms: u64) {
        if self.config.send_join_ms > 0 {
            if !self.join_delayed {
                self.join_delayed = true;
                let delay = self.jitter.up_to(self.config.send_join_ms);
                self.timers
                    .set(&mut self.outputs, TimerKind::Join, now_ms + delay);
            }
            return;
        }
        self.transmit_join(now_ms);
    }

    /// Multicasts my JOIN now and arms the join timer for the next one.
    fn transmit_join(&mut self, now_ms: u64) {
        self.join_delayed = false;
        let join = Join {
            proc_set: self.gather.proc_set.iter().copied().collect(),
            fail_set: self.gather.fail_set.iter().copied().collect(),
            ring_seq: self.highest_ring_seq,
        };
        self.stats.memb_join_tx += 1;
        debug!(node = %self.me, proc_set = %node_set(&join.proc_set), fail_set = %node_set(&join.fail_set), ring_seq = join.ring_seq, "sending JOIN");
        self.transmit(Destination::All, &Message::Join(join));
        let at = now_ms + self.config.join_ms;
        self.timers.set(&mut self.outputs, TimerKind::Join, at);
    }

    pub(crate) fn on_join_timer(&mut self, now_ms: u64) {
        if self.state != State::Gather {
            return;
        }
        if let Some((suspect, at)) = self.gather.suspect {
            if now_ms >= at {
                self.gather.suspect = None;
                if suspect != self.me && self.gather.fail_set.insert(suspect) {
                    debug!(node = %self.me, %suspect, "no JOIN from the suspected successor: failing it");
                }
            }
        }
        if self.join_delayed {
            self.transmit_join(now_ms);
        } else {
            self.send_join(now_ms);
        }
        self.check_consensus(now_ms);
    }

    /// A JOIN arrived (brief §3.3).
    pub(crate) fn on_join(&mut self, now_ms: u64, sender: NodeId, join: Join) {
        debug!(node = %self.me, from = %sender, state = ?self.state, proc_set = %node_set(&join.proc_set), fail_set = %node_set(&join.fail_set), ring_seq = join.ring_seq, "JOIN received");
        if join.fail_set.contains(&self.me) && join.ring_seq < self.current.id.seq {
            // An exclusion decided before my current ring existed: a JOIN delayed in the
            // network (the kernel holds packets for an unresolved neighbour and releases them
            // when a link heals). Acting on it would fail the sender and split the merge.
            return;
        }
        if self.state != State::Gather && join.fail_set.contains(&self.me) {
            // The sender is forming a ring without me: it will be merged back later through
            // merge detection; reacting here would only break my own ring.
            return;
        }
        let member = self.current.members.contains(&sender);
        if member && join.ring_seq < self.current.id.seq {
            // Stale: every member of my current ring knows its seq, so a JOIN with a lower one
            // was sent before this ring formed (the gather round that formed it, or earlier),
            // delayed or batched behind newer packets. In Gather its fail set would poison the
            // new round: folding in an old "exclude the third node" fail set lets two nodes
            // agree at once on a pair ring, and the three then form pairs over and over
            // instead of merging (the merge livelock of issue 2).
            self.stats.memb_join_stale += 1;
            return;
        }
        if self
            .gather
            .suspect
            .is_some_and(|(suspect, _)| suspect == sender)
        {
            // The suspected successor is alive and reaches me: no reason to fail it.
            self.gather.suspect = None;
        }
        match self.state {
            State::Operational => {
                self.enter_gather(
                    now_ms,
                    "join during operational state",
                    BTreeSet::from([sender]),
                    BTreeSet::new(),
                );
            }
            State::Commit | State::Recovery => {
                let forming = self.forming.as_ref();
                let abandoned = forming.is_some_and(|f| {
                    f.ring.members.contains(&sender) && join.ring_seq >= f.ring.id.seq
                });
                if !abandoned {
                    return;
                }
                self.enter_gather(
                    now_ms,
                    "join during commit/recovery state",
                    BTreeSet::from([sender]),
                    BTreeSet::new(),
                );
            }
            State::Gather => {}
            State::Left => return,
        }
        self.highest_ring_seq = self.highest_ring_seq.max(join.ring_seq);
        self.merge_join(now_ms, sender, join);
    }

    /// Folds a JOIN's sets into mine; re-announces if they changed, then checks consensus.
    fn merge_join(&mut self, now_ms: u64, sender: NodeId, join: Join) {
        let me = self.me;
        if self.gather.fail_set.contains(&sender) {
            return;
        }
        if join.fail_set.contains(&me) {
            // The sender excludes me: its view of the others is not mine to adopt (that would
            // let one isolated node fail everyone), and its earlier agreement no longer holds.
            // Nor do I fail it in return: such a JOIN is often from a round the sender is just
            // leaving (it forms a ring without me, then merges back through my JOINs), and a
            // retaliatory fail set spreads — the third node adopts it, pairs form, each pair
            // excludes someone else — a livelock of two-node rings (issue 2). If the sender
            // never agrees, the consensus timeout fails it.
            self.gather.joins.remove(&sender);
            if self.gather.proc_set.insert(sender) {
                self.send_join(now_ms);
            }
            return;
        }
        let mut changed = self.gather.proc_set.insert(sender);
        for node in &join.proc_set {
            changed |= self.gather.proc_set.insert(*node);
        }
        for node in &join.fail_set {
            if *node != me {
                changed |= self.gather.fail_set.insert(*node);
            }
        }
        self.gather.joins.insert(sender, join);
        if changed {
            self.send_join(now_ms);
        }
        self.check_consensus(now_ms);
    }

    /// Members the consensus is about: proc_set − fail_set, ascending.
    fn candidates(&self) -> Vec<NodeId> {
        self.gather
            .proc_set
            .difference(&self.gather.fail_set)
            .copied()
            .collect()
    }

    /// Whether every candidate sent a JOIN with exactly my sets.
    fn consensus_reached(&self) -> bool {
        let proc_set: Vec<NodeId> = self.gather.proc_set.iter().copied().collect();
        let fail_set: Vec<NodeId> = self.gather.fail_set.iter().copied().collect();
        self.candidates().iter().all(|node| {
            *node == self.me
                || self
                    .gather
                    .joins
                    .get(node)
                    .is_some_and(|j| j.proc_set == proc_set && j.fail_set == fail_set)
        })
    }

    /// On consensus, the representative creates the commit token (brief §3.4 step 1).
    pub(crate) fn check_consensus(&mut self, now_ms: u64) {
        if self.state != State::Gather || !self.consensus_reached() {
            return;
        }
        let members = self.candidates();
        debug_assert!(members.contains(&self.me));
        if members.first() != Some(&self.me) {
            return;
        }
        let highest_joined = self
            .gather
            .joins
            .values()
            .map(|j| j.ring_seq)
            .max()
            .unwrap_or(0);
        let seq = self
            .highest_ring_seq
            .max(highest_joined)
            .max(self.highest_commit_seq)
            .max(self.current.id.seq)
            + 4;
        let ring_id = RingId { rep: self.me, seq };
        debug!(node = %self.me, ring = %ring_id, ?members, "Creating commit token because I am the rep.");
        self.persist_ring_seq(seq);
        self.highest_commit_seq = seq;
        let entries = vec![None; members.len()];
        let token = CommitToken {
            token_seq: 0,
            ring_id,
            memb_index: 0,
            members,
            entries,
        };
        self.accept_commit_token(now_ms, token);
    }

    /// Consensus timeout: silent nodes move to the fail set and Gather restarts (brief §3.3).
    pub(crate) fn on_consensus_timeout(&mut self, now_ms: u64) {
        if self.state != State::Gather {
            return;
        }
        self.stats.consensus_timeouts += 1;
        let candidates = self.candidates();
        if self.consensus_reached() {
            // Everyone agreed but no commit token came: the representative is gone.
            if let Some(rep) = candidates.first().copied().filter(|rep| *rep != self.me) {
                self.gather.fail_set.insert(rep);
            }
        } else {
            let proc_set: Vec<NodeId> = self.gather.proc_set.iter().copied().collect();
            let fail_set: Vec<NodeId> = self.gather.fail_set.iter().copied().collect();
            for node in candidates {
                let agreed = node == self.me
                    || self
                        .gather
                        .joins
                        .get(&node)
                        .is_some_and(|j| j.proc_set == proc_set && j.fail_set == fail_set);
                if !agreed {
                    self.gather.fail_set.insert(node);
                }
            }
        }
        self.enter_gather(
            now_ms,
            "consensus timeout",
            BTreeSet::new(),
            BTreeSet::new(),
        );
    }

    /// My old-ring state as reported in the commit token.
    fn my_member_state(&self) -> MemberState {
        let store = &self.current.store;
        MemberState {
            old_ring_id: self.current.id,
            aru: store.aru,
            high_delivered: store.delivered,
            high_seq_received: store.high_seq,
            received_flg: store.aru == store.high_seq,
        }
    }

    /// A commit token arrived (brief §3.4).
    pub(crate) fn on_commit_token(&mut self, now_ms: u64, sender: NodeId, token: CommitToken) {
        let index = usize::from(token.memb_index);
        debug!(node = %self.me, from = %sender, state = ?self.state, ring = %token.ring_id, token_seq = token.token_seq, members = %node_set(&token.members), index, "commit token received");
        if token.members.get(index) != Some(&self.me) {
            return;
        }
        match self.state {
            State::Gather => {
                let fresh = token.ring_id.seq > self.highest_commit_seq
                    && token.ring_id.seq > self.current.id.seq;
                let first_rotation = token.entries.get(index).is_some_and(Option::is_none);
                if fresh && first_rotation && token.ring_id.rep != self.me {
                    self.persist_ring_seq(token.ring_id.seq);
                    self.highest_commit_seq = token.ring_id.seq;
                    self.accept_commit_token(now_ms, token);
                } else {
                    debug!(node = %self.me, fresh, first_rotation, highest_commit_seq = self.highest_commit_seq, "commit token ignored");
                }
            }
            State::Commit | State::Recovery => {
                let Some(forming) = self.forming.as_ref() else {
                    return;
                };
                let newer = token.token_seq > forming.commit_token_seq;
                let complete = token.entries.iter().all(Option::is_some);
                if forming.ring.id == token.ring_id && !newer {
                    let ring_id = token.ring_id;
                    self.transmit(
                        Destination::Node(sender),
                        &Message::TokenReceived { ring_id },
                    );
                    return;
                }
                if forming.ring.id != token.ring_id || !newer || !complete {
                    return;
                }
                self.timers
                    .cancel(&mut self.outputs, TimerKind::TokenRetransmit);
                self.token_copy = None;
                if self.state == State::Commit {
                    self.enter_recovery(now_ms, token);
                } else if forming.ring.members[0] == self.me && !forming.token_started {
                    self.start_ring_token(now_ms);
                }
            }
            State::Operational | State::Left => {}
        }
    }

    /// First rotation: fill my entry, enter Commit and pass the token on.
    fn accept_commit_token(&mut self, now_ms: u64, mut token: CommitToken) {
        let index = usize::from(token.memb_index);
        token.entries[index] = Some(self.my_member_state());
        self.stats.commit_entered += 1;
        debug!(node = %self.me, ring = %token.ring_id, "entering COMMIT state.");
        self.state = State::Commit;
        self.join_delayed = false;
        self.timers.cancel(&mut self.outputs, TimerKind::Join);
        self.timers.cancel(&mut self.outputs, TimerKind::Consensus);
        self.forming = Some(Forming {
            ring: Ring::new(token.ring_id, token.members.clone()),
            entries: token.entries.clone(),
            trans: Vec::new(),
            pending: Default::default(),
            safe_limit: 0,
            commit_token_seq: token.token_seq,
            token_started: false,
            recovery_target: None,
        });
        if token.members.len() == 1 {
            self.enter_recovery(now_ms, token);
            return;
        }
        self.timers.set(
            &mut self.outputs,
            TimerKind::TokenLoss,
            now_ms + self.config.token_ms,
        );
        self.forward_commit_token(now_ms, token);
    }

    /// Sends the commit token to the next member and keeps a copy for retransmission.
    pub(crate) fn forward_commit_token(&mut self, now_ms: u64, mut token: CommitToken) {
        let n = token.members.len();
        token.memb_index = ((usize::from(token.memb_index) + 1) % n) as u16;
        token.token_seq = token.token_seq.wrapping_add(1);
        if let Some(forming) = self.forming.as_mut() {
            forming.commit_token_seq = token.token_seq;
        }
        let next = token.members[usize::from(token.memb_index)];
        let bytes = crate::codec::encode(self.me, &Message::CommitToken(token));
        self.outputs.push_back(Output::Transmit {
            dest: Destination::Node(next),
            bytes: bytes.clone(),
        });
        self.token_copy = Some((next, bytes));
        self.unanswered_retransmits = 0;
        self.timers.set(
            &mut self.outputs,
            TimerKind::TokenRetransmit,
            now_ms + self.config.token_retransmit_ms,
        );
    }
}

/// A node set as the log shows it: `{1,2,3}`.
pub(crate) fn node_set(nodes: &[NodeId]) -> String {
    let inner: Vec<String> = nodes.iter().map(|n| n.0.to_string()).collect();
    format!("{{{}}}", inner.join(","))
}
