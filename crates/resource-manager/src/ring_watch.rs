//! Tells when this node is cut off: Totem lost the token and no new ring formed within a
//! grace, while this node alone would not be quorate.
//!
//! The manager polls tandemd's runtime status (every [`limits::RING_POLL`]) and feeds its
//! Totem counters here: `srp.token_lost` counts token losses, `srp.operational_entered`
//! counts rings installed. A token loss not followed by a new ring within
//! [`limits::ISOLATION_GRACE`] means no quorate membership is in sight: a majority that can
//! still talk forms its ring within a few token hops, while a node cut off waits out the
//! consensus timeout (1.2 × token) before forming a ring of its own, and only then learns
//! it lost quorum.

use std::time::{Duration, Instant};

use crate::limits;

/// What the manager learns from one status reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to do.
    Nothing,
    /// The ring is lost and none formed within the grace: the node is cut off.
    Isolated,
}

/// State of the watch between two status replies.
#[derive(Debug, Clone)]
pub struct RingWatch {
    /// Counters from the last reply (`None` before the first).
    last: Option<(u64, u64)>,
    /// When a token loss was first seen, with the ring count then.
    lost: Option<(Instant, u64)>,
    /// The loss was already reported.
    reported: bool,
    grace: Duration,
}

impl Default for RingWatch {
    fn default() -> RingWatch {
        RingWatch::new(limits::ISOLATION_GRACE)
    }
}

impl RingWatch {
    /// A watch reporting a loss once `grace` passed without a new ring.
    pub fn new(grace: Duration) -> RingWatch {
        RingWatch {
            last: None,
            lost: None,
            reported: false,
            grace,
        }
    }

    /// Takes the Totem counters read at `now`. `alone_quorate` is true when this node's own
    /// votes make quorum (two_node, one-node clusters): it is then never cut off from quorum.
    pub fn observe(
        &mut self,
        now: Instant,
        token_lost: u64,
        rings_formed: u64,
        alone_quorate: bool,
    ) -> Verdict {
        let previous = self.last.replace((token_lost, rings_formed));
        let Some((lost_before, formed_before)) = previous else {
            return Verdict::Nothing;
        };
        if rings_formed > formed_before {
            // A ring formed (perhaps after a loss seen in the same interval): membership
            // and quorum events take over.
            self.lost = None;
            self.reported = false;
        }
        // A loss and a ring in the same interval: the ring came after (Totem installs a
        // ring only after losing the old one), so nothing is in doubt.
        if token_lost > lost_before && rings_formed == formed_before && self.lost.is_none() {
            self.lost = Some((now, rings_formed));
        }
        let Some((since, formed_then)) = self.lost else {
            return Verdict::Nothing;
        };
        if rings_formed > formed_then {
            self.lost = None;
            self.reported = false;
            return Verdict::Nothing;
        }
        if self.reported || alone_quorate || now.saturating_duration_since(since) < self.grace {
            return Verdict::Nothing;
        }
        self.reported = true;
        Verdict::Isolated
    }

    /// True while a token loss is waiting for a ring (poll faster then).
    pub fn in_doubt(&self) -> bool {
        self.lost.is_some() && !self.reported
    }
}

/// The value of counter `name` in a status reply's `stats`.
pub fn counter(stats: &[(String, u64)], name: &str) -> Option<u64> {
    stats.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn loss_without_a_ring_is_isolation_once() {
        let t0 = Instant::now();
        let mut w = RingWatch::new(ms(200));
        assert_eq!(w.observe(t0, 0, 1, false), Verdict::Nothing);
        assert_eq!(w.observe(t0 + ms(50), 1, 1, false), Verdict::Nothing);
        assert!(w.in_doubt());
        assert_eq!(w.observe(t0 + ms(200), 1, 1, false), Verdict::Nothing);
        assert_eq!(w.observe(t0 + ms(250), 1, 1, false), Verdict::Isolated);
        assert_eq!(w.observe(t0 + ms(300), 2, 1, false), Verdict::Nothing);
        // The lone ring forms; a later loss is a new story.
        assert_eq!(w.observe(t0 + ms(2000), 2, 2, false), Verdict::Nothing);
        assert!(!w.in_doubt());
        assert_eq!(w.observe(t0 + ms(3000), 3, 2, false), Verdict::Nothing);
        assert_eq!(w.observe(t0 + ms(3300), 3, 2, false), Verdict::Isolated);
    }

    #[test]
    fn a_ring_within_the_grace_is_no_isolation() {
        let t0 = Instant::now();
        let mut w = RingWatch::new(ms(200));
        w.observe(t0, 4, 7, false);
        assert_eq!(w.observe(t0 + ms(50), 5, 7, false), Verdict::Nothing);
        assert_eq!(w.observe(t0 + ms(100), 5, 8, false), Verdict::Nothing);
        assert_eq!(w.observe(t0 + ms(400), 5, 8, false), Verdict::Nothing);
        // Loss and new ring seen in the same reply.
        assert_eq!(w.observe(t0 + ms(450), 6, 9, false), Verdict::Nothing);
        assert_eq!(w.observe(t0 + ms(900), 6, 9, false), Verdict::Nothing);
    }

    #[test]
    fn a_node_quorate_alone_is_never_isolated() {
        let t0 = Instant::now();
        let mut w = RingWatch::new(ms(200));
        w.observe(t0, 0, 1, true);
        w.observe(t0 + ms(50), 1, 1, true);
        assert_eq!(w.observe(t0 + ms(500), 1, 1, true), Verdict::Nothing);
    }
}
