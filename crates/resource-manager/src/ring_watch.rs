//! Follows this node's ring through tandemd's runtime status: when it broke, and whether
//! tandemd judged the node cut off.
//!
//! tandemd sends the manager an `Event::Ring` when the ring breaks, when it judges the node
//! cut off and when a ring forms (the manager tracks the ring: `RingTrack`), and the
//! manager feeds its counters here ([`RingWatch::observe_event`]). It also polls the status
//! as a fallback, every [`limits::RING_POLL_FALLBACK`] once events arrive (before the first,
//! every [`limits::RING_POLL`], every [`limits::RING_POLL_IN_DOUBT`] while the ring is
//! broken), and feeds those counters the same way.
//! tandemd counts a break whenever Totem leaves its ring (`tandemd.ring_breaks`, with
//! `tandemd.ring_break_age_ms` while no ring is installed) and judges the node cut off when
//! it holds no JOIN from a quorate set of nodes shortly after the break (`tandemd.cut_off`):
//! a majority that still talks hears its members' JOINs within a round trip, a node cut off
//! hears none (see `messaging::daemon::cut_off_after_ms`). The cut-off node then stops its
//! resources at once, and the quorate side counts `unfenced-recovery-delay` from its own
//! break, which [`RingWatch::take_break`] gives the manager when the membership changes.

use std::time::{Duration, Instant};

use messaging::ipc::RingState;

use crate::limits;

/// What the manager learns from one status reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to do.
    Nothing,
    /// tandemd judged the node cut off and no ring formed since.
    Isolated,
}

/// The counters of one status reply this watch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RingCounters {
    /// Rings installed (`srp.operational_entered`).
    pub rings_formed: u64,
    /// Breaks judged cut off (`tandemd.cut_off`).
    pub cut_off: u64,
    /// How long ago the ring broke, while it is broken (`tandemd.ring_break_age_ms`).
    pub break_age: Option<Duration>,
}

impl RingCounters {
    /// Reads the counters from a status reply's `stats`; `None` from a tandemd that does not
    /// report them.
    pub fn from_stats(stats: &[(String, u64)]) -> Option<RingCounters> {
        Some(RingCounters {
            rings_formed: counter(stats, "srp.operational_entered")?,
            cut_off: counter(stats, "tandemd.cut_off")?,
            break_age: counter(stats, "tandemd.ring_break_age_ms").map(Duration::from_millis),
        })
    }

    /// The counters a ring event carries.
    pub fn from_event(state: &RingState) -> RingCounters {
        RingCounters {
            rings_formed: state.rings_formed,
            cut_off: state.cut_off,
            break_age: state.break_age_ms.map(Duration::from_millis),
        }
    }
}

/// State of the watch between two status replies.
#[derive(Debug, Clone, Default)]
pub struct RingWatch {
    /// Counters from the last reply (`None` before the first).
    last: Option<RingCounters>,
    /// When the ring broke, while it is broken (the earliest estimate from the replies).
    broke_at: Option<Instant>,
    /// Totem's consensus timeout (`totem.consensus` in the status' configuration).
    consensus: Option<Duration>,
    /// tandemd sends ring events: the status poll is only a fallback.
    events: bool,
}

impl RingWatch {
    /// A watch that has seen no reply yet.
    pub fn new() -> RingWatch {
        RingWatch::default()
    }

    /// Takes Totem's consensus timeout from a status reply's configuration.
    pub fn set_consensus(&mut self, consensus: Duration) {
        self.consensus = Some(consensus);
    }

    /// Takes the counters of a status reply received at `now`.
    pub fn observe(&mut self, now: Instant, c: RingCounters) -> Verdict {
        let previous = self.last.replace(c);
        match c.break_age {
            Some(age) => {
                // The reply was composed before `now`: `now - age` is at or after the break.
                let at = now.checked_sub(age).unwrap_or(now);
                let ring_formed_since = previous.is_some_and(|p| c.rings_formed > p.rings_formed);
                self.broke_at = match self.broke_at {
                    Some(seen) if !ring_formed_since => Some(seen.min(at)),
                    _ => Some(at),
                };
            }
            // A ring is installed: a break seen before belongs to it (its membership change,
            // if any, was delivered before this reply) and is over.
            None => self.broke_at = None,
        }
        let Some(previous) = previous else {
            return Verdict::Nothing;
        };
        // A verdict is only made while gathering; a reply already showing a ring again means
        // that ring's membership and quorum take over.
        if c.cut_off > previous.cut_off && c.break_age.is_some() {
            return Verdict::Isolated;
        }
        Verdict::Nothing
    }

    /// Takes a ring event received at `now` (its counters and consensus timeout), as
    /// [`RingWatch::observe`] takes a status reply.
    pub fn observe_event(&mut self, now: Instant, state: &RingState) -> Verdict {
        self.events = true;
        self.consensus = Some(Duration::from_millis(state.consensus_ms));
        self.observe(now, RingCounters::from_event(state))
    }

    /// True while the ring is broken (poll faster then).
    pub fn in_doubt(&self) -> bool {
        self.broke_at.is_some()
    }

    /// When the ring broke, if it was seen broken since the last membership change and the
    /// membership now delivered (at `now`) followed within the consensus timeout; forgets it.
    ///
    /// Within that time the lost nodes were failed on the evidence of unanswered token
    /// retransmissions, so they were cut off (or dead) before the break, and lost the token
    /// about when this node did. A node failed only by the consensus timeout may have been
    /// cut off during the gathering, long after the break: `None` then, and the recovery
    /// delay counts from the membership change.
    pub fn take_break(&mut self, now: Instant) -> Option<Instant> {
        let at = self.broke_at.take()?;
        let consensus = self.consensus?;
        (now.saturating_duration_since(at) < consensus).then_some(at)
    }
}

