//! Maintenance: resources in maintenance (the cluster's `maintenance-mode`, the resource's
//! `maintenance` meta-attribute, or active on a node in maintenance) are left alone, and
//! their recurring monitors are cancelled.

use crate::actions::{ActionKind, Builder};
use crate::cluster::{Cluster, Variant};

/// Whether primitive `p` is in maintenance.
pub fn in_maintenance(c: &Cluster, p: usize) -> bool {
    let r = &c.rscs[p];
    c.maintenance_mode
        || r.meta_bool("maintenance", false)
        || r.running.keys().any(|&n| c.nodes[n].maintenance)
}

/// Makes every primitive active on a node in maintenance unmanaged.
pub fn unmanage_on_maintenance_nodes(c: &mut Cluster) {
    for p in 0..c.rscs.len() {
        if c.rscs[p].variant == Variant::Primitive
            && c.rscs[p].running.keys().any(|&n| c.nodes[n].maintenance)
        {
            c.rscs[p].managed = false;
        }
    }
}

/// Cancels the recorded recurring monitors of primitive `p` (in maintenance) on the online
/// nodes where it is active (a node shutting down keeps them until it leaves).
pub(crate) fn cancel_monitors(b: &mut Builder<'_>, p: usize) {
    let c = b.c;
    let r = &c.rscs[p];
    let mut recorded: Vec<(usize, u64)> = r
        .recurring
        .iter()
        .filter(|(n, op, _)| {
            let node = &c.nodes[*n];
            op == "monitor" && r.running.contains_key(n) && node.online && !node.shutdown
        })
        .map(|(n, _, i)| (*n, *i))
        .collect();
    recorded.sort_unstable();
    recorded.dedup();
    for (n, interval) in recorded {
        let a = b.add(ActionKind::Resource, Some(p), "cancel", interval, Some(n));
        b.t.actions[a].early = true;
    }
}
