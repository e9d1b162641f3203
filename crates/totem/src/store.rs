//! Messages of one ring held by a node, with its aru and delivery position.

use std::collections::BTreeMap;

use crate::codec::Mcast;

/// One ring's messages, keyed by seq.
#[derive(Debug, Default)]
pub(crate) struct RingStore {
    messages: BTreeMap<u32, Mcast>,
    /// All received up to: every seq in 1..=aru is (or was, before collection) held.
    pub(crate) aru: u32,
    /// Highest seq received.
    pub(crate) high_seq: u32,
    /// Highest seq delivered (or skipped as not deliverable).
    pub(crate) delivered: u32,
    /// Messages with seq up to this were discarded after everyone had them.
    collected: u32,
}

impl RingStore {
    /// Stores `message` under `seq`; false if it was already held or collected.
    pub(crate) fn insert(&mut self, seq: u32, message: Mcast) -> bool {
        debug_assert!(seq > 0);
        if seq <= self.collected || self.messages.contains_key(&seq) {
            return false;
        }
        self.messages.insert(seq, message);
        self.high_seq = self.high_seq.max(seq);
        while self.messages.contains_key(&(self.aru + 1)) {
            self.aru += 1;
        }
        true
    }

    /// The message with `seq`, if held.
    pub(crate) fn get(&self, seq: u32) -> Option<&Mcast> {
        self.messages.get(&seq)
    }

    /// Whether `seq` is held or was collected.
    pub(crate) fn has(&self, seq: u32) -> bool {
        seq <= self.collected || self.messages.contains_key(&seq)
    }

    /// Held messages with seq in `(from, to]`, ascending.
    pub(crate) fn range(&self, from: u32, to: u32) -> impl Iterator<Item = (&u32, &Mcast)> {
        let end = to.max(from);
        self.messages.range((
            std::ops::Bound::Excluded(from),
            std::ops::Bound::Included(end),
        ))
    }

    /// Discards messages up to `upto` (never beyond the delivered position).
    pub(crate) fn collect(&mut self, upto: u32) {
        let upto = upto.min(self.delivered).min(self.aru);
        if upto <= self.collected {
            return;
        }
        self.messages = self.messages.split_off(&(upto + 1));
        self.collected = upto;
    }

    /// Number of messages held.
    pub(crate) fn len(&self) -> usize {
        self.messages.len()
    }
}
