//! A transition graph being executed by the DC: which actions are waiting, in flight,
//! done or failed, and the messages that dispatch them.

use std::collections::{BTreeMap, BTreeSet};

use cib::xml::Element;
use scheduler::{ActionKind, Cluster, Schedule};

use crate::limits;
use crate::message::ExecAction;
use crate::options;

/// Where an action stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionState {
    /// Waiting for its prerequisites.
    Pending,
    /// Sent to its node, no result yet.
    InFlight,
    /// Completed as expected.
    Done,
    /// Failed, lost or impossible.
    Failed,
}

/// One action of the running transition.
#[derive(Clone, Debug)]
pub struct RunAction {
    /// Actions that must be done first.
    pub after: Vec<usize>,
    /// State (changed through [`Run::set_state`], which keeps the run's index).
    state: ActionState,
    /// The request to send (resource and fencing actions); `None` for pseudo and
    /// cluster actions, which complete as soon as they are ready.
    pub exec: Option<ExecAction>,
    /// The crm_simulate label, for logs.
    pub label: String,
    /// Why it cannot run, when known at planning time (no fencing device ...).
    pub impossible: Option<String>,
    /// A `delete` of a removed resource's history: (history id, node name). The DC
    /// erases it from the status section (a cleanup of that resource on that node).
    pub forget: Option<(String, String)>,
    /// A `clear_failcount`: the DC deletes the resource's fail counts on that node.
    pub clear_failcount: Option<crate::failure_expiry::ClearFailcount>,
}

impl RunAction {
    /// Where the action stands.
    pub fn state(&self) -> ActionState {
        self.state
    }
}

/// What the run keeps up to date as actions change state, so that following one result
/// costs the actions it touches rather than a pass over the whole graph (a bulk start of
/// 1,000 resources is 5,000 actions and as many results).
#[derive(Clone, Debug, Default)]
struct Index {
    /// Actions waiting for each action.
    dependents: Vec<Vec<usize>>,
    /// Prerequisites of each action not done yet.
    unmet: Vec<usize>,
    /// The node an action was planned to run on (its ready bucket), fixed at planning.
    node: Vec<Option<String>>,
    /// Recurring operations (dispatched after the rest), fixed at planning.
    recurring: Vec<bool>,
    /// Ready actions (pending, every prerequisite done) to run on a node, per node, in
    /// dispatch order: (recurring, index).
    ready_on: BTreeMap<String, BTreeSet<(bool, usize)>>,
    /// Ready actions with nothing to send (pseudo actions, history deletes, impossible ones).
    ready_other: BTreeSet<usize>,
    /// Actions in flight per node.
    in_flight_on: BTreeMap<String, usize>,
    /// Actions per state: pending, in flight, done, failed.
    counts: [usize; 4],
    /// Pending one-shot actions to run on a node (not recurring monitors).
    pending_oneshot: usize,
}

impl Index {
    fn key(&self, i: usize) -> (bool, usize) {
        (self.recurring[i], i)
    }

    fn insert_ready(&mut self, i: usize) {
        let key = self.key(i);
        match &self.node[i] {
            Some(n) => {
                self.ready_on.entry(n.clone()).or_default().insert(key);
            }
            None => {
                self.ready_other.insert(i);
            }
        }
    }

    fn remove_ready(&mut self, i: usize) {
        let key = self.key(i);
        match &self.node[i] {
            Some(n) => {
                if let Some(set) = self.ready_on.get_mut(n) {
                    set.remove(&key);
                    if set.is_empty() {
                        self.ready_on.remove(n);
                    }
                }
            }
            None => {
                self.ready_other.remove(&i);
            }
        }
    }

    fn any_ready(&self) -> bool {
        !self.ready_other.is_empty() || !self.ready_on.is_empty()
    }
}

fn slot(s: ActionState) -> usize {
    match s {
        ActionState::Pending => 0,
        ActionState::InFlight => 1,
        ActionState::Done => 2,
        ActionState::Failed => 3,
    }
}

/// A transition in execution.
#[derive(Clone, Debug)]
pub struct Run {
    /// Transition number.
    pub id: u64,
    /// Its actions (their states change through [`Run::set_state`]).
    pub actions: Vec<RunAction>,
    /// Aborted: dispatch nothing more, wait for what is in flight.
    pub aborted: bool,
    index: Index,
}

