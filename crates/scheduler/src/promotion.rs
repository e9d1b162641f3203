//! What a promotable clone's placement preferences add to the promotion scores of its
//! instances that have a promotion preference of their own (a promotion score attribute or a
//! promoted-role location score where they are placed): the clone's role-less location
//! scores, and the preferences of the resources mandatorily colocated with it. A dependent
//! colocated with the clone pulls it towards where it would like to run (its positive
//! preferences); one colocated with the promoted role also weighs, for better or worse, on
//! where the clone is promoted, unless that would leave no instance promotable. An instance
//! such a dependent pushes below zero stays promotable, last in line.

use cib::Score;

use crate::assign::Assigner;
use crate::cluster::{Cluster, NodeKind, Role};

/// An instance in the running for promotion: (score, currently promoted there, instance
/// position in the clone, instance).
pub(crate) type Candidate = (Score, bool, usize, usize);

/// Adds the clone's preferences to the promotion score of each candidate of clone `u` whose
/// entry in `preferred` is set.
pub(crate) fn add_preferences(
    a: &Assigner<'_>,
    u: usize,
    cands: &mut [Candidate],
    preferred: &[bool],
) {
    let c = &*a.c;
    let nn = c.nodes.len();
    // The candidates that take the preferences, with their nodes.
    let takers: Vec<(usize, usize)> = cands
        .iter()
        .enumerate()
        .filter(|&(i, _)| preferred.get(i).copied().unwrap_or(false))
        .filter_map(|(i, cand)| c.rscs[cand.3].next.map(|n| (i, n)))
        .collect();
    if takers.is_empty() {
        return;
    }
    // The clone's location scores (those on its primitive included).
    let mut ids = vec![c.rscs[u].config_id.clone()];
    for p in c.primitives(u) {
        if !ids.contains(&c.rscs[p].config_id) {
            ids.push(c.rscs[p].config_id.clone());
        }
    }
    for id in &ids {
        if let Some(v) = a.k.loc.get(id) {
            for &(i, n) in &takers {
                cands[i].0 = cands[i].0.plus(v[n]);
            }
        }
    }
    // Mandatory colocations with the clone, by the dependents' own preferences.
    for co in a.k.colocs.iter().filter(|co| {
        co.primary == u
            && co.dep != u
            && co.influence
            && co.score.is_pos_inf()
            && co.dep_role.is_none()
            && co.primary_role != Some(Role::Unpromoted)
    }) {
        let ds = a.base_scores(co.dep, true);
        debug_assert_eq!(ds.len(), nn);
        let promoted = co.primary_role == Some(Role::Promoted);
        let with: Vec<Score> = takers
            .iter()
            .map(|&(i, n)| {
                let d = ds[n];
                // The pull counts the positive preferences; the promoted role all of them.
                let mut s = cands[i].0;
                if d.0 > 0 {
                    s = s.plus(d);
                }
                if promoted {
                    s = s.plus(d);
                }
                s
            })
            .collect();
        if promoted && !with.iter().any(|s| s.0 >= 0) {
            continue;
        }
        for (&(i, _), s) in takers.iter().zip(with) {
            let was = cands[i].0;
            cands[i].0 = if s.0 < 0 && was.0 >= 0 { Score(1) } else { s };
        }
    }
}

/// How many instances of clone `u` are promoted on unclean members that this transition
/// cannot fence: their demotion is blocked, so they still take a promoted slot.
pub(crate) fn stuck_promoted(c: &Cluster, u: usize) -> usize {
    c.primitives(u)
        .iter()
        .filter(|&&p| {
            c.rscs[p].running.iter().any(|(&n, &role)| {
                let node = &c.nodes[n];
                role == Role::Promoted
                    && node.kind == NodeKind::Member
                    && node.unclean
                    && !node.online
                    && !crate::fencing::doomed(c, n)
            })
        })
        .count()
}
