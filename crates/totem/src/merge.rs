//! Merge detection (brief §2.5, §3.7): the representative's periodic MERGE_DETECT probe, and
//! what a node does when it hears another ring.
//!
//! The probe goes to everyone every `merge` ms; while nodelist members are missing from the
//! ring (a partition, or nodes down) it goes only to them, every `merge / 4` ms: a healed
//! partition is then noticed within 50 ms with the default `merge` of 200.
//!
//! Only a ring at least as new as mine makes me gather: an older ring's packet may be a stale
//! leftover (a delayed probe of a node that has since crashed would otherwise cost a consensus
//! timeout). So that a partition heals at the first probe of either side, not only at the
//! newer side's, the representative answers an older foreign ring's probe or message with its
//! own probe, unicast to the sender and at most once per half merge interval: the older ring
//! then sees a newer one and starts the merge. An answer to a dead sender is simply lost.

use std::collections::BTreeSet;

use tracing::debug;

use crate::codec::Message;
use crate::node::{Node, State};
use crate::types::{Destination, NodeId, RingId, TimerKind};

impl Node {
    /// A MERGE_DETECT probe of ring `ring_id` arrived from `sender`.
    pub(crate) fn on_merge_detect(&mut self, now_ms: u64, sender: NodeId, ring_id: RingId) {
        match self.state {
            State::Operational if self.is_newer_foreign(ring_id) => {
                debug!(node = %self.me, from = %sender, ring = %ring_id, "merge probe from a newer ring");
                self.enter_gather(
                    now_ms,
                    "merge during operational state",
                    BTreeSet::from([sender]),
                    BTreeSet::new(),
                );
            }
            State::Operational => self.answer_older_ring(now_ms, sender, ring_id),
            State::Gather
                if !self.gather.proc_set.contains(&sender)
                    && !self.gather.fail_set.contains(&sender) =>
            {
                self.gather.proc_set.insert(sender);
                self.send_join(now_ms);
                self.check_consensus(now_ms);
            }
            _ => {}
        }
    }

    /// The representative's probe timer: multicast MERGE_DETECT and re-arm. While nodelist
    /// members are missing from the ring, probe them (unicast) every quarter merge interval
    /// instead, so that a healed partition is noticed within `merge / 4`.
    pub(crate) fn on_merge_detect_timer(&mut self, now_ms: u64) {
        if self.state != State::Operational || self.current.members.first() != Some(&self.me) {
            return;
        }
        let ring_id = self.current.id;
        let missing = self.missing_members();
        if missing.is_empty() {
            self.transmit(Destination::All, &Message::MergeDetect { ring_id });
        } else {
            for node in missing {
                self.transmit(Destination::Node(node), &Message::MergeDetect { ring_id });
            }
        }
        self.arm_merge_probe(now_ms);
    }

    /// Arms the representative's next probe (see [`Node::on_merge_detect_timer`]).
    pub(crate) fn arm_merge_probe(&mut self, now_ms: u64) {
        let interval = if self.missing_members().is_empty() {
            self.config.merge_ms
        } else {
            (self.config.merge_ms / 4).max(1)
        };
        self.timers
            .set(&mut self.outputs, TimerKind::MergeDetect, now_ms + interval);
    }

    /// Nodelist members outside my installed ring (empty without a nodelist).
    fn missing_members(&self) -> Vec<NodeId> {
        self.nodelist
            .iter()
            .copied()
            .filter(|n| !self.current.members.contains(n))
            .collect()
    }

    /// A packet of an older ring `ring_id` arrived from `sender`, who is not in my ring: as
    /// representative, tell it about my ring (rate-limited) so that it starts the merge.
    pub(crate) fn answer_older_ring(&mut self, now_ms: u64, sender: NodeId, ring_id: RingId) {
        let is_rep = self.current.members.first() == Some(&self.me);
        let older_foreign = ring_id != self.current.id
            && ring_id.seq < self.current.id.seq
            && !self.current.members.contains(&sender);
        let interval = (self.config.merge_ms / 2).max(1);
        let due = self
            .probe_answered_ms
            .is_none_or(|at| now_ms >= at.saturating_add(interval));
        if !is_rep || !older_foreign || !due {
            return;
        }
        self.probe_answered_ms = Some(now_ms);
        let mine = self.current.id;
        debug!(node = %self.me, to = %sender, ring = %ring_id, mine = %mine, "answering an older ring's packet with a merge probe");
        self.transmit(
            Destination::Node(sender),
            &Message::MergeDetect { ring_id: mine },
        );
    }
}
