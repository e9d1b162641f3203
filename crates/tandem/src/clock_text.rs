//! Unix times as the `YYYY-MM-DD HH:MM:SSZ` text crm_mon and crm_simulate print.

/// `HH:MM:SS` and date of a Unix time, in UTC, as crm_mon prints times.
pub fn clock_text(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_text_is_utc_civil_time() {
        assert_eq!(clock_text(0), "1970-01-01 00:00:00Z");
        assert_eq!(clock_text(1_700_000_000), "2023-11-14 22:13:20Z");
        assert_eq!(clock_text(951_782_400), "2000-02-29 00:00:00Z");
        assert_eq!(clock_text(-1), "1969-12-31 23:59:59Z");
    }
}
