//! Recovery and installation of a new ring (brief §3.4 steps 3–4, §3.5): old-ring messages
//! are re-sent on the new ring until every transitional member holds the same set, then
//! delivery follows extended virtual synchrony: old regular, transitional, rest, new regular.

use std::collections::BTreeSet;

use tracing::{debug, info};

use crate::codec::{CommitToken, Mcast, McastBody, MemberState, OrfToken};
use crate::node::{Node, State};
use crate::types::{
    ConfigurationChange, ConfigurationKind, Delivery, Guarantee, NodeId, Output, TimerKind,
};

impl Node {
    /// Second rotation: every member's old-ring state is known; plan the re-sends.
    pub(crate) fn enter_recovery(&mut self, now_ms: u64, token: CommitToken) {
        let old_ring = self.current.id;
        let me = self.me;
        let mine = token
            .members
            .iter()
            .zip(token.entries.iter())
            .find(|(node, _)| **node == me);
        let consistent = matches!(mine, Some((_, Some(entry))) if entry.old_ring_id == old_ring);
        if !consistent || token.entries.iter().any(Option::is_none) {
            // Not the token I filled in: treat the commit as failed.
            self.enter_gather(
                now_ms,
                "inconsistent commit token",
                BTreeSet::new(),
                BTreeSet::new(),
            );
            return;
        }
        self.stats.recovery_entered += 1;
        self.state = State::Recovery;
        let group: Vec<(NodeId, MemberState)> = token
            .members
            .iter()
            .zip(token.entries.iter())
            .filter_map(|(node, entry)| entry.map(|e| (*node, e)))
            .filter(|(_, entry)| entry.old_ring_id == old_ring)
            .collect();
        let trans: Vec<NodeId> = group.iter().map(|(node, _)| *node).collect();
        let low = group.iter().map(|(_, e)| e.aru).min().unwrap_or(0);
        let high = group
            .iter()
            .map(|(_, e)| e.high_seq_received)
            .max()
            .unwrap_or(0);
        let safe_limit = group
            .iter()
            .map(|(_, e)| e.high_delivered)
            .max()
            .unwrap_or(0);
        let mut pending = std::collections::VecDeque::new();
        for (seq, message) in self.current.store.range(low, high) {
            // The lowest member known to hold a seq re-sends it; if no member's aru covers it,
            // every holder does (duplicates are dropped on receipt).
            let holder = group
                .iter()
                .filter(|(_, e)| e.aru >= *seq)
                .map(|(node, _)| *node)
                .min();
            if holder.is_none_or(|holder| holder == me) {
                pending.push_back(message.clone());
            }
        }
        debug!(node = %me, ?trans, low, high, pending = pending.len(), "entering RECOVERY state.");
        if let Some(forming) = self.forming.as_mut() {
            forming.entries = token.entries.clone();
            forming.trans = trans;
            forming.pending = pending;
            forming.safe_limit = safe_limit;
            forming.commit_token_seq = token.token_seq;
        }
        if token.members.len() == 1 {
            self.install(now_ms);
            return;
        }
        self.timers.set(
            &mut self.outputs,
            TimerKind::TokenLoss,
            now_ms + self.config.token_ms,
        );
        self.forward_commit_token(now_ms, token);
    }

    /// The representative, after the second rotation, sends the new ring's first ORF token.
    pub(crate) fn start_ring_token(&mut self, now_ms: u64) {
        let Some(forming) = self.forming.as_mut() else {
            return;
        };
        forming.token_started = true;
        debug!(node = %self.me, ring = %forming.ring.id, "Sending initial ORF token");
        let token = OrfToken {
            ring_id: forming.ring.id,
            token_seq: 0,
            seq: 0,
            aru: 0,
            aru_addr: None,
            fcc: 0,
            backlog: 0,
            // Forces at least one full rotation before anyone may install.
            retrans_flg: true,
            retrans_clean: false,
            rtr_list: Vec::new(),
        };
        forming.ring.last_token_seq = Some(0);
        self.token_visit(now_ms, token);
    }

