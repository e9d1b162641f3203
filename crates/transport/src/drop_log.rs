//! Rate-limited logging of dropped packets: at most one line per reason per
//! interval, carrying how many were suppressed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Minimum time between two log lines for the same reason.
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// Remembers when each reason was last logged.
#[derive(Debug, Default)]
pub struct DropLog {
    last: HashMap<&'static str, (Instant, u64)>,
}

impl DropLog {
    /// Logs a drop of `reason` from `source` unless one was logged within
    /// [`LOG_INTERVAL`]; returns whether a line was written.
    pub fn note(
        &mut self,
        reason: &'static str,
        source: &dyn std::fmt::Display,
        now: Instant,
    ) -> bool {
        match self.last.get_mut(reason) {
            Some((at, suppressed)) if now.saturating_duration_since(*at) < LOG_INTERVAL => {
                *suppressed += 1;
                false
            }
            entry => {
                let suppressed = entry.map_or(0, |(_, s)| *s);
                tracing::warn!(
                    "dropped packet from {source}: {reason} ({suppressed} similar drops not logged)"
                );
                self.last.insert(reason, (now, 0));
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_interval_per_reason() {
        let t0 = Instant::now();
        let mut log = DropLog::default();
        assert!(log.note("auth", &"a", t0));
        assert!(!log.note("auth", &"a", t0 + Duration::from_secs(1)));
        assert!(log.note("garbage", &"a", t0 + Duration::from_secs(1)));
        assert!(log.note("auth", &"a", t0 + Duration::from_secs(11)));
    }
}