/// The value of counter `name` in a status reply's `stats`.
pub fn counter(stats: &[(String, u64)], name: &str) -> Option<u64> {
    stats.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
}

/// How often to poll: seldom once ring events arrive, else faster while the ring is broken.
pub fn poll_interval(watch: &RingWatch) -> Duration {
    if watch.events {
        limits::RING_POLL_FALLBACK
    } else if watch.in_doubt() {
        limits::RING_POLL_IN_DOUBT
    } else {
        limits::RING_POLL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn c(rings_formed: u64, cut_off: u64, age: Option<u64>) -> RingCounters {
        RingCounters {
            rings_formed,
            cut_off,
            break_age: age.map(ms),
        }
    }

    #[test]
    fn a_cut_off_verdict_while_broken_is_isolation_once() {
        let t0 = Instant::now();
        let mut w = RingWatch::new();
        assert_eq!(w.observe(t0, c(1, 0, None)), Verdict::Nothing);
        assert!(!w.in_doubt());
        assert_eq!(w.observe(t0 + ms(20), c(1, 0, Some(5))), Verdict::Nothing);
        assert!(w.in_doubt());
        assert_eq!(
            w.observe(t0 + ms(120), c(1, 1, Some(105))),
            Verdict::Isolated
        );
        assert_eq!(
            w.observe(t0 + ms(130), c(1, 1, Some(115))),
            Verdict::Nothing
        );
        // The earliest estimate of the break is kept (once the consensus timeout is known).
        assert_eq!(w.clone().take_break(t0 + ms(140)), None);
        w.set_consensus(ms(1980));
        assert_eq!(w.take_break(t0 + ms(140)), Some(t0 + ms(15)));
        assert_eq!(w.take_break(t0 + ms(140)), None);
    }

    #[test]
    fn a_verdict_seen_only_after_a_ring_formed_is_no_isolation() {
        let t0 = Instant::now();
        let mut w = RingWatch::new();
        w.observe(t0, c(3, 0, None));
        assert_eq!(w.observe(t0 + ms(25), c(4, 1, None)), Verdict::Nothing);
        assert!(!w.in_doubt());
    }

    #[test]
    fn a_ring_installed_forgets_the_break_and_a_new_break_is_a_new_story() {
        let t0 = Instant::now();
        let mut w = RingWatch::new();
        w.observe(t0, c(1, 0, None));
        w.observe(t0 + ms(30), c(1, 0, Some(10)));
        // Re-formed with the same members (no membership change): the break is over.
        w.set_consensus(ms(1980));
        w.observe(t0 + ms(60), c(2, 0, None));
        assert_eq!(w.take_break(t0 + ms(61)), None);
        // A second break between two polls, seen with a ring formed since the last reply.
        w.observe(t0 + ms(100), c(3, 0, Some(5)));
        assert_eq!(w.take_break(t0 + ms(110)), Some(t0 + ms(95)));
    }

    #[test]
    fn a_membership_later_than_the_consensus_timeout_does_not_count_from_the_break() {
        let t0 = Instant::now();
        let mut w = RingWatch::new();
        w.set_consensus(ms(1980));
        w.observe(t0, c(1, 0, None));
        w.observe(t0 + ms(25), c(1, 0, Some(10)));
        w.observe(t0 + ms(2000), c(1, 0, Some(1985)));
        assert_eq!(w.take_break(t0 + ms(2010)), None);
    }

    #[test]
    fn counters_are_read_from_the_stats() {
        let stats = vec![
            ("srp.operational_entered".to_string(), 7),
            ("tandemd.cut_off".to_string(), 1),
            ("tandemd.ring_break_age_ms".to_string(), 42),
        ];
        assert_eq!(RingCounters::from_stats(&stats), Some(c(7, 1, Some(42))));
        assert_eq!(RingCounters::from_stats(&stats[..1]), None);
    }

    fn event(
        change: messaging::ipc::RingChange,
        formed: u64,
        cut_off: u64,
        age: Option<u64>,
    ) -> RingState {
        RingState {
            change,
            rings_formed: formed,
            breaks: 1,
            cut_off,
            break_age_ms: age,
            consensus_ms: 1980,
        }
    }

    #[test]
    fn ring_events_give_the_verdict_and_the_break_and_slow_the_poll() {
        use messaging::ipc::RingChange;
        let t0 = Instant::now();
        let mut w = RingWatch::new();
        assert_eq!(poll_interval(&w), limits::RING_POLL);
        assert_eq!(
            w.observe_event(t0, &event(RingChange::Current, 1, 0, None)),
            Verdict::Nothing
        );
        assert_eq!(poll_interval(&w), limits::RING_POLL_FALLBACK);
        assert_eq!(
            w.observe_event(t0 + ms(40), &event(RingChange::Broken, 1, 0, Some(0))),
            Verdict::Nothing
        );
        assert!(w.in_doubt());
        assert_eq!(poll_interval(&w), limits::RING_POLL_FALLBACK);
        // A fallback poll in between changes nothing.
        assert_eq!(w.observe(t0 + ms(90), c(1, 0, Some(50))), Verdict::Nothing);
        assert_eq!(
            w.observe_event(t0 + ms(140), &event(RingChange::CutOff, 1, 1, Some(100))),
            Verdict::Isolated
        );
        // The consensus timeout came with the events; the break is the Broken event's.
        assert_eq!(w.clone().take_break(t0 + ms(500)), Some(t0 + ms(40)));
        // A ring formed: the break is over.
        w.observe_event(t0 + ms(2000), &event(RingChange::Formed, 2, 1, None));
        assert!(!w.in_doubt());
        assert_eq!(w.take_break(t0 + ms(2001)), None);
    }
}
