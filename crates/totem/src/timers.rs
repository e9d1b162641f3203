//! The table of armed timer deadlines; every change is mirrored as an [`Output`].

use std::collections::{BTreeMap, VecDeque};

use crate::types::{Output, TimerKind};

/// At most one deadline per [`TimerKind`].
#[derive(Debug, Default)]
pub(crate) struct Timers {
    deadlines: BTreeMap<TimerKind, u64>,
}

impl Timers {
    /// Arms `kind` at `at_ms`, replacing an earlier deadline.
    pub(crate) fn set(&mut self, outputs: &mut VecDeque<Output>, kind: TimerKind, at_ms: u64) {
        self.deadlines.insert(kind, at_ms);
        outputs.push_back(Output::SetTimer { kind, at_ms });
    }

    /// Disarms `kind` if armed.
    pub(crate) fn cancel(&mut self, outputs: &mut VecDeque<Output>, kind: TimerKind) {
        if self.deadlines.remove(&kind).is_some() {
            outputs.push_back(Output::CancelTimer { kind });
        }
    }

    /// Removes and returns `kind` if it is due at `now_ms`; a stale or early call does nothing.
    pub(crate) fn take_due(&mut self, kind: TimerKind, now_ms: u64) -> bool {
        match self.deadlines.get(&kind) {
            Some(at) if *at <= now_ms => {
                self.deadlines.remove(&kind);
                true
            }
            _ => false,
        }
    }

    /// The earliest armed deadline and its kind.
    pub(crate) fn next(&self) -> Option<(u64, TimerKind)> {
        self.deadlines.iter().map(|(k, at)| (*at, *k)).min()
    }
}
