//! Members still joining the cluster (pending) while fencing is enabled: what a resource
//! runs there is unknown until it is probed, and such a node cannot be probed yet, so a
//! resource without any history there cannot start anywhere.

use crate::cluster::{Cluster, NodeKind, Role, Variant};

/// Blocks the starts of the primitives never probed on some pending member (with fencing
/// enabled): they stay stopped, their start shown blocked.
pub(crate) fn block_unprobed_starts(c: &mut Cluster) {
    if !c.stonith_enabled {
        return;
    }
    let pending: Vec<usize> = (0..c.nodes.len())
        .filter(|&n| c.nodes[n].kind == NodeKind::Member && c.nodes[n].pending)
        .collect();
    if pending.is_empty() {
        return;
    }
    for p in 0..c.rscs.len() {
        let r = &c.rscs[p];
        if r.variant != Variant::Primitive || !r.managed || !r.running.is_empty() {
            continue;
        }
        let Some(n) = r.next else { continue };
        if pending.iter().all(|m| r.known_on.contains(m)) {
            continue;
        }
        let r = &mut c.rscs[p];
        r.next = None;
        r.next_role = Role::Stopped;
        if r.blocked_start.is_none() {
            r.blocked_start = Some((n, String::new()));
        }
    }
}
