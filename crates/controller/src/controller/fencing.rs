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
                self.out.push(Output::Exec(ExecRequest {
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
                }));
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
