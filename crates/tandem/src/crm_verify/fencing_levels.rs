//! Checks of the `fencing-topology` section's `fencing-level` entries.
//!
//! What Pacemaker 2.1.5's schema rejects is an error (crm_verify then exits 78): a level
//! without an id or with an id used elsewhere, not exactly one of `target`,
//! `target-pattern` and `target-attribute` (the last with `target-value`), an index that is
//! not a positive integer, a `devices` list that is missing, empty or not comma-separated
//! ids. What its crm_verify accepts but cannot work is a warning (shown with `-V`, exit 0
//! as Pacemaker's): an index above 9, a device that is not a configured fencing resource, a
//! target that is not in the nodes section, a `target-pattern` that does not compile, and
//! two levels for the same target and index.

use std::collections::{BTreeMap, BTreeSet};

use cib::validate::{Issue, Severity};
use cib::xml::Element;

/// The highest level index Pacemaker uses ("Valid values are 1 through 9").
const MAX_INDEX: u64 = 9;

/// The findings for the `fencing-topology` section of `root` (a whole `<cib>`), each
/// naming `file`, the level's source line and its id.
pub fn check(root: &Element, file: &str) -> Vec<Issue> {
    let Some(config) = root.child("configuration") else {
        return Vec::new();
    };
    let Some(topology) = config.child("fencing-topology") else {
        return Vec::new();
    };
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    count_ids(config, &mut ids);
    let stonith: BTreeSet<&str> = stonith_ids(config.child("resources"));
    let mut others: BTreeSet<String> = BTreeSet::new();
    ids_of_non_stonith(config.child("resources"), &mut others);
    let nodes: BTreeSet<&str> = config
        .child("nodes")
        .into_iter()
        .flat_map(|n| n.children_named("node"))
        .filter_map(|n| n.attr("uname"))
        .collect();
    let mut out = Vec::new();
    // (target kind, target, index) → the first level's id.
    let mut seen: BTreeMap<(String, String, u64), String> = BTreeMap::new();
    for l in topology.children_named("fencing-level") {
        let place = match l.attr("id") {
            Some(id) => format!("{file}:{}: fencing-level {id}", l.line),
            None => format!("{file}:{}: fencing-level", l.line),
        };
        let mut error = |m: String| {
            out.push(Issue {
                severity: Severity::Error,
                message: format!("{place}: {m}"),
            })
        };
        match l.attr("id") {
            None | Some("") => error("has no id".into()),
            Some(id) if ids.get(id).copied().unwrap_or(0) > 1 => {
                error(format!("id '{id}' is used by another element"))
            }
            Some(_) => {}
        }
        let target = target_of(l);
        if let Err(why) = &target {
            error(why.clone());
        }
        let index = match l.attr("index") {
            None => {
                error("has no index".into());
                None
            }
            Some(v) => match positive_integer(v) {
                Some(i) => Some(i),
                None => {
                    error(format!("index '{v}' is not a positive integer"));
                    None
                }
            },
        };
        let devices: Vec<&str> = match l.attr("devices") {
            None => {
                error("has no devices".into());
                Vec::new()
            }
            Some(d) => {
                let list: Vec<&str> = d.split(',').collect();
                if d.is_empty() || list.iter().any(|x| !is_device_id(x)) {
                    error(format!(
                        "devices '{d}' is not a comma-separated list of device ids"
                    ));
                    Vec::new()
                } else {
                    list
                }
            }
        };
        let mut warn = |m: String| {
            out.push(Issue {
                severity: Severity::Warning,
                message: format!("{place}: {m}"),
            })
        };
        if let Some(i) = index.filter(|&i| i > MAX_INDEX) {
            warn(format!(
                "index {i} is above {MAX_INDEX}; levels are numbered 1 through {MAX_INDEX}"
            ));
        }
        for d in &devices {
            if stonith.contains(d) {
                continue;
            }
            if others.contains(*d) {
                warn(format!(
                    "device '{d}' is not a fencing (class stonith) resource"
                ));
            } else {
                warn(format!("no fencing device named '{d}'"));
            }
        }
        if let Ok((kind, t)) = &target {
            match *kind {
                "target" if !nodes.contains(t.as_str()) => {
                    warn(format!("target '{t}' is not a node in the nodes section"))
                }
                "target-pattern" => {
                    if let Some(why) = scheduler::rsc_pattern::invalid(t) {
                        warn(format!("invalid target-pattern '{t}': {why}"));
                    }
                }
                _ => {}
            }
            if let Some(i) = index {
                let key = (kind.to_string(), t.clone(), i);
                match seen.get(&key) {
                    Some(first) => warn(format!(
                        "same {kind} '{t}' and index {i} as fencing-level {first}; only one is used"
                    )),
                    None => {
                        seen.insert(key, l.attr("id").unwrap_or("").to_string());
                    }
                }
            }
        }
    }
    out
}

