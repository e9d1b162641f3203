//! Resources active on several nodes at once (multiple-active): how the recovery is summed up.
//!
//! The active nodes are taken in the order the status section lists them (a failed live
//! migration's target first): the first is where
//! the resource "is" (a restart when it is started there again, a move from there otherwise),
//! and the stops are created in that order. A primitive outside a clone has one role: where
//! it is promoted anywhere, it is demoted on every node before it stops.

use cib::Cib;

use crate::cluster::{Cluster, Role, Rsc};

/// Per node of `c`, the position of its `node_state` in `cib`'s status section (nodes
/// without one come after all others).
pub(crate) fn status_ranks(c: &Cluster, cib: &Cib) -> Vec<usize> {
    let mut rank = vec![usize::MAX; c.nodes.len()];
    let mut by_name: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, n) in c.nodes.iter().enumerate() {
        by_name.entry(n.id.as_str()).or_insert(i);
        by_name.entry(n.name.as_str()).or_insert(i);
    }
    for (k, st) in cib.status.iter().enumerate() {
        let node = by_name
            .get(st.id.as_str())
            .or_else(|| by_name.get(st.uname.as_str()));
        if let Some(&n) = node {
            if rank[n] == usize::MAX {
                rank[n] = k;
            }
        }
    }
    rank
}

/// The active nodes of `r` in the order they were found: status order, a failed live
/// migration's target first.
pub(crate) fn listing_order(c: &Cluster, r: &Rsc, nodes: &mut [usize]) {
    nodes.sort_by_key(|&n| rank(c, r, n));
}

/// Where node `n` comes in [`listing_order`] for `r`.
fn rank(c: &Cluster, r: &Rsc, n: usize) -> (bool, usize) {
    (
        r.listed_first != Some(n),
        c.status_rank.get(n).copied().unwrap_or(usize::MAX),
    )
}

/// `active` (node, role) of `r` in [`listing_order`], every role raised to the highest one
/// (a primitive has a single role, whatever each node's history says).
pub(crate) fn in_status_order(
    c: &Cluster,
    r: &Rsc,
    active: &[(usize, Role)],
) -> Vec<(usize, Role)> {
    let mut out = active.to_vec();
    out.sort_by_key(|&(n, _)| rank(c, r, n));
    if out.iter().any(|&(_, r)| r == Role::Promoted) {
        for a in &mut out {
            a.1 = Role::Promoted;
        }
    }
    out
}

/// The Transition Summary line of a primitive active on each of `active` (in status order)
/// that is stopped everywhere and started on `target` (in `next_role`): a restart (or a
/// recovery when a failure is involved) when `target` is the first active node, otherwise a
/// move from there. Roles show when either side is promoted.
pub(crate) fn summary(
    name: &str,
    active: &[(usize, Role)],
    target: usize,
    next_role: Role,
    failed: bool,
    node_name: &dyn Fn(usize) -> String,
) -> String {
    let stays = active.first().is_some_and(|&(n, _)| n == target);
    match (stays, active.first()) {
        (false, Some(&(from, role))) => {
            let verb = if failed { "Recover" } else { "Move" };
            if role == Role::Promoted || next_role == Role::Promoted {
                format!(
                    "{verb} {name} ( {} {} -> {} {} )",
                    role.name(),
                    node_name(from),
                    next_role.name(),
                    node_name(target)
                )
            } else {
                format!(
                    "{verb} {name} ( {} -> {} )",
                    node_name(from),
                    node_name(target)
                )
            }
        }
        _ => {
            let verb = if failed { "Recover" } else { "Restart" };
            format!("{verb} {name} ( {} )", node_name(target))
        }
    }
}

/// With `multiple-active="stop_unexpected"`, the active node the resource stays on (only
/// the other instances stop, and the start there is a pseudo action); `None` otherwise
/// (every instance stops, the default `stop_start`). A failure does not change that: the
/// kept copy is recovered in place "due to being multiply active".
pub(crate) fn kept_instance(
    r: &Rsc,
    active: &[(usize, Role)],
    target: Option<usize>,
) -> Option<usize> {
    let target = target?;
    let policy = r.meta.get("multiple-active").map(String::as_str);
    (policy == Some("stop_unexpected") && active.iter().any(|&(n, _)| n == target))
        .then_some(target)
}
