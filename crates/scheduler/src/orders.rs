//! Consequences of ordering: resources that must stop because what they need first cannot
//! run, and resources that must restart because what they need first (re)starts.

use std::collections::HashMap;

use cib::model::{Cib, Constraint};

use crate::cluster::{Cluster, Role, Variant};
use crate::rsc_lookup::RscLookup;

/// One mandatory ordering between two resources (or group members).
#[derive(Clone, Debug, Default)]
struct Edge {
    /// The constraint's id (empty for implied orderings).
    id: String,
    first: usize,
    first_action: String,
    then: usize,
    then_action: String,
    /// The order needs only one instance of a cloned first (an order's require-all="false").
    clone_one_or_more: bool,
    /// For a set with `require-all="false"`: the other members whose action also satisfies
    /// the ordering, and that set's id.
    one_or_more: Option<(Vec<usize>, String)>,
    /// `symmetrical="false"`: only the `then` action waits; what already runs stays.
    asymmetric: bool,
    /// An optional ordering whose `then` has `restart-type=restart`: it only restarts
    /// `then` when `first` changes.
    restart_only: bool,
}

/// The resource a constraint's id names: the clone for ids of cloned children.
pub fn named(c: &Cluster, id: &str) -> Option<usize> {
    named_in(c, &RscLookup::of(c), id)
}

/// [`named`] with a prebuilt index of `c`'s resources.
pub(crate) fn named_in(c: &Cluster, lookup: &RscLookup, id: &str) -> Option<usize> {
    let i = lookup
        .with_id(id)
        .iter()
        .copied()
        .find(|&i| c.rscs[i].parent.is_none() || !is_in_clone(c, c.rscs[i].parent))
        .or_else(|| lookup.configured(id).first().copied())?;
    Some(match c.clone_ancestor(i) {
        Some(k) if c.rscs[i].id != id || is_in_clone(c, c.rscs[i].parent) => k,
        _ => i,
    })
}

fn is_in_clone(c: &Cluster, parent: Option<usize>) -> bool {
    let mut cur = parent;
    while let Some(p) = cur {
        if c.rscs[p].variant == Variant::Clone {
            return true;
        }
        cur = c.rscs[p].parent;
    }
    false
}

pub(crate) fn mandatory(kind: Option<&str>, score: Option<cib::Score>) -> bool {
    match kind {
        Some(k) => k.eq_ignore_ascii_case("mandatory"),
        None => score.is_none_or(|s| s.0 > 0),
    }
}

fn edges(c: &Cluster, cib: &Cib) -> Vec<Edge> {
    let mut out = Vec::new();
    let lookup = RscLookup::of(c);
    let named = |c: &Cluster, id: &str| named_in(c, &lookup, id);
    for k in &cib.constraints {
        let Constraint::Order(o) = k else { continue };
        if o.sets.is_empty() {
            let (Some(f), Some(t)) = (named(c, &o.first), named(c, &o.then)) else {
                continue;
            };
            let restart_only = !mandatory(o.kind.as_deref(), o.score)
                && c.rscs[t]
                    .meta
                    .get("restart-type")
                    .is_some_and(|v| v == "restart");
            if !mandatory(o.kind.as_deref(), o.score) && !restart_only {
                continue;
            }
            let fa = o.first_action.clone().unwrap_or_else(|| "start".into());
            let ta = o.then_action.clone().unwrap_or_else(|| fa.clone());
            out.push(Edge {
                id: o.id.clone(),
                first: f,
                first_action: fa,
                then: t,
                then_action: ta,
                clone_one_or_more: o.require_all == Some(false),
                asymmetric: o.symmetrical == Some(false),
                restart_only,
                ..Edge::default()
            });
        } else {
            let mut prev: Option<(Vec<usize>, String, bool, String)> = None;
            for s in &o.sets {
                if !mandatory(s.kind.as_deref().or(o.kind.as_deref()), o.score) {
                    prev = None;
                    continue;
                }
                let act = s.action.clone().unwrap_or_else(|| "start".into());
                let members: Vec<usize> = s.resources.iter().filter_map(|r| named(c, r)).collect();
                // The members of a require-all="false" set are alternatives, not a sequence.
                if s.sequential && s.require_all {
                    for w in members.windows(2) {
                        out.push(Edge {
                            id: o.id.clone(),
                            first: w[0],
                            first_action: act.clone(),
                            then: w[1],
                            then_action: act.clone(),
                            ..Edge::default()
                        });
                    }
                }
                if let Some((pm, pa, all, set_id)) = &prev {
                    for (i, &f) in pm.iter().enumerate() {
                        if !*all && i > 0 {
                            break; // one edge per dependent carries every alternative
                        }
                        for &t in &members {
                            out.push(Edge {
                                id: o.id.clone(),
                                first: f,
                                first_action: pa.clone(),
                                then: t,
                                then_action: act.clone(),
                                one_or_more: (!*all).then(|| (pm.clone(), set_id.clone())),
                                ..Edge::default()
                            });
                        }
                    }
                }
                let tail = if s.sequential && s.require_all {
                    members.last().copied().into_iter().collect()
                } else {
                    members
                };
                prev = Some((tail, act, s.require_all, s.id.clone()));
            }
        }
    }
    // Group members: each needs the previous one.
    for r in &c.rscs {
        if r.variant != Variant::Group {
            continue;
        }
        for w in r.children.windows(2) {
            out.push(Edge {
                id: String::new(),
                first: w[0],
                first_action: "start".into(),
                then: w[1],
                then_action: "start".into(),
                ..Edge::default()
            });
        }
    }
    // Contained resources: each needs its container.
    for (p, k) in crate::container::pairs(c) {
        out.push(Edge {
            first: k,
            first_action: "start".into(),
            then: p,
            then_action: "start".into(),
            ..Edge::default()
        });
    }
    out
}

