//! Actions: what each resource must do, the Transition Summary lines, ordering between
//! actions, and the order a simulated run executes them in.

use std::collections::HashMap;

use cib::model::{Cib, Constraint};

use crate::cluster::{Cluster, NodeKind, Role, Variant};
use crate::rsc_lookup::RscLookup;

/// What an action is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// An agent operation on a node.
    Resource,
    /// A pseudo action (group/clone milestones, implied stops).
    Pseudo,
    /// Fencing a node.
    Fence,
    /// A cluster action (do_shutdown, clear_failcount).
    Cluster,
}

/// One action in the transition.
#[derive(Clone, Debug)]
pub struct Action {
    /// What kind.
    pub kind: ActionKind,
    /// Resource (primitive for resource actions; group/clone for their pseudo actions).
    pub rsc: Option<usize>,
    /// Operation (start, stop, monitor, promote, demote, migrate_to, migrate_from, ...).
    pub task: String,
    /// Interval (recurring monitors).
    pub interval_ms: u64,
    /// Node it runs on.
    pub node: Option<usize>,
    /// Text crm_simulate prints after the action label.
    pub label: String,
    /// Actions that must complete first.
    pub after: Vec<usize>,
    /// Created early by Pacemaker (monitors kept in place, stops of failed resources);
    /// affects only the graph order.
    pub early: bool,
}

/// The planned transition.
#[derive(Clone, Debug, Default)]
pub struct Transition {
    /// Transition Summary lines (without the leading `* `).
    pub summary: Vec<String>,
    /// Actions in graph order.
    pub actions: Vec<Action>,
    /// Resources in graph order (containers before their children).
    pub rsc_order: Vec<usize>,
    /// The configuration's `op_defaults` (name, value), for the graph's action attributes.
    pub op_defaults: Vec<(String, String)>,
}

/// The transition under construction, with a lookup of actions by key.
pub(crate) struct Builder<'a> {
    pub(crate) c: &'a Cluster,
    pub(crate) t: Transition,
    index: crate::action_index::ActionIndex,
    /// Actions of each resource, in creation order (indexed by resource).
    by_rsc: Vec<Vec<usize>>,
    /// Primitives whose stop waits on a blocked resource, with the reason.
    pub(crate) stop_blocked: HashMap<usize, String>,
}

/// Printed name of a primitive in resource actions (anonymous clones use history names).
pub fn action_name(c: &Cluster, p: usize) -> String {
    let r = &c.rscs[p];
    if let Some(h) = &r.history_name {
        return h.clone();
    }
    if let Some(clone) = c.clone_ancestor(p) {
        if !c.rscs[clone].unique {
            let any_bare = c.primitives(clone).iter().any(|&q| {
                c.rscs[q].config_id == r.config_id
                    && c.rscs[q].history_name.as_deref() == Some(r.config_id.as_str())
            });
            if any_bare {
                return r.config_id.clone();
            }
        }
    }
    r.id.clone()
}

impl<'a> Builder<'a> {
    pub(crate) fn add(
        &mut self,
        kind: ActionKind,
        rsc: Option<usize>,
        task: &str,
        interval_ms: u64,
        node: Option<usize>,
    ) -> usize {
        if kind != ActionKind::Cluster {
            if let Some(i) = self.index.get(rsc, task, interval_ms, node) {
                return i;
            }
        }
        let c = self.c;
        let label = match kind {
            ActionKind::Resource => {
                let name = rsc.map(|r| action_name(c, r)).unwrap_or_default();
                let op = if interval_ms > 0 {
                    format!("{task}={interval_ms}")
                } else {
                    task.to_string()
                };
                let on = node.map(|n| c.nodes[n].name.clone()).unwrap_or_default();
                format!("{name} {op} on {on}")
            }
            ActionKind::Pseudo => {
                // A primitive's implied actions carry the name its resource actions use.
                let name = rsc
                    .map(|r| match c.rscs[r].variant {
                        Variant::Primitive => action_name(c, r),
                        _ => c.rscs[r].id.clone(),
                    })
                    .unwrap_or_default();
                format!("{name}_{task}_0")
            }
            ActionKind::Fence => {
                let on = node.map(|n| c.nodes[n].name.clone()).unwrap_or_default();
                format!("{on} (reboot)")
            }
            ActionKind::Cluster => task.to_string(),
        };
        let i = self.t.actions.len();
        self.t.actions.push(Action {
            kind,
            rsc,
            task: task.to_string(),
            interval_ms,
            node,
            label,
            after: Vec::new(),
            early: false,
        });
        self.index.insert(rsc, task, interval_ms, node, i);
        if let Some(r) = rsc {
            if self.by_rsc.len() <= r {
                self.by_rsc.resize_with(r + 1, Vec::new);
            }
            self.by_rsc[r].push(i);
        }
        i
    }

    /// Indexes of the actions of resource `r`, in creation order.
    pub(crate) fn rsc_actions(&self, r: usize) -> &[usize] {
        self.by_rsc.get(r).map_or(&[], Vec::as_slice)
    }

    /// Indexes of the actions of resource `r` with task `task`, in creation order.
    pub(crate) fn rsc_task(&self, r: usize, task: &str) -> Vec<usize> {
        self.rsc_actions(r)
            .iter()
            .copied()
            .filter(|&i| self.t.actions[i].task == task)
            .collect()
    }

    pub(crate) fn find(
        &self,
        rsc: Option<usize>,
        task: &str,
        node: Option<usize>,
    ) -> Option<usize> {
        self.index.get(rsc, task, 0, node)
    }

