//! `miss_count_const` (corosync.conf(5)): a message a node lacks is checked on each token
//! visit, and its retransmission is requested only once it has been found missing on
//! `miss_count_const` visits, so that a multicast the token overtook (a switch that delays
//! multicast behind unicast) is not requested while it is still on its way.

use std::collections::BTreeMap;

/// Per ring: on how many token visits each missing seq has been found missing.
#[derive(Debug, Default)]
pub(crate) struct MissCounts {
    counts: BTreeMap<u32, u32>,
}

impl MissCounts {
    /// Counts one more visit on which `seq` was missing; true once its retransmission is due
    /// (from the `threshold`-th visit on).
    pub(crate) fn due(&mut self, seq: u32, threshold: u32) -> bool {
        let count = self.counts.entry(seq).or_insert(0);
        *count = count.saturating_add(1);
        *count >= threshold
    }

    /// Forgets `seq` (it arrived).
    pub(crate) fn forget(&mut self, seq: u32) {
        self.counts.remove(&seq);
    }

    /// Forgets every seq up to `aru`. Entries stay bounded: only seqs between the aru and the
    /// ring's highest seq are counted, at most `RING_MESSAGES_IN_FLIGHT_MAX` of them.
    pub(crate) fn forget_through(&mut self, aru: u32) {
        self.counts = self.counts.split_off(&aru.saturating_add(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_from_the_threshold_visit_and_forgotten_once_received() {
        let mut counts = MissCounts::default();
        assert!(!counts.due(7, 3));
        assert!(!counts.due(7, 3));
        assert!(counts.due(7, 3));
        assert!(counts.due(7, 3));
        counts.forget(7);
        assert!(!counts.due(7, 3));
        assert!(counts.due(9, 1));
        counts.forget_through(8);
        assert!(!counts.due(7, 2));
        assert!(counts.due(9, 2));
    }
}
