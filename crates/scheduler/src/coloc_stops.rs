//! Mandatory colocations after the orderings are applied: a resource that stops because
//! an ordering left it unrunnable takes down what must run with it ("due to colocation with
//! ..."), as assignment would have, had it known.

use crate::assign::Constraints;
use crate::cluster::{Cluster, Role, Variant};

/// Stops the placed dependents of mandatory colocations whose primary (a primitive or a
/// group, as is the dependent) was left with nowhere to run; returns whether any stopped.
pub(crate) fn apply(c: &mut Cluster, k: &Constraints) -> bool {
    let mut any = false;
    let simple = |c: &Cluster, u: usize| {
        matches!(c.rscs[u].variant, Variant::Primitive | Variant::Group)
            && c.clone_ancestor(u).is_none()
    };
    // Chains (a with b with c) settle within as many passes as there are colocations.
    for _ in 0..=k.colocs.len() {
        let mut changed = false;
        for co in &k.colocs {
            if co.score.0 < cib::Score::POS_INF.0
                || co.dep_role.is_some()
                || co.primary_role.is_some()
                || !simple(c, co.dep)
                || !simple(c, co.primary)
            {
                continue;
            }
            let primary_stopped = c
                .primitives(co.primary)
                .iter()
                .all(|&p| c.rscs[p].next.is_none());
            if !primary_stopped {
                continue;
            }
            let reason = format!("colocation with {}", c.rscs[co.primary].id);
            for p in c.primitives(co.dep) {
                let pr = &mut c.rscs[p];
                if pr.next.is_none() || !pr.managed {
                    continue;
                }
                pr.next = None;
                pr.next_role = Role::Stopped;
                if pr.stop_reason.is_none() {
                    pr.stop_reason = Some(reason.clone());
                }
                changed = true;
            }
            if changed && c.rscs[co.dep].variant == Variant::Group {
                c.rscs[co.dep].next = None;
                c.rscs[co.dep].next_role = Role::Stopped;
            }
        }
        any |= changed;
        if !changed {
            break;
        }
    }
    any
}