    pub(crate) fn order(&mut self, first: usize, then: usize) {
        if first != then && !self.t.actions[then].after.contains(&first) {
            self.t.actions[then].after.push(first);
        }
    }
}

pub(crate) fn recurring_ops(c: &Cluster, p: usize, role: Role) -> Vec<u64> {
    let r = &c.rscs[p];
    let mut out = Vec::new();
    for op in &r.ops {
        if op.name != "monitor" || op.interval_ms == 0 {
            continue;
        }
        if op.get("enabled").is_some_and(|v| !cib::model::is_true(&v)) {
            continue;
        }
        // Two monitors with one interval are a configuration error: neither is scheduled.
        let duplicated = r
            .ops
            .iter()
            .filter(|o| o.name == op.name && o.interval_ms == op.interval_ms)
            .count()
            > 1;
        if duplicated {
            continue;
        }
        let op_role = op.role.as_deref().and_then(Role::parse);
        let matches = match op_role {
            None => role != Role::Promoted || !r.promotable,
            // Instances of a promotable clone are never merely "Started".
            Some(Role::Started) => !r.promotable,
            Some(Role::Unpromoted) => role == Role::Unpromoted,
            Some(Role::Promoted) => role == Role::Promoted,
            _ => false,
        };
        if matches && !out.contains(&op.interval_ms) {
            out.push(op.interval_ms);
        }
    }
    out
}

fn role_word(c: &Cluster, p: usize, role: Role) -> String {
    if c.rscs[p].promotable {
        format!("{} ", role.name())
    } else {
        String::new()
    }
}

/// Plans the transition for an assigned cluster.
pub fn plan(c: &Cluster, cib: &Cib, restart: &HashMap<usize, String>) -> Transition {
    let mut b = Builder {
        c,
        t: Transition::default(),
        index: Default::default(),
        by_rsc: vec![Vec::new(); c.rscs.len()],
        stop_blocked: crate::blocked::blocked_stops(c, cib, restart),
    };
    // Fencing of unclean nodes.
    let mut fenced: Vec<usize> = Vec::new();
    for n in 0..c.nodes.len() {
        if crate::fencing::doomed(c, n) || crate::fencing::remote_doomed(c, n) {
            fenced.push(n);
        }
    }
    // The DC is fenced last.
    fenced.sort_by_key(|&n| c.nodes[n].is_dc);
    let restart_due = restart.clone();
    for &top in &c.top {
        plan_rsc(&mut b, top, &fenced, &restart_due);
    }
    if crate::utilization::Strategy::of(c).checks_capacity() {
        add_load_stopped(&mut b);
    }
    fn walk(c: &Cluster, r: usize, out: &mut Vec<usize>) {
        let clone = c.rscs[r].variant == Variant::Clone;
        if !clone {
            out.push(r);
        }
        for &k in &c.rscs[r].children {
            walk(c, k, out);
        }
        if clone {
            out.push(r);
        }
    }
    for &top in &c.top {
        walk(c, top, &mut b.t.rsc_order);
    }
    crate::fencing::add_fencing(&mut b, &fenced);
    // Nodes shutting down leave once everything there has stopped.
    for (n, node) in c.nodes.iter().enumerate() {
        if !(node.shutdown && node.online)
            || fenced.contains(&n)
            || crate::blocked_group::node_stuck(&b, n)
        {
            continue;
        }
        let stops: Vec<usize> = (0..b.t.actions.len())
            .filter(|&i| {
                let a = &b.t.actions[i];
                a.node == Some(n) && crate::graph::shutdown_waits_for(a)
            })
            .collect();
        let label = format!("do_shutdown on {}", node.name);
        let s = b.add(ActionKind::Cluster, None, &label, 0, Some(n));
        for st in stops {
            b.order(st, s);
        }
    }
    // Fence lines come first in the summary.

    let (fence, rest): (Vec<String>, Vec<String>) =
        b.t.summary
            .iter()
            .cloned()
            .partition(|l| l.starts_with("Fence"));
    b.t.summary = fence.into_iter().chain(rest).collect();
    crate::orphans::add_history_deletes(&mut b, &fenced);
    crate::agent_change::add_history_deletes(&mut b, &fenced);
    order_constraints(&mut b, cib);
    crate::container::order_actions(&mut b);
    crate::graph::finish(&mut b, cib);
    crate::remote::order_actions(&mut b);
    crate::bundle::order_actions(&mut b);
    crate::failure_expiry::add_clear_failcounts(&mut b);
    b.t
}

/// Under a capacity-checking placement strategy, one `load_stopped_<node>` pseudo action per
/// node: what consumes capacity stops on a node before anything consuming capacity starts
/// (or migrates) there.
fn add_load_stopped(b: &mut Builder<'_>) {
    let c = b.c;
    let mut milestone = vec![0usize; c.nodes.len()];
    for n in (0..c.nodes.len()).rev() {
        let task = format!("load_stopped_{}", c.nodes[n].name);
        let i = b.add(ActionKind::Pseudo, None, &task, 0, Some(n));
        b.t.actions[i].label = task;
        milestone[n] = i;
    }
    let count = b.t.actions.len();
    for i in 0..count {
        let a = &b.t.actions[i];
        let (Some(p), Some(n)) = (a.rsc, a.node) else {
            continue;
        };
        if a.interval_ms != 0 || c.rscs[p].utilization.is_empty() {
            continue;
        }
        match a.task.as_str() {
            "stop" if a.kind == ActionKind::Resource => b.order(i, milestone[n]),
            "start" => b.order(milestone[n], i),
            "migrate_to" => {
                let target =
                    b.t.actions
                        .iter()
                        .find(|x| x.rsc == Some(p) && x.task == "migrate_from")
                        .and_then(|x| x.node);
                if let Some(m) = target {
                    b.order(milestone[m], i);
                }
            }
            _ => {}
        }
    }
}

