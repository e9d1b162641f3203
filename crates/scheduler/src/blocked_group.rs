//! Groups with members whose stop is blocked: the group still begins its stop phase (and
//! its start phase when such a member is to start again somewhere), but neither phase
//! completes; and a node whose resources cannot stop cannot shut down. A group placed on a
//! node where some member cannot run (disabled, banned, failed too often) begins its start
//! phase but never completes it either.

use crate::actions::Builder;
use crate::cluster::{Cluster, Variant};

/// Whether group `g` is placed but some member of it is not.
pub(crate) fn partly_placed(c: &Cluster, g: usize) -> bool {
    let r = &c.rscs[g];
    r.variant == Variant::Group
        && r.next.is_some()
        && r.children
            .iter()
            .any(|&k| c.rscs[k].variant == Variant::Primitive && c.rscs[k].next.is_none())
}

/// For group `g`: whether some active member cannot stop (it has to stop after something
/// blocked), and whether such a member is also to
/// start (again) somewhere (so the group's start phase begins but never completes).
pub(crate) fn blocked_members(b: &Builder<'_>, g: usize) -> (bool, bool) {
    let c = b.c;
    if c.rscs[g].variant != Variant::Group {
        return (false, false);
    }
    let mut any = false;
    let mut restarting = false;
    for &k in &c.rscs[g].children {
        if c.rscs[k].variant != Variant::Primitive || !b.stop_blocked.contains_key(&k) {
            continue;
        }
        if !c.rscs[k].running.is_empty() {
            any = true;
            restarting |= c.rscs[k].next.is_some();
        }
    }
    (any, restarting)
}

/// Whether node `n` has an active resource that cannot stop (so it cannot shut down).
pub(crate) fn node_stuck(b: &Builder<'_>, n: usize) -> bool {
    b.stop_blocked
        .keys()
        .any(|&p| b.c.rscs[p].running.contains_key(&n))
}
