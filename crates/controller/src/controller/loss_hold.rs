//! Without fencing, the quorate side waits before recovering a lost node's resources: the
//! lost node may only be cut off, and it stops them itself (see `isolation`) once it sees it.
//!
//! The wait, `unfenced-recovery-delay`, counts from the moment this node's ring broke when
//! the host reported it ([`Controller::note_ring_break`]), otherwise from the membership
//! change: both sides lose the token at about the same time, so the cut-off node's own
//! clock starts there too, while the new membership is only seen after the survivors agreed
//! on it (a suspected node is failed two join intervals later). The host reports the break
//! only when the lost node was failed that way, within the consensus timeout: a node failed
//! by the consensus timeout may have been cut off while the others were already gathering,
//! and then loses nothing at the break.

use crate::options;
use crate::Output;
use crate::Timer;

use super::Controller;

impl Controller {
    /// This node's ring broke at wall-clock `at_ms` (ms since the epoch), before the
    /// membership change the host delivers next: a hold after that change counts from here.
    pub fn note_ring_break(&mut self, at_ms: u64) {
        self.ring_break_ms = Some(at_ms);
    }

    /// Without fencing nothing proves a lost node stopped its resources, but a node that
    /// loses quorum with no-quorum-policy=stop stops them on its own: the quorate side
    /// waits `unfenced-recovery-delay` before recovering them, so they never run twice.
    /// `broke`: when this node's ring broke before this membership change, if known.
    pub(super) fn hold_after_loss(&mut self, broke: Option<u64>) {
        let Some(delay) = self.recovery_delay_ms() else {
            return;
        };
        // A break reported from the future (clock steps) counts from now.
        let since = broke.filter(|at| *at <= self.now_ms).unwrap_or(self.now_ms);
        let until = since.saturating_add(delay);
        let after_ms = until.saturating_sub(self.now_ms);
        tracing::info!(
            delay_ms = delay,
            ring_broke_ms_ago = self.now_ms - since,
            wait_ms = after_ms,
            "lost a node that ran resources, without fencing: recovery waits for it to stop them"
        );
        self.extend_hold(until);
    }

    /// `unfenced-recovery-delay` in ms, when a hold applies at all (fencing off, delay > 0).
    pub(super) fn recovery_delay_ms(&self) -> Option<u64> {
        let cib = self.cib.as_ref()?;
        if options::stonith_enabled(cib) {
            return None; // recovery waits for fencing instead
        }
        let delay = options::property(cib, "unfenced-recovery-delay")
            .and_then(|v| options::duration_ms(&v))
            .unwrap_or(self.default_recovery_delay_ms);
        (delay > 0).then_some(delay)
    }

    /// Holds recovery back until `until_ms` (wall clock, ms since the epoch), unless a
    /// later hold already stands.
    pub(super) fn extend_hold(&mut self, until_ms: u64) {
        if until_ms <= self.now_ms || until_ms <= self.hold_until_ms {
            return;
        }
        self.hold_until_ms = until_ms;
        self.out.push(Output::SetTimer {
            timer: Timer::RecoveryDelay,
            after_ms: until_ms - self.now_ms,
        });
    }

    /// What is left of this node's hold, in ms (0: none): reported with its CIB version
    /// when a sync round starts, so that whichever member becomes DC keeps it.
    pub(super) fn hold_left_ms(&self) -> u64 {
        self.hold_until_ms.saturating_sub(self.now_ms)
    }
}
