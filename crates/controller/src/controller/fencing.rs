//! The node asked to fence another runs the fencing itself, as Pacemaker's fencer does: it
//! reads the plan from its own replica of the CIB (identical on every node at the point of
//! the message order where the request was delivered), tries the devices level by level
//! on its local executor ([`FenceRun`]), and reports one result for the whole operation,
//! naming the level that passed (or every failure). Every replica keeps the outcome in a
//! bounded fencing history.

use std::collections::VecDeque;

use crate::api::{ExecRequest, ExecResult, Output};
use crate::fencing_topology::{self, FenceRun, Step};
use crate::limits;
use crate::message::{ExecAction, OpRecord};

use super::Controller;

/// A fencing operation this node is running.
#[derive(Clone, Debug)]
pub(super) struct LocalFence {
    /// The DC's request.
    action: ExecAction,
    /// Where it stands.
    run: FenceRun,
    /// Time spent in devices so far, in ms.
    exec_ms: u64,
}

/// One completed fencing operation, as every replica recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FenceEvent {
    /// The fenced (or not) node.
    pub target: String,
    /// The action (`reboot`, `off`, ...).
    pub action: String,
    /// The node that ran the devices.
    pub executioner: String,
    /// Whether it succeeded.
    pub succeeded: bool,
    /// The level used and its devices, or why every level failed.
    pub detail: String,
    /// The device that ran last.
    pub device: String,
    /// When the result was applied, seconds since the epoch.
    pub when_s: i64,
    /// Who asked: `stonith_admin` for an administrator, `tandem-controller` for the DC.
    pub client: String,
    /// The node that asked.
    pub origin: String,
}

/// Fencing operations remembered by a replica, oldest first, bounded.
pub type FenceHistory = VecDeque<FenceEvent>;

impl Controller {
    /// Starts fencing `a.fence_target` per this replica's CIB.
    pub(super) fn start_fence(&mut self, a: ExecAction) {
        let target = a.fence_target.clone().unwrap_or_default();
        let plan = self
            .cib
            .as_ref()
            .map(|c| fencing_topology::plan(c, &target))
            .unwrap_or_default();
        tracing::info!(
            target = %target,
            action = %a.task,
            levels = plan.levels.len(),
            topology = plan.from_topology,
            "fencing"
        );
        let (run, step) = FenceRun::start(plan);
        let fence = LocalFence {
            action: a,
            run,
            exec_ms: 0,
        };
        self.fence_step(fence, step);
    }

    /// A device's fencing delay ended: hand it to the executor.
    pub(super) fn fence_delay_over(&mut self, handle: u64) {
        if let Some(request) = self.fence_delayed.remove(&handle) {
            self.out.push(Output::Exec(request));
        }
    }

    /// Feeds a local executor result to the fencing operation it belongs to; false when
    /// `handle` is not one of them.
    pub(super) fn fence_executed(&mut self, r: &ExecResult) -> bool {
        let Some(mut fence) = self.fences.remove(&r.handle) else {
            return false;
        };
        fence.exec_ms += r.exec_ms;
        let error = if r.op_status == 0 && r.rc == 0 {
            None
        } else if r.exit_reason.is_empty() {
            Some(format!("rc {} (op-status {})", r.rc, r.op_status))
        } else {
            Some(format!("rc {}: {}", r.rc, r.exit_reason))
        };
        if let Some(e) = &error {
            tracing::warn!(
                target = ?fence.action.fence_target,
                device = %fence.action.rsc,
                error = %e,
                "fence device failed"
            );
        }
        let step = fence.run.result(error.as_deref());
        self.fence_step(fence, step);
        true
    }

