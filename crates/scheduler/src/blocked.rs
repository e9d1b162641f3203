//! Stops that can never run: a resource whose stop failed without fencing is blocked where it
//! is, so whatever has to stop before it can stop (earlier group members, the first resource
//! of a mandatory ordering) cannot stop either and stays blocked too.

use std::collections::HashMap;

use cib::model::{Cib, Constraint};

use crate::cluster::{Cluster, Variant};
use crate::rsc_lookup::RscLookup;

/// Whether blocked primitive `y` is active on `n` and cannot stop.
fn stuck(c: &Cluster, y: usize, n: usize, blocked: &HashMap<usize, String>) -> bool {
    let r = &c.rscs[y];
    r.running.contains_key(&n) && (r.blocked || blocked.contains_key(&y))
}

/// Whether primitive `x` is to stop (or restart, or move away) from where it runs.
fn stopping(c: &Cluster, x: usize, restart: &HashMap<usize, String>) -> bool {
    let r = &c.rscs[x];
    r.managed
        && !r.blocked
        && !r.running.is_empty()
        && (r.running.len() > 1
            || r.next.is_none_or(|n| !r.running.contains_key(&n))
            || restart.contains_key(&x)
            || !r.failed_on.is_empty())
}

/// The primitives whose stop is blocked by a blocked resource that must stop first, with the
/// reason for the summary ("... (blocked)").
pub fn blocked_stops(
    c: &Cluster,
    cib: &Cib,
    restart: &HashMap<usize, String>,
) -> HashMap<usize, String> {
    let mut out: HashMap<usize, String> = HashMap::new();
    let any_blocked = c
        .rscs
        .iter()
        .any(|r| r.variant == Variant::Primitive && r.blocked && !r.running.is_empty());
    if !any_blocked {
        return out;
    }
    // (x, y): x's stop comes after y's stop.
    let mut after: Vec<(usize, usize)> = Vec::new();
    for g in &c.rscs {
        if g.variant != Variant::Group {
            continue;
        }
        for (i, &x) in g.children.iter().enumerate() {
            for &y in &g.children[i + 1..] {
                after.push((x, y));
            }
        }
    }
    let lookup = RscLookup::of(c);
    for k in &cib.constraints {
        let Constraint::Order(o) = k else { continue };
        if !o.sets.is_empty()
            || !crate::orders::mandatory(o.kind.as_deref(), o.score)
            || o.symmetrical == Some(false)
            || o.first_action.as_deref().is_some_and(|a| a != "start")
        {
            continue;
        }
        let named = |id: &str| crate::orders::named_in(c, &lookup, id);
        let (Some(f), Some(t)) = (named(&o.first), named(&o.then)) else {
            continue;
        };
        for x in c.primitives(f) {
            for y in c.primitives(t) {
                after.push((x, y));
            }
        }
    }
    for _ in 0..=after.len() {
        let mut changed = false;
        for &(x, y) in &after {
            if out.contains_key(&x) || !stopping(c, x, restart) {
                continue;
            }
            let Some(&n) = c.rscs[x].running.keys().next() else {
                continue;
            };
            if !stuck(c, y, n, &out) {
                continue;
            }
            let r = &c.rscs[x];
            let reason = if r.next.is_none() && !restart.contains_key(&x) {
                "node availability".to_string()
            } else {
                format!("unrunnable {} stop", c.rscs[y].id)
            };
            out.insert(x, reason);
            changed = true;
        }
        if !changed {
            break;
        }
    }
    out
}

/// Applies the `multiple-active` policy to primitives found active on more than one node
/// (outside clones): `block` leaves them (and their whole group) blocked where they are,
/// `stop_only` stops every copy without starting it again; `stop_start` (the default)
/// recovers them.
pub fn apply_multiple_active(c: &mut Cluster) {
    for p in 0..c.rscs.len() {
        let r = &c.rscs[p];
        if r.variant != Variant::Primitive || r.running.len() < 2 || c.clone_ancestor(p).is_some() {
            continue;
        }
        match r.meta.get("multiple-active").map(String::as_str) {
            Some("block") => {
                let group = r.parent.filter(|&g| c.rscs[g].variant == Variant::Group);
                let members = match group {
                    Some(g) => c.rscs[g].children.clone(),
                    None => vec![p],
                };
                for m in members {
                    if !c.rscs[m].running.is_empty() {
                        c.rscs[m].blocked = true;
                    }
                }
            }
            Some("stop_only") => c.rscs[p].stopped_by_failure = true,
            _ => {}
        }
    }
}
