//! Changed agents: a primitive whose history on a node was recorded under another agent
//! (class, provider or type) than the one configured now.
//!
//! That history says nothing about the configured agent, so the scheduler deletes it on its
//! node (`delete`, after the resource's stop there and before its start there), and a
//! resource active there and staying restarts in place, with no reason given. Nothing is
//! deleted on a node that cannot take actions now (down, unclean, standby, shutting down,
//! about to be fenced); the resource still stops there when it has to.
//!
//! Also here: a reload asked of a resource whose start is still in progress is a plain
//! restart (the agent cannot reload what has not started yet).

use cib::model::{Agent, LrmResource};

use crate::actions::{ActionKind, Builder};
use crate::cluster::{Cluster, Variant};

/// The reason given for a restart that states none ("Restart X ( node )").
pub(crate) const NO_REASON: &str = "";

/// Whether history `lrm` was recorded under another agent than `configured`.
pub(crate) fn differs(configured: Option<&Agent>, lrm: &LrmResource) -> bool {
    let Some(a) = configured else {
        return false;
    };
    a.class != lrm.class || a.kind != lrm.kind || provider(&a.provider) != provider(&lrm.provider)
}

/// A provider, an empty one being none.
fn provider(p: &Option<String>) -> Option<&str> {
    p.as_deref().filter(|p| !p.is_empty())
}

/// Managed primitives active on their next node (and only there) that restart in place
/// with no reason: their history there came from another agent, or a reload was asked
/// while their start is still in progress.
pub(crate) fn restarts(c: &Cluster) -> Vec<usize> {
    let mut out = Vec::new();
    for (p, r) in c.rscs.iter().enumerate() {
        if r.variant != Variant::Primitive || !r.managed || !r.failed_on.is_empty() {
            continue;
        }
        let Some(n) = r.next else { continue };
        if r.running.len() != 1 || !r.running.contains_key(&n) {
            continue;
        }
        let pending_start = r.pending.get(&n).is_some_and(|t| t == "start");
        if r.agent_changed_on.contains(&n) || pending_start && r.reload_on.contains(&n) {
            out.push(p);
        }
    }
    out
}

/// Adds the `delete` actions of histories recorded under another agent, each after the
/// resource's stop on that node and before its start there, node by node in node order.
/// `fenced` are the nodes being fenced.
pub(crate) fn add_history_deletes(b: &mut Builder<'_>, fenced: &[usize]) {
    let c = b.c;
    let mut histories: Vec<(usize, usize)> = Vec::new();
    for (p, r) in c.rscs.iter().enumerate() {
        if r.agent_changed_on.is_empty() || !r.managed || r.blocked {
            continue;
        }
        for &n in &r.agent_changed_on {
            if crate::orphans::takes_delete(c, n) && !fenced.contains(&n) {
                histories.push((n, p));
            }
        }
    }
    histories.sort_unstable();
    for (n, p) in histories {
        let stop = b.find(Some(p), "stop", Some(n));
        let start = b.find(Some(p), "start", Some(n));
        let i = b.add(ActionKind::Resource, Some(p), "delete", 0, Some(n));
        if let Some(s) = stop {
            b.order(s, i);
        }
        if let Some(s) = start {
            b.order(i, s);
        }
    }
}
