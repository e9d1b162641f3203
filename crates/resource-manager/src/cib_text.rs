//! The CIB replica as XML text, serialised at most once per change and shared by the
//! disk writer and the readers (`crm_mon`'s status, `cibadmin --query`).
//!
//! With 1,000 resources the replica is ~2.4 MB of XML: serialising it took a third of the
//! DC's loop during a bulk start (a disk copy every 200 ms plus a status request every
//! 50 ms from a polling `crm_mon`), and while the loop serialises, results wait and no
//! action is dispatched. Now one text serves every reader of the same replica state, it
//! is written into a buffer sized from the last one (no regrowth copies), and the disk
//! copy of a change that touched only the status section waits longer (see
//! [`SavePolicy`]).

use std::sync::Arc;
use std::time::Instant;

use controller::{CibVersion, Controller};

use crate::limits;

/// The replica's text, keyed by a change counter the loop bumps on every CIB change and
/// by the replica's version (every change bumps one or the other).
#[derive(Debug, Default)]
pub struct CibText {
    generation: u64,
    cached: Option<(u64, CibVersion, Arc<String>)>,
    last_len: usize,
}

impl CibText {
    /// The replica changed: the next reader serialises it again.
    pub fn changed(&mut self) {
        self.generation += 1;
    }

    /// The replica as XML (`None` before the first sync when none was loaded).
    pub fn get(&mut self, ctrl: &Controller) -> Option<Arc<String>> {
        let cib = ctrl.cib()?;
        let version = CibVersion::of(cib);
        if let Some((generation, v, text)) = &self.cached {
            if *generation == self.generation && *v == version {
                return Some(Arc::clone(text));
            }
        }
        let mut text = String::with_capacity(self.last_len + self.last_len / 8 + 4096);
        cib.write(&mut text, 0);
        self.last_len = text.len();
        let text = Arc::new(text);
        self.cached = Some((self.generation, version, Arc::clone(&text)));
        Some(text)
    }
}

/// When the replica is written to disk: a configuration change (admin_epoch or epoch
/// moved since the last copy) within [`limits::CIB_SAVE_INTERVAL`], a change of the status
/// section alone within [`limits::CIB_STATUS_SAVE_INTERVAL`]. The status section on disk
/// is never authoritative (each node's own history replaces its part when it joins), while
/// each copy costs a serialisation and fsyncs of the whole CIB.
#[derive(Debug, Default)]
pub struct SavePolicy {
    last_save: Option<Instant>,
    saved_config: Option<(u64, u64)>,
}

impl SavePolicy {
    /// When the next copy is due, given the replica's current version; `None` for "now".
    pub fn due(&self, version: Option<CibVersion>) -> Option<Instant> {
        let last = self.last_save?;
        let config = version.map(|v| (v.admin_epoch, v.epoch));
        let every = if config != self.saved_config {
            limits::CIB_SAVE_INTERVAL
        } else {
            limits::CIB_STATUS_SAVE_INTERVAL
        };
        Some(last + every)
    }

    /// True when a copy is due at `now`.
    pub fn is_due(&self, version: Option<CibVersion>, now: Instant) -> bool {
        self.due(version).is_none_or(|at| at <= now)
    }

    /// A copy of `version` was handed to the writer at `now`.
    pub fn saved(&mut self, version: Option<CibVersion>, now: Instant) {
        self.last_save = Some(now);
        self.saved_config = version.map(|v| (v.admin_epoch, v.epoch));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(epoch: u64, num_updates: u64) -> Option<CibVersion> {
        Some(CibVersion {
            admin_epoch: 0,
            epoch,
            num_updates,
        })
    }

    #[test]
    fn status_changes_wait_longer_than_configuration_changes() {
        let t0 = Instant::now();
        let mut p = SavePolicy::default();
        assert!(p.is_due(v(1, 0), t0), "the first change is written at once");
        p.saved(v(1, 0), t0);
        let status_only = v(1, 7);
        assert!(!p.is_due(status_only, t0 + limits::CIB_SAVE_INTERVAL));
        assert!(p.is_due(status_only, t0 + limits::CIB_STATUS_SAVE_INTERVAL));
        let config = v(2, 0);
        assert!(!p.is_due(config, t0));
        assert!(p.is_due(config, t0 + limits::CIB_SAVE_INTERVAL));
    }
}
