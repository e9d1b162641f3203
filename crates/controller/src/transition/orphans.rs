//! Histories of removed resources that were still active: the scheduler plans their stop,
//! and (as Pacemaker's graph does) a `delete` of their history on every node that has
//! one, after the stop. Without it the stopped history stays in the status section until
//! some later change makes the DC schedule again, and a bulk add of the same names then
//! probes only where the history was forgotten.

use std::collections::{BTreeMap, BTreeSet};

use scheduler::{ActionKind, Cluster, Schedule};

use super::{history_id, ActionState, RunAction};

/// Appends to `actions` (the run being planned from `schedule`, one per graph action so
/// far) a history forget after the stops of each removed, active resource, on every
/// online node with a history of it, unless one is planned already.
pub(super) fn forget_after_stops(schedule: &Schedule, actions: &mut Vec<RunAction>) {
    let c: &Cluster = &schedule.before;
    let mut stops: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, a) in schedule.transition.actions.iter().enumerate() {
        let Some(p) = a.rsc else { continue };
        let r = &c.rscs[p];
        if a.kind == ActionKind::Resource && a.task == "stop" && r.orphan && r.parent.is_none() {
            stops.entry(p).or_default().push(i);
        }
    }
    if stops.is_empty() {
        return;
    }
    let mut planned: BTreeSet<(String, String)> =
        actions.iter().filter_map(|a| a.forget.clone()).collect();
    for (p, after) in stops {
        let r = &c.rscs[p];
        let id = history_id(c, p);
        let nodes: BTreeSet<usize> = r.known_on.iter().chain(r.running.keys()).copied().collect();
        for n in nodes {
            let Some(node) = c.nodes.get(n).filter(|node| node.online) else {
                continue;
            };
            let key = (id.clone(), node.name.clone());
            if !planned.insert(key.clone()) {
                continue;
            }
            actions.push(RunAction {
                after: after.clone(),
                state: ActionState::Pending,
                exec: None,
                label: format!("{id} delete on {}", node.name),
                impossible: None,
                forget: Some(key),
            });
        }
    }
}