fn plan_rsc(b: &mut Builder<'_>, r: usize, fenced: &[usize], restart_due: &HashMap<usize, String>) {
    let c = b.c;
    match c.rscs[r].variant {
        Variant::Primitive => {
            plan_primitive(b, r, fenced, restart_due);
            crate::stopped_monitor::plan(b, r);
        }
        Variant::Bundle => {
            for k in crate::bundle::plan_sequence(c, r) {
                plan_rsc(b, k, fenced, restart_due);
            }
            if let Some(k) = crate::bundle::info(c, r).and_then(|i| i.clone) {
                add_container_pseudo(b, k);
                if c.rscs[k].meta_bool("notify", false) {
                    crate::notify::add_notifications(b, k, fenced);
                }
            }
            add_container_pseudo(b, r);
        }
        Variant::Group | Variant::Clone => {
            for &k in &c.rscs[r].children.clone() {
                plan_rsc(b, k, fenced, restart_due);
            }
            add_container_pseudo(b, r);
            if c.rscs[r].variant == Variant::Clone && c.rscs[r].meta_bool("notify", false) {
                crate::notify::add_notifications(b, r, fenced);
            }
        }
    }
}

/// Adds the group/clone milestone pseudo actions around the children's actions.
fn add_container_pseudo(b: &mut Builder<'_>, r: usize) {
    let c = b.c;
    let kids = c.rscs[r].children.clone();
    let child_actions = |b: &Builder<'_>, task: &str| -> Vec<usize> {
        let mut out = Vec::new();
        for &k in &kids {
            for &i in b.rsc_actions(k) {
                let a = &b.t.actions[i];
                // A nested container stands in by its completion milestone only.
                let nested_begin = a.kind == ActionKind::Pseudo && a.node.is_none();
                if a.task == task
                    && a.interval_ms == 0
                    && a.kind != ActionKind::Fence
                    && !nested_begin
                {
                    out.push(i);
                }
                // Nested containers expose their milestones.
                if a.kind == ActionKind::Pseudo {
                    let done = match task {
                        "stop" => "stopped",
                        "start" => "running",
                        "promote" => "promoted",
                        "demote" => "demoted",
                        _ => "",
                    };
                    if a.task == done {
                        out.push(i);
                    }
                }
            }
        }
        out
    };
    let pairs = [
        ("demote", "demoted"),
        ("stop", "stopped"),
        ("start", "running"),
        ("promote", "promoted"),
    ];
    let mut made: HashMap<&str, (usize, usize)> = HashMap::new();
    let (stuck, stuck_restart) = crate::blocked_group::blocked_members(b, r);
    for (task, done) in pairs {
        let acts = child_actions(b, task);
        let acts: Vec<usize> = acts
            .into_iter()
            .filter(|&i| {
                b.t.actions[i].kind == ActionKind::Resource
                    || b.t.actions[i].task == done
                    || b.t.actions[i].kind == ActionKind::Pseudo && b.t.actions[i].task == task
            })
            .collect();
        // A clone whose running instance's restart an interleaved ordering left unrunnable
        // still passes through its start milestones.
        let unrunnable_start = task == "start"
            && c.rscs[r].variant == Variant::Clone
            && c.primitives(r).iter().any(|&p| {
                let pr = &c.rscs[p];
                pr.next.is_none() && pr.blocked_start.is_some() && !pr.running.is_empty()
            });
        // A group with a member that cannot stop begins its stop phase (and its start
        // phase when that member is to start again) without completing it.
        let stuck_phase = match task {
            "stop" => stuck,
            "start" => stuck_restart,
            _ => false,
        };
        if stuck_phase {
            let begin = b.add(ActionKind::Pseudo, Some(r), task, 0, None);
            for &a in &acts {
                b.order(begin, a);
            }
            continue;
        }
        if acts.is_empty() && !unrunnable_start {
            continue;
        }
        let begin = b.add(ActionKind::Pseudo, Some(r), task, 0, None);
        if task == "start" && crate::blocked_group::partly_placed(c, r) {
            // Members that cannot start keep the group from ever running.
            for &a in &acts {
                b.order(begin, a);
            }
            made.insert(task, (begin, begin));
            continue;
        }
        let end = b.add(ActionKind::Pseudo, Some(r), done, 0, None);
        for &a in &acts {
            let inner_begin =
                if b.t.actions[a].kind == ActionKind::Pseudo && b.t.actions[a].task == done {
                    let k = b.t.actions[a].rsc;
                    b.find(k, task, None)
                } else {
                    Some(a)
                };
            if let Some(ib) = inner_begin {
                b.order(begin, ib);
            }
            b.order(a, end);
        }
        crate::graph::container_milestones(b, r, task, begin, end);
        made.insert(task, (begin, end));
    }
    crate::graph::order_phases(b, r, &made);
    // A group placed in a partition without quorum still begins its (empty) start phase.
    if c.rscs[r].variant == Variant::Group && !made.contains_key("start") {
        let held = c.primitives(r).iter().any(|&p| {
            c.rscs[p].next.is_some() && crate::quorum::hold(c, p) == crate::quorum::Hold::Stop
        });
        if held {
            let begin = b.add(ActionKind::Pseudo, Some(r), "start", 0, None);
            if let Some(&(_, stopped)) = made.get("stop") {
                b.order(stopped, begin);
            }
        }
    }
    // Group members (and instances of an ordered clone) start in order and stop in reverse.
    if crate::graph::chained(c, r) {
        crate::graph::chain_group_members(b, &kids, c.rscs[r].variant == Variant::Group);
    }
}

