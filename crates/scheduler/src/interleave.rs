//! Interleaved clone orderings: with `interleave=true` on the `then` clone, each of its
//! instances waits only for the `first` clone's instance on the same node, so an instance on
//! a node without one cannot start there (and one already running there stops).

use std::collections::HashMap;

use crate::cluster::{Cluster, Variant};

/// Whether an ordering from `first` to `then` is interleaved (both clones, `then` asking
/// for interleaving).
pub(crate) fn applies(c: &Cluster, first: usize, then: usize) -> bool {
    c.rscs[first].variant == Variant::Clone
        && c.rscs[then].variant == Variant::Clone
        && c.rscs[then].meta_bool("interleave", false)
}

/// Whether some instance of clone `clone` will be active on node `n` (every primitive of the
/// instance placed there), and whether one will be partly active there.
fn instance_on(c: &Cluster, clone: usize, n: usize) -> (bool, bool) {
    let mut whole = false;
    let mut part = false;
    for &inst in &c.rscs[clone].children {
        let prims = c.primitives(inst);
        let here = prims.iter().filter(|&&p| c.rscs[p].next == Some(n)).count();
        whole |= here > 0 && here == prims.len();
        part |= here > 0;
    }
    (whole, part)
}

/// Unplaces the instances of `then` on nodes where `first` has no whole instance (a start
/// ordering between interleaved clones). A blocked instance that runs there already, where
/// `first` has nothing at all, stops with its start left unrunnable (so what waits for the
/// whole `then` clone restarts). Returns whether anything changed.
pub(crate) fn block_unmatched(c: &mut Cluster, first: usize, then: usize) -> bool {
    let mut changed = false;
    for inst in c.rscs[then].children.clone() {
        for p in c.primitives(inst) {
            let Some(n) = c.rscs[p].next else { continue };
            let (whole, part) = instance_on(c, first, n);
            if !c.rscs[p].managed || whole {
                continue;
            }
            let pr = &mut c.rscs[p];
            if !part && pr.running.contains_key(&n) && pr.blocked_start.is_none() {
                pr.blocked_start = Some((n, String::new()));
                pr.stop_reason.get_or_insert_with(String::new);
            }
            pr.next = None;
            pr.next_role = crate::cluster::Role::Stopped;
            changed = true;
        }
    }
    changed
}

/// The instances of `then` that restart because `first`'s instance on their node (re)starts
/// (a start ordering between interleaved clones), each with the reason: the primitive whose
/// start they need.
pub(crate) fn restarts(
    c: &Cluster,
    first: usize,
    then: usize,
    restart: &HashMap<usize, String>,
) -> Vec<(usize, String)> {
    // Node -> the first primitive (re)starting there.
    let mut starting: HashMap<usize, usize> = HashMap::new();
    for p in c.primitives(first) {
        let pr = &c.rscs[p];
        let Some(n) = pr.next else { continue };
        if !pr.managed {
            continue;
        }
        if !pr.running.contains_key(&n) || !pr.failed_on.is_empty() || restart.contains_key(&p) {
            starting.entry(n).or_insert(p);
        }
    }
    let mut out = Vec::new();
    for q in c.primitives(then) {
        let pr = &c.rscs[q];
        let Some(n) = pr.next else { continue };
        let Some(&p) = starting.get(&n) else { continue };
        if pr.running.len() == 1 && pr.running.contains_key(&n) {
            out.push((q, format!("required {} start", c.rscs[p].id)));
        }
    }
    out
}
