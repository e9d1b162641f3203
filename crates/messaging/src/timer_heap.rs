//! Deadlines for the protocol timers: at most one per kind, earliest first.

use std::collections::BTreeMap;

/// Armed timers, keyed by kind, with absolute deadlines in milliseconds.
#[derive(Debug)]
pub struct TimerHeap<K: Ord + Copy> {
    deadlines: BTreeMap<K, u64>,
}

impl<K: Ord + Copy> Default for TimerHeap<K> {
    fn default() -> Self {
        TimerHeap {
            deadlines: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Copy> TimerHeap<K> {
    /// Arms `kind` at `at_ms`, replacing any earlier deadline of that kind.
    pub fn set(&mut self, kind: K, at_ms: u64) {
        self.deadlines.insert(kind, at_ms);
    }

    /// Disarms `kind`.
    pub fn cancel(&mut self, kind: K) {
        self.deadlines.remove(&kind);
    }

    /// The earliest deadline, if any timer is armed.
    pub fn next_deadline(&self) -> Option<u64> {
        self.deadlines.values().copied().min()
    }

    /// Removes and returns one timer due at `now_ms` (earliest first).
    pub fn pop_due(&mut self, now_ms: u64) -> Option<K> {
        let (kind, _) = self
            .deadlines
            .iter()
            .filter(|(_, at)| **at <= now_ms)
            .min_by_key(|(_, at)| **at)
            .map(|(kind, at)| (*kind, *at))?;
        self.deadlines.remove(&kind);
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_timers_pop_earliest_first_and_rearming_replaces() {
        let mut heap = TimerHeap::default();
        heap.set(1u8, 50);
        heap.set(2u8, 20);
        heap.set(1u8, 30);
        assert_eq!(heap.next_deadline(), Some(20));
        assert_eq!(heap.pop_due(10), None);
        assert_eq!(heap.pop_due(40), Some(2));
        assert_eq!(heap.pop_due(40), Some(1));
        assert_eq!(heap.pop_due(40), None);
        heap.set(3u8, 5);
        heap.cancel(3u8);
        assert_eq!(heap.next_deadline(), None);
    }
}