impl Run {
    /// A run of `actions`, all pending.
    pub fn new(id: u64, mut actions: Vec<RunAction>) -> Run {
        let n = actions.len();
        let mut index = Index {
            dependents: vec![Vec::new(); n],
            unmet: vec![0; n],
            node: actions
                .iter()
                .map(|a| a.exec.as_ref().map(|e| e.node.clone()))
                .collect(),
            recurring: actions
                .iter()
                .map(|a| a.exec.as_ref().is_some_and(|e| e.interval_ms > 0))
                .collect(),
            counts: [n, 0, 0, 0],
            ..Index::default()
        };
        index.pending_oneshot = (0..n)
            .filter(|&i| index.node[i].is_some() && !index.recurring[i])
            .count();
        for (i, a) in actions.iter_mut().enumerate() {
            a.state = ActionState::Pending;
            // A prerequisite outside the graph never completes: the action never runs.
            index.unmet[i] = a.after.len();
            for &p in &a.after {
                if let Some(d) = index.dependents.get_mut(p) {
                    d.push(i);
                }
            }
        }
        for i in 0..n {
            if index.unmet[i] == 0 {
                index.insert_ready(i);
            }
        }
        Run {
            id,
            actions,
            aborted: false,
            index,
        }
    }

    /// Moves action `i` to state `s`, keeping track of what becomes ready.
    pub fn set_state(&mut self, i: usize, s: ActionState) {
        let Some(a) = self.actions.get_mut(i) else {
            return;
        };
        let old = a.state;
        if old == s {
            return;
        }
        a.state = s;
        let ix = &mut self.index;
        ix.counts[slot(old)] -= 1;
        ix.counts[slot(s)] += 1;
        if ix.node[i].is_some() && !ix.recurring[i] {
            if old == ActionState::Pending {
                ix.pending_oneshot -= 1;
            } else if s == ActionState::Pending {
                ix.pending_oneshot += 1;
            }
        }
        if let Some(n) = &ix.node[i] {
            if old == ActionState::InFlight {
                if let Some(c) = ix.in_flight_on.get_mut(n) {
                    *c = c.saturating_sub(1);
                }
            } else if s == ActionState::InFlight {
                *ix.in_flight_on.entry(n.clone()).or_default() += 1;
            }
        }
        if old == ActionState::Pending {
            ix.remove_ready(i);
        } else if s == ActionState::Pending && ix.unmet[i] == 0 {
            ix.insert_ready(i);
        }
        if s == ActionState::Done {
            for k in 0..ix.dependents[i].len() {
                let d = ix.dependents[i][k];
                ix.unmet[d] -= 1;
                if ix.unmet[d] == 0 && self.actions[d].state == ActionState::Pending {
                    ix.insert_ready(d);
                }
            }
        } else if old == ActionState::Done {
            for k in 0..ix.dependents[i].len() {
                let d = ix.dependents[i][k];
                if ix.unmet[d] == 0 {
                    ix.remove_ready(d);
                }
                ix.unmet[d] += 1;
            }
        }
    }

    /// Marks pending action `i` as impossible (`why`): it sends nothing and fails as soon
    /// as it is ready, like the actions found impossible at planning.
    pub fn mark_impossible(&mut self, i: usize, why: String) {
        let Some(a) = self.actions.get_mut(i) else {
            return;
        };
        debug_assert_eq!(
            a.state,
            ActionState::Pending,
            "only pending actions change bucket"
        );
        if a.state != ActionState::Pending {
            return;
        }
        a.impossible = Some(why);
        let ix = &mut self.index;
        let ready = ix.unmet[i] == 0;
        if ready {
            ix.remove_ready(i);
        }
        if ix.node[i].is_some() && !ix.recurring[i] {
            ix.pending_oneshot -= 1;
        }
        ix.node[i] = None;
        if ready {
            ix.insert_ready(i);
        }
    }

    /// Actions in flight.
    pub fn in_flight(&self) -> usize {
        self.index.counts[1]
    }

    /// One-shot node actions (probes, stops, starts, ...) not dispatched yet.
    pub fn pending_oneshot(&self) -> usize {
        self.index.pending_oneshot
    }

    /// Actions in flight on node `name`.
    pub fn in_flight_on(&self, name: &str) -> usize {
        self.index.in_flight_on.get(name).copied().unwrap_or(0)
    }

    /// True when nothing is in flight and nothing more can be dispatched.
    pub fn finished(&self) -> bool {
        if self.in_flight() > 0 {
            return false;
        }
        self.aborted || !self.index.any_ready()
    }