fn will_run(c: &Cluster, r: usize, action: &str) -> bool {
    if c.rscs[r].variant == Variant::Group && action == "start" {
        return c.primitives(r).iter().all(|&p| c.rscs[p].next.is_some());
    }
    c.primitives(r).iter().any(|&p| {
        let pr = &c.rscs[p];
        // Blocked where it runs: it stays, unless it failed there (it can never start).
        if pr.blocked && !pr.running.is_empty() {
            return pr.failed_on.is_empty() && pr.stop_failed_on.is_empty();
        }
        // An unmanaged resource is never started (nor promoted) by the cluster.
        if !pr.managed && pr.running.is_empty() {
            return false;
        }
        match action {
            "promote" => pr.next_role == Role::Promoted,
            _ => pr.next.is_some(),
        }
    })
}

/// Whether `r` is a clone with `clone-min` whose instances that will be active after the
/// transition (for `start`; promoted for `promote`) number fewer than that minimum.
fn clone_min_unmet(c: &Cluster, r: usize, action: &str) -> bool {
    let rsc = &c.rscs[r];
    if rsc.variant != Variant::Clone {
        return false;
    }
    let Some(min) = rsc
        .meta
        .get("clone-min")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&m| m > 0)
    else {
        return false;
    };
    let active = rsc
        .children
        .iter()
        .filter(|&&inst| {
            c.primitives(inst).iter().any(|&p| {
                let pr = &c.rscs[p];
                match action {
                    "promote" => pr.next_role == Role::Promoted,
                    _ => pr.next.is_some(),
                }
            })
        })
        .count();
    active < min
}

fn starts(c: &Cluster, r: usize, restart: &HashMap<usize, String>) -> bool {
    c.primitives(r).iter().any(|&p| {
        let pr = &c.rscs[p];
        // A running instance whose start an interleaved ordering made unrunnable.
        if pr.next.is_none() && pr.blocked_start.is_some() && !pr.running.is_empty() {
            return true;
        }
        match pr.next {
            None => false,
            Some(_) if !pr.managed => false,
            // A live migration keeps it running: what follows its start stays put.
            Some(_) if crate::live_migration::migrates(c, p, restart) => false,
            Some(n) => {
                !pr.running.contains_key(&n) || !pr.failed_on.is_empty() || restart.contains_key(&p)
            }
        }
    })
}

/// Whether some managed primitive of `r` leaves a node it is active on.
fn stops(c: &Cluster, r: usize) -> bool {
    c.primitives(r).iter().any(|&p| {
        let pr = &c.rscs[p];
        pr.managed && pr.running.keys().any(|&n| pr.next != Some(n))
    })
}

/// Whether some promoted instance of `r` is demoted in the transition (to stop, move, be
/// recovered or restarted, or stay unpromoted): what is ordered after its promotion stops
/// first.
fn demotes(c: &Cluster, r: usize, restart: &HashMap<usize, String>) -> bool {
    c.primitives(r).iter().any(|&p| {
        let pr = &c.rscs[p];
        pr.managed
            && pr.running.iter().any(|(&n, &role)| {
                role == Role::Promoted
                    && (pr.next != Some(n)
                        || pr.next_role != Role::Promoted
                        || !pr.failed_on.is_empty()
                        || restart.contains_key(&p))
            })
    })
}

fn action_word(c: &Cluster, r: usize, action: &str) -> String {
    if c.rscs[r].variant == Variant::Primitive {
        action.to_string()
    } else {
        match action {
            "start" => "running".into(),
            "promote" => "promoted".into(),
            "stop" => "stopped".into(),
            "demote" => "demoted".into(),
            a => a.to_string(),
        }
    }
}

