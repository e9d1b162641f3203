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
        for &x in &prev_starts {
            for &y in &starts {
                b.order(x, y);
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
                b.order(x, y);
            }
        }
        later_stops = stops;
    }
}
