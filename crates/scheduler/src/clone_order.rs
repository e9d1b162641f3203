//! Orderings from a clone to a resource outside any clone: what runs after the clone is
//! restarted only on the nodes where an instance of the clone starts, restarts or stops;
//! instances changing elsewhere leave it alone.

use std::collections::HashMap;

use crate::cluster::{Cluster, Variant};

/// For an ordering `first` start then `then` start: `None` when `first` is not a clone or
/// `then` is (or is inside) one; otherwise the nodes where some instance of `first` starts,
/// restarts or stops (`restart` holds the primitives known to restart in place).
pub(crate) fn changing_nodes(
    c: &Cluster,
    first: usize,
    then: usize,
    restart: &HashMap<usize, String>,
) -> Option<Vec<usize>> {
    if c.rscs[first].variant != Variant::Clone
        || c.rscs[then].variant == Variant::Clone
        || c.clone_ancestor(then).is_some()
    {
        return None;
    }
    let mut out: Vec<usize> = Vec::new();
    let mut note = |n: usize| {
        if !out.contains(&n) {
            out.push(n);
        }
    };
    for p in c.primitives(first) {
        let pr = &c.rscs[p];
        if let Some(n) = pr.next {
            if pr.managed
                && (!pr.running.contains_key(&n)
                    || !pr.failed_on.is_empty()
                    || restart.contains_key(&p))
            {
                note(n);
            }
        }
        for &a in pr.running.keys() {
            let leaves = pr.next != Some(a) || pr.blocked_start.is_some();
            if leaves && (pr.managed || pr.blocked_start.is_some()) {
                note(a);
            }
        }
    }
    Some(out)
}
