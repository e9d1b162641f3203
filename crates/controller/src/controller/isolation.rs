//! A node cut off from the others stops its resources itself, without waiting for a ring
//! of its own (which takes the consensus timeout) and without any message.
//!
//! The host feeds [`Input::Isolated`](crate::Input::Isolated) when Totem lost the token and
//! no new ring formed within a short grace, and this node alone would not be quorate. With
//! fencing disabled and `no-quorum-policy=stop`, the quorate side recovers this node's
//! resources after `unfenced-recovery-delay`; stopping them here at once, rather than when
//! the lone node's ring forms, is what lets that delay be short. The stop is the scheduler's
//! own plan for a partition without quorum (group and order constraints respected), run on
//! the local executor only: results go to this node's own history (sent when it joins again)
//! and are multicast for whenever a ring carries them.

use crate::api::ExecResult;
use crate::message::ExecAction;
use crate::options;
use crate::transition::{self, ActionState, Run};

use super::Controller;

/// Tasks an isolated node runs from its stop plan; anything else in it is skipped.
const STOP_TASKS: [&str; 3] = ["stop", "demote", "cancel"];

impl Controller {
    /// Totem lost the token and no quorate ring is in sight: stop what runs here now, when
    /// the configuration says a partition without quorum stops its resources and nothing
    /// fences this node first.
    pub(super) fn on_isolated(&mut self) {
        if self.isolated {
            return;
        }
        let Some(cib) = &self.cib else { return };
        let stonith = options::stonith_enabled(cib);
        let policy = options::property(cib, "no-quorum-policy").unwrap_or_else(|| "stop".into());
        let me = self.cfg.node_id.to_string();
        if stonith || policy != "stop" || !crate::cib_doc::node_active(cib, &me) {
            tracing::info!(
                node = %self.cfg.node_name,
                stonith,
                policy = %policy,
                "ring lost with no quorate membership in sight; nothing to stop here first"
            );
            return;
        }
        self.isolated = true;
        self.was_cut_off = true;
        let mut input = transition::scheduler_input(cib, self.now_s());
        input.set_attr("have-quorum", "0");
        self.stop_here(input, "ring lost with no quorate membership in sight");
    }

    /// Runs the stops the scheduler plans for this node from `input` on the local executor
    /// only, without the DC (`why` is logged).
    pub(super) fn stop_here(&mut self, input: cib::xml::Element, why: &str) {
        // Whatever this node was dispatching as DC is void: its messages would only be
        // delivered in a later ring.
        if let Some(run) = &mut self.run {
            run.aborted = true;
        }
        let parsed = match cib::Cib::from_element(input) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the CIB does not parse; cannot plan the stop");
                return;
            }
        };
        let schedule = scheduler::schedule(&parsed, self.now_s());
        let id = self.transitions;
        self.transitions += 1;
        let members: Vec<String> = self.members.iter().map(|m| m.name.clone()).collect();
        let mut run = transition::plan(
            id,
            &schedule,
            &self.cfg.instance,
            &members,
            &self.cfg.node_name,
        );
        let mut kept = 0usize;
        for i in 0..run.actions.len() {
            let a = &mut run.actions[i];
            let local_stop = a.exec.as_ref().is_some_and(|e| {
                e.node == self.cfg.node_name
                    && e.fence_target.is_none()
                    && STOP_TASKS.contains(&e.task.as_str())
            });
            if local_stop {
                kept += 1;
            } else if a.exec.is_some() {
                // Another node's action, or not a stop: not ours to run, not waited for.
                a.exec = None;
                run.set_state(i, ActionState::Done);
            }
        }
        tracing::warn!(
            node = %self.cfg.node_name,
            transition = id,
            actions = kept,
            "{why}: stopping the resources here"
        );
        self.local_run = Some(run);
        self.dispatch_local();
    }

    /// A new ring formed: the membership and quorum inputs take over from here.
    pub(super) fn end_isolation(&mut self) {
        if self.isolated {
            tracing::info!(node = %self.cfg.node_name, "a ring formed again");
            // What ran here changed: a DC plans again.
            self.dirty = true;
            self.kick = true;
        }
        self.isolated = false;
    }

    /// Hands every ready action of the local stop plan to the executor.
    fn dispatch_local(&mut self) {
        let mut ready = Vec::new();
        {
            let Some(run) = &mut self.local_run else {
                return;
            };
            loop {
                let mut progress = false;
                for i in run.ready_list() {
                    if !run.ready(i) {
                        continue;
                    }
                    match &run.actions[i].exec {
                        None => run.set_state(i, ActionState::Done),
                        Some(e) => {
                            ready.push(e.clone());
                            run.set_state(i, ActionState::InFlight);
                        }
                    }
                    progress = true;
                }
                if !progress {
                    break;
                }
            }
        }
        for a in ready {
            self.on_exec(a);
        }
        if self.local_run.as_ref().is_some_and(Run::finished) {
            if let Some(run) = self.local_run.take() {
                let (done, failed, pending) = run.tally();
                tracing::info!(
                    node = %self.cfg.node_name,
                    transition = run.id,
                    done,
                    failed,
                    pending,
                    "local stop finished"
                );
            }
        }
    }

    /// Follows a local result in the local stop plan (when it belongs to it).
    pub(super) fn advance_local(&mut self, a: &ExecAction, r: &ExecResult) {
        let Some(run) = &mut self.local_run else {
            return;
        };
        let Some(i) = run.actions.iter().position(|x| {
            x.state() == ActionState::InFlight && x.exec.as_ref().is_some_and(|e| e.key == a.key)
        }) else {
            return;
        };
        let ok = r.op_status == 0 && r.rc == 0;
        let state = if ok {
            ActionState::Done
        } else {
            tracing::warn!(action = %run.actions[i].label, rc = r.rc, "local stop action failed");
            ActionState::Failed
        };
        run.set_state(i, state);
        self.dispatch_local();
    }
}
