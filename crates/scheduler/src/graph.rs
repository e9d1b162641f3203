//! Ordering rules that shape the transition graph's edges the way Pacemaker draws them,
//! beyond what the decisions need: which milestones wait for which, and how members of
//! groups chain.

use crate::actions::{Action, ActionKind, Builder};
use crate::cluster::Variant;

/// Orders a container's completion milestone `end` after its beginning `begin` for `task`,
/// where Pacemaker keeps that edge: groups' and clones' `running` and `stopped`, and clones'
/// `demoted` (a group's `demoted`, any `promoted` and bundles' milestones wait only for
/// what they contain).
pub(crate) fn container_milestones(
    b: &mut Builder<'_>,
    r: usize,
    task: &str,
    begin: usize,
    end: usize,
) {
    let variant = b.c.rscs[r].variant;
    let keep = matches!(
        (variant, task),
        (Variant::Group | Variant::Clone, "start" | "stop") | (Variant::Clone, "demote")
    );
    if keep {
        b.order(begin, end);
    }
    // Probes of a clone's instances come before the clone starts anything.
    if variant == Variant::Clone && task == "start" {
        for q in b.c.primitives(r) {
            let probes: Vec<usize> = b
                .rsc_actions(q)
                .iter()
                .copied()
                .filter(|&i| is_probe(&b.t.actions[i]))
                .collect();
            for pr in probes {
                b.order(pr, begin);
            }
        }
    }
}

fn is_probe(a: &Action) -> bool {
    a.kind == ActionKind::Resource && a.task == "monitor" && a.interval_ms == 0
}

/// Orders primitive `p`'s probes before its `start`; a clone instance's probes wait for
/// nothing of the instance: they come before the clone's start milestone instead.
pub(crate) fn probes_before_start(b: &mut Builder<'_>, p: usize, probes: &[usize], start: usize) {
    if b.c.clone_ancestor(p).is_some() {
        return;
    }
    for &pr in probes {
        b.order(pr, start);
    }
}

/// Chains a group's members: each member's start waits for the start of the nearest earlier
/// member that starts, and each member's stop for the stop of the nearest later member that
/// stops (members with nothing to do are skipped, not waited for).
pub(crate) fn chain_group_members(b: &mut Builder<'_>, kids: &[usize]) {
    let mut prev_starts: Vec<usize> = Vec::new();
    for &k in kids {
        let starts = b.rsc_task(k, "start");
        if starts.is_empty() {
            continue;
        }
        // A migrating member begins with its migrate_to.
        let begins = match migration(b, k) {
            Some((to, _, _)) => vec![to],
            None => starts.clone(),
        };
        for &x in &prev_starts {
            for &y in &begins {
                order_pair(b, x, y);
            }
        }
        prev_starts = starts;
    }
    let mut later_stops: Vec<usize> = Vec::new();
    for &k in kids.iter().rev() {
        let stops = b.rsc_task(k, "stop");
        if stops.is_empty() {
            continue;
        }
        for &x in &later_stops {
            for &y in &stops {
                order_pair(b, x, y);
            }
        }
        later_stops = stops;
    }
}

/// The (migrate_to, migrate_from, start pseudo action) of a primitive that live-migrates.
fn migration(b: &Builder<'_>, r: usize) -> Option<(usize, usize, Option<usize>)> {
    let to = *b.rsc_task(r, "migrate_to").first()?;
    let from = *b.rsc_task(r, "migrate_from").first()?;
    let start = b
        .rsc_task(r, "start")
        .into_iter()
        .find(|&i| b.t.actions[i].kind == ActionKind::Pseudo);
    Some((to, from, start))
}

/// Orders `then` after `first` for an ordering between two resources, with the edges
/// Pacemaker adds around live migrations:
/// - a `then` that migrates begins with its migrate_to, which waits for the first's start
///   (or the first's migrate_from when the first migrates too), while its start pseudo
///   action waits for the first's start;
/// - a stop of a migrating resource that must wait for another resource's stop also holds
///   back its migrate_to, unless that other resource migrates as well.
pub(crate) fn order_pair(b: &mut Builder<'_>, first: usize, then: usize) {
    let (fa, ta) = (&b.t.actions[first], &b.t.actions[then]);
    let (f_rsc, t_rsc) = (fa.rsc, ta.rsc);
    let f_task = fa.task.clone();
    let t_task = ta.task.clone();
    let f_mig = f_rsc.and_then(|r| migration(b, r));
    let t_mig = t_rsc.and_then(|r| migration(b, r));
    match (f_task.as_str(), t_task.as_str()) {
        ("start", "migrate_to") => {
            let (_, _, t_start) = t_mig.unwrap_or((then, then, None));
            match f_mig {
                Some((_, f_from, Some(f_start))) if f_start == first => b.order(f_from, then),
                _ => b.order(first, then),
            }
            if let Some(s) = t_start {
                b.order(first, s);
            }
        }
        ("stop", "stop") => {
            b.order(first, then);
            if let (Some((t_to, _, _)), None) = (t_mig, f_mig) {
                b.order(first, t_to);
            }
        }
        _ => b.order(first, then),
    }
}

/// Whether a node's shutdown waits for action `a` on that node: its stops and demotions
/// (a migration away is covered by the stop that follows it).
pub(crate) fn shutdown_waits_for(a: &Action) -> bool {
    matches!(a.task.as_str(), "stop" | "demote")
}
