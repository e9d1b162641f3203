//! Cluster options the controller itself reads from crm_config.

use cib::xml::Element;

/// The value of cluster property `name` (first cluster_property_set that sets it).
pub fn property(root: &Element, name: &str) -> Option<String> {
    let cfg = root.child("configuration")?.child("crm_config")?;
    cfg.children_named("cluster_property_set")
        .flat_map(|s| s.children_named("nvpair"))
        .find(|nv| nv.attr("name") == Some(name))
        .and_then(|nv| nv.attr("value"))
        .map(str::to_string)
}

/// Whether fencing is enabled (`stonith-enabled`, true unless set false).
pub fn stonith_enabled(root: &Element) -> bool {
    property(root, "stonith-enabled").is_none_or(|v| cib::model::is_true(&v))
}

/// Parses a Pacemaker duration (`500ms`, `20s`, `5min`, `5m`, `1h`, bare seconds,
/// or ISO 8601 `PT5M`) into milliseconds.
pub fn duration_ms(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    if let Some(iso) = t.strip_prefix("pt") {
        let mut total = 0u64;
        let mut num = String::new();
        for ch in iso.chars() {
            if ch.is_ascii_digit() {
                num.push(ch);
                continue;
            }
            let n: u64 = num.parse().ok()?;
            num.clear();
            total += match ch {
                'h' => n * 3_600_000,
                'm' => n * 60_000,
                's' => n * 1000,
                _ => return None,
            };
        }
        return num.is_empty().then_some(total);
    }
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" | "sec" => 1000,
        "ms" | "msec" => 1,
        "m" | "min" => 60_000,
        "h" | "hr" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ms("20s"), Some(20_000));
        assert_eq!(duration_ms("5min"), Some(300_000));
        assert_eq!(duration_ms("15"), Some(15_000));
        assert_eq!(duration_ms("500ms"), Some(500));
        assert_eq!(duration_ms("PT1M30S"), Some(90_000));
        assert_eq!(duration_ms("soon"), None);
    }
}
