//! `crm_resource --lifetime`: an ISO 8601 duration (`PT1H`, `P1DT12H`, `P2W`, `P1M`)
//! added to the current time, giving the end of a move or ban in the
//! `YYYY-MM-DD HH:MM:SSZ` form Pacemaker's tools write into `date_expression end`.

use crate::clock_text::clock_text;

/// An ISO 8601 duration in calendar units (years and months are calendar months).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lifetime {
    months: i64,
    seconds: i64,
}

impl Lifetime {
    /// Parses `PnYnMnWnDTnHnMnS` (any part optional, at least one present).
    pub fn parse(text: &str) -> Result<Lifetime, String> {
        let bad = || format!("--lifetime '{text}' is not an ISO 8601 duration (e.g. PT1H, P1D)");
        let rest = text.trim().strip_prefix('P').ok_or_else(bad)?;
        let mut out = Lifetime::default();
        let mut in_time = false;
        let mut number = String::new();
        let mut parts = 0;
        for c in rest.chars() {
            match c {
                '0'..='9' => number.push(c),
                'T' if !in_time && number.is_empty() => in_time = true,
                _ => {
                    let n: i64 = number.parse().map_err(|_| bad())?;
                    number.clear();
                    parts += 1;
                    match (in_time, c) {
                        (false, 'Y') => out.months += n.saturating_mul(12),
                        (false, 'M') => out.months += n,
                        (false, 'W') => out.seconds += n.saturating_mul(7 * 86_400),
                        (false, 'D') => out.seconds += n.saturating_mul(86_400),
                        (true, 'H') => out.seconds += n.saturating_mul(3600),
                        (true, 'M') => out.seconds += n.saturating_mul(60),
                        (true, 'S') => out.seconds += n,
                        _ => return Err(bad()),
                    }
                }
            }
        }
        if parts == 0 || !number.is_empty() {
            return Err(bad());
        }
        Ok(out)
    }

    /// The end of the lifetime starting at `now` (seconds since the epoch), as
    /// `YYYY-MM-DD HH:MM:SSZ`.
    pub fn end_text(&self, now: i64) -> Result<String, String> {
        let start = clock_text(now);
        // Calendar months first (keeping the day and time), then the fixed part.
        let (y, m, rest) = (
            start.get(0..4).and_then(|y| y.parse::<i64>().ok()),
            start.get(5..7).and_then(|m| m.parse::<i64>().ok()),
            start.get(7..).unwrap_or(""),
        );
        let (Some(y), Some(m)) = (y, m) else {
            return Err(format!("cannot add a lifetime to {start}"));
        };
        let months = y * 12 + (m - 1) + self.months;
        let shifted = format!(
            "{:04}-{:02}{}",
            months.div_euclid(12),
            months.rem_euclid(12) + 1,
            rest.trim_end_matches('Z')
        );
        let base = cib::rule::parse_datetime(&shifted)
            .ok_or_else(|| format!("the lifetime's end {shifted} is out of range"))?;
        Ok(clock_text(base.saturating_add(self.seconds)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_ends() {
        // 2026-11-26 20:00:00Z
        let now = 1_795_723_200;
        assert_eq!(clock_text(now), "2026-11-26 20:00:00Z");
        let end = |d: &str| Lifetime::parse(d).expect(d).end_text(now).expect(d);
        assert_eq!(end("PT1H"), "2026-11-26 21:00:00Z");
        assert_eq!(end("PT90M"), "2026-11-26 21:30:00Z");
        assert_eq!(end("P1DT12H"), "2026-11-28 08:00:00Z");
        assert_eq!(end("P2W"), "2026-12-10 20:00:00Z");
        assert_eq!(end("P1M"), "2026-12-26 20:00:00Z");
        assert_eq!(end("P1Y2M"), "2028-01-26 20:00:00Z");
        for bad in ["", "1H", "P", "PT", "P1H", "PT1D", "P1X", "PT1"] {
            assert!(Lifetime::parse(bad).is_err(), "{bad}");
        }
    }
}