    fn fence_step(&mut self, mut fence: LocalFence, step: Step) {
        let (ok, reason) = match step {
            Step::Exec { device, .. } => {
                let timeout_ms = self
                    .cib
                    .as_ref()
                    .map(|c| fencing_topology::device_timeout_ms(c, &device, &fence.action.task))
                    .unwrap_or(limits::DEFAULT_STONITH_TIMEOUT_MS);
                let handle = self.next_handle;
                self.next_handle += 1;
                fence.action.rsc = device.id.clone();
                fence.action.kind = device.kind.clone();
                let target = fence.action.fence_target.clone().unwrap_or_default();
                let delay =
                    fencing_topology::device_delay_ms(&device, &self.cfg.node_name, &target);
                let request = ExecRequest {
                    handle,
                    rsc: device.id,
                    class: "stonith".into(),
                    provider: None,
                    kind: device.kind,
                    action: fence.action.task.clone(),
                    interval_ms: 0,
                    timeout_ms,
                    params: device.params.into_iter().collect(),
                    fence_target: fence.action.fence_target.clone(),
                };
                if delay > 0 {
                    tracing::info!(target = %target, device = %request.rsc, delay_ms = delay, "fencing delayed (pcmk_delay_base/max)");
                    self.out.push(Output::SetTimer {
                        timer: crate::api::Timer::FenceDelay { handle },
                        after_ms: delay,
                    });
                    self.fence_delayed.insert(handle, request);
                } else {
                    self.out.push(Output::Exec(request));
                }
                self.fences.insert(handle, fence);
                return;
            }
            Step::Fenced { index, devices } => {
                let how = if fence.run.plan().from_topology {
                    format!("level {index} ({})", devices.join(","))
                } else {
                    format!("device {}", devices.join(","))
                };
                tracing::info!(target = ?fence.action.fence_target, via = %how, "fencing succeeded");
                let mut detail = format!("fenced by {how}");
                if !fence.run.failures().is_empty() {
                    detail.push_str(&format!(" after: {}", fence.run.failures().join("; ")));
                }
                (true, detail)
            }
            Step::Failed { reason } => {
                tracing::error!(target = ?fence.action.fence_target, reason = %reason, "fencing failed");
                (false, reason)
            }
        };
        let result = ExecResult {
            handle: 0,
            rc: if ok { 0 } else { 1 },
            op_status: if ok { 0 } else { 4 },
            exit_reason: reason,
            exec_ms: fence.exec_ms,
            queue_ms: 0,
        };
        self.report(&fence.action, &result);
    }

    /// Every replica notes a fencing result in its history.
    pub(super) fn note_fencing(&mut self, rec: &OpRecord) {
        let Some(target) = &rec.fence_target else {
            return;
        };
        let request = self.note_fence_answer(rec);
        if rec.succeeded() && *target == self.cfg.node_name {
            self.on_fenced_self();
        }
        if rec.succeeded() {
            self.fence_failures.remove(target);
        } else {
            *self.fence_failures.entry(target.clone()).or_insert(0) += 1;
        }
        if self.fence_history.len() >= limits::MAX_FENCE_HISTORY {
            self.fence_history.pop_front();
        }
        self.fence_history.push_back(FenceEvent {
            target: target.clone(),
            action: rec.task.clone(),
            executioner: rec.node.clone(),
            succeeded: rec.succeeded(),
            detail: rec.exit_reason.clone(),
            device: rec.rsc.clone(),
            when_s: rec.when_s,
            // A confirmation by an administrator has no request before it.
            client: request
                .as_ref()
                .map_or_else(|| "stonith_admin".into(), |p| p.client.clone()),
            origin: request.map_or_else(|| rec.node.clone(), |p| p.origin),
        });
    }

    /// Fencing operations this replica saw complete, oldest first (at most
    /// [`limits::MAX_FENCE_HISTORY`]).
    pub fn fence_history(&self) -> &FenceHistory {
        &self.fence_history
    }
}

