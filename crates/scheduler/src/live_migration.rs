//! Live migrations seen from the assignment: which primitives will move by migrating
//! (migrate_to, migrate_from) rather than by stopping and starting.

use std::collections::HashMap;

use crate::actions::{ActionKind, Builder};
use crate::cluster::{Cluster, Variant};

/// Whether primitive `p` moves by live migration: active on exactly one node, assigned to
/// another, allowed to migrate from there and not restarting for another reason
/// (`restart` holds the in-place restarts).
pub(crate) fn migrates(c: &Cluster, p: usize, restart: &HashMap<usize, String>) -> bool {
    let r = &c.rscs[p];
    let (Some(to), 1) = (r.next, r.running.len()) else {
        return false;
    };
    let Some(&from) = r.running.keys().next() else {
        return false;
    };
    from != to
        && r.managed
        && !restart.contains_key(&p)
        && crate::actions::can_migrate(c, p, from, &[])
}

/// Adds the stop of primitive `p` on the source of its completed migration, whose last
/// record there is still the migrate_to (unless that node is being fenced).
pub(crate) fn stop_dangling_source(
    b: &mut Builder<'_>,
    p: usize,
    fenced: &[usize],
) -> Option<usize> {
    let c = b.c;
    let source = c.rscs[p].dangling_source?;
    if fenced.contains(&source) || !c.rscs[p].managed {
        return None;
    }
    Some(b.add(ActionKind::Resource, Some(p), "stop", 0, Some(source)))
}

/// Marks the primitives that would migrate but are ordered (start after start, `orders`
/// as (first, then)) after a clone with instances both stopping and starting: they move by
/// stop and start instead, as the migration cannot be ordered around such a clone.
pub(crate) fn block_after_changing_clones(
    c: &mut Cluster,
    orders: &[(usize, usize)],
    restart: &HashMap<usize, String>,
) {
    for &(first, then) in orders {
        if c.rscs[first].variant != Variant::Clone || !stops_and_starts(c, first) {
            continue;
        }
        let reason = format!("unrunnable {} stop", c.rscs[first].id);
        for p in c.primitives(then) {
            if c.rscs[p].migration_blocked.is_none() && migrates(c, p, restart) {
                c.rscs[p].migration_blocked = Some(reason.clone());
            }
        }
    }
}

/// Whether some instance of clone `k` stops (leaves a node) and some starts.
fn stops_and_starts(c: &Cluster, k: usize) -> bool {
    let prims = c.primitives(k);
    let leaves = prims.iter().any(|&p| {
        let r = &c.rscs[p];
        r.managed && r.running.keys().any(|&n| r.next != Some(n))
    });
    let arrives = prims.iter().any(|&p| {
        let r = &c.rscs[p];
        r.managed && r.next.is_some_and(|n| !r.running.contains_key(&n))
    });
    leaves && arrives
}
