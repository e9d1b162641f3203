//! Which nodes get fenced, and what a failure on a node does to it: failed stops and
//! `on-fail=fence` schedule fencing while the history is read, failures on a node that is
//! already to be fenced no longer matter, and without quorum only failure-driven fencing runs.

use crate::cluster::{Cluster, NodeKind};
use crate::on_fail::OnFail;

/// Whether unclean nodes (lost, not seen) may be fenced: fencing is enabled and the partition
/// has quorum, or `no-quorum-policy` lets it act anyway.
pub fn may_fence_unclean(c: &Cluster) -> bool {
    c.stonith_enabled
        && (c.have_quorum || matches!(c.no_quorum_policy.as_str(), "ignore" | "suicide"))
}

/// Whether cluster node `n` will be fenced by this transition (what ran there then stops
/// with the fencing, and failures recorded there no longer matter).
pub fn doomed(c: &Cluster, n: usize) -> bool {
    let node = &c.nodes[n];
    node.kind == NodeKind::Member
        && (node.fencing.is_some() || node.unclean && may_fence_unclean(c))
}

/// Whether the partition fences itself: `no-quorum-policy=suicide` without quorum.
pub fn suicide(c: &Cluster) -> bool {
    c.stonith_enabled && !c.have_quorum && c.no_quorum_policy == "suicide"
}

/// Schedules fencing of node `n` because resource `r`'s operation failed there; the node is
/// unclean from then on. Returns false (nothing scheduled) when the node is unclean already
/// but cannot be fenced.
fn fence_for(c: &mut Cluster, r: usize, n: usize) -> bool {
    let node = &c.nodes[n];
    if node.fencing.is_some() {
        return true;
    }
    if node.unclean {
        return doomed(c, n);
    }
    let reason = format!("{} failed there", c.rscs[r].id);
    let node = &mut c.nodes[n];
    node.unclean = true;
    node.unclean_reason = reason.clone();
    node.fencing = Some(reason);
    true
}

/// Applies a failed stop of resource `r` on node `n` (where it is still active): fence the
/// node (`on-fail=fence`, the default with fencing enabled), or block the resource.
pub fn failed_stop(c: &mut Cluster, r: usize, n: usize) {
    let on_fail = crate::on_fail::configured(&c.rscs[r], "stop", 0);
    let fence = match on_fail {
        Some(OnFail::Fence) => true,
        Some(_) => false,
        None => c.stonith_enabled,
    };
    if !(fence && c.stonith_enabled && fence_for(c, r, n)) {
        c.rscs[r].blocked = true;
    }
}

/// Applies a failed operation other than a stop configured with `on-fail=fence`.
pub fn failed_with_fence(c: &mut Cluster, r: usize, n: usize) {
    if c.stonith_enabled {
        fence_for(c, r, n);
    }
}

/// Transition Summary lines for primitive `p` active on unclean nodes that cannot be fenced
/// (no quorum): its stop there can never be confirmed, so it is blocked. Empty when `p` runs
/// on no such node.
pub fn stuck_stops(c: &Cluster, p: usize, fenced: &[usize]) -> Vec<String> {
    let r = &c.rscs[p];
    let mut out = Vec::new();
    for (&n, &role) in &r.running {
        let node = &c.nodes[n];
        if !node.unclean || node.kind != NodeKind::Member || fenced.contains(&n) {
            continue;
        }
        let role = if r.promotable {
            format!("{} ", role.name())
        } else {
            String::new()
        };
        let why = if c.no_quorum_policy == "freeze" {
            "blocked"
        } else {
            "due to no quorum (blocked)"
        };
        out.push(format!("Stop {} ( {role}{} ) {why}", r.id, node.name));
    }
    out
}
