//! Applying a transition to the working set: the cluster as it will be once the actions ran.

use crate::actions::{ActionKind, Transition};
use crate::cluster::{Cluster, NodeKind, Variant};

/// The cluster after every action of `t` succeeded.
pub fn apply(c: &Cluster, t: &Transition) -> Cluster {
    let mut out = c.clone();
    for a in &t.actions {
        if a.kind == ActionKind::Fence {
            if let Some(n) = a.node {
                let node = &mut out.nodes[n];
                node.unclean = false;
                node.online = false;
                for r in &mut out.rscs {
                    r.running.remove(&n);
                    r.failed_on.retain(|&x| x != n);
                }
            }
        }
    }
    // Which resources have an action other than a fence, a probe or a notification, in one pass.
    let mut touched_by = vec![false; out.rscs.len()];
    for a in &t.actions {
        if let Some(p) = a.rsc {
            if a.kind != ActionKind::Fence
                && !(a.task == "monitor" && a.interval_ms == 0)
                && a.task != "notify"
            {
                if let Some(slot) = touched_by.get_mut(p) {
                    *slot = true;
                }
            }
        }
    }
    for p in 0..out.rscs.len() {
        if out.rscs[p].variant != Variant::Primitive {
            continue;
        }
        let touched = touched_by[p];
        // Active on a lost node that cannot be fenced: its stop is blocked, it stays.
        if c.rscs[p].running.keys().any(|&n| {
            let node = &c.nodes[n];
            node.kind == NodeKind::Member && node.unclean && !crate::fencing::doomed(c, n)
        }) {
            continue;
        }
        let quorum_hold = crate::quorum::hold(c, p);
        let r = &mut out.rscs[p];
        // Active with nothing to do (its stop blocked, say): it stays as it is.
        if !touched && !r.running.is_empty() {
            continue;
        }
        if !r.managed
            || !touched
                && r.next.is_some()
                && r.running.len() == 1
                && r.running.contains_key(&r.next.unwrap_or(usize::MAX))
                && r.running.values().all(|&ro| ro == r.next_role)
        {
            continue;
        }
        if !r.managed {
            continue;
        }
        let was_active = !r.running.is_empty();
        r.running.clear();
        r.failed_on.clear();
        r.demote_failed_on.clear();
        r.pending.clear();
        match (quorum_hold, r.next) {
            (crate::quorum::Hold::Stop, _) | (_, None) => {}
            (crate::quorum::Hold::NoStart, Some(_)) if !was_active => {}
            (_, Some(n)) => {
                r.running.insert(n, r.next_role);
            }
        }
    }
    // Remote and guest nodes follow their connections.
    for n in 0..out.nodes.len() {
        if let Some(conn) = out.nodes[n].connection {
            let up = !out.rscs[conn].running.is_empty();
            out.nodes[n].online = up;
            if up {
                out.nodes[n].unclean = false;
            }
        }
    }
    out
}