fn plan_primitive(
    b: &mut Builder<'_>,
    p: usize,
    fenced: &[usize],
    restart_due: &HashMap<usize, String>,
) {
    let c = b.c;
    let r = &c.rscs[p];
    // Probes where the resource has never been seen.
    let mut probes = Vec::new();
    if !r.orphan && !crate::container::is_contained(c, p) {
        // The instances of an anonymous clone sharing this primitive's configuration.
        let siblings: Option<Vec<usize>> = match c.clone_ancestor(p) {
            Some(k) if !c.rscs[k].unique => Some(
                c.primitives(k)
                    .into_iter()
                    .filter(|&q| c.rscs[q].config_id == r.config_id)
                    .collect(),
            ),
            _ => None,
        };
        let known: Vec<usize> = match &siblings {
            Some(s) => s
                .iter()
                .flat_map(|&q| c.rscs[q].known_on.iter().copied())
                .collect(),
            None => r.known_on.clone(),
        };
        for n in 0..c.nodes.len() {
            let node = &c.nodes[n];
            let up = match node.kind {
                NodeKind::Member => node.online && !node.unclean && !node.pending,
                _ => crate::remote::probe_on(c, n, fenced) && !crate::remote::members_only(c, p),
            };
            if !up
                || known.contains(&n)
                || r.no_discovery.contains(&n)
                || crate::bundle::probe_excluded(c, p, n)
            {
                continue;
            }
            if node.kind != NodeKind::Member
                && r.agent.as_ref().is_some_and(|a| a.class == "stonith")
            {
                continue;
            }
            if let Some(siblings) = &siblings {
                // One probe per node, by the instance placed there (or the first).
                let owner = siblings
                    .iter()
                    .copied()
                    .find(|&q| c.rscs[q].next == Some(n))
                    .or_else(|| siblings.iter().copied().find(|&q| c.rscs[q].next.is_none()))
                    .or(siblings.first().copied());
                if owner != Some(p) {
                    continue;
                }
            }
            probes.push(n);
        }
    }
    if !r.managed && crate::maintenance::in_maintenance(c, p) {
        crate::maintenance::cancel_monitors(b, p);
        for n in probes {
            b.add(ActionKind::Resource, Some(p), "monitor", 0, Some(n));
        }
        return;
    }
    if !r.managed {
        crate::unmanaged::monitors(b, p);
        for n in probes {
            b.add(ActionKind::Resource, Some(p), "monitor", 0, Some(n));
        }
        return;
    }

    let cur: Vec<(usize, Role)> = r.running.iter().map(|(&n, &ro)| (n, ro)).collect();
    let stuck = crate::fencing::stuck_stops(c, p, fenced);
    if !stuck.is_empty() {
        b.t.summary.extend(stuck);
        for n in probes {
            b.add(ActionKind::Resource, Some(p), "monitor", 0, Some(n));
        }
        return;
    }
    if let Some(why) = b.stop_blocked.get(&p).cloned() {
        // Its stop waits on a blocked resource's: it stays as it is.
        for &(a, role) in &cur {
            b.t.summary.push(format!(
                "Stop {} ( {}{} ) due to {why} (blocked)",
                r.id,
                role_word(c, p, role),
                c.nodes[a].name
            ));
        }
        for n in probes {
            b.add(ActionKind::Resource, Some(p), "monitor", 0, Some(n));
        }
        return;
    }
    if r.blocked && !cur.is_empty() {
        // A failed stop without fencing: nothing may be done to it.
        for n in probes {
            b.add(ActionKind::Resource, Some(p), "monitor", 0, Some(n));
        }
        return;
    }
    let failed = !r.failed_on.is_empty();

    let mut next = r.next;
    // Without quorum, resources that need it may not start (and stop under policy stop).
    let needs_quorum = crate::fencing::requires(c, p) != "nothing";
    if !c.have_quorum && needs_quorum && c.no_quorum_policy != "ignore" {
        let freeze = c.no_quorum_policy == "freeze";
        if cur.is_empty() {
            if let Some(n) = next {
                let why = if freeze { "quorum freeze" } else { "no quorum" };
                // A blocked start to the promoted role is shown as its promotion.
                let line = if r.next_role == Role::Promoted {
                    format!(
                        "Promote {} ( Stopped -> Promoted {} ) blocked",
                        r.id, c.nodes[n].name
                    )
                } else {
                    format!(
                        "Start {} ( {} ) due to {why} (blocked)",
                        r.id, c.nodes[n].name
                    )
                };
                b.t.summary.push(line);
                for n in probes {
                    b.add(ActionKind::Resource, Some(p), "monitor", 0, Some(n));
                }
                return;
            }
        } else if freeze || crate::quorum::demoted_in_place(c, p) {
            // An active resource keeps running (frozen, or demoted in place).
        } else if next.is_some() || !cur.is_empty() {
            next = None;
        }
    }

    if cur.is_empty() && next.is_none() {
        if let Some((n, why)) = &r.blocked_start {
            let line = if why.is_empty() {
                format!("Start {} ( {} ) blocked", r.id, c.nodes[*n].name)
            } else {
                format!(
                    "Start {} ( {} ) due to {why} (blocked)",
                    r.id, c.nodes[*n].name
                )
            };
            b.t.summary.push(line);
            for n in probes {
                b.add(ActionKind::Resource, Some(p), "monitor", 0, Some(n));
            }
            return;
        }
    }

    let next_role = r.next_role;
    let name = r.id.clone();
    let nodename = |n: usize| c.nodes[n].name.clone();
    let mut stops: Vec<usize> = Vec::new();
    let mut start: Option<usize> = None;

    let stop_on = |b: &mut Builder<'_>, n: usize, role: Role| -> usize {
        let mut demote = None;
        if role == Role::Promoted {
            demote = Some(if fenced.contains(&n) {
                b.add(ActionKind::Pseudo, Some(p), "demote", 0, Some(n))
            } else {
                let d = b.add(ActionKind::Resource, Some(p), "demote", 0, Some(n));
                // On a bundle guest going away, the promoted monitors end first.
                if crate::bundle::guest_leaving(c, n) {
                    let keep = recurring_ops(c, p, Role::Promoted);
                    let mut old: Vec<u64> = c.rscs[p]
                        .recurring
                        .iter()
                        .filter(|(rn, op, i)| *rn == n && op == "monitor" && keep.contains(i))
                        .map(|(_, _, i)| *i)
                        .collect();
                    old.sort_unstable();
                    old.dedup();
                    for interval in old {
                        let k = b.add(ActionKind::Resource, Some(p), "cancel", interval, Some(n));
                        b.t.actions[k].early = true;
                        b.order(k, d);
                    }
                }
                d
            });
        }
        let s = if fenced.contains(&n) {
            b.add(ActionKind::Pseudo, Some(p), "stop", 0, Some(n))
        } else {
            b.add(ActionKind::Resource, Some(p), "stop", 0, Some(n))
        };
        if let Some(d) = demote {
            b.order(d, s);
        }
        s
    };

    match (cur.as_slice(), next) {
        ([], None) => {}
        ([], Some(n)) => {
            let s = b.add(ActionKind::Resource, Some(p), "start", 0, Some(n));
            start = Some(s);
            if next_role == Role::Promoted {
                b.t.summary.push(format!(
                    "Promote {name} ( Stopped -> Promoted {} )",
                    nodename(n)
                ));
            } else {
                b.t.summary
                    .push(format!("Start {name} ( {} )", nodename(n)));
            }
        }
        (&[(a, role)], Some(n)) if a == n => {
            let restart = restart_due.get(&p);
            if failed || restart.is_some() {
                let st = stop_on(b, a, role);
                if failed {
                    b.t.actions[st].early = true;
                }
                stops.push(st);

                let s = b.add(ActionKind::Resource, Some(p), "start", 0, Some(n));
                b.order(st, s);
                start = Some(s);
                // A role change riding on the restart shows as "Old -> New".
                let mut roles = role_word(c, p, role);
                if r.promotable && next_role != role {
                    roles = format!("{} -> {} ", role.name(), next_role.name());
                }
                if failed {
                    b.t.summary
                        .push(format!("Recover {name} ( {roles}{} )", nodename(n)));
                } else if restart.is_some_and(|why| why.is_empty()) {
                    b.t.summary
                        .push(format!("Restart {name} ( {roles}{} )", nodename(n)));
                } else if let Some(reason) = restart {
                    b.t.summary.push(format!(
                        "Restart {name} ( {roles}{} ) due to {reason}",
                        nodename(n)
                    ));
                }
            } else if r.pending.get(&n).is_some_and(|t| t == "start") {
                // A start still in progress where it stays is asked for again (the summary
                // has nothing to say: it is already starting there).
                start = Some(b.add(ActionKind::Resource, Some(p), "start", 0, Some(n)));
            } else if role == next_role && r.managed && r.reload_on.contains(&n) {
                // Only reloadable parameters changed: the agent reloads them in place.
                b.add(ActionKind::Resource, Some(p), "reload-agent", 0, Some(n));
                b.t.summary
                    .push(format!("Reload {name} ( {} )", nodename(n)));
            } else if role != next_role && r.promotable {
                if next_role == Role::Promoted {
                    b.t.summary.push(format!(
                        "Promote {name} ( {} -> Promoted {} )",
                        role.name(),
                        nodename(n)
                    ));
                } else {
                    b.t.summary.push(format!(
                        "Demote {name} ( Promoted -> {} {} )",
                        next_role.name(),
                        nodename(n)
                    ));
                    b.add(ActionKind::Resource, Some(p), "demote", 0, Some(n));
                }
            }
        }
        (&[(a, role)], Some(n)) if can_migrate(c, p, a, fenced) => {
            let mt = b.add(ActionKind::Resource, Some(p), "migrate_to", 0, Some(a));
            let mf = b.add(ActionKind::Resource, Some(p), "migrate_from", 0, Some(n));
            b.order(mt, mf);
            let st = b.add(ActionKind::Resource, Some(p), "stop", 0, Some(a));
            b.order(mf, st);
            let s = b.add(ActionKind::Pseudo, Some(p), "start", 0, Some(n));
            b.order(mf, s);
            b.order(st, s);
            let _ = role;
            start = Some(s);
            b.t.summary.push(format!(
                "Migrate {name} ( {} -> {} )",
                nodename(a),
                nodename(n)
            ));
        }
        (&[(a, role)], Some(n)) => {
            let st = stop_on(b, a, role);
            stops.push(st);
            let s = b.add(ActionKind::Resource, Some(p), "start", 0, Some(n));
            b.order(st, s);
            start = Some(s);
            let verb = if failed { "Recover" } else { "Move" };

            if r.promotable {
                b.t.summary.push(format!(
                    "{verb} {name} ( {} {} -> {} {} )",
                    role.name(),
                    nodename(a),
                    next_role.name(),
                    nodename(n)
                ));
            } else {
                let why = r
                    .migration_blocked
                    .as_ref()
                    .map(|w| format!(" due to {w}"))
                    .unwrap_or_default();
                b.t.summary.push(format!(
                    "{verb} {name} ( {} -> {} ){why}",
                    nodename(a),
                    nodename(n)
                ));
            }
        }
        (&[(a, role)], None) => {
            let st = stop_on(b, a, role);
            stops.push(st);
            // Instances beyond a configured clone's clone-max, and resources gone from the
            // configuration, stop for lack of a place.
            let reason = if r.orphan {
                " due to node availability".to_string()
            } else if let Some(why) = &r.stop_reason {
                // An empty reason: the stop is what is left of an unrunnable restart.
                if why.is_empty() {
                    String::new()
                } else {
                    format!(" due to {why}")
                }
            } else if !c.have_quorum
                && (matches!(c.no_quorum_policy.as_str(), "stop" | "demote")
                    || c.no_quorum_policy == "suicide" && !fenced.contains(&a))
                && needs_quorum
            {
                " due to no quorum".to_string()
            } else {
                " due to node availability".to_string()
            };
            b.t.summary.push(format!(
                "Stop {name} ( {}{} ){reason}",
                role_word(c, p, role),
                nodename(a)
            ));
        }
        (many, target) => {
            let many = &crate::multi_active::in_status_order(c, r, many);
            let kept = crate::multi_active::kept_instance(r, many, target);
            for &(a, role) in many {
                if Some(a) == kept {
                    continue;
                }
                let st = stop_on(b, a, role);
                stops.push(st);
            }
            if let Some(n) = target {
                let kind = if kept.is_some() {
                    ActionKind::Pseudo
                } else {
                    ActionKind::Resource
                };
                let s = b.add(kind, Some(p), "start", 0, Some(n));
                for &st in &stops {
                    b.order(st, s);
                }
                start = Some(s);
                let mut line =
                    crate::multi_active::summary(&name, many, n, next_role, failed, &nodename);
                if kept.is_some() && failed {
                    line.push_str(" due to being multiply active");
                }
                b.t.summary.push(line);
            } else {
                for &(a, _) in many {
                    b.t.summary.push(format!(
                        "Stop {name} ( {} ) due to node availability",
                        nodename(a)
                    ));
                }
            }
        }
    }
    if failed {
        for &st in &stops {
            b.t.actions[st].early = true;
        }
    }
    // Promotion after start.

    let mut promote = None;
    if let Some(n) = next {
        let cur_role = r.running.get(&n).copied();
        let restarted = start.is_some();
        if next_role == Role::Promoted && (restarted || cur_role != Some(Role::Promoted)) {
            let pr = b.add(ActionKind::Resource, Some(p), "promote", 0, Some(n));
            if let Some(s) = start {
                b.order(s, pr);
            }
            promote = Some(pr);
        }
    }
    // Recurring monitors for the new role where missing.
    if let Some(n) = next {
        let changed_role = r.running.get(&n).copied() != Some(next_role);
        for interval in recurring_ops(c, p, next_role) {
            let have = r
                .recurring
                .iter()
                .any(|(rn, op, i)| *rn == n && op == "monitor" && *i == interval)
                && !r.stale_recurring.contains(&(n, interval))
                && !crate::remote::reconnects(c, n, fenced);
            if start.is_some() || changed_role || !have {
                let m = b.add(ActionKind::Resource, Some(p), "monitor", interval, Some(n));
                if r.running.contains_key(&n) && (start.is_some() || changed_role) {
                    b.t.actions[m].early = true;
                }

                if let Some(s) = start {
                    b.order(s, m);
                }
                if let Some(pr) = promote {
                    b.order(pr, m);
                }
                if let Some(d) = b.find(Some(p), "demote", Some(n)) {
                    b.order(d, m);
                }
                // A monitor rescheduled with reloaded parameters waits for the reload.
                if let Some(rl) = b.find(Some(p), "reload-agent", Some(n)) {
                    b.order(rl, m);
                }
            }
        }
        // A role change in place ends the monitors of the old role.
        if start.is_none() && changed_role && r.running.contains_key(&n) {
            let keep = recurring_ops(c, p, next_role);
            let was = r
                .running
                .get(&n)
                .map(|&role| recurring_ops(c, p, role))
                .unwrap_or_default();
            let mut old: Vec<u64> = r
                .recurring
                .iter()
                .filter(|(rn, op, i)| {
                    *rn == n && op == "monitor" && was.contains(i) && !keep.contains(i)
                })
                .map(|(_, _, i)| *i)
                .collect();
            old.sort_unstable();
            old.dedup();
            for interval in old {
                let a = b.add(ActionKind::Resource, Some(p), "cancel", interval, Some(n));
                b.t.actions[a].early = true;
            }
        }
        // Recorded monitors whose interval is no longer configured are cancelled.
        let stays = start.is_none() && !changed_role && r.running.contains_key(&n);
        crate::orphans::cancel_orphaned_monitors(b, p, stays, fenced);
    }
    stops.extend(crate::live_migration::stop_dangling_source(b, p, fenced));
    // Probes (ordered before any start).
    let mut probe_actions = Vec::new();
    for n in probes {
        probe_actions.push(b.add(ActionKind::Resource, Some(p), "monitor", 0, Some(n)));
    }
    if let Some(s) = start {
        crate::graph::probes_before_start(b, p, &probe_actions, s);
        for &st in &stops {
            b.order(st, s);
        }
    }
}

