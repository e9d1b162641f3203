//! Rules: boolean combinations of node-attribute, date, resource and operation expressions.

use std::collections::HashMap;

use crate::score::Score;
use crate::xml::Element;

/// How a rule combines its expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    /// All must pass.
    And,
    /// Any must pass.
    Or,
}

/// A `<rule>` element.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The rule's id.
    pub id: String,
    /// Score applied when the rule passes (location rules).
    pub score: Option<Score>,
    /// Node attribute whose value is the score.
    pub score_attribute: Option<String>,
    /// Role the rule applies to (location rules).
    pub role: Option<String>,
    /// How the expressions combine.
    pub op: BoolOp,
    /// The expressions.
    pub exprs: Vec<Expr>,
}

/// One expression inside a rule.
#[derive(Clone, Debug)]
pub enum Expr {
    /// `<expression attribute= operation= value= type=/>`.
    Attr {
        /// Attribute name (`#uname`, `#id`, `#kind`, `#is_dc` or a node attribute).
        attribute: String,
        /// lt, gt, lte, gte, eq, ne, defined, not_defined.
        operation: String,
        /// Comparison value.
        value: Option<String>,
        /// string, integer, number or version.
        kind: Option<String>,
        /// literal, param or meta.
        value_source: Option<String>,
    },
    /// `<date_expression>`.
    Date(DateExpr),
    /// A nested `<rule>`.
    Rule(Rule),
    /// `<rsc_expression class= provider= type=/>`.
    Rsc {
        /// Agent class.
        class: Option<String>,
        /// Agent provider.
        provider: Option<String>,
        /// Agent type.
        kind: Option<String>,
    },
    /// `<op_expression name= interval=/>`.
    Op {
        /// Operation name.
        name: String,
        /// Interval in milliseconds, when given.
        interval_ms: Option<u64>,
    },
}

/// A `<date_expression>`.
#[derive(Clone, Debug)]
pub struct DateExpr {
    /// in_range, gt, lt or date_spec.
    pub operation: String,
    /// `start` as seconds since the epoch.
    pub start: Option<i64>,
    /// `end` as seconds since the epoch.
    pub end: Option<i64>,
    /// `<duration>` added to start when `end` is missing.
    pub duration: Option<Duration>,
    /// `<date_spec>` fields, such as ("hours", "9-16").
    pub spec: Vec<(String, String)>,
}

/// An ISO 8601 duration, kept in calendar units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Duration {
    /// Years.
    pub years: i64,
    /// Months.
    pub months: i64,
    /// Weeks.
    pub weeks: i64,
    /// Days.
    pub days: i64,
    /// Hours.
    pub hours: i64,
    /// Minutes.
    pub minutes: i64,
    /// Seconds.
    pub seconds: i64,
}