    /// True when action `i` is pending with every prerequisite done.
    pub fn ready(&self, i: usize) -> bool {
        self.actions
            .get(i)
            .is_some_and(|a| a.state == ActionState::Pending)
            && self.index.unmet[i] == 0
    }

    /// Every ready action: those with nothing to send, then each node's in dispatch order.
    pub fn ready_list(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.index.ready_other.iter().copied().collect();
        for set in self.index.ready_on.values() {
            v.extend(set.iter().map(|&(_, i)| i));
        }
        v
    }

    /// Ready actions with nothing to send to a node (pseudo actions, history deletes,
    /// impossible actions), by graph order.
    pub fn ready_without_node(&self) -> Vec<usize> {
        self.index.ready_other.iter().copied().collect()
    }

    /// Nodes with ready actions.
    pub fn ready_nodes(&self) -> Vec<String> {
        self.index.ready_on.keys().cloned().collect()
    }

    /// The first ready action of node `name` in dispatch order (probes, stops, starts and
    /// the other one-shot actions by graph order, recurring monitors last), from `after`
    /// on (exclusive) when given.
    pub fn next_ready_on(&self, name: &str, after: Option<usize>) -> Option<usize> {
        let set = self.index.ready_on.get(name)?;
        let found = match after {
            None => set.iter().next(),
            Some(a) => set
                .range((
                    std::ops::Bound::Excluded(self.index.key(a)),
                    std::ops::Bound::Unbounded,
                ))
                .next(),
        };
        found.map(|&(_, i)| i)
    }

    /// Dispatch-order key of action `i` (recurring operations after the rest).
    pub fn order_key(&self, i: usize) -> (bool, usize) {
        self.index.key(i)
    }

    /// Counts of (done, failed, pending) actions.
    pub fn tally(&self) -> (usize, usize, usize) {
        let c = &self.index.counts;
        (c[2], c[3], c[0])
    }
}

/// Pacemaker's `op-digest` (the one definition lives in the scheduler, which compares them).
pub use scheduler::digest::op_digest;

/// Name the history records a primitive under: anonymous clone instances use the bare id.
fn history_id(c: &Cluster, p: usize) -> String {
    let r = &c.rscs[p];
    if let Some(h) = &r.history_name {
        return h.clone();
    }
    match c.clone_ancestor(p) {
        Some(cl) if !c.rscs[cl].unique => r.config_id.clone(),
        _ => r.id.clone(),
    }
}

