//! Clone notifications (`notify=true`): around each of a clone's phases (demote, stop, start,
//! promote) a pre and a post notification, each a pseudo action fanning out to `notify`
//! operations on the instances active at that moment and a confirming pseudo action.

use crate::actions::{action_name, Action, ActionKind, Builder};
use crate::cluster::{NodeKind, Role};

/// One phase of a clone and the name of its completion milestone.
const PHASES: [(&str, &str); 4] = [
    ("demote", "demoted"),
    ("stop", "stopped"),
    ("start", "running"),
    ("promote", "promoted"),
];

/// Adds the notification actions of clone `clone` for every phase the transition contains.
pub(crate) fn add_notifications(b: &mut Builder<'_>, clone: usize, fenced: &[usize]) {
    let c = b.c;
    let prims = c.primitives(clone);
    let usable = |n: usize| {
        let node = &c.nodes[n];
        node.online && !node.unclean && !fenced.contains(&n)
    };
    // (primitive, node) pairs at each point of the transition.
    let now: Vec<(usize, usize)> = prims
        .iter()
        .flat_map(|&p| c.rscs[p].running.keys().map(move |&n| (p, n)))
        .filter(|&(_, n)| usable(n))
        .collect();
    let after_stop: Vec<(usize, usize)> = now
        .iter()
        .copied()
        .filter(|&(p, n)| b.find(Some(p), "stop", Some(n)).is_none())
        .collect();
    let after_start: Vec<(usize, usize)> = prims
        .iter()
        .filter_map(|&p| {
            let r = &c.rscs[p];
            r.next
                .filter(|_| r.next_role != Role::Stopped)
                .map(|n| (p, n))
        })
        // A remote or guest node whose connection (re)starts is usable once it is up.
        .filter(|&(_, n)| {
            let node = &c.nodes[n];
            usable(n) || node.kind != NodeKind::Member && node.remote_up && !fenced.contains(&n)
        })
        .collect();

    let mut confirmed: Vec<usize> = Vec::new();
    for (task, done) in PHASES {
        let (Some(begin), Some(end)) = (
            b.find(Some(clone), task, None),
            b.find(Some(clone), done, None),
        ) else {
            continue;
        };
        let (pre_to, post_to) = match task {
            "demote" => (&now, &now),
            "stop" => (&now, &after_stop),
            "start" => (&after_stop, &after_start),
            _ => (&after_start, &after_start),
        };
        let pre = b.add(
            ActionKind::Pseudo,
            Some(clone),
            &format!("pre_notify_{task}"),
            0,
            None,
        );
        let pre_done = b.add(
            ActionKind::Pseudo,
            Some(clone),
            &format!("confirmed-pre_notify_{task}"),
            0,
            None,
        );
        let post = b.add(
            ActionKind::Pseudo,
            Some(clone),
            &format!("post_notify_{done}"),
            0,
            None,
        );
        let post_done = b.add(
            ActionKind::Pseudo,
            Some(clone),
            &format!("confirmed-post_notify_{done}"),
            0,
            None,
        );
        b.order(pre, pre_done);
        b.order(pre_done, begin);
        b.order(end, post);
        b.order(pre_done, post);
        b.order(post, post_done);
        for &(p, n) in pre_to {
            let i = push_notify(b, p, n);
            b.order(pre, i);
            b.order(i, pre_done);
        }
        for &(p, n) in post_to {
            let i = push_notify(b, p, n);
            b.order(post, i);
            b.order(i, post_done);
        }
        // Each phase's notifications begin once every earlier phase's are confirmed.
        for &prev in &confirmed {
            b.order(prev, pre);
        }
        confirmed.push(post_done);
    }
    // Recurring monitors of the instances begin once the notifications are confirmed.
    for i in 0..b.t.actions.len() {
        let a = &b.t.actions[i];
        let ours = a.rsc.is_some_and(|r| prims.contains(&r));
        if ours && a.task == "monitor" && a.interval_ms > 0 {
            for &d in &confirmed {
                b.order(d, i);
            }
        }
    }
}