fn order_constraints(b: &mut Builder<'_>, cib: &Cib) {
    let c = b.c;
    let lookup = RscLookup::of(c);
    let refs = crate::tags::Refs::new(cib);
    for k in &cib.constraints {
        let Constraint::Order(o) = k else { continue };
        // (first, its action, then, its action, the require-all="false" set it leaves).
        let mut pairs: Vec<(String, String, String, String, Option<String>)> = Vec::new();
        if o.sets.is_empty() {
            let fa = o.first_action.clone().unwrap_or_else(|| "start".into());
            let ta = o.then_action.clone().unwrap_or_else(|| fa.clone());
            pairs.push((o.first.clone(), fa, o.then.clone(), ta, None));
        } else {
            let mut prev: Option<(Vec<String>, String, Option<String>)> = None;
            for s in &o.sets {
                let act = s.action.clone().unwrap_or_else(|| "start".into());
                // The members of a require-all="false" set are alternatives, not a sequence.
                if s.sequential && s.require_all {
                    for w in s.resources.windows(2) {
                        pairs.push((w[0].clone(), act.clone(), w[1].clone(), act.clone(), None));
                    }
                }
                // A sequential set is entered through its first member.
                let entry: &[String] = if s.sequential {
                    &s.resources[..s.resources.len().min(1)]
                } else {
                    &s.resources
                };
                if let Some((pr, pa, any)) = &prev {
                    for a in pr {
                        for t in entry {
                            pairs.push((
                                a.clone(),
                                pa.clone(),
                                t.clone(),
                                act.clone(),
                                any.clone(),
                            ));
                        }
                    }
                }
                let tail = if s.sequential && s.require_all {
                    s.resources.last().cloned().into_iter().collect()
                } else {
                    s.resources.clone()
                };
                prev = Some((tail, act, (!s.require_all).then(|| s.id.clone())));
            }
        }
        let symmetrical = o
            .symmetrical
            .unwrap_or(o.kind.as_deref() != Some("Serialize"));
        let pairs: Vec<_> = pairs
            .into_iter()
            .flat_map(|(f, fa, t, ta, any)| {
                let ts = refs.expand(&t);
                refs.expand(&f).into_iter().flat_map(move |f| {
                    let (fa, ta, any) = (fa.clone(), ta.clone(), any.clone());
                    ts.clone()
                        .into_iter()
                        .map(move |t| (f.clone(), fa.clone(), t, ta.clone(), any.clone()))
                })
            })
            .collect();
        for (f, fa, t, ta, any) in pairs {
            let (Some(fi), Some(ti)) = (top_by_id(c, &lookup, &f), top_by_id(c, &lookup, &t))
            else {
                continue;
            };
            if o.sets.is_empty() && crate::one_or_more::applies(b, o, fi, &fa, &ta) {
                let thens = endpoints(b, ti, &ta, false);
                crate::one_or_more::link(b, &o.id, fi, &thens);
                crate::one_or_more::keep_start_milestones(b, fi);
            } else if let Some(set_id) = any {
                one_or_more(b, &set_id, fi, &fa, ti, &ta);
            } else {
                link(b, fi, &fa, ti, &ta);
                if o.sets.is_empty() && fa == "start" && ta == "start" {
                    crate::graph::order_probes(b, fi, ti);
                }
            }
            let optional = o
                .kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("optional"))
                || o.kind.is_none() && o.score.is_some_and(|s| s.0 == 0);
            if symmetrical && !(optional && crate::graph::skip_optional_inverse(b, fi, ti)) {
                if let (Some(rfa), Some(rta)) = (invert(&ta), invert(&fa)) {
                    link(b, ti, rfa, fi, rta);
                }
            }
        }
    }
}

