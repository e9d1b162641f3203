//! Orphans: histories of resources gone from the configuration, which the scheduler
//! deletes, and recorded monitors no longer configured, which it cancels.
//!
//! Every history of a removed (orphaned) primitive is deleted on its node, after the
//! orphan's stops where it was still active, so that a resource configured later under
//! the same name is probed again everywhere. Nothing is deleted for an orphan the cluster
//! does not manage (`stop-orphan-resources=false`, maintenance), for one that failed while
//! active (its history explains the failure), nor on a node that cannot take actions now
//! (down, unclean, pending, standby, shutting down, about to be fenced). Orphaned instances
//! of a configured clone stop with their clone and keep their history.

use crate::actions::{ActionKind, Builder};
use crate::cluster::{Cluster, NodeKind};

/// Adds the `delete` actions of the orphans' histories, each after every stop of its
/// orphan. They are created node by node (in node order, then in the order each node's
/// history lists them), as the graph numbers them. `fenced` are the nodes being fenced.
pub(crate) fn add_history_deletes(b: &mut Builder<'_>, fenced: &[usize]) {
    let c = b.c;
    let mut histories = c.orphan_histories.clone();
    histories.sort_by_key(|&(_, n)| n);
    for (p, n) in histories {
        if !deletes_history(c, p) || !takes_delete(c, n) || fenced.contains(&n) {
            continue;
        }
        let stops = b.rsc_task(p, "stop");
        let i = b.add(ActionKind::Resource, Some(p), "delete", 0, Some(n));
        for s in stops {
            b.order(s, i);
        }
    }
}

/// Whether orphan `p`'s histories are deleted: it is managed, not blocked, and did not
/// fail where it is active.
fn deletes_history(c: &Cluster, p: usize) -> bool {
    let r = &c.rscs[p];
    r.orphan && r.parent.is_none() && r.managed && !r.blocked && r.failed_on.is_empty()
}

/// Whether node `n` takes a history deletion: up and clean, neither in standby nor
/// shutting down (a node in maintenance does).
pub(crate) fn takes_delete(c: &Cluster, n: usize) -> bool {
    let node = &c.nodes[n];
    let up = match node.kind {
        NodeKind::Member => node.online && !node.unclean && !node.pending && node.fencing.is_none(),
        NodeKind::Guest => node.remote_up,
        NodeKind::Remote => node.remote_up && node.fencing.is_none(),
    };
    up && !node.standby && !node.shutdown
}

/// Cancels the recorded monitors of primitive `p` whose interval is no longer configured,
/// on the nodes where it is active, when it will be active again (a resource stopping for
/// good takes them down with it): after its stops, or at once where it `stays` (active on
/// its node with nothing to do there). Not with `stop-orphan-actions=false`, nor on nodes
/// being fenced (`fenced`).
pub(crate) fn cancel_orphaned_monitors(
    b: &mut Builder<'_>,
    p: usize,
    stays: bool,
    fenced: &[usize],
) {
    let c = b.c;
    let r = &c.rscs[p];
    let enabled = c
        .options
        .get("stop-orphan-actions")
        .is_none_or(|v| cib::model::is_true(v));
    if !enabled {
        return;
    }
    let stops: Vec<usize> = b
        .rsc_task(p, "stop")
        .into_iter()
        .filter(|&i| b.t.actions[i].kind == ActionKind::Resource)
        .collect();
    if stops.is_empty() && !stays {
        return;
    }
    for &n in r.running.keys() {
        if fenced.contains(&n) || !c.nodes[n].online {
            continue;
        }
        let mut orphaned: Vec<u64> = r
            .recurring
            .iter()
            .filter(|(rn, op, i)| {
                *rn == n
                    && op == "monitor"
                    && !r
                        .ops
                        .iter()
                        .any(|o| o.name == "monitor" && o.interval_ms == *i)
            })
            .map(|(_, _, i)| *i)
            .collect();
        orphaned.sort_unstable();
        orphaned.dedup();
        for interval in orphaned {
            let a = b.add(ActionKind::Resource, Some(p), "cancel", interval, Some(n));
            if stops.is_empty() {
                b.t.actions[a].early = true;
            }
            for &st in &stops {
                b.order(st, a);
            }
        }
    }
}