/// Fencing notifications: an instance of a notifying clone (`notify` set on the clone or on
/// its primitive) whose node is fenced is stopped by the fencing, and the instances left
/// running elsewhere hear of it in a post notification of its stop. The instance gets a
/// `<instance>_post_notify_stop` pseudo action after the fencing, fanning out to `notify`
/// operations on those instances (the clone's own post-stop notification ones where it has
/// them), confirmed by `<instance>_notified`, which the clone's new recurring monitors wait for.
pub(crate) fn add_fencing_notifications(
    b: &mut Builder<'_>,
    fence_of: &dyn Fn(usize) -> Option<usize>,
) {
    let c = b.c;
    // (instance, node, fencing action) of each implied stop of a notifying instance.
    let mut implied: Vec<(usize, usize, usize)> = Vec::new();
    for a in &b.t.actions {
        let (ActionKind::Pseudo, Some(p), Some(n)) = (&a.kind, a.rsc, a.node) else {
            continue;
        };
        if a.task != "stop" || c.rscs[p].variant != crate::cluster::Variant::Primitive {
            continue;
        }
        if c.clone_ancestor(p).is_none() || !c.rscs[p].meta_bool("notify", false) {
            continue;
        }
        if let Some(f) = fence_of(n) {
            implied.push((p, n, f));
        }
    }
    if implied.is_empty() {
        return;
    }
    // The `notify` operations of the clones' post-stop notifications, by (instance, node).
    let mut post_stop: std::collections::HashMap<(usize, usize), usize> = Default::default();
    for (i, a) in b.t.actions.iter().enumerate() {
        let (Some(q), Some(m)) = (a.rsc, a.node) else {
            continue;
        };
        if a.task == "notify"
            && a.after
                .iter()
                .any(|&d| b.t.actions[d].task == "post_notify_stopped")
        {
            post_stop.insert((q, m), i);
        }
    }
    for (p, n, f) in implied {
        let Some(clone) = c.clone_ancestor(p) else {
            continue;
        };
        let prims = c.primitives(clone);
        let fenced_node = |m: usize| fence_of(m).is_some();
        // The instances running now that still run there at the end (restarts included).
        let receivers: Vec<(usize, usize)> = prims
            .iter()
            .flat_map(|&q| c.rscs[q].running.keys().map(move |&m| (q, m)))
            .filter(|&(q, m)| {
                let node = &c.nodes[m];
                let r = &c.rscs[q];
                m != n
                    && node.online
                    && !node.unclean
                    && !fenced_node(m)
                    && r.next == Some(m)
                    && r.next_role != Role::Stopped
            })
            .collect();
        let post = b.add(ActionKind::Pseudo, Some(p), "post_notify_stop", 0, None);
        b.order(f, post);
        let done = b.add(ActionKind::Pseudo, Some(p), "notified", 0, None);
        b.order(post, done);
        for (q, m) in receivers {
            let i = match post_stop.get(&(q, m)) {
                Some(&i) => i,
                None => push_notify(b, q, m),
            };
            b.order(post, i);
            b.order(i, done);
        }
        // New recurring monitors of the clone's instances wait for the confirmation.
        for &q in &prims {
            for i in b.rsc_task(q, "monitor") {
                if b.t.actions[i].interval_ms > 0 {
                    b.order(done, i);
                }
            }
        }
    }
}

/// A `notify` operation for primitive `p` on node `n` (one per notification, so never merged
/// with another).
fn push_notify(b: &mut Builder<'_>, p: usize, n: usize) -> usize {
    let c = b.c;
    let label = format!("{} notify on {}", action_name(c, p), c.nodes[n].name);
    b.t.actions.push(Action {
        kind: ActionKind::Resource,
        rsc: Some(p),
        task: "notify".to_string(),
        interval_ms: 0,
        node: Some(n),
        label,
        after: Vec::new(),
        early: false,
    });
    b.t.actions.len() - 1
}