fn invert(task: &str) -> Option<&'static str> {
    match task {
        "start" => Some("stop"),
        "stop" => Some("start"),
        "promote" => Some("demote"),
        "demote" => Some("promote"),
        _ => None,
    }
}

/// The first resource printed as `id`, or configured as `id` outside a clone.
fn top_by_id(c: &Cluster, lookup: &RscLookup, id: &str) -> Option<usize> {
    let printed = lookup.id(id);
    let configured = lookup.configured(id).iter().copied().find(|&i| {
        c.rscs[i]
            .parent
            .is_none_or(|p| c.rscs[p].variant != Variant::Clone)
    });
    match (printed, configured) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Actions standing for `task` of resource `r`: its own, or its pseudo milestone.
fn endpoints(b: &Builder<'_>, r: usize, task: &str, as_first: bool) -> Vec<usize> {
    let c = b.c;
    if c.rscs[r].variant == Variant::Primitive {
        // A resource that migrates in begins its start with migrate_to.
        let task = if !as_first && task == "start" {
            let migrates = b
                .rsc_actions(r)
                .iter()
                .any(|&i| b.t.actions[i].task == "migrate_to");
            if migrates {
                "migrate_to"
            } else {
                task
            }
        } else {
            task
        };
        return b
            .rsc_actions(r)
            .iter()
            .copied()
            .filter(|&i| b.t.actions[i].task == task && b.t.actions[i].interval_ms == 0)
            .collect();
    }
    let name = if as_first {
        match task {
            "start" => "running",
            "stop" => "stopped",
            "promote" => "promoted",
            "demote" => "demoted",
            other => other,
        }
    } else {
        task
    };
    // What follows a notifying clone's phase waits for its post notification.
    if as_first {
        let confirmed = format!("confirmed-post_notify_{name}");
        if let Some(i) = b.find(Some(r), &confirmed, None) {
            return vec![i];
        }
    }
    b.find(Some(r), name, None).into_iter().collect()
}

/// Orders `then` after the pseudo action standing for "any member of set `set_id` did
/// `fa`", and `first` before it. The pseudo action exists only while some member can act.
fn one_or_more(b: &mut Builder<'_>, set_id: &str, first: usize, fa: &str, then: usize, ta: &str) {
    let name = format!("one-or-more:{set_id}");
    let runnable = b.c.primitives(first).iter().any(|&p| {
        let pr = &b.c.rscs[p];
        match fa {
            "promote" => pr.next_role == Role::Promoted,
            _ => pr.next.is_some(),
        }
    });
    let existing = b.find(None, &name, None);
    let thens = endpoints(b, then, ta, false);
    let pseudo = match existing {
        Some(i) => i,
        // Nothing to start after the set: the pseudo action is not needed.
        None if runnable && !thens.is_empty() => {
            let i = b.add(ActionKind::Pseudo, None, &name, 0, None);
            b.t.actions[i].label = name.clone();
            i
        }
        None => return,
    };
    for f in endpoints(b, first, fa, true) {
        b.order(f, pseudo);
    }
    for t in thens {
        b.order(pseudo, t);
    }
}

fn link(b: &mut Builder<'_>, first: usize, fa: &str, then: usize, ta: &str) {
    let firsts = endpoints(b, first, fa, true);
    let thens = endpoints(b, then, ta, false);
    for &f in &firsts {
        for &t in &thens {
            crate::graph::order_pair(b, f, t);
        }
    }
}

/// The order a simulated run executes the actions in: passes over the graph in order, where
/// pseudo actions complete at once and others at the end of their pass.
pub fn execution_order(t: &Transition) -> Vec<usize> {
    let n = t.actions.len();
    let mut done = vec![false; n];
    let mut fired = vec![false; n];
    let mut out = Vec::new();
    let graph_order = graph_order(t);
    loop {
        let mut progressed = false;
        for &i in &graph_order {
            if fired[i] {
                continue;
            }
            if t.actions[i].after.iter().all(|&d| done[d]) {
                fired[i] = true;
                progressed = true;
                out.push(i);
                done[i] = true;
            }
        }

        if !progressed {
            break;
        }
    }
    out
}

/// Graph (synapse) order: fencing and cluster actions, then per resource (in display order)
/// its milestones before its children's actions.
pub fn graph_order(t: &Transition) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    let mut unowned: Vec<usize> = Vec::new();
    let mut by_rsc: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, a) in t.actions.iter().enumerate() {
        match a.rsc {
            Some(r) => by_rsc.entry(r).or_default().push(i),
            None => unowned.push(i),
        }
    }
    let rank = |i: usize| -> u8 {
        let a = &t.actions[i];
        if a.kind == ActionKind::Pseudo && a.node.is_none() {
            return match a.task.as_str() {
                "start" => 0,
                "running" => 1,
                "stop" => 2,
                "stopped" => 3,
                "promote" => 4,
                "promoted" => 5,
                "demote" => 6,
                _ => 7,
            };
        }
        match a.task.as_str() {
            "monitor" if a.interval_ms == 0 => 20,
            "monitor" if a.early => 0,
            "monitor" => 90,
            "stop" if a.early => 10,
            "migrate_to" => 10,
            "stop" => 30,
            // Cancelling a monitor no longer configured once the stops are done: Pacemaker
            // creates it while reading the history, it comes last.
            "cancel" if !a.after.is_empty() || a.early => 5,
            // Cancelling a stopped-role monitor before a start comes after the stops.
            "cancel" if !a.early => 29,

            "demote" => 25,
            "start" | "migrate_from" => 40,
            "promote" => 50,
            // History deletions come after everything else the resource does.
            "delete" => 5,
            // Clearing an expired fail count: created while reading the history.
            crate::failure_expiry::CLEAR_FAILCOUNT if a.early => 3,
            crate::failure_expiry::CLEAR_FAILCOUNT => 95,
            _ => 45,
        }
    };
    // Each resource's actions newest first, as the graph lists them.
    for &r in &t.rsc_order {
        if let Some(mut v) = by_rsc.remove(&r) {
            v.sort_by(|&x, &y| rank(y).cmp(&rank(x)).then(y.cmp(&x)));
            out.extend(v);
        }
    }
    let mut rest: Vec<usize> = by_rsc.into_values().flatten().collect();
    rest.sort_unstable();
    out.extend(rest);
    out.extend(unowned);
    out
}

