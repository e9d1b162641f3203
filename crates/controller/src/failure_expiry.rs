//! The controller's side of `failure-timeout`: carrying out the scheduler's
//! `clear_failcount` actions, and rechecking the cluster when the next fail count expires
//! (the graph's `recheck-by`) rather than only every cluster-recheck-interval.

use cib::xml::Element;

/// Which resource's fail counts a `clear_failcount` action clears, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClearFailcount {
    /// The ids the resource's attributes may be named after (history id, full id).
    pub ids: Vec<String>,
    /// Node name.
    pub node: String,
}

/// Names of the transient attributes `clear` removes from the status section `root`: every
/// fail count and last-failure time of the resource on that node (the operation history
/// stays, as with Pacemaker).
pub fn attrs_to_clear(root: &Element, clear: &ClearFailcount) -> Vec<String> {
    let Some(status) = root.child("status") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ns in status
        .children_named("node_state")
        .filter(|ns| ns.attr("uname") == Some(clear.node.as_str()))
    {
        for ta in ns.children_named("transient_attributes") {
            for set in ta.children_named("instance_attributes") {
                for nv in set.children_named("nvpair") {
                    let Some(name) = nv.attr("name") else {
                        continue;
                    };
                    let ours = cib::failure_attr::failure_attr(name)
                        .is_some_and(|(_, t)| clear.ids.iter().any(|id| id == t));
                    if ours && !out.iter().any(|n| n == name) {
                        out.push(name.to_string());
                    }
                }
            }
        }
    }
    out
}

/// How long to wait before the next recheck: the cluster-recheck-interval
/// (`interval_ms`, 0 when disabled), or sooner when a fail count expires first
/// (`recheck_by_s`, seconds since the epoch; `now_ms` in ms since the epoch).
pub fn recheck_after_ms(interval_ms: u64, recheck_by_s: Option<i64>, now_ms: u64) -> Option<u64> {
    let by = recheck_by_s.map(|s| {
        u64::try_from(s)
            .unwrap_or(0)
            .saturating_mul(1000)
            .saturating_sub(now_ms)
    });
    match (interval_ms, by) {
        (0, None) => None,
        (0, Some(b)) => Some(b),
        (i, None) => Some(i),
        (i, Some(b)) => Some(i.min(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_resources_failure_attributes_on_that_node_are_cleared() {
        let root = cib::xml::parse(
            r##"<cib><configuration/><status>
<node_state id="1" uname="n1"><transient_attributes id="1"><instance_attributes id="s1">
<nvpair id="a" name="fail-count-d1#monitor_10000" value="1"/>
<nvpair id="b" name="last-failure-d1#monitor_10000" value="100"/>
<nvpair id="c" name="fail-count-d10#monitor_10000" value="1"/>
<nvpair id="d" name="fail-count-d1" value="2"/>
<nvpair id="e" name="shutdown" value="0"/>
</instance_attributes></transient_attributes></node_state>
<node_state id="2" uname="n2"><transient_attributes id="2"><instance_attributes id="s2">
<nvpair id="f" name="fail-count-d1#monitor_10000" value="1"/>
</instance_attributes></transient_attributes></node_state>
</status></cib>"##,
        )
        .expect("test CIB");
        let clear = ClearFailcount {
            ids: vec!["d1".into()],
            node: "n1".into(),
        };
        assert_eq!(
            attrs_to_clear(&root, &clear),
            vec![
                "fail-count-d1#monitor_10000",
                "last-failure-d1#monitor_10000",
                "fail-count-d1"
            ]
        );
    }

    #[test]
    fn the_recheck_comes_when_the_next_failure_expires_if_sooner() {
        assert_eq!(recheck_after_ms(900_000, None, 5_000), Some(900_000));
        assert_eq!(recheck_after_ms(900_000, Some(20), 5_000), Some(15_000));
        assert_eq!(recheck_after_ms(10_000, Some(20), 5_000), Some(10_000));
        assert_eq!(recheck_after_ms(0, Some(20), 5_000), Some(15_000));
        assert_eq!(recheck_after_ms(0, None, 5_000), None);
        // Already due: at once.
        assert_eq!(recheck_after_ms(900_000, Some(4), 5_000), Some(0));
    }
}
