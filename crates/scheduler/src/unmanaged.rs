//! Unmanaged resources: the cluster only watches them where it considers them to be.

use crate::actions::{recurring_ops, ActionKind, Builder};

/// Schedules the missing recurring monitors of unmanaged primitive `p` for its role on the
/// node it stays on (where it is assigned, else the first node where it is active, even
/// when disabled), and cancels the `role="Stopped"` monitors recorded there.
pub(crate) fn monitors(b: &mut Builder<'_>, p: usize) {
    let c = b.c;
    let r = &c.rscs[p];
    let Some(n) = r
        .next
        .filter(|n| r.running.contains_key(n))
        .or_else(|| r.running.keys().next().copied())
    else {
        return;
    };
    let Some(&role) = r.running.get(&n) else {
        return;
    };
    let recorded = |i: u64| {
        r.recurring
            .iter()
            .any(|(rn, op, ri)| *rn == n && op == "monitor" && *ri == i)
    };
    for interval in recurring_ops(c, p, role) {
        if !recorded(interval) {
            b.add(ActionKind::Resource, Some(p), "monitor", interval, Some(n));
        }
    }
    for interval in crate::stopped_monitor::stopped_intervals(c, p) {
        if recorded(interval) {
            let a = b.add(ActionKind::Resource, Some(p), "cancel", interval, Some(n));
            b.t.actions[a].early = true;
        }
    }
}