/// What a rule is evaluated against.
#[derive(Clone, Debug, Default)]
pub struct RuleContext<'a> {
    /// Node attributes, including `#uname`, `#id`, `#kind`, `#is_dc`.
    pub node_attrs: Option<&'a HashMap<String, String>>,
    /// Evaluation time, seconds since the epoch.
    pub now: Option<i64>,
    /// Resource agent (class, provider, type), for rsc_defaults rules.
    pub rsc: Option<(&'a str, Option<&'a str>, &'a str)>,
    /// Operation (name, interval in ms), for op_defaults rules.
    pub op: Option<(&'a str, u64)>,
    /// Resource parameters, for value-source="param".
    pub params: Option<&'a HashMap<String, String>>,
    /// Resource meta-attributes, for value-source="meta".
    pub meta: Option<&'a HashMap<String, String>>,
}

impl Rule {
    /// Reads a `<rule>` element.
    pub fn from_element(el: &Element) -> Rule {
        let exprs = el
            .children
            .iter()
            .filter_map(|c| match c.name.as_str() {
                "expression" => Some(Expr::Attr {
                    attribute: c.attr("attribute").unwrap_or("").to_string(),
                    operation: c.attr("operation").unwrap_or("eq").to_string(),
                    value: c.attr("value").map(str::to_string),
                    kind: c.attr("type").map(str::to_string),
                    value_source: c.attr("value-source").map(str::to_string),
                }),
                "date_expression" => Some(Expr::Date(DateExpr::from_element(c))),
                "rule" => Some(Expr::Rule(Rule::from_element(c))),
                "rsc_expression" => Some(Expr::Rsc {
                    class: c.attr("class").map(str::to_string),
                    provider: c.attr("provider").map(str::to_string),
                    kind: c.attr("type").map(str::to_string),
                }),
                "op_expression" => Some(Expr::Op {
                    name: c.attr("name").unwrap_or("").to_string(),
                    interval_ms: c.attr("interval").and_then(parse_interval_ms),
                }),
                _ => None,
            })
            .collect();
        Rule {
            id: el.id().to_string(),
            score: el.attr("score").and_then(Score::parse),
            score_attribute: el.attr("score-attribute").map(str::to_string),
            role: el.attr("role").map(str::to_string),
            op: if el.attr("boolean-op") == Some("or") {
                BoolOp::Or
            } else {
                BoolOp::And
            },
            exprs,
        }
    }

    /// True when the rule passes in `ctx`.
    pub fn eval(&self, ctx: &RuleContext<'_>) -> bool {
        if self.exprs.is_empty() {
            return true;
        }
        match self.op {
            BoolOp::And => self.exprs.iter().all(|e| e.eval(ctx)),
            BoolOp::Or => self.exprs.iter().any(|e| e.eval(ctx)),
        }
    }
}

impl Expr {
    /// True when the expression passes in `ctx`.
    pub fn eval(&self, ctx: &RuleContext<'_>) -> bool {
        match self {
            Expr::Rule(r) => r.eval(ctx),
            Expr::Date(d) => match ctx.now {
                Some(now) => d.eval(now),
                None => false,
            },
            Expr::Rsc {
                class,
                provider,
                kind,
            } => match ctx.rsc {
                None => true,
                Some((c, p, t)) => {
                    class.as_deref().is_none_or(|x| x == c)
                        && provider.as_deref().is_none_or(|x| Some(x) == p)
                        && kind.as_deref().is_none_or(|x| x == t)
                }
            },
            Expr::Op { name, interval_ms } => match ctx.op {
                None => true,
                Some((n, i)) => n == name && interval_ms.is_none_or(|x| x == i),
            },
            Expr::Attr {
                attribute,
                operation,
                value,
                kind,
                value_source,
            } => {
                let actual = ctx
                    .node_attrs
                    .and_then(|a| a.get(attribute))
                    .map(String::as_str);
                let expected: Option<String> = match (value_source.as_deref(), value) {
                    (Some("param"), Some(v)) => ctx.params.and_then(|p| p.get(v)).cloned(),
                    (Some("meta"), Some(v)) => ctx.meta.and_then(|p| p.get(v)).cloned(),
                    (_, v) => v.clone(),
                };
                compare(actual, operation, expected.as_deref(), kind.as_deref())
            }
        }
    }
}

fn compare(actual: Option<&str>, op: &str, expected: Option<&str>, kind: Option<&str>) -> bool {
    match op {
        "defined" => return actual.is_some(),
        "not_defined" => return actual.is_none(),
        _ => {}
    }
    let (Some(a), Some(e)) = (actual, expected) else {
        return op == "ne" && actual.is_none() != expected.is_none();
    };
    let kind = kind.unwrap_or_else(|| {
        if matches!(op, "lt" | "gt" | "lte" | "gte")
            && a.trim().parse::<f64>().is_ok()
            && e.trim().parse::<f64>().is_ok()
        {
            "number"
        } else {
            "string"
        }
    });
    let ord = match kind {
        "integer" | "number" => match (a.trim().parse::<f64>(), e.trim().parse::<f64>()) {
            (Ok(x), Ok(y)) => x.partial_cmp(&y),
            _ => Some(a.cmp(e)),
        },
        "version" => Some(compare_versions(a, e)),
        _ => Some(if matches!(op, "eq" | "ne") {
            a.to_ascii_lowercase().cmp(&e.to_ascii_lowercase())
        } else {
            a.cmp(e)
        }),
    };
    let Some(ord) = ord else { return false };
    use std::cmp::Ordering::*;
    match op {
        "eq" => ord == Equal,
        "ne" => ord != Equal,
        "lt" => ord == Less,
        "lte" => ord != Greater,
        "gt" => ord == Greater,
        "gte" => ord != Less,
        _ => false,
    }
}

fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let pa: Vec<i64> = a.split('.').map(|x| x.parse().unwrap_or(0)).collect();
    let pb: Vec<i64> = b.split('.').map(|x| x.parse().unwrap_or(0)).collect();
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).copied().unwrap_or(0);
        let y = pb.get(i).copied().unwrap_or(0);
        if x != y {
            return x.cmp(&y);
        }
    }
    std::cmp::Ordering::Equal
}