/// Builds the run for `schedule`: one [`RunAction`] per graph action, with the messages
/// that dispatch resource and fencing actions. `members` are node names in the
/// membership (fencing devices run on one of them, never on the target).
pub fn plan(
    id: u64,
    schedule: &Schedule,
    instance: &str,
    members: &[String],
    dc_name: &str,
) -> Run {
    let c = &schedule.before;
    let mut actions = Vec::with_capacity(schedule.transition.actions.len());
    for (i, a) in schedule.transition.actions.iter().enumerate() {
        let mut ra = RunAction {
            after: a.after.clone(),
            state: ActionState::Pending,
            exec: None,
            label: a.label.clone(),
            impossible: None,
            forget: None,
            clear_failcount: None,
        };
        match a.kind {
            ActionKind::Cluster if a.task == scheduler::failure_expiry::CLEAR_FAILCOUNT => {
                if let (Some(p), Some(n)) = (a.rsc, a.node) {
                    let mut ids = vec![history_id(c, p), c.rscs[p].id.clone()];
                    ids.dedup();
                    ra.clear_failcount = Some(crate::failure_expiry::ClearFailcount {
                        ids,
                        node: c.nodes[n].name.clone(),
                    });
                }
            }
            // The scheduler deletes histories (of resources gone from the configuration):
            // the node's executor and status section forget the resource.
            ActionKind::Resource if a.task == "delete" => match (a.rsc, a.node) {
                (Some(p), Some(n)) => {
                    ra.forget = Some((history_id(c, p), c.nodes[n].name.clone()));
                }
                _ => {
                    ra.impossible = Some(format!("delete without resource or node: '{}'", a.label))
                }
            },
            ActionKind::Resource => {
                let (Some(p), Some(n)) = (a.rsc, a.node) else {
                    ra.impossible = Some("resource action without resource or node".into());
                    actions.push(ra);
                    continue;
                };
                let r = &c.rscs[p];
                let Some(agent) = &r.agent else {
                    ra.impossible = Some(format!("{} has no agent", r.id));
                    actions.push(ra);
                    continue;
                };
                let opdef = r
                    .ops
                    .iter()
                    .find(|o| o.name == a.task && o.interval_ms == a.interval_ms);
                let timeout_ms = opdef
                    .and_then(|o| o.get("timeout"))
                    .and_then(|t| options::duration_ms(&t))
                    .unwrap_or(limits::DEFAULT_OP_TIMEOUT_MS);
                let promoted_monitor = opdef
                    .and_then(|o| o.role.as_deref())
                    .is_some_and(|r| matches!(r, "Master" | "Promoted"));
                let target_rc = match (a.task.as_str(), a.interval_ms) {
                    ("monitor", 0) => 7,
                    ("monitor", _) if promoted_monitor => 8,
                    _ => 0,
                };
                let mut params: Vec<(String, String)> = r
                    .params
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                params.sort();
                params.push(("CRM_meta_timeout".into(), timeout_ms.to_string()));
                if a.interval_ms > 0 {
                    params.push(("CRM_meta_interval".into(), a.interval_ms.to_string()));
                }
                let digest = Some(op_digest(&r.params, a.interval_ms, timeout_ms));
                ra.exec = Some(ExecAction {
                    node: c.nodes[n].name.clone(),
                    key: format!("{i}:{id}:{target_rc}:{instance}"),
                    rsc: history_id(c, p),
                    class: agent.class.clone(),
                    provider: agent.provider.clone(),
                    kind: agent.kind.clone(),
                    task: a.task.clone(),
                    interval_ms: a.interval_ms,
                    timeout_ms,
                    params,
                    fence_target: None,
                    digest,
                });
            }
            ActionKind::Fence => {
                let Some(n) = a.node else {
                    ra.impossible = Some("fencing action without a target".into());
                    actions.push(ra);
                    continue;
                };
                let target = c.nodes[n].name.clone();
                match fence_device(c, &target, members, dc_name) {
                    Some((p, runner)) => {
                        let r = &c.rscs[p];
                        let agent = r.agent.clone().unwrap_or_default();
                        let mut params: Vec<(String, String)> = r
                            .params
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        params.sort();
                        let action = c
                            .options
                            .get("stonith-action")
                            .cloned()
                            .unwrap_or_else(|| "reboot".into());
                        ra.exec = Some(ExecAction {
                            node: runner,
                            key: format!("{i}:{id}:0:{instance}"),
                            rsc: r.id.clone(),
                            class: "stonith".into(),
                            provider: None,
                            kind: agent.kind,
                            task: action,
                            interval_ms: 0,
                            // The runner may try every device (fencing topology).
                            timeout_ms: c
                                .options
                                .get("stonith-timeout")
                                .and_then(|t| options::duration_ms(t))
                                .unwrap_or(limits::DEFAULT_STONITH_TIMEOUT_MS)
                                .saturating_add(stonith_delays_ms(c))
                                .saturating_mul(stonith_devices(c).max(1) as u64),
                            params,
                            fence_target: Some(target),
                            digest: None,
                        });
                    }
                    None => {
                        ra.impossible = Some(format!(
                            "no fencing device can fence {target} from a member node"
                        ))
                    }
                }
            }
            ActionKind::Pseudo | ActionKind::Cluster => {}
        }
        actions.push(ra);
    }
    Run::new(id, actions)
}

/// The longest `pcmk_delay_base`/`pcmk_delay_max` of the fence devices, in ms.
fn stonith_delays_ms(c: &Cluster) -> u64 {
    c.rscs
        .iter()
        .filter(|r| r.agent.as_ref().is_some_and(|a| a.class == "stonith"))
        .flat_map(|r| ["pcmk_delay_base", "pcmk_delay_max"].map(|k| r.params.get(k)))
        .flatten()
        .filter_map(|v| options::duration_ms(v))
        .max()
        .unwrap_or(0)
}

/// Number of configured fence devices.
fn stonith_devices(c: &Cluster) -> usize {
    c.rscs
        .iter()
        .filter(|r| r.agent.as_ref().is_some_and(|a| a.class == "stonith"))
        .count()
}