impl Controller {
    /// An administrator's fencing request: sent to the runner like the DC's own, with a
    /// key no transition matches (the DC recomputes when the result arrives).
    pub(super) fn request_fence(&mut self, target: String, action: String) {
        if action == "confirm" {
            tracing::warn!(target = %target, "an administrator confirms the node is down");
            self.call_id += 1;
            let rec = OpRecord {
                node: self.cfg.node_name.clone(),
                rsc: "manual".into(),
                class: "stonith".into(),
                provider: None,
                kind: String::new(),
                task: "off".into(),
                interval_ms: 0,
                rc: 0,
                op_status: 0,
                call_id: self.call_id,
                key: format!("0:0:0:{}", crate::limits::ADMIN_FENCE_KEY),
                exit_reason: "confirmed down by an administrator".into(),
                exec_ms: 0,
                queue_ms: 0,
                when_s: self.now_s(),
                fence_target: Some(target),
                digest: None,
            };
            self.send(crate::message::Message::Result(rec));
            return;
        }
        let runner = if target != self.cfg.node_name {
            Some(self.cfg.node_name.clone())
        } else {
            self.members
                .iter()
                .map(|m| m.name.clone())
                .find(|m| *m != target)
        };
        let Some(runner) = runner else {
            tracing::warn!(target = %target, "no member other than the target to fence it");
            return;
        };
        tracing::info!(target = %target, action = %action, runner = %runner, "fencing requested by an administrator");
        self.send(crate::message::Message::Exec(ExecAction {
            node: runner,
            key: format!("0:0:0:{}", crate::limits::ADMIN_FENCE_KEY),
            rsc: String::new(),
            class: "stonith".into(),
            provider: None,
            kind: String::new(),
            task: action,
            interval_ms: 0,
            timeout_ms: limits::DEFAULT_STONITH_TIMEOUT_MS,
            params: Vec::new(),
            fence_target: Some(target),
            digest: None,
        }));
    }
}

/// Sets cluster property `name` to `value` in `root` (first property set, created if none).
fn force_property(root: &mut cib::xml::Element, name: &str, value: &str) {
    let Some(conf) = root.child_mut("configuration") else {
        return;
    };
    if conf.child("crm_config").is_none() {
        conf.children.push(cib::xml::Element::new("crm_config"));
    }
    let Some(cfg) = conf.child_mut("crm_config") else {
        return;
    };
    for set in cfg
        .children
        .iter_mut()
        .filter(|s| s.name == "cluster_property_set")
    {
        set.children
            .retain(|nv| !(nv.name == "nvpair" && nv.attr("name") == Some(name)));
    }
    let mut set = cib::xml::Element::new("cluster_property_set");
    set.set_attr("id", "tandem-fenced-override");
    let mut nv = cib::xml::Element::new("nvpair");
    nv.set_attr("id", &format!("tandem-fenced-override-{name}"));
    nv.set_attr("name", name);
    nv.set_attr("value", value);
    set.children.push(nv);
    cfg.children.insert(0, set);
}

impl Controller {
    /// A successful fencing of this very node is being applied, and this node is alive to
    /// see it (a device that did not cut it off, or `no-quorum-policy=suicide` with a
    /// device that does not power it off). As Pacemaker's `fence-reaction=stop` (also
    /// taken for `panic`, which would reboot the host): stop every resource here on the
    /// local executor, schedule nothing more, and leave for good
    /// ([`Output::ShutdownReady`] once the stops are done).
    pub(super) fn on_fenced_self(&mut self) {
        if self.fenced_self {
            return;
        }
        self.fenced_self = true;
        let Some(cib) = &self.cib else { return };
        let reaction =
            crate::options::property(cib, "fence-reaction").unwrap_or_else(|| "stop".into());
        tracing::error!(
            node = %self.cfg.node_name,
            reaction = %reaction,
            "this node was fenced: stopping its resources and leaving the cluster"
        );
        // The plan of a partition without quorum that stops its resources, made before the
        // fencing erases this node's history (no suicide: that would fence, not stop).
        let mut input = crate::transition::scheduler_input(cib, self.now_s());
        input.set_attr("have-quorum", "0");
        input.attrs.retain(|(k, _)| k != "no-quorum-panic");
        force_property(&mut input, "no-quorum-policy", "stop");
        self.isolated = true;
        self.stop_here(input, "this node was fenced");
    }