impl DateExpr {
    /// Reads a `<date_expression>` element.
    pub fn from_element(el: &Element) -> DateExpr {
        DateExpr {
            operation: el.attr("operation").unwrap_or("in_range").to_string(),
            start: el.attr("start").and_then(parse_datetime),
            end: el.attr("end").and_then(parse_datetime),
            duration: el.child("duration").map(|d| Duration {
                years: num(d.attr("years")),
                months: num(d.attr("months")),
                weeks: num(d.attr("weeks")),
                days: num(d.attr("days")),
                hours: num(d.attr("hours")),
                minutes: num(d.attr("minutes")),
                seconds: num(d.attr("seconds")),
            }),
            spec: el
                .child("date_spec")
                .map(|s| s.attrs.iter().filter(|(k, _)| k != "id").cloned().collect())
                .unwrap_or_default(),
        }
    }

    /// True when `now` (seconds since the epoch) satisfies the expression.
    pub fn eval(&self, now: i64) -> bool {
        match self.operation.as_str() {
            "gt" => self.start.is_some_and(|s| now > s),
            "lt" => self.end.is_some_and(|e| now < e),
            "date_spec" => spec_matches(&self.spec, now),
            _ => {
                let end = self
                    .end
                    .or_else(|| Some(add_duration(self.start?, self.duration?)));
                self.start.is_none_or(|s| now >= s) && end.is_none_or(|e| now <= e)
            }
        }
    }
}

fn num(v: Option<&str>) -> i64 {
    v.and_then(|x| x.trim().parse().ok()).unwrap_or(0)
}

fn in_ranges(spec: &str, v: i64) -> bool {
    spec.split(',').any(|part| match part.split_once('-') {
        Some((a, b)) => {
            let lo = a.trim().parse::<i64>().unwrap_or(i64::MIN);
            let hi = b.trim().parse::<i64>().unwrap_or(i64::MAX);
            v >= lo && v <= hi
        }
        None => part.trim().parse::<i64>() == Ok(v),
    })
}

fn spec_matches(spec: &[(String, String)], now: i64) -> bool {
    let c = Civil::from_epoch(now);
    spec.iter().all(|(k, v)| {
        let val = match k.as_str() {
            "seconds" => c.second,
            "minutes" => c.minute,
            "hours" => c.hour,
            "monthdays" => c.day,
            "weekdays" => c.weekday,
            "yeardays" => c.yearday,
            "months" => c.month,
            "years" => c.year,
            "weekyears" => c.iso_week_year,
            "weeks" => c.iso_week,
            _ => return true,
        };
        in_ranges(v, val)
    })
}

/// Broken-down UTC time.
#[derive(Clone, Copy, Debug)]
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    weekday: i64,
    yearday: i64,
    iso_week: i64,
    iso_week_year: i64,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Civil {
    fn from_epoch(t: i64) -> Civil {
        let days = t.div_euclid(86400);
        let secs = t.rem_euclid(86400);
        let (year, month, day) = civil_from_days(days);
        let weekday = (days + 3).rem_euclid(7) + 1; // 1 = Monday
        let yearday = days - days_from_civil(year, 1, 1) + 1;
        let mut iso_week_year = year;
        let mut iso_week = (yearday - weekday + 10) / 7;
        if iso_week < 1 {
            iso_week_year -= 1;
            let dec31 = days_from_civil(iso_week_year, 12, 31);
            let wd = (dec31 + 3).rem_euclid(7) + 1;
            let yd = dec31 - days_from_civil(iso_week_year, 1, 1) + 1;
            iso_week = (yd - wd + 10) / 7;
        } else if iso_week == 53 {
            let jan1_next = days_from_civil(year + 1, 1, 1);
            let wd = (jan1_next + 3).rem_euclid(7) + 1;
            if wd <= 4 {
                iso_week_year += 1;
                iso_week = 1;
            }
        }
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            weekday,
            yearday,
            iso_week,
            iso_week_year,
        }
    }
}

