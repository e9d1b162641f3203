//! Per-sender replay protection: a sliding window over packet counters,
//! scoped by the sender's epoch (a value that grows across restarts).

use std::collections::HashMap;

use crate::limits;

/// Why a counter was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayVerdict {
    /// First time seen: accept.
    Fresh,
    /// Already seen inside the window (a replay or an active-ring duplicate).
    Duplicate,
    /// Below the window, or from an older epoch of the sender.
    TooOld,
    /// The table of senders is full and this sender is new.
    TooManySenders,
}

#[derive(Debug, Clone)]
struct Window {
    epoch: u64,
    highest: u64,
    /// Bit i set ⇔ counter `highest - i` was seen.
    seen: [u64; (limits::REPLAY_WINDOW / 64) as usize],
}

impl Window {
    fn new(epoch: u64, counter: u64) -> Self {
        let mut w = Window {
            epoch,
            highest: counter,
            seen: [0; (limits::REPLAY_WINDOW / 64) as usize],
        };
        w.set(0);
        w
    }

    fn get(&self, offset: u64) -> bool {
        let (word, bit) = ((offset / 64) as usize, offset % 64);
        self.seen.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    fn set(&mut self, offset: u64) {
        let (word, bit) = ((offset / 64) as usize, offset % 64);
        if let Some(w) = self.seen.get_mut(word) {
            *w |= 1 << bit;
        }
    }

    /// Shifts the window so that `highest` grows by `by`.
    fn advance(&mut self, by: u64) {
        if by >= limits::REPLAY_WINDOW {
            self.seen = [0; (limits::REPLAY_WINDOW / 64) as usize];
            return;
        }
        let words = (by / 64) as usize;
        let bits = by % 64;
        let n = self.seen.len();
        for i in (0..n).rev() {
            let src = i.checked_sub(words);
            let hi = src.and_then(|s| self.seen.get(s)).copied().unwrap_or(0);
            let lo = src
                .and_then(|s| s.checked_sub(1))
                .and_then(|s| self.seen.get(s))
                .copied()
                .unwrap_or(0);
            self.seen[i] = if bits == 0 {
                hi
            } else {
                (hi << bits) | (lo >> (64 - bits))
            };
        }
    }
}

/// Replay windows for every sender.
#[derive(Debug, Clone, Default)]
pub struct ReplayGuard {
    windows: HashMap<u32, Window>,
}

impl ReplayGuard {
    /// An empty guard.
    pub fn new() -> Self {
        Self::default()
    }

    /// What [`ReplayGuard::check_and_record`] would answer, without recording:
    /// lets duplicates be dropped before paying for decryption.
    pub fn peek(&self, sender: u32, epoch: u64, counter: u64) -> ReplayVerdict {
        let Some(w) = self.windows.get(&sender) else {
            return if self.windows.len() >= limits::MAX_SENDERS {
                ReplayVerdict::TooManySenders
            } else {
                ReplayVerdict::Fresh
            };
        };
        if epoch != w.epoch {
            return if epoch < w.epoch {
                ReplayVerdict::TooOld
            } else {
                ReplayVerdict::Fresh
            };
        }
        if counter > w.highest {
            return ReplayVerdict::Fresh;
        }
        let offset = w.highest - counter;
        if offset >= limits::REPLAY_WINDOW {
            ReplayVerdict::TooOld
        } else if w.get(offset) {
            ReplayVerdict::Duplicate
        } else {
            ReplayVerdict::Fresh
        }
    }