    /// Installs the new ring once a full rotation saw no pending re-sends and I hold every
    /// new-ring message up to the seq seen then (so every re-sent old-ring message).
    pub(crate) fn maybe_install(&mut self, now_ms: u64, token: &OrfToken) {
        let Some(forming) = self.forming.as_mut() else {
            return;
        };
        if token.retrans_clean && forming.recovery_target.is_none() {
            // A full rotation saw nobody with re-sends pending: every re-sent old-ring message
            // has a seq at most token.seq now.
            forming.recovery_target = Some(token.seq);
        }
        let ready = forming.pending.is_empty()
            && forming
                .recovery_target
                .is_some_and(|target| forming.ring.store.aru >= target);
        if ready {
            self.install(now_ms);
        }
    }

    /// Delivery at the end of recovery, in EVS order (brief §3.5), then Operational.
    pub(crate) fn install(&mut self, now_ms: u64) {
        let Some(forming) = self.forming.take() else {
            return;
        };
        let old_ring = self.current.id;
        let old_members = self.current.members.clone();
        if self.installed_once {
            // 1. Old-ring messages deliverable under the old regular configuration.
            self.deliver_old(forming.safe_limit, false);
            // 2. The transitional configuration.
            self.outputs
                .push_back(Output::ConfigurationChange(ConfigurationChange {
                    kind: ConfigurationKind::Transitional,
                    ring_id: forming.ring.id,
                    members: forming.trans.clone(),
                    left: Vec::new(),
                    joined: Vec::new(),
                }));
            // 3. The rest, gaps allowed (only senders outside the transitional configuration).
            self.deliver_old(u32::MAX, true);
        }
        let trans: BTreeSet<NodeId> = forming.trans.iter().copied().collect();
        let new_members = forming.ring.members.clone();
        let (left, joined) = if self.installed_once {
            (
                old_members
                    .iter()
                    .filter(|n| !trans.contains(n))
                    .copied()
                    .collect(),
                new_members
                    .iter()
                    .filter(|n| !trans.contains(n))
                    .copied()
                    .collect(),
            )
        } else {
            (Vec::new(), new_members.clone())
        };
        info!(node = %self.me, ring = %forming.ring.id, ?left, ?joined, old = %old_ring, "A new membership was formed.");
        // 4. The regular configuration of the new ring.
        self.outputs
            .push_back(Output::ConfigurationChange(ConfigurationChange {
                kind: ConfigurationKind::Regular,
                ring_id: forming.ring.id,
                members: new_members,
                left,
                joined,
            }));
        self.current = forming.ring;
        // Rotations counted in Recovery do not count towards an idle hold: the other members
        // install the ring when the token next reaches them, so it must not stop here first.
        self.current.idle_rotations = 0;
        self.installed_once = true;
        self.state = State::Operational;
        self.stats.operational_entered += 1;
        self.deliver_ready();
        if self.current.members.len() == 1 {
            self.timers.cancel(&mut self.outputs, TimerKind::TokenLoss);
            self.timers
                .cancel(&mut self.outputs, TimerKind::TokenRetransmit);
            self.singleton_send(now_ms);
        }
        if self.current.members[0] == self.me {
            self.arm_merge_probe(now_ms);
        }
    }

    /// Delivers old-ring messages above the delivered position in seq order. Without
    /// `skip_gaps`, stops at the first gap or at a safe message beyond `safe_limit`.
    fn deliver_old(&mut self, safe_limit: u32, skip_gaps: bool) {
        let ring_id = self.current.id;
        let from = self.current.store.delivered;
        let high = self.current.store.high_seq;
        let mut expected = from + 1;
        let mut out = Vec::new();
        let mut last = from;
        for (seq, message) in self.current.store.range(from, high) {
            if *seq != expected && !skip_gaps {
                break;
            }
            if let Mcast {
                origin,
                body: McastBody::Application { guarantee, payload },
                ..
            } = message
            {
                if !skip_gaps && *guarantee == Guarantee::Safe && *seq > safe_limit {
                    break;
                }
                out.push(Delivery {
                    ring_id,
                    sender: *origin,
                    seq: *seq,
                    guarantee: *guarantee,
                    payload: payload.clone(),
                });
            }
            last = *seq;
            expected = seq + 1;
        }
        self.current.store.delivered = last;
        self.outputs.extend(out.into_iter().map(Output::Deliver));
    }
}
