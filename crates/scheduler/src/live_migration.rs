//! Live migrations seen from the assignment: which primitives will move by migrating
//! (migrate_to, migrate_from) rather than by stopping and starting.

use std::collections::HashMap;

use crate::actions::{ActionKind, Builder};
use crate::cluster::Cluster;

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