/// Which of `target`, `target-pattern` or `target-attribute` (with its `target-value`,
/// joined by `=`) the level names, or why it names none or several.
fn target_of(l: &Element) -> Result<(&'static str, String), String> {
    let named: Vec<&'static str> = ["target", "target-pattern", "target-attribute"]
        .into_iter()
        .filter(|k| l.attr(k).is_some())
        .collect();
    match named[..] {
        [] => Err("has no target, target-pattern or target-attribute".into()),
        ["target-attribute"] => match (l.attr("target-attribute"), l.attr("target-value")) {
            (Some(a), Some(v)) => Ok(("target-attribute", format!("{a}={v}"))),
            _ => Err("target-attribute without target-value".into()),
        },
        [one] => Ok((one, l.attr(one).unwrap_or("").to_string())),
        _ => Err(format!(
            "names more than one of {} (only one is allowed)",
            named.join(", ")
        )),
    }
}

/// An XML Schema positiveInteger (an optional `+`, digits, not zero), saturating.
fn positive_integer(v: &str) -> Option<u64> {
    let digits = v.trim().strip_prefix('+').unwrap_or(v.trim());
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.bytes().all(|b| b == b'0') {
        return None;
    }
    Some(digits.parse::<u64>().unwrap_or(u64::MAX))
}

/// Whether `d` may stand in a `devices` list (letters, digits, `_`, `.`, `-`).
fn is_device_id(d: &str) -> bool {
    !d.is_empty()
        && d.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Counts every `id` attribute under `e`.
fn count_ids(e: &Element, ids: &mut BTreeMap<String, usize>) {
    if let Some(id) = e.attr("id") {
        *ids.entry(id.to_string()).or_default() += 1;
    }
    for c in &e.children {
        count_ids(c, ids);
    }
}

/// Ids of the `class="stonith"` primitives anywhere under `resources`.
fn stonith_ids(resources: Option<&Element>) -> BTreeSet<&str> {
    fn walk<'a>(e: &'a Element, out: &mut BTreeSet<&'a str>) {
        if e.name == "primitive" && e.attr("class") == Some("stonith") {
            if let Some(id) = e.attr("id") {
                out.insert(id);
            }
        }
        for c in &e.children {
            walk(c, out);
        }
    }
    let mut out = BTreeSet::new();
    if let Some(r) = resources {
        walk(r, &mut out);
    }
    out
}