/// The reason given for a restart caused by changed parameters.
const DEFINITION_CHANGE: &str = "resource definition change";

/// Primitives that stay where they run but whose parameters changed since they started
/// (their recorded operation digest no longer matches), so they restart in place.
pub fn definition_changes(c: &Cluster) -> HashMap<usize, String> {
    let mut out = HashMap::new();
    for (p, r) in c.rscs.iter().enumerate() {
        if r.variant != Variant::Primitive || !r.managed || !r.failed_on.is_empty() {
            continue;
        }
        let Some(n) = r.next else { continue };
        if r.running.len() == 1
            && r.running.contains_key(&n)
            && r.definition_changed_on.contains(&n)
        {
            out.insert(p, DEFINITION_CHANGE.to_string());
        }
    }
    for p in crate::container::restarts(c) {
        out.insert(p, crate::agent_change::NO_REASON.to_string());
    }
    for p in crate::agent_change::restarts(c) {
        out.insert(p, crate::agent_change::NO_REASON.to_string());
    }
    out
}

/// Whether a restart reason is the resource's own change (which an ordering's reason
/// replaces), not an ordering's.
fn own_change(why: &str) -> bool {
    why == DEFINITION_CHANGE || why == crate::agent_change::NO_REASON
}

/// Applies ordering consequences to the assigned cluster; returns the resources that must
/// restart in place (`restart` holds those already known to), with the reason.
pub fn propagate(
    c: &mut Cluster,
    cib: &Cib,
    mut restart: HashMap<usize, String>,
) -> HashMap<usize, String> {
    let edges = edges(c, cib);
    let limit = c.rscs.len() + 2;
    for _ in 0..limit {
        let mut changed = false;
        for e in &edges {
            // `restart-type=restart` after a stop: what stops first restarts `then` (no
            // reason given).
            if e.restart_only
                && e.first_action == "stop"
                && e.then_action == "stop"
                && stops(c, e.first)
            {
                for p in c.primitives(e.then) {
                    let pr = &c.rscs[p];
                    let stays = pr.next.is_some_and(|n| pr.running.contains_key(&n))
                        && pr.running.len() == 1;
                    if pr.managed && pr.failed_on.is_empty() && stays && !restart.contains_key(&p) {
                        restart.insert(p, crate::agent_change::NO_REASON.to_string());
                        changed = true;
                    }
                }
                continue;
            }
            if e.then_action != "start" && e.then_action != "promote" {
                continue;
            }
            if !matches!(e.first_action.as_str(), "start" | "promote") {
                continue;
            }
            let short = clone_min_unmet(c, e.first, &e.first_action)
                || e.clone_one_or_more
                    && c.rscs[e.first].variant == Variant::Clone
                    && !will_run(c, e.first, &e.first_action);
            let first_runs = !short
                && match &e.one_or_more {
                    Some((any, _)) => any.iter().any(|&f| will_run(c, f, &e.first_action)),
                    None => will_run(c, e.first, &e.first_action),
                };
            // (Orders needing only some instances of `first` are not matched node by node.)
            let needs_some = e.clone_one_or_more || c.rscs[e.first].meta.contains_key("clone-min");
            if first_runs
                && !needs_some
                && e.first_action == "start"
                && e.then_action == "start"
                && crate::interleave::applies(c, e.first, e.then)
            {
                changed |= crate::interleave::block_unmatched(c, e.first, e.then);
            }
            let then_prims = c.primitives(e.then);
            if !first_runs && !e.restart_only {
                let reason = if let Some((_, set_id)) = &e.one_or_more {
                    format!("unrunnable one-or-more:{set_id}")
                } else if short {
                    format!("unrunnable clone-one-or-more:{}", e.id)
                } else {
                    format!(
                        "unrunnable {} {}",
                        c.rscs[e.first].id,
                        action_word(c, e.first, &e.first_action)
                    )
                };
                // What would stay where it runs, after a resource that runs now and is
                // stopping, stops because that resource is required.
                let first_active = e.first_action == "start"
                    && e.one_or_more.is_none()
                    && !short
                    && c.rscs[e.first].variant == Variant::Primitive
                    && !c.rscs[e.first].running.is_empty();
                let required = format!("required {} start", c.rscs[e.first].id);
                // Instances of a clone that waits on a whole other clone are left unplaced
                // (no blocked start shown), unless clone-min is what is missing.
                let show_blocked = short
                    || c.rscs[e.first].variant != Variant::Clone
                    || c.clone_ancestor(e.then).is_none()
                        && c.rscs[e.then].variant != Variant::Clone;
                // Interleaved clones wait on the first clone's instance on the same node.
                let interleaved = c.rscs[e.first].variant == Variant::Clone
                    && c.rscs[e.then].variant == Variant::Clone
                    && c.rscs[e.then].meta_bool("interleave", false);
                let first_blocked: Vec<(usize, String)> = if interleaved {
                    c.rscs[e.first]
                        .children
                        .iter()
                        .filter_map(|&inst| {
                            c.primitives(inst)
                                .iter()
                                .find_map(|&q| c.rscs[q].blocked_start.as_ref().map(|b| b.0))
                                .map(|n| (n, c.rscs[inst].id.clone()))
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                for p in then_prims {
                    let pr = &mut c.rscs[p];
                    if !pr.managed {
                        continue;
                    }
                    // Already started where it stays, healthy and not restarting: an
                    // asymmetric order has nothing to hold back.
                    let stays = pr.next.is_some_and(|n| pr.running.contains_key(&n))
                        && pr.running.len() == 1
                        && pr.failed_on.is_empty()
                        && !restart.contains_key(&p);
                    if e.asymmetric && e.then_action == "start" && stays {
                        continue;
                    }
                    let own_reason = pr.next.and_then(|n| {
                        first_blocked
                            .iter()
                            .find(|(bn, _)| *bn == n)
                            .map(|(_, id)| format!("unrunnable {id} start"))
                    });
                    // (A failed one needs a new start: that start is what is unrunnable.)
                    let stays = pr.next.is_some_and(|n| pr.running.contains_key(&n))
                        && pr.failed_on.is_empty();
                    let (show_blocked, reason) = match own_reason {
                        Some(r) => (true, r),
                        None if first_active && stays => (show_blocked, required.clone()),
                        None => (show_blocked, reason.clone()),
                    };
                    if e.then_action == "promote" {
                        if pr.next_role == Role::Promoted {
                            pr.next_role = Role::Unpromoted;
                            changed = true;
                        }
                    } else if let Some(n) = pr.next {
                        if show_blocked && pr.running.is_empty() && pr.blocked_start.is_none() {
                            pr.blocked_start = Some((n, reason.clone()));
                        }
                        pr.next = None;
                        pr.next_role = Role::Stopped;
                        if pr.stop_reason.is_none() {
                            pr.stop_reason = Some(reason.clone());
                        }
                        changed = true;
                    }
                }
            } else if e.then_action == "start"
                && e.first_action == "start"
                && !needs_some
                && crate::interleave::applies(c, e.first, e.then)
            {
                for (p, reason) in crate::interleave::restarts(c, e.first, e.then, &restart) {
                    let pr = &c.rscs[p];
                    let by_order = restart.get(&p).is_some_and(|why| !own_change(why));
                    if pr.managed && !by_order && pr.failed_on.is_empty() {
                        restart.insert(p, reason);
                        changed = true;
                    }
                }
            } else if e.then_action == "start"
                && if e.first_action == "promote" {
                    demotes(c, e.first, &restart)
                } else {
                    // (A clone needed by only one of its instances restarts nothing by
                    // moving some.)
                    !(e.clone_one_or_more && c.rscs[e.first].variant == Variant::Clone)
                        && starts(c, e.first, &restart)
                        || e.restart_only && stops(c, e.first)
                }
            {
                // After a notifying clone's promotion, what follows waits for its post
                // notification.
                let notified = e.first_action == "promote"
                    && c.rscs[e.first].variant == Variant::Clone
                    && c.rscs[e.first].meta_bool("notify", false);
                let reason = format!(
                    "required {} {}",
                    c.rscs[e.first].id,
                    if notified {
                        "notified".to_string()
                    } else {
                        action_word(c, e.first, &e.first_action)
                    }
                );
                let only_on = (e.first_action == "start")
                    .then(|| crate::clone_order::changing_nodes(c, e.first, e.then, &restart))
                    .flatten();
                for p in then_prims {
                    let pr = &c.rscs[p];
                    let by_order = restart.get(&p).is_some_and(|why| !own_change(why));
                    if !pr.managed || by_order || !pr.failed_on.is_empty() {
                        continue;
                    }
                    if let Some(n) = pr.next {
                        let elsewhere = only_on.as_ref().is_some_and(|ns| !ns.contains(&n));
                        if pr.running.len() == 1 && pr.running.contains_key(&n) && !elsewhere {
                            restart.insert(p, reason.clone());
                            changed = true;
                        }
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let starts_after: Vec<(usize, usize)> = edges
        .iter()
        .filter(|e| {
            e.first_action == "start"
                && e.then_action == "start"
                && !e.restart_only
                && !e.asymmetric
        })
        .map(|e| (e.first, e.then))
        .collect();
    crate::live_migration::block_after_changing_clones(c, &starts_after, &restart);
    restart
}