    /// True once this node applied its own fencing: it schedules and runs nothing more
    /// than its own stops, then leaves.
    pub fn fenced_self(&self) -> bool {
        self.fenced_self
    }

    /// Gives [`Output::ShutdownReady`] once a fenced node's stops are done.
    pub(super) fn check_fenced_exit(&mut self) {
        if self.fenced_self
            && !self.fenced_exit_given
            && self.local_run.is_none()
            && self.local_ops.values().all(|op| op.action.interval_ms > 0)
        {
            self.fenced_exit_given = true;
            tracing::warn!(node = %self.cfg.node_name, "fenced: resources stopped here; leaving");
            self.out.push(Output::ShutdownReady);
        }
    }
}

/// Under `no-quorum-policy=suicide`, a partition that had quorum and lost it is flagged
/// `no-quorum-panic="1"` on the CIB root (the scheduler then fences every member of it);
/// regaining quorum clears the flag. Call before `have-quorum` changes to `quorate`.
pub(super) fn note_quorum_panic(cib: &mut cib::xml::Element, quorate: bool) {
    if quorate {
        cib.attrs.retain(|(k, _)| k != "no-quorum-panic");
        return;
    }
    let suicide = crate::options::property(cib, "no-quorum-policy").as_deref() == Some("suicide");
    if suicide && cib.attr("have-quorum") == Some("1") {
        cib.set_attr("no-quorum-panic", "1");
    }
}

impl Controller {
    /// A probe of a fence device this node has not started answers "not running" at once,
    /// as Pacemaker's fencer knows only the devices registered with it (the agent's own
    /// monitor checks the fencing hardware, which any node can reach, and would report
    /// every device active everywhere). True when `a` was answered so.
    pub(super) fn answer_stonith_probe(&mut self, a: &ExecAction) -> bool {
        let probe = a.class == "stonith" && a.task == "monitor" && a.interval_ms == 0;
        if !probe || self.registered.contains(&a.rsc) {
            return false;
        }
        let result = ExecResult {
            handle: 0,
            rc: 7,
            op_status: 0,
            exit_reason: String::new(),
            exec_ms: 0,
            queue_ms: 0,
        };
        self.report(a, &result);
        true
    }

    /// Notes fence devices started (registered) and stopped here.
    pub(super) fn note_registration(&mut self, a: &ExecAction, r: &ExecResult) {
        if a.class != "stonith" || a.fence_target.is_some() {
            return;
        }
        let ok = r.op_status == 0 && r.rc == 0;
        match a.task.as_str() {
            "start" if ok => {
                self.registered.insert(a.rsc.clone());
            }
            "start" | "stop" => {
                self.registered.remove(&a.rsc);
            }
            _ => {}
        }
    }
}

impl Controller {
    /// Marks the fencing actions of `run` whose target failed `stonith-max-attempts` times
    /// (default 10) as impossible: they are tried again at the next cluster recheck, not at
    /// once in a loop.
    pub(super) fn limit_fence_attempts(&self, run: &mut crate::transition::Run) {
        if self.fence_failures.is_empty() {
            return;
        }
        let max = self
            .cib
            .as_ref()
            .and_then(|c| crate::options::property(c, "stonith-max-attempts"))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|&m| m > 0)
            .unwrap_or(limits::DEFAULT_STONITH_MAX_ATTEMPTS);
        for i in 0..run.actions.len() {
            let a = &run.actions[i];
            let Some(target) = a.exec.as_ref().and_then(|e| e.fence_target.as_ref()) else {
                continue;
            };
            let failed = self.fence_failures.get(target).copied().unwrap_or(0);
            if failed >= max {
                let why = format!(
                    "fencing {target} failed {failed} times (stonith-max-attempts={max}); \
                     trying again at the next cluster recheck"
                );
                run.mark_impossible(i, why);
            }
        }
    }
}
