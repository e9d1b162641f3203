//! The `clone-one-or-more` pseudo action: an order whose first resource is a clone that
//! needs only some of its instances (clone-min, or the order's require-all="false") waits
//! on the instances' starts through one pseudo action instead of the clone's `running`.

use cib::model::Order;

use crate::actions::{ActionKind, Builder};
use crate::cluster::Variant;

/// Whether order `o` from clone `first` is satisfied by some instances rather than all.
pub(crate) fn applies(b: &Builder<'_>, o: &Order, first: usize, fa: &str, ta: &str) -> bool {
    let c = b.c;
    if fa != "start" || ta != "start" || c.rscs[first].variant != Variant::Clone {
        return false;
    }
    let clone_min = c.rscs[first]
        .meta
        .get("clone-min")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .is_some_and(|m| m > 0);
    clone_min || o.require_all == Some(false)
}

/// Orders the starts of `first`'s instances before the pseudo action, and the pseudo action
/// before `thens` (the actions standing for the then resource's start), when both happen.
pub(crate) fn link(b: &mut Builder<'_>, order_id: &str, first: usize, thens: &[usize]) {
    if thens.is_empty() {
        return;
    }
    let c = b.c;
    let starts: Vec<usize> = c
        .primitives(first)
        .iter()
        .filter_map(|&p| b.find(Some(p), "start", c.rscs[p].next))
        .collect();
    // Nothing of the first clone starts: the order is already satisfied.
    if starts.is_empty() {
        return;
    }
    let task = format!("clone-one-or-more:{order_id}");
    let pseudo = b.add(ActionKind::Pseudo, None, &task, 0, None);
    b.t.actions[pseudo].label = task;
    for s in starts {
        b.order(s, pseudo);
    }
    for &t in thens {
        b.order(pseudo, t);
    }
}

/// A clone that some order needs only partly keeps its start milestones when an instance
/// stops while others stay, even though none starts: the stopped milestone leads into an
/// empty start phase.
pub(crate) fn keep_start_milestones(b: &mut Builder<'_>, first: usize) {
    let Some(stopped) = b.find(Some(first), "stopped", None) else {
        return;
    };
    if b.find(Some(first), "start", None).is_some() {
        return;
    }
    // A clone with no instance left active has nothing to start.
    let c = b.c;
    if !c
        .primitives(first)
        .iter()
        .any(|&p| c.rscs[p].next.is_some())
    {
        return;
    }
    let start = b.add(ActionKind::Pseudo, Some(first), "start", 0, None);
    let running = b.add(ActionKind::Pseudo, Some(first), "running", 0, None);
    b.order(stopped, start);
    b.order(start, running);
}