/// Whether primitive `p` may live-migrate away from `from` (allow-migrate, healthy, not
/// cloned, and no earlier group member that has to stop and start instead).
pub(crate) fn can_migrate(c: &Cluster, p: usize, from: usize, fenced: &[usize]) -> bool {
    let r = &c.rscs[p];
    // Remote connections migrate unless told otherwise; a guest's only with a container
    // that migrates and allows its connection to (`remote-allow-migrate`).
    let by_default = crate::remote::is_remote_agent(r.agent.as_ref())
        && r.container.is_none_or(|k| {
            c.rscs[k].meta_bool("allow-migrate", false)
                && c.rscs[k].meta_bool("remote-allow-migrate", false)
        });
    if !r.meta_bool("allow-migrate", by_default)
        || r.dangling_source.is_some()
        || r.half_migrated
        || r.migration_blocked.is_some()
        || !r.failed_on.is_empty()
        || r.promotable
        || c.clone_ancestor(p).is_some()
        || fenced.contains(&from)
        || !c.nodes[from].online
        || c.nodes[from].unclean
    {
        return false;
    }
    if let Some(g) = r.parent {
        if c.rscs[g].variant == Variant::Group {
            for &m in &c.rscs[g].children {
                if m == p {
                    break;
                }
                let mr = &c.rscs[m];
                let moving = mr.next.is_some()
                    && mr.running.len() == 1
                    && !mr.running.contains_key(&mr.next.unwrap_or(usize::MAX));
                if moving && !mr.meta_bool("allow-migrate", false) {
                    return false;
                }
            }
        }
    }
    true
}
