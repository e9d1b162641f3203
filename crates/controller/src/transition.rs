//! A transition graph being executed by the DC: which actions are waiting, in flight,
//! done or failed, and the messages that dispatch them.

use std::collections::BTreeSet;

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
    /// State.
    pub state: ActionState,
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
}

/// A transition in execution.
#[derive(Clone, Debug)]
pub struct Run {
    /// Transition number.
    pub id: u64,
    /// Its actions.
    pub actions: Vec<RunAction>,
    /// Aborted: dispatch nothing more, wait for what is in flight.
    pub aborted: bool,
}

impl Run {
    /// Actions in flight.
    pub fn in_flight(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| a.state == ActionState::InFlight)
            .count()
    }

    /// True when nothing is in flight and nothing more can be dispatched.
    pub fn finished(&self) -> bool {
        if self.in_flight() > 0 {
            return false;
        }
        if self.aborted {
            return true;
        }
        !self.actions.iter().enumerate().any(|(i, _)| self.ready(i))
    }

    /// True when action `i` is pending with every prerequisite done.
    pub fn ready(&self, i: usize) -> bool {
        let a = &self.actions[i];
        a.state == ActionState::Pending
            && a.after
                .iter()
                .all(|&p| self.actions.get(p).map(|x| x.state) == Some(ActionState::Done))
    }

    /// Counts of (done, failed, pending) actions.
    pub fn tally(&self) -> (usize, usize, usize) {
        let n = |s| self.actions.iter().filter(|a| a.state == s).count();
        (
            n(ActionState::Done),
            n(ActionState::Failed),
            n(ActionState::Pending),
        )
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
        };
        match a.kind {
            ActionKind::Resource if a.task == "delete" && a.rsc.is_none() => {
                // Labelled "RSC delete on NODE" (the resource is no longer configured).
                match (a.node, a.label.split_once(" delete on ")) {
                    (Some(n), Some((id, _))) => {
                        ra.forget = Some((id.to_string(), c.nodes[n].name.clone()));
                    }
                    _ => ra.impossible = Some(format!("unparsable delete action '{}'", a.label)),
                }
            }
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
    Run {
        id,
        actions,
        aborted: false,
    }
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