/// Ids of the other resources (primitives and collections) under `resources`.
fn ids_of_non_stonith(resources: Option<&Element>, out: &mut BTreeSet<String>) {
    fn walk(e: &Element, out: &mut BTreeSet<String>) {
        let resource = matches!(
            e.name.as_str(),
            "primitive" | "group" | "clone" | "master" | "bundle"
        );
        if resource && e.attr("class") != Some("stonith") {
            if let Some(id) = e.attr("id") {
                out.insert(id.to_string());
            }
        }
        for c in &e.children {
            walk(c, out);
        }
    }
    if let Some(r) = resources {
        walk(r, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cib(levels: &str) -> Element {
        cib::xml::parse(&format!(
            "<cib><configuration><crm_config/>\
             <nodes><node id=\"1\" uname=\"node1\"/><node id=\"2\" uname=\"node2\"/></nodes>\
             <resources><primitive id=\"f1\" class=\"stonith\" type=\"fence_dummy\"/>\
             <primitive id=\"f2\" class=\"stonith\" type=\"fence_dummy\"/>\
             <primitive id=\"d\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></resources>\
             <constraints/>\n<fencing-topology>{levels}</fencing-topology></configuration><status/></cib>"
        ))
        .expect("test CIB parses")
    }

    fn found(levels: &str) -> Vec<(Severity, String)> {
        check(&cib(levels), "t.xml")
            .into_iter()
            .map(|i| (i.severity, i.message))
            .collect()
    }

    fn of_severity(levels: &str, severity: Severity) -> Vec<String> {
        found(levels)
            .into_iter()
            .filter(|(s, _)| *s == severity)
            .map(|(_, m)| m)
            .collect()
    }

    fn errors(levels: &str) -> Vec<String> {
        of_severity(levels, Severity::Error)
    }

    fn warnings(levels: &str) -> Vec<String> {
        of_severity(levels, Severity::Warning)
    }

    #[test]
    fn a_sound_topology_has_no_findings() {
        let ok = "<fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"f1\"/>\
                  <fencing-level id=\"l2\" target=\"node1\" index=\"2\" devices=\"f1,f2\"/>\
                  <fencing-level id=\"l3\" target-pattern=\"node[0-9]\" index=\"1\" devices=\"f2\"/>\
                  <fencing-level id=\"l4\" target-attribute=\"rack\" target-value=\"1\" index=\"+3\" devices=\"f2\"/>";
        assert!(found(ok).is_empty(), "{:?}", found(ok));
    }

    #[test]
    fn what_the_schema_rejects_is_an_error_naming_file_line_and_level() {
        let e = errors("<fencing-level id=\"l1\" target=\"node1\" index=\"0\" devices=\"f1\"/>");
        assert_eq!(
            e,
            ["t.xml:2: fencing-level l1: index '0' is not a positive integer"]
        );
        for (levels, want) in [
            (
                "<fencing-level id=\"l1\" target=\"node1\" index=\"x\" devices=\"f1\"/>",
                "index 'x' is not a positive integer",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node1\" devices=\"f1\"/>",
                "has no index",
            ),
            (
                "<fencing-level id=\"l1\" index=\"1\" devices=\"f1\"/>",
                "has no target, target-pattern or target-attribute",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node1\" target-pattern=\"n\" index=\"1\" devices=\"f1\"/>",
                "names more than one of target, target-pattern",
            ),
            (
                "<fencing-level id=\"l1\" target-attribute=\"rack\" index=\"1\" devices=\"f1\"/>",
                "target-attribute without target-value",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node1\" index=\"1\"/>",
                "has no devices",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"f1, f2\"/>",
                "devices 'f1, f2' is not a comma-separated list",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"\"/>",
                "devices '' is not",
            ),
            (
                "<fencing-level target=\"node1\" index=\"1\" devices=\"f1\"/>",
                "fencing-level: has no id",
            ),
            (
                "<fencing-level id=\"f1\" target=\"node1\" index=\"1\" devices=\"f1\"/>",
                "id 'f1' is used by another element",
            ),
        ] {
            let e = errors(levels);
            assert!(
                e.len() == 1 && e[0].contains(want),
                "{levels}: want '{want}', got {e:?}"
            );
        }
    }

    #[test]
    fn what_cannot_work_is_a_warning() {
        for (levels, want) in [
            (
                "<fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"nosuch\"/>",
                "t.xml:2: fencing-level l1: no fencing device named 'nosuch'",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"f1,d\"/>",
                "t.xml:2: fencing-level l1: device 'd' is not a fencing (class stonith) resource",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node9\" index=\"1\" devices=\"f1\"/>",
                "t.xml:2: fencing-level l1: target 'node9' is not a node in the nodes section",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node1\" index=\"10\" devices=\"f1\"/>",
                "t.xml:2: fencing-level l1: index 10 is above 9; levels are numbered 1 through 9",
            ),
            (
                "<fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"f1\"/>\
                 <fencing-level id=\"l2\" target=\"node1\" index=\"01\" devices=\"f2\"/>",
                "t.xml:2: fencing-level l2: same target 'node1' and index 1 as fencing-level l1; only one is used",
            ),
        ] {
            assert!(errors(levels).is_empty(), "{levels}: {:?}", errors(levels));
            assert_eq!(warnings(levels), [want], "{levels}");
        }
        let w = warnings(
            "<fencing-level id=\"l1\" target-pattern=\"node[\" index=\"1\" devices=\"f1\"/>",
        );
        assert!(
            w.len() == 1
                && w[0].starts_with("t.xml:2: fencing-level l1: invalid target-pattern 'node['"),
            "{w:?}"
        );
    }

    #[test]
    fn no_topology_no_findings() {
        let root = cib::xml::parse("<cib><configuration/></cib>").expect("parses");
        assert!(check(&root, "t.xml").is_empty());
    }
}