    /// Checks `(sender, epoch, counter)` and records it when fresh. Call only
    /// for packets that passed authentication.
    pub fn check_and_record(&mut self, sender: u32, epoch: u64, counter: u64) -> ReplayVerdict {
        let full = self.windows.len() >= limits::MAX_SENDERS;
        let Some(w) = self.windows.get_mut(&sender) else {
            if full {
                return ReplayVerdict::TooManySenders;
            }
            self.windows.insert(sender, Window::new(epoch, counter));
            return ReplayVerdict::Fresh;
        };
        if epoch < w.epoch {
            return ReplayVerdict::TooOld;
        }
        if epoch > w.epoch {
            *w = Window::new(epoch, counter);
            return ReplayVerdict::Fresh;
        }
        if counter > w.highest {
            w.advance(counter - w.highest);
            w.highest = counter;
            w.set(0);
            return ReplayVerdict::Fresh;
        }
        let offset = w.highest - counter;
        if offset >= limits::REPLAY_WINDOW {
            return ReplayVerdict::TooOld;
        }
        if w.get(offset) {
            return ReplayVerdict::Duplicate;
        }
        w.set(offset);
        ReplayVerdict::Fresh
    }

    /// Forgets a sender (e.g. removed from the nodelist).
    pub fn forget(&mut self, sender: u32) {
        self.windows.remove(&sender);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReplayVerdict::*;

    #[test]
    fn in_order_out_of_order_duplicate_and_old() {
        let mut g = ReplayGuard::new();
        assert_eq!(g.check_and_record(1, 5, 10), Fresh);
        assert_eq!(g.check_and_record(1, 5, 12), Fresh);
        assert_eq!(
            g.check_and_record(1, 5, 11),
            Fresh,
            "late but inside window"
        );
        assert_eq!(g.check_and_record(1, 5, 11), Duplicate);
        assert_eq!(g.check_and_record(1, 5, 12), Duplicate);
        assert_eq!(g.check_and_record(1, 5, 10 + 5000), Fresh);
        assert_eq!(g.check_and_record(1, 5, 13), TooOld);
        assert_eq!(g.check_and_record(1, 5, 5010 - 1023), Fresh);
        assert_eq!(g.check_and_record(1, 5, 5010 - 1024), TooOld);
        assert_eq!(
            g.check_and_record(2, 1, 13),
            Fresh,
            "senders are independent"
        );
    }

    #[test]
    fn peek_agrees_with_check_and_does_not_record() {
        let mut g = ReplayGuard::new();
        let cases = [
            (1, 5, 10),
            (1, 5, 10),
            (1, 5, 9),
            (1, 5, 3000),
            (1, 5, 9),
            (1, 4, 1),
            (1, 6, 0),
            (2, 1, 1),
        ];
        for (s, e, c) in cases {
            let peeked = g.peek(s, e, c);
            assert_eq!(g.peek(s, e, c), peeked, "peek is pure");
            assert_eq!(g.check_and_record(s, e, c), peeked, "case {s} {e} {c}");
        }
    }

    #[test]
    fn epochs_reset_and_old_epochs_are_refused() {
        let mut g = ReplayGuard::new();
        assert_eq!(g.check_and_record(1, 5, 100), Fresh);
        assert_eq!(g.check_and_record(1, 6, 0), Fresh, "restarted sender");
        assert_eq!(g.check_and_record(1, 5, 101), TooOld);
        assert_eq!(g.check_and_record(1, 6, 0), Duplicate);
    }

    #[test]
    fn window_shift_keeps_bits_across_words() {
        let mut g = ReplayGuard::new();
        for c in 0..200 {
            assert_eq!(g.check_and_record(1, 1, c), Fresh);
        }
        assert_eq!(g.check_and_record(1, 1, 300), Fresh);
        for c in 0..200 {
            assert_eq!(g.check_and_record(1, 1, c), Duplicate, "counter {c}");
        }
        for c in 200..300 {
            assert_eq!(g.check_and_record(1, 1, c), Fresh, "counter {c}");
        }
    }

    #[test]
    fn sender_table_is_bounded() {
        let mut g = ReplayGuard::new();
        for s in 0..limits::MAX_SENDERS as u32 {
            assert_eq!(g.check_and_record(s, 1, 1), Fresh);
        }
        assert_eq!(g.check_and_record(99_999, 1, 1), TooManySenders);
        assert_eq!(g.check_and_record(3, 1, 2), Fresh);
    }
}