/// A stonith resource able to fence `target` (`pcmk_host_list`, ...) and the member that
/// runs the fencing: the node where the device is active when that is a member other than
/// the target, otherwise the DC (or the first other member). The runner reads the fencing
/// topology itself (`fencing_topology`). Without another member, a member fences itself
/// (`no-quorum-policy=suicide`).
fn fence_device(
    c: &Cluster,
    target: &str,
    members: &[String],
    dc_name: &str,
) -> Option<(usize, String)> {
    let devices: Vec<usize> = (0..c.rscs.len())
        .filter(|&p| {
            c.rscs[p]
                .agent
                .as_ref()
                .is_some_and(|a| a.class == "stonith")
        })
        .filter(|&p| {
            // A location ban of the device on the target means it may not fence from there;
            // it may still fence the target from elsewhere.
            c.rscs[p].managed || !c.rscs[p].running.is_empty()
        })
        .filter(|&p| {
            let params: std::collections::BTreeMap<String, String> = c.rscs[p]
                .params
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            crate::fencing_topology::can_fence(&params, target)
        })
        .collect();
    let others: BTreeSet<&str> = members
        .iter()
        .map(String::as_str)
        .filter(|m| *m != target)
        .collect();
    for &p in &devices {
        for &n in c.rscs[p].running.keys() {
            let name = c.nodes[n].name.as_str();
            if others.contains(name) {
                return Some((p, name.to_string()));
            }
        }
    }
    let runner = if others.contains(dc_name) {
        Some(dc_name.to_string())
    } else if let Some(o) = others.iter().next() {
        Some(o.to_string())
    } else {
        members.iter().find(|m| *m == target).cloned()
    };
    devices.first().copied().zip(runner)
}

/// The scheduler input: the CIB with the DC's view written on the root.
pub fn scheduler_input(root: &Element, now_s: i64) -> Element {
    let mut r = root.clone();
    r.set_attr("execution-date", &now_s.to_string());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(after: Vec<usize>, node: Option<&str>, interval_ms: u64) -> RunAction {
        RunAction {
            after,
            state: ActionState::Pending,
            exec: node.map(|n| ExecAction {
                node: n.into(),
                key: String::new(),
                rsc: "r".into(),
                class: "ocf".into(),
                provider: Some("heartbeat".into()),
                kind: "Dummy".into(),
                task: if interval_ms > 0 { "monitor" } else { "start" }.into(),
                interval_ms,
                timeout_ms: 20_000,
                params: Vec::new(),
                fence_target: None,
                digest: None,
            }),
            label: String::new(),
            impossible: None,
            forget: None,
            clear_failcount: None,
        }
    }

    #[test]
    fn the_index_follows_prerequisites_and_counts() {
        // 0: probe on n1; 1: pseudo after 0; 2: start on n2 after 1; 3: monitor after 2;
        // 4: start on n1 waiting for an action outside the graph.
        let mut run = Run::new(
            1,
            vec![
                action(vec![], Some("n1"), 0),
                action(vec![0], None, 0),
                action(vec![1], Some("n2"), 0),
                action(vec![2], Some("n2"), 10_000),
                action(vec![99], Some("n1"), 0),
            ],
        );
        assert_eq!(run.ready_list(), vec![0]);
        assert_eq!(run.pending_oneshot(), 3);
        run.set_state(0, ActionState::InFlight);
        assert_eq!((run.in_flight(), run.in_flight_on("n1")), (1, 1));
        assert!(run.ready_list().is_empty() && !run.finished());
        run.set_state(0, ActionState::Done);
        assert_eq!(run.ready_without_node(), vec![1]);
        run.set_state(1, ActionState::Done);
        assert_eq!(run.next_ready_on("n2", None), Some(2));
        run.set_state(2, ActionState::InFlight);
        run.set_state(2, ActionState::Done);
        assert_eq!(run.next_ready_on("n2", None), Some(3));
        assert_eq!(run.order_key(3), (true, 3));
        run.set_state(3, ActionState::InFlight);
        run.set_state(3, ActionState::Done);
        assert_eq!(run.in_flight_on("n2"), 0);
        assert!(run.finished(), "action 4 can never be ready");
        assert_eq!(run.tally(), (4, 0, 1));
        assert!(!run.ready(4) && !run.ready(99));
    }

    #[test]
    fn digests_match_pacemaker() {
        // Values from `crm_resource --digests` (Pacemaker 2.1.5) on the same parameters.
        let none = std::collections::HashMap::new();
        assert_eq!(
            op_digest(&none, 0, 20000),
            "f2317cad3d54cec5d7d7aa7d0bf35cf8"
        );
        let mut p = std::collections::HashMap::new();
        p.insert("state".to_string(), "/run/x".to_string());
        p.insert("fake".to_string(), "abc".to_string());
        assert_eq!(op_digest(&p, 0, 20000), "8f88a7987f527ad2e809a60ac480034b");
        assert_eq!(
            op_digest(&p, 10000, 20000),
            "6fbe24ad039c272e89ee4052c92b20cd"
        );
    }
}
