//! What interrupted live migrations in the history mean across nodes: a failed
//! `migrate_to` may have left the resource running on its target, a successful one whose
//! `migrate_from` never ran leaves it on the target (or, when the target is gone, in an
//! unknown state on the source), and a completed migration leaves nothing on the source.

use cib::model::{Cib, LrmOp};

use crate::cluster::{Cluster, Role, Variant};
use crate::fast_hash::{FastMap, FastSet};
use crate::rsc_lookup::RscLookup;

/// Whether the operation succeeded (it returned what was expected).
fn ok(op: &LrmOp) -> bool {
    op.op_status == 0 && op.rc_code == op.target_rc.unwrap_or(0) && op.call_id >= 0
}

/// When the operation's result was recorded (0 when unknown).
fn changed_at(op: &LrmOp) -> i64 {
    op.get("last-rc-change")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Applies the cross-node meaning of migration records to the unpacked state of `c`.
pub(crate) fn apply(c: &mut Cluster, cib: &Cib) {
    // Histories holding a migrate_to, by resource id.
    let mut ids: FastSet<&str> = FastSet::default();
    for st in &cib.status {
        for lrm in &st.lrm {
            if lrm.ops.iter().any(|o| o.operation == "migrate_to") {
                ids.insert(lrm.id.as_str());
            }
        }
    }
    if ids.is_empty() {
        return;
    }
    let lookup = RscLookup::of(c);
    // Each such primitive's operations per (believed) node, sorted by call id.
    let mut hist: FastMap<usize, Vec<(usize, Vec<&LrmOp>)>> = FastMap::default();
    for st in &cib.status {
        let Some(node) = c
            .nodes
            .iter()
            .position(|n| n.id == st.id || n.name == st.uname)
        else {
            continue;
        };
        for lrm in &st.lrm {
            if !ids.contains(lrm.id.as_str()) {
                continue;
            }
            let Some(p) = lookup.id(&lrm.id) else {
                continue;
            };
            if c.rscs[p].variant != Variant::Primitive || c.clone_ancestor(p).is_some() {
                continue;
            }
            let mut ops: Vec<&LrmOp> = lrm.ops.iter().collect();
            ops.sort_by_key(|o| if o.call_id < 0 { i64::MAX } else { o.call_id });
            hist.entry(p).or_default().push((node, ops));
        }
    }
    let mut rscs: Vec<usize> = hist.keys().copied().collect();
    rscs.sort_unstable();
    for p in rscs {
        let Some(per_node) = hist.get(&p) else {
            continue;
        };
        for (source, ops) in per_node {
            apply_source(c, p, *source, ops, per_node);
            // Active on both ends of a migration: the target was found first.
            let target = ops
                .iter()
                .rev()
                .find(|o| o.operation == "migrate_to")
                .and_then(|mt| mt.get("migrate_target"))
                .and_then(|t| c.node_index(t));
            let r = &mut c.rscs[p];
            if let Some(t) = target {
                if t != *source && r.running.contains_key(&t) && r.running.contains_key(source) {
                    r.listed_first = Some(t);
                }
            }
        }
    }
}

/// The effect of the migrate_to records of primitive `p` on node `source`.
fn apply_source(
    c: &mut Cluster,
    p: usize,
    source: usize,
    ops: &[&LrmOp],
    per_node: &[(usize, Vec<&LrmOp>)],
) {
    let Some(mt) = ops.iter().rev().find(|o| o.operation == "migrate_to") else {
        return;
    };
    let Some(target) = mt
        .get("migrate_target")
        .and_then(|t| c.node_index(t))
        .filter(|&t| t != source)
    else {
        return;
    };
    let target_ops: &[&LrmOp] = per_node
        .iter()
        .find(|(n, _)| *n == target)
        .map_or(&[], |(_, o)| o.as_slice());
    let target_up = c.nodes[target].online && !c.nodes[target].unclean;
    let source_active = c.rscs[p].running.contains_key(&source);
    let latest_on_source = ops.last().is_some_and(|o| std::ptr::eq(*o, *mt));
    // The target stopped (or took over) the resource after the migration began.
    let target_settled = target_ops.iter().any(|o| {
        matches!(o.operation.as_str(), "stop" | "migrate_from" | "start")
            && changed_at(o) > changed_at(mt)
    });
    if mt.op_status == -1 || mt.call_id < 0 {
        return;
    }
    if !ok(mt) {
        // A failed migration may have left the resource running on the target, unless it
        // was started on the source again since or the target settled it.
        let restarted_here = ops.iter().any(|o| {
            o.call_id > mt.call_id
                && ok(o)
                && matches!(o.operation.as_str(), "start" | "migrate_from")
        });
        // (Only a target with a history of the resource, a probe at least, counts.)
        if restarted_here || target_settled || !target_up || target_ops.is_empty() {
            return;
        }
        let r = &mut c.rscs[p];
        if r.running.contains_key(&target) || r.promotable {
            return;
        }
        r.running.insert(target, Role::Started);
        if !r.known_on.contains(&target) {
            r.known_on.push(target);
        }
        if !source_active && !r.definition_changed_on.contains(&target) {
            // Its state there is unknown: restart it.
            r.definition_changed_on.push(target);
        }
        return;
    }
    let from_done = target_ops
        .iter()
        .any(|o| o.operation == "migrate_from" && changed_at(o) >= changed_at(mt));
    let target_latest_from = target_ops
        .last()
        .is_some_and(|o| o.operation == "migrate_from" && ok(o));
    let r = &mut c.rscs[p];
    if latest_on_source && target_latest_from && r.running.contains_key(&target) {
        // A completed migration: the source's record is left over (and stopped there).
        r.running.remove(&source);
        if c.nodes[source].online && !c.nodes[source].unclean {
            c.rscs[p].dangling_source = Some(source);
        }
        return;
    }
    if from_done || target_settled || r.promotable {
        return;
    }
    if latest_on_source && !target_up {
        // Half-migrated to a node that is gone: its state on the source is unknown.
        if !r.failed_on.contains(&source) {
            r.failed_on.push(source);
        }
    } else if !source_active
        && target_up
        && !target_ops.is_empty()
        && !r.running.contains_key(&target)
    {
        // The source stopped after handing over: it runs on the target.
        r.running.insert(target, Role::Started);
        r.half_migrated = true;
        if !r.known_on.contains(&target) {
            r.known_on.push(target);
        }
    }
}
