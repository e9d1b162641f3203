//! Resources launched inside another resource (the `container` meta-attribute): they run
//! where their container runs, are not probed on their own, and their failures count
//! against the container (its migration-threshold sees them). A failed contained resource
//! restarts its container (and with it everything else it contains); a contained resource
//! starts after its container on its node, and stops before it.

use crate::actions::{ActionKind, Builder};
use crate::assign::Coloc;
use crate::cluster::{Cluster, Variant};
use crate::rsc_lookup::RscLookup;
use cib::Score;

/// The container of primitive `p` (its `container` meta-attribute), when that names another
/// primitive that is not a guest node's host (what runs in a guest node is placed there).
pub(crate) fn container_of(c: &Cluster, lookup: &RscLookup, p: usize) -> Option<usize> {
    let id = c.rscs[p].meta.get("container")?;
    let k = lookup.id(id)?;
    let r = &c.rscs[k];
    (k != p && r.variant == Variant::Primitive && !r.meta.contains_key("remote-node")).then_some(k)
}

/// Pairs (contained primitive, its container), in resource order.
pub fn pairs(c: &Cluster) -> Vec<(usize, usize)> {
    if !c.rscs.iter().any(|r| r.meta.contains_key("container")) {
        return Vec::new();
    }
    let lookup = RscLookup::of(c);
    (0..c.rscs.len())
        .filter(|&p| c.rscs[p].variant == Variant::Primitive)
        .filter_map(|p| container_of(c, &lookup, p).map(|k| (p, k)))
        .collect()
}

/// Adds the contained resources' fail counts to their containers'.
pub fn add_failcounts(c: &mut Cluster) {
    for (p, k) in pairs(c) {
        let counts: Vec<(usize, i64)> = c.rscs[p].failcount.iter().map(|(&n, &f)| (n, f)).collect();
        for (n, f) in counts {
            let slot = c.rscs[k].failcount.entry(n).or_insert(0);
            *slot = Score(*slot).plus(Score(f)).0;
        }
    }
}

/// Colocations placing each contained resource with its container (when they are placed
/// apart: members of one group already are together).
pub fn colocations(c: &Cluster, unit_of: &dyn Fn(usize) -> usize) -> Vec<Coloc> {
    let mut out = Vec::new();
    for (p, k) in pairs(c) {
        let (dep, primary) = (unit_of(p), unit_of(k));
        if dep == primary {
            continue;
        }
        out.push(Coloc {
            id: format!("{}-with-container", c.rscs[p].id),
            dep,
            primary,
            score: Score::POS_INF,
            dep_role: None,
            primary_role: None,
            influence: true,
            node_attribute: None,
        });
    }
    out
}

/// Whether primitive `p` runs inside a container (and so is not probed on its own).
pub fn is_contained(c: &Cluster, p: usize) -> bool {
    c.rscs[p].meta.contains_key("container") && container_of(c, &RscLookup::of(c), p).is_some()
}

/// Containers that restart in place (with no reason given) because something they contain
/// failed where they run and stay.
pub(crate) fn restarts(c: &Cluster) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (p, k) in pairs(c) {
        let kr = &c.rscs[k];
        let Some(n) = kr.next else { continue };
        let stays = kr.running.len() == 1 && kr.running.contains_key(&n);
        if stays
            && kr.managed
            && kr.failed_on.is_empty()
            && c.rscs[p].failed_on.contains(&n)
            && !out.contains(&k)
        {
            out.push(k);
        }
    }
    out
}

/// Orders each contained resource's start on a node after its container's start there, and
/// its stop there before its container's stop.
pub(crate) fn order_actions(b: &mut Builder<'_>) {
    for (p, k) in pairs(b.c) {
        for i in b.rsc_actions(p).to_vec() {
            let a = &b.t.actions[i];
            if a.kind != ActionKind::Resource || a.interval_ms != 0 {
                continue;
            }
            let node = a.node;
            match a.task.as_str() {
                "start" => {
                    if let Some(s) = b.find(Some(k), "start", node) {
                        b.order(s, i);
                    }
                }
                "stop" => {
                    if let Some(s) = b.find(Some(k), "stop", node) {
                        b.order(i, s);
                    }
                }
                _ => {}
            }
        }
    }
}
