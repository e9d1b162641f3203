//! Monitors configured with `role="Stopped"`: they watch that a resource stays stopped on
//! every node where it is not (or will no longer be) active.

use crate::actions::{ActionKind, Builder};
use crate::cluster::Role;

/// Intervals of the enabled `role="Stopped"` monitors of primitive `p`.
pub(crate) fn stopped_intervals(c: &crate::cluster::Cluster, p: usize) -> Vec<u64> {
    let r = &c.rscs[p];
    let mut out = Vec::new();
    for op in &r.ops {
        if op.name != "monitor" || op.interval_ms == 0 {
            continue;
        }
        if op.get("enabled").is_some_and(|v| !cib::model::is_true(&v)) {
            continue;
        }
        if op.role.as_deref().and_then(Role::parse) != Some(Role::Stopped) {
            continue;
        }
        let same_interval = r
            .ops
            .iter()
            .filter(|o| o.name == "monitor" && o.interval_ms == op.interval_ms)
            .count();
        if same_interval == 1 && !out.contains(&op.interval_ms) {
            out.push(op.interval_ms);
        }
    }
    out
}

/// Schedules the stopped-role monitors of managed primitive `p` on the nodes where it will
/// not run (after any stop or probe there), and cancels them where it is about to run.
pub(crate) fn plan(b: &mut Builder<'_>, p: usize) {
    let c = b.c;
    let r = &c.rscs[p];
    if !r.managed || r.blocked || r.orphan {
        return;
    }
    let intervals = stopped_intervals(c, p);
    if intervals.is_empty() {
        return;
    }
    let recorded = |n: usize, i: u64| {
        r.recurring
            .iter()
            .any(|(rn, op, ri)| *rn == n && op == "monitor" && *ri == i)
            && !r.stale_recurring.contains(&(n, i))
    };
    for n in 0..c.nodes.len() {
        let node = &c.nodes[n];
        if !node.online || node.unclean || node.pending {
            continue;
        }
        if Some(n) == r.next {
            let start = b.find(Some(p), "start", Some(n));
            for &i in &intervals {
                if recorded(n, i) && !r.running.contains_key(&n) {
                    let a = b.add(ActionKind::Resource, Some(p), "cancel", i, Some(n));
                    if let Some(s) = start {
                        b.order(a, s);
                    }
                }
            }
            continue;
        }
        let stop = b.find(Some(p), "stop", Some(n));
        if r.running.contains_key(&n) && stop.is_none() {
            continue; // stays active there
        }
        let probe = b.find(Some(p), "monitor", Some(n));
        for &i in &intervals {
            if stop.is_none() && recorded(n, i) {
                continue;
            }
            let m = b.add(ActionKind::Resource, Some(p), "monitor", i, Some(n));
            if let Some(s) = stop {
                b.order(s, m);
            }
            if let Some(pr) = probe {
                b.order(pr, m);
            }
        }
    }
}
