//! When this node's ring last broke (Totem left the operational state: token lost, or a JOIN
//! arrived), and whether the node is cut off, judged from Totem's own evidence.
//!
//! A node whose ring broke gathers: it multicasts JOINs and every node that still hears it
//! answers at once with its own (an operational node enters Gather on a JOIN). So a node that
//! holds no JOIN from a quorate set of nodes [`cut_off_after_ms`] after its ring broke is cut
//! off from any quorate majority; a node of that majority hears the others within a round trip
//! (or a join interval when one JOIN is lost). The verdict is counted in the runtime status
//! (`tandemd.cut_off`) with the age of the break (`tandemd.ring_break_age_ms`, present while
//! the ring is broken), for the resource manager: it stops its resources at once when cut off
//! (no-quorum-policy=stop), and the quorate side counts `unfenced-recovery-delay` from its
//! own break. Local clients that track the ring (`RingTrack`) get an `Event::Ring` with the
//! same counters at the break, at the verdict and when a ring forms again, so none has to
//! poll the status.

use super::{Daemon, DaemonTimer};
use crate::ipc::protocol::{Event, RingChange, RingState, ServerMessage};
use crate::ipc_server::IpcServer;
use crate::limits;

/// How long after its ring broke a node that holds no JOIN from a quorate set of nodes takes
/// itself for cut off, in ms: [`limits::CUT_OFF_JOIN_INTERVALS`] join intervals, at least
/// [`limits::CUT_OFF_AFTER_MS_MIN`].
pub fn cut_off_after_ms(join_ms: u64) -> u64 {
    (limits::CUT_OFF_JOIN_INTERVALS * join_ms).max(limits::CUT_OFF_AFTER_MS_MIN)
}

/// The breaks of this node's ring.
#[derive(Debug, Default)]
pub(super) struct RingBreaks {
    /// Totem was operational after the last input.
    operational: bool,
    /// When the ring last broke (daemon clock, ms).
    last_ms: Option<u64>,
    /// Breaks so far (`tandemd.ring_breaks`).
    count: u64,
    /// Breaks after which the node was cut off (`tandemd.cut_off`).
    cut_off: u64,
}

impl Daemon {
    /// Notes a change of Totem's state after an input: a break starts the cut-off check.
    /// Ring trackers hear of a break and of a ring formed.
    pub(super) fn watch_ring(&mut self, now_ms: u64, ipc: &mut IpcServer) {
        let operational = self.totem.state() == totem::State::Operational;
        let was = self.ring_breaks.operational;
        if was && !operational {
            self.ring_breaks.last_ms = Some(now_ms);
            self.ring_breaks.count += 1;
            let after = cut_off_after_ms(self.totem.config().join_ms);
            self.timers.set(DaemonTimer::CutOffCheck, now_ms + after);
        } else if operational && !was {
            self.timers.cancel(DaemonTimer::CutOffCheck);
        }
        self.ring_breaks.operational = operational;
        if was != operational {
            let change = if operational {
                RingChange::Formed
            } else {
                RingChange::Broken
            };
            self.notify_ring_trackers(now_ms, change, ipc);
        }
    }

    /// This node's ring for an `Event::Ring` telling `change`.
    pub(super) fn ring_state(&self, now_ms: u64, change: RingChange) -> RingState {
        RingState {
            change,
            rings_formed: self.totem.stats().operational_entered,
            breaks: self.ring_breaks.count,
            cut_off: self.ring_breaks.cut_off,
            break_age_ms: self.ring_break_age_ms(now_ms),
            consensus_ms: self.totem.config().consensus_ms,
        }
    }

    fn notify_ring_trackers(&self, now_ms: u64, change: RingChange, ipc: &mut IpcServer) {
        let mut message = None;
        for (id, state) in &self.clients {
            if state.ring_tracking {
                let message = message.get_or_insert_with(|| {
                    ServerMessage::Event(Event::Ring(self.ring_state(now_ms, change)))
                });
                ipc.send(*id, message);
            }
        }
    }

    /// How long ago the ring broke, while it is broken.
    fn ring_break_age_ms(&self, now_ms: u64) -> Option<u64> {
        match (self.ring_breaks.operational, self.ring_breaks.last_ms) {
            (false, Some(at)) => Some(now_ms.saturating_sub(at)),
            _ => None,
        }
    }

    /// The cut-off check is due: still gathering, without JOINs from a quorate set? Ring
    /// trackers hear of the verdict at once.
    pub(super) fn check_cut_off(&mut self, now_ms: u64, ipc: &mut IpcServer) {
        if self.totem.state() != totem::State::Gather {
            return;
        }
        // Without a quorum provider every partition is quorate: nobody is cut off.
        let Some(quorum) = &self.quorum else { return };
        let me = self.setup.nodeid;
        let mut heard: Vec<u32> = self.totem.joins_heard().iter().map(|n| n.0).collect();
        heard.push(me);
        heard.sort_unstable();
        heard.dedup();
        // What votequorum would say of a ring of these nodes (two_node, auto_tie_breaker,
        // per-node votes included).
        let mut probe = quorum.clone();
        let _ = probe.membership(now_ms, &heard);
        if probe.status().quorate {
            return;
        }
        self.ring_breaks.cut_off += 1;
        let since = self
            .ring_breaks
            .last_ms
            .map_or(0, |at| now_ms.saturating_sub(at));
        tracing::warn!(
            target: "TOTEM",
            "no JOIN from a quorate set of nodes {since} ms after the ring broke (heard {heard:?}): cut off"
        );
        self.notify_ring_trackers(now_ms, RingChange::CutOff, ipc);
    }

    /// The runtime status counters of ring breaks.
    pub(super) fn ring_break_counters(&self, now_ms: u64) -> Vec<(String, u64)> {
        let mut counters = vec![
            ("tandemd.ring_breaks".to_string(), self.ring_breaks.count),
            ("tandemd.cut_off".to_string(), self.ring_breaks.cut_off),
        ];
        if let Some(age) = self.ring_break_age_ms(now_ms) {
            counters.push(("tandemd.ring_break_age_ms".to_string(), age));
        }
        counters
    }
}