fn add_duration(t: i64, d: Duration) -> i64 {
    let c = Civil::from_epoch(t);
    let months = c.year * 12 + (c.month - 1) + d.years * 12 + d.months;
    let (y, m) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let base = days_from_civil(y, m, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
    base + d.weeks * 7 * 86400 + d.days * 86400 + d.hours * 3600 + d.minutes * 60 + d.seconds
}

/// Parses an ISO 8601 date/time (`2005-020`, `2005-01-20`, `2005-01-20T12:30:00Z`,
/// `2005-W03-4`) to seconds since the epoch, UTC; `None` when malformed.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, time) = match t.find(['T', ' ']) {
        Some(i) => (&t[..i], Some(t[i + 1..].trim())),
        None => (t, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let days = match parts.as_slice() {
        [y, m, d] if !m.starts_with('W') => {
            days_from_civil(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        [y, w, d] => {
            let y: i64 = y.parse().ok()?;
            let w: i64 = w.trim_start_matches('W').parse().ok()?;
            let d: i64 = d.parse().ok()?;
            let jan4 = days_from_civil(y, 1, 4);
            let wd = (jan4 + 3).rem_euclid(7) + 1;
            jan4 - (wd - 1) + (w - 1) * 7 + (d - 1)
        }
        [y, yd] => days_from_civil(y.parse().ok()?, 1, 1) + yd.parse::<i64>().ok()? - 1,
        [y] => days_from_civil(y.parse().ok()?, 1, 1),
        _ => return None,
    };
    let mut secs = days * 86400;
    if let Some(time) = time {
        let (clock, offset) = split_offset(time);
        let mut it = clock.trim().split(':');
        let h: i64 = it.next().unwrap_or("0").parse().ok()?;
        let m: i64 = it.next().unwrap_or("0").parse().ok()?;
        let s: f64 = it.next().unwrap_or("0").parse().ok()?;
        secs += h * 3600 + m * 60 + s as i64 - offset;
    }
    Some(secs)
}

fn split_offset(time: &str) -> (&str, i64) {
    if let Some(stripped) = time.strip_suffix('Z') {
        return (stripped, 0);
    }
    if let Some(i) = time.rfind(['+', '-']) {
        let (clock, off) = time.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        let (h, m) = match digits.len() {
            4 => (&digits[..2], &digits[2..]),
            2 => (&digits[..], "0"),
            _ => return (time, 0),
        };
        let secs = h.parse::<i64>().unwrap_or(0) * 3600 + m.parse::<i64>().unwrap_or(0) * 60;
        return (clock, sign * secs);
    }
    (time, 0)
}

/// Parses an interval (`10s`, `5min`, `1h`, `30000` ms when bare... as Pacemaker: bare = seconds,
/// `ms`, ISO 8601 `PT10S`) to milliseconds.
pub fn parse_interval_ms(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.is_empty() {
        return Some(0);
    }
    if let Some(iso) = t.strip_prefix('P') {
        let mut total: u64 = 0;
        let mut n = String::new();
        let mut in_time = false;
        for ch in iso.chars() {
            match ch {
                'T' => in_time = true,
                c if c.is_ascii_digit() => n.push(c),
                c => {
                    let v: u64 = n.parse().ok()?;
                    n.clear();
                    total += v * match (c, in_time) {
                        ('Y', false) => 365 * 86400,
                        ('M', false) => 30 * 86400,
                        ('W', false) => 7 * 86400,
                        ('D', false) => 86400,
                        ('H', true) => 3600,
                        ('M', true) => 60,
                        ('S', _) => 1,
                        ('H', false) => 3600,
                        _ => return None,
                    };
                }
            }
        }
        return Some(total * 1000);
    }
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let v: u64 = t[..digits_end].parse().ok()?;
    let unit = t[digits_end..].trim().to_ascii_lowercase();
    let mult = match unit.as_str() {
        "" | "s" | "sec" | "secs" => 1000,
        "ms" | "msec" | "msecs" => 1,
        "us" | "usec" => return Some(v / 1000),
        "m" | "min" | "mins" => 60_000,
        "h" | "hr" | "hrs" => 3_600_000,
        _ => return None,
    };
    Some(v * mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse() {
        assert_eq!(parse_datetime("1970-01-01"), Some(0));
        assert_eq!(parse_datetime("1970-002"), Some(86400));
        assert_eq!(parse_datetime("1970-01-01T01:00:00Z"), Some(3600));
        assert_eq!(parse_datetime("1970-01-01 01:00:00+01:00"), Some(0));
        // A space before the offset, as crm_simulate accepts (`date_spec`-free CIB rules).
        assert_eq!(parse_datetime("1970-01-01 01:00:00 +01:00"), Some(0));
        assert_eq!(parse_datetime("1970-01-01 00:00:00 -05:00"), Some(5 * 3600));
    }

    #[test]
    fn intervals_parse() {
        assert_eq!(parse_interval_ms("10s"), Some(10_000));
        assert_eq!(parse_interval_ms("10"), Some(10_000));
        assert_eq!(parse_interval_ms("2min"), Some(120_000));
        assert_eq!(parse_interval_ms("PT1M"), Some(60_000));
        assert_eq!(parse_interval_ms("bogus"), None);
    }

    #[test]
    fn date_spec_hours() {
        let noon = parse_datetime("2005-01-20T12:30:00").expect("valid");
        let spec = vec![("hours".to_string(), "9-16".to_string())];
        assert!(spec_matches(&spec, noon));
        assert!(!spec_matches(&spec, noon + 6 * 3600));
    }
}
