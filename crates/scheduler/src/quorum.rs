//! `no-quorum-policy=demote`: in a partition without quorum, promoted instances of
//! promotable clones are demoted where they run (the other resources stop).

use crate::cluster::{Cluster, Role, Variant};

/// Whether primitive `p` is kept running in place, unpromoted, because the partition lacks
/// quorum and `no-quorum-policy` is `demote`: a promotable instance active on exactly the
/// node placement keeps it on.
pub fn demoted_in_place(c: &Cluster, p: usize) -> bool {
    let r = &c.rscs[p];
    !c.have_quorum
        && c.no_quorum_policy == "demote"
        && r.promotable
        && r.running.len() == 1
        && r.next.is_some_and(|n| r.running.contains_key(&n))
}

/// Under `no-quorum-policy=demote` without quorum, lowers the next role of every promotable
/// primitive kept in place (see [`demoted_in_place`]) to unpromoted.
pub fn apply_demote(c: &mut Cluster) {
    if c.have_quorum || c.no_quorum_policy != "demote" {
        return;
    }
    for p in 0..c.rscs.len() {
        if c.rscs[p].variant == Variant::Primitive
            && demoted_in_place(c, p)
            && c.rscs[p].next_role == Role::Promoted
        {
            c.rscs[p].next_role = Role::Unpromoted;
        }
    }
}

/// What the lack of quorum does to a primitive's placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Nothing: quorum is present, ignored, or not needed.
    None,
    /// It may not start, but keeps running where it is (`freeze`).
    NoStart,
    /// It stops, and may not start (`stop`, `demote` and `suicide`).
    Stop,
}

/// What the lack of quorum does to primitive `p` (promotable instances demoted in place
/// under `demote` are not held).
pub fn hold(c: &Cluster, p: usize) -> Hold {
    if c.have_quorum
        || c.no_quorum_policy == "ignore"
        || crate::fencing::requires(c, p) == "nothing"
        || demoted_in_place(c, p)
    {
        Hold::None
    } else if c.no_quorum_policy == "freeze" {
        Hold::NoStart
    } else {
        Hold::Stop
    }
}
