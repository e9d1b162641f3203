//! Ordering rules that shape the transition graph's edges the way Pacemaker draws them,
//! beyond what the decisions need: which milestones wait for which, and how members of
//! groups chain.

use crate::actions::{Action, ActionKind, Builder};
use crate::cluster::{Cluster, Variant};

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
    // What a collective's probes find decides what is stopped: its stopped milestone
    // waits for them.
    if matches!(variant, Variant::Group | Variant::Clone) && task == "stop" {
        for q in b.c.primitives(r) {
            for pr in probes_of(b, q) {
                b.order(pr, end);
            }
        }
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

/// The probes scheduled for primitive `q`.
fn probes_of(b: &Builder<'_>, q: usize) -> Vec<usize> {
    b.rsc_actions(q)
        .iter()
        .copied()
        .filter(|&i| is_probe(&b.t.actions[i]))
        .collect()
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

/// Whether collective `r`'s children act one after another: a group's members, and the
/// instances of a clone with `ordered=true`.
pub(crate) fn chained(c: &Cluster, r: usize) -> bool {
    let rsc = &c.rscs[r];
    match rsc.variant {
        Variant::Group => true,
        Variant::Clone => rsc.meta_bool("ordered", false),
        _ => false,
    }
}

/// Chains a group's members: each member's start waits for the start of the nearest earlier
/// member that starts, and each member's stop for the stop of the nearest later member that
/// stops (members with nothing to do are skipped, not waited for).
pub(crate) fn chain_group_members(b: &mut Builder<'_>, kids: &[usize], group: bool) {
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
    // A member's stop waits for the probes of the members it depends on (all earlier
    // ones) and of the member after it (whose stop it already waits for).
    for (j, &k) in kids.iter().enumerate() {
        let stops = b.rsc_task(k, "stop");
        if stops.is_empty() {
            continue;
        }
        // (Instances of an ordered clone depend on no earlier instance's probe.)
        let earlier = if group { &kids[..j] } else { &[][..] };
        let mut probes: Vec<usize> = earlier.iter().flat_map(|&e| probes_of(b, e)).collect();
        if let Some(&next) = kids.get(j + 1) {
            probes.extend(probes_of(b, next));
        }
        for &pr in &probes {
            for &st in &stops {
                b.order(pr, st);
            }
        }
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
        // Whatever a migration waits for, its start pseudo action waits for too.
        (_, "migrate_to") => {
            b.order(first, then);
            if let Some((_, _, Some(s))) = t_mig {
                b.order(first, s);
            }
        }
        _ => b.order(first, then),
    }
}

/// Whether a node's shutdown waits for action `a` on that node: its stops (demotions and
/// migrations away come before those stops anyway).
pub(crate) fn shutdown_waits_for(a: &Action) -> bool {
    a.task == "stop"
}

/// Orders a collective's phases, given its (begin, end) milestones per phase (`demote`,
/// `stop`, `start`, `promote`). Clones and bundles: stop after demoted, start after
/// stopped and demoted, promote after demoted, stopped and running. Groups (instances of
/// a promotable clone): stop after demote begins, start after stopped, promote after
/// demote begins.
pub(crate) fn order_phases(
    b: &mut Builder<'_>,
    r: usize,
    made: &std::collections::HashMap<&str, (usize, usize)>,
) {
    let begin = |task: &str| made.get(task).map(|m| m.0);
    let end = |task: &str| made.get(task).map(|m| m.1);
    let pairs: Vec<(Option<usize>, Option<usize>)> = if b.c.rscs[r].variant == Variant::Group {
        vec![
            (begin("demote"), begin("stop")),
            (end("stop"), begin("start")),
            (begin("demote"), begin("promote")),
        ]
    } else {
        vec![
            (end("demote"), begin("stop")),
            (end("stop"), begin("start")),
            (end("demote"), begin("start")),
            (end("demote"), begin("promote")),
            (end("stop"), begin("promote")),
            (end("start"), begin("promote")),
        ]
    };
    for (first, then) in pairs {
        if let (Some(f), Some(t)) = (first, then) {
            b.order(f, t);
        }
    }
}

/// Edges added once every action exists: a role change in place (promote, demote) waits
/// for the cancellation of the old role's monitors; the DC shuts down after every other
/// node; a start waits for what could contradict a `-INFINITY` colocation on its node.
pub(crate) fn finish(b: &mut Builder<'_>, cib: &cib::Cib) {
    dc_shutdown_last(b);
    anti_colocation(b, cib);
    for i in 0..b.t.actions.len() {
        let a = &b.t.actions[i];
        if a.kind != ActionKind::Resource || a.task != "cancel" {
            continue;
        }
        let (rsc, node) = (a.rsc, a.node);
        for task in ["promote", "demote"] {
            if let Some(t) = b.find(rsc, task, node) {
                b.order(i, t);
            }
        }
    }
}

/// Whether the reverse edges of an optional ordering (`kind="Optional"`) from `first` to
/// `then` are left out: a migrating `then` does not hold back the stop of a `first` that
/// stays where it is.
pub(crate) fn skip_optional_inverse(b: &Builder<'_>, first: usize, then: usize) -> bool {
    let migrates = |r: usize| b.c.primitives(r).iter().any(|&p| migration(b, p).is_some());
    migrates(then) && !migrates(first)
}

/// Whether starting (or promoting) primitive `p` waits for the fencing of node `n`: always
/// when it requires fencing; when it requires only quorum, if it may run on `n` and was
/// never seen there (it might be active there).
pub(crate) fn waits_for_fencing(c: &Cluster, p: usize, n: usize) -> bool {
    match crate::fencing::requires(c, p) {
        "fencing" | "unfencing" => true,
        "quorum" => {
            let r = &c.rscs[p];
            // Every node in a symmetric cluster; else those a location constraint names.
            let allowed = c.symmetric
                || r.allowed_any.contains(&n)
                || r.scores.get(n).is_some_and(|s| !s.is_neg_inf());
            let known = match c.clone_ancestor(p) {
                Some(k) if !c.rscs[k].unique => c.primitives(k).iter().any(|&q| {
                    c.rscs[q].config_id == r.config_id && c.rscs[q].known_on.contains(&n)
                }),
                _ => r.known_on.contains(&n),
            };
            allowed && !known
        }
        _ => false,
    }
}

/// Probes around an ordering `first` then `then` (starts): what a probe of `then` finds
/// comes before `first` stops, and what a probe of a primitive `first` finds comes before a
/// primitive `then` stops.
pub(crate) fn order_probes(b: &mut Builder<'_>, first: usize, then: usize) {
    let c = b.c;
    let stops = |b: &Builder<'_>, r: usize| -> Vec<usize> {
        if c.rscs[r].variant == Variant::Primitive {
            b.rsc_task(r, "stop")
        } else {
            b.find(Some(r), "stop", None).into_iter().collect()
        }
    };
    if c.rscs[then].variant == Variant::Primitive {
        let probes = probes_of(b, then);
        for st in stops(b, first) {
            for &pr in &probes {
                b.order(pr, st);
            }
        }
    }
    let restarts = c.rscs[then]
        .meta
        .get("restart-type")
        .is_some_and(|v| v == "restart");
    if restarts
        && c.rscs[first].variant == Variant::Primitive
        && c.rscs[then].variant == Variant::Primitive
    {
        let probes = probes_of(b, first);
        for st in b.rsc_task(then, "stop") {
            for &pr in &probes {
                b.order(pr, st);
            }
        }
    }
}

/// The DC's shutdown waits for every other node's.
fn dc_shutdown_last(b: &mut Builder<'_>) {
    let c = b.c;
    let shutdowns: Vec<(usize, bool)> = (0..b.t.actions.len())
        .filter(|&i| {
            let a = &b.t.actions[i];
            a.kind == ActionKind::Cluster && a.task.starts_with("do_shutdown")
        })
        .map(|i| (i, b.t.actions[i].node.is_some_and(|n| c.nodes[n].is_dc)))
        .collect();
    for &(dc, is_dc) in &shutdowns {
        if !is_dc {
            continue;
        }
        for &(other, other_dc) in &shutdowns {
            if !other_dc {
                b.order(other, dc);
            }
        }
    }
}

/// For two primitives that must never share a node (`-INFINITY` colocation), a start of
/// either on a node waits for the other's stop and probe there.
fn anti_colocation(b: &mut Builder<'_>, cib: &cib::Cib) {
    let c = b.c;
    let lookup = crate::rsc_lookup::RscLookup::of(c);
    let primitive = |id: &str| {
        lookup
            .id(id)
            .filter(|&r| c.rscs[r].variant == Variant::Primitive && c.rscs[r].parent.is_none())
    };
    for k in &cib.constraints {
        let cib::model::Constraint::Colocation(col) = k else {
            continue;
        };
        if !col.sets.is_empty() || !col.score.is_neg_inf() {
            continue;
        }
        let (Some(x), Some(y)) = (primitive(&col.rsc), primitive(&col.with_rsc)) else {
            continue;
        };
        for (one, other) in [(x, y), (y, x)] {
            for start in b.rsc_task(one, "start") {
                let Some(n) = b.t.actions[start].node else {
                    continue;
                };
                let before: Vec<usize> = b
                    .rsc_actions(other)
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let a = &b.t.actions[i];
                        a.node == Some(n)
                            && a.kind == ActionKind::Resource
                            && (a.task == "stop" || is_probe(a))
                    })
                    .collect();
                for i in before {
                    b.order(i, start);
                }
            }
        }
    }
}
