//! Which nodes get fenced, and what a failure on a node does to it: failed stops and
//! `on-fail=fence` schedule fencing while the history is read, failures on a node that is
//! already to be fenced no longer matter, and without quorum only failure-driven fencing runs.

use crate::actions::{ActionKind, Builder};
use crate::cluster::{Cluster, NodeKind};
use crate::on_fail::OnFail;

/// Whether unclean nodes (lost, not seen) may be fenced: fencing is enabled and the partition
/// has quorum, or `no-quorum-policy=ignore` lets it act anyway (`suicide` fences only the
/// partition's own members, see [`apply_suicide`]).
pub fn may_fence_unclean(c: &Cluster) -> bool {
    c.stonith_enabled && (c.have_quorum || c.no_quorum_policy == "ignore")
}

/// Whether cluster node `n` will be fenced by this transition (what ran there then stops
/// with the fencing, and failures recorded there no longer matter).
pub fn doomed(c: &Cluster, n: usize) -> bool {
    let node = &c.nodes[n];
    node.kind == NodeKind::Member
        && (node.fencing.is_some() || node.unclean && may_fence_unclean(c))
}

/// Whether remote or guest node `n` will be fenced by this transition: its connection failed
/// while resources ran there (guests are "fenced" by recovering their container), and the
/// partition may act (quorum, or `no-quorum-policy` ignore/suicide).
pub fn remote_doomed(c: &Cluster, n: usize) -> bool {
    let node = &c.nodes[n];
    node.kind != NodeKind::Member
        && node.fencing.is_some()
        && (c.have_quorum || matches!(c.no_quorum_policy.as_str(), "ignore" | "suicide"))
}

/// Whether the partition fences itself: `no-quorum-policy=suicide` without quorum, once the
/// cluster layer flagged the loss (`no-quorum-panic` on the CIB).
pub fn suicide(c: &Cluster, panic: bool) -> bool {
    panic && c.stonith_enabled && !c.have_quorum && c.no_quorum_policy == "suicide"
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
        // Without a place in the partition, the stop is for lack of nodes.
        let why = if r.next.is_none() {
            "due to node availability (blocked)"
        } else if c.no_quorum_policy == "freeze" {
            "blocked"
        } else {
            "due to no quorum (blocked)"
        };
        out.push(format!("Stop {} ( {role}{} ) {why}", r.id, node.name));
    }
    out
}

/// Under `no-quorum-policy=suicide` without quorum (and `panic`, the CIB's
/// `no-quorum-panic`), every online member fences itself.
pub fn apply_suicide(c: &mut Cluster, panic: bool) {
    if !suicide(c, panic) {
        return;
    }
    for node in &mut c.nodes {
        if node.kind == NodeKind::Member && node.online && node.fencing.is_none() {
            node.unclean = true;
            node.unclean_reason = "cluster does not have quorum".into();
            node.fencing = Some(node.unclean_reason.clone());
        }
    }
}

/// What starting primitive `p` requires: `nothing`, `quorum`, `fencing` or `unfencing`.
pub fn requires(c: &Cluster, p: usize) -> &str {
    let r = &c.rscs[p];
    if let Some(v) = r.meta.get("requires") {
        return v.as_str();
    }
    if r.agent.as_ref().is_some_and(|a| a.class == "stonith") || !c.stonith_enabled {
        "quorum"
    } else {
        "fencing"
    }
}

fn is_stonith(c: &Cluster, p: usize) -> bool {
    c.rscs[p]
        .agent
        .as_ref()
        .is_some_and(|a| a.class == "stonith")
}

/// Adds the fence actions for `fenced` (in fencing order) with their summary lines and
/// orderings: the implied stops and demotes on a fenced node (and the stop milestones of the
/// groups and clones they belong to) follow its fencing, except for fencing devices;
/// starts and promotions of resources that require fencing wait for every fencing; without
/// `concurrent-fencing` the fence actions run one after another, the DC's last.
pub(crate) fn add_fencing(b: &mut Builder<'_>, fenced: &[usize]) {
    let c = b.c;
    if fenced.is_empty() {
        return;
    }
    let concurrent = c
        .options
        .get("concurrent-fencing")
        .is_some_and(|v| cib::model::is_true(v));
    // Fencing order: other nodes first, the DC last; concurrently, the others newest first.
    let mut order: Vec<usize> = fenced
        .iter()
        .copied()
        .filter(|&n| !c.nodes[n].is_dc)
        .collect();
    order.sort_unstable();
    if concurrent {
        order.reverse();
    }
    order.extend(fenced.iter().copied().filter(|&n| c.nodes[n].is_dc));
    let count = b.t.actions.len();
    let mut fences = Vec::new();
    for &n in &order {
        let f = match crate::remote::fence_text(c, n, "").1 {
            // A guest is "fenced" by stopping its container.
            Some(label) => {
                let f = b.add(ActionKind::Pseudo, None, "stonith", 0, Some(n));
                b.t.actions[f].label = label;
                f
            }
            None => b.add(ActionKind::Fence, None, "stonith", 0, Some(n)),
        };
        if !concurrent {
            if let Some(&prev) = fences.last() {
                b.order(prev, f);
            }
        } else if c.nodes[n].is_dc {
            // Concurrent fencing still fences the DC after all the others.
            for &other in &fences {
                b.order(other, f);
            }
        }
        fences.push(f);
    }
    // Summary lines: highest node first.
    let mut by_node: Vec<usize> = fenced.to_vec();
    by_node.sort_unstable_by(|a, b| b.cmp(a));
    for n in by_node {
        let node = &c.nodes[n];
        let reason = match (&node.fencing, node.unclean_reason.is_empty()) {
            (Some(why), _) => why.clone(),
            (None, true) => "node is unclean".to_string(),
            (None, false) => node.unclean_reason.clone(),
        };
        b.t.summary.push(crate::remote::fence_text(c, n, &reason).0);
    }
    let fence_of = |n: usize| order.iter().position(|&m| m == n).map(|i| fences[i]);
    for i in 0..count {
        let a = &b.t.actions[i];
        let Some(p) = a.rsc else {
            // Node milestones (load_stopped_<node>) on a fenced node follow the fencing.
            if let (ActionKind::Pseudo, Some(f)) = (&a.kind, a.node.and_then(fence_of)) {
                b.order(f, i);
            }
            continue;
        };
        match (&a.kind, a.node) {
            (ActionKind::Pseudo, Some(n)) => {
                let Some(f) = fence_of(n) else { continue };
                if is_stonith(c, p) {
                    continue;
                }
                let task = a.task.clone();
                // On a bundle's guest, what is implied by the fencing waits for it through the
                // bundle's clone only.
                if !crate::bundle::is_any_bundle_guest(c, n) {
                    b.order(f, i);
                }
                if task != "stop" {
                    continue;
                }
                let mut cur = c.rscs[p].parent;
                while let Some(k) = cur {
                    // A bundle stops its guest's container before that guest is fenced.
                    if c.rscs[k].variant == crate::cluster::Variant::Bundle {
                        break;
                    }
                    if let Some(m) = b.find(Some(k), &task, None) {
                        b.order(f, m);
                    }
                    cur = c.rscs[k].parent;
                }
            }
            (ActionKind::Resource, Some(_)) if matches!(a.task.as_str(), "start" | "promote") => {
                for (&n, &f) in order.iter().zip(&fences) {
                    if crate::graph::waits_for_fencing(c, p, n) {
                        b.order(f, i);
                    }
                }
            }
            _ => {}
        }
    }
    crate::notify::add_fencing_notifications(b, &fence_of);
}
