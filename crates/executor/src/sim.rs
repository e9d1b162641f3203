//! A simulated [`AgentRunner`] for tests of the layers above: seeded latencies, scripted
//! answers, hangs that end in timeouts, and logical time. It runs no process and reads no
//! clock: the caller moves time forward with [`SimRunner::advance_to`].

use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::ExecError;
use crate::limits;
use crate::outcome::{ExecStatus, OcfCode, OpResult};
use crate::request::OpRequest;
use crate::runner::{AgentRunner, EventKind, OpEvent, OpId};
use crate::spec::Action;

/// What a simulated agent does for a matching operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimBehaviour {
    /// Answers this code after the seeded latency.
    Answer(OcfCode),
    /// Never answers: the operation times out at its timeout.
    Hang,
}

/// A rule: operations matching the resource and action (`None` matches any) behave so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRule {
    /// Resource id to match, or any.
    pub resource: Option<String>,
    /// Action to match, or any.
    pub action: Option<Action>,
    /// What happens.
    pub behaviour: SimBehaviour,
}

struct SimOp {
    request: Arc<OpRequest>,
    last: Option<(OcfCode, ExecStatus)>,
    cancelled: bool,
}

struct SimState {
    now: Duration,
    rng: u64,
    next_id: OpId,
    rules: Vec<SimRule>,
    latency: (Duration, Duration),
    ops: HashMap<OpId, SimOp>,
    /// Completions due: (time, sequence, id, result, timeout).
    due: BTreeSet<(Duration, u64, OpId)>,
    results: HashMap<(u64, OpId), (OpResult, Duration)>,
    sequence: u64,
    busy_until: HashMap<String, Duration>,
}

/// The simulated runner. Unmatched operations succeed (monitors of never-started resources
/// answer "not running").
pub struct SimRunner {
    state: Mutex<SimState>,
    events: SyncSender<OpEvent>,
}

impl SimState {
    fn random(&mut self) -> u64 {
        // xorshift64*: deterministic for a seed, good enough for jitter.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn behaviour(&self, request: &OpRequest) -> SimBehaviour {
        self.rules
            .iter()
            .rev()
            .find(|rule| {
                rule.resource
                    .as_ref()
                    .is_none_or(|r| *r == request.resource)
                    && rule.action.is_none_or(|a| a == request.action)
            })
            .map(|rule| rule.behaviour)
            .unwrap_or(SimBehaviour::Answer(match request.action {
                Action::Monitor | Action::Status => OcfCode::NotRunning,
                _ => OcfCode::Success,
            }))
    }

    /// Schedules one run of `id` starting no earlier than `at`.
    fn schedule(&mut self, id: OpId, at: Duration) {
        let Some(op) = self.ops.get(&id) else { return };
        let request = op.request.clone();
        let timeout = request.timeout.unwrap_or(limits::DEFAULT_TIMEOUT);
        let start = at.max(
            self.busy_until
                .get(&request.resource)
                .copied()
                .unwrap_or_default(),
        );
        let (base, jitter) = self.latency;
        let jitter_ms = jitter.as_millis() as u64;
        let latency = base
            + Duration::from_millis(if jitter_ms == 0 {
                0
            } else {
                self.random() % jitter_ms
            });
        let (elapsed, result) = match self.behaviour(&request) {
            SimBehaviour::Answer(code) => {
                let elapsed = latency.min(timeout);
                let mut result = OpResult::not_run(code, ExecStatus::Done, "");
                result.exit_reason = None;
                result.exit_status = Some(code.code());
                result.elapsed = elapsed;
                (elapsed, result)
            }
            SimBehaviour::Hang => {
                let mut result = OpResult::not_run(
                    OcfCode::ErrGeneric,
                    ExecStatus::Timeout,
                    format!(
                        "{} {} timed out after {}ms",
                        request.resource,
                        request.action,
                        timeout.as_millis()
                    ),
                );
                result.elapsed = timeout;
                (timeout, result)
            }
        };
        let end = start + elapsed;
        self.busy_until.insert(request.resource.clone(), end);
        self.sequence += 1;
        self.due.insert((end, self.sequence, id));
        self.results.insert((self.sequence, id), (result, timeout));
    }
}

impl SimRunner {
    /// A runner whose latencies are `base` plus up to `jitter`, drawn from `seed`.
    pub fn new(seed: u64, base: Duration, jitter: Duration) -> (SimRunner, Receiver<OpEvent>) {
        let (events, receiver) = mpsc::sync_channel(limits::MAX_EVENT_BACKLOG);
        let state = SimState {
            now: Duration::ZERO,
            rng: seed | 1,
            next_id: 1,
            rules: Vec::new(),
            latency: (base, jitter),
            ops: HashMap::new(),
            due: BTreeSet::new(),
            results: HashMap::new(),
            sequence: 0,
            busy_until: HashMap::new(),
        };
        (
            SimRunner {
                state: Mutex::new(state),
                events,
            },
            receiver,
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a rule; later rules win over earlier ones.
    pub fn script(&self, rule: SimRule) {
        self.lock().rules.push(rule);
    }

    /// The current logical time.
    pub fn now(&self) -> Duration {
        self.lock().now
    }

    /// The next logical time at which something completes, if anything is pending.
    pub fn next_due(&self) -> Option<Duration> {
        self.lock().due.first().map(|(at, _, _)| *at)
    }

    /// Moves logical time to `now`, delivering every completion due by then, in order.
    pub fn advance_to(&self, now: Duration) {
        let mut state = self.lock();
        while let Some(&(at, sequence, id)) = state.due.first() {
            if at > now {
                break;
            }
            state.due.pop_first();
            state.now = state.now.max(at);
            let Some((result, timeout)) = state.results.remove(&(sequence, id)) else {
                continue;
            };
            let Some(op) = state.ops.get_mut(&id) else {
                continue;
            };
            if op.cancelled {
                continue;
            }
            let request = op.request.clone();
            let key = (result.code, result.status);
            let kind = if !request.is_recurring() {
                Some(EventKind::Completed)
            } else if op.last.is_none() {
                Some(EventKind::FirstResult)
            } else if op.last != Some(key) {
                Some(EventKind::Changed)
            } else {
                None
            };
            op.last = Some(key);
            if request.is_recurring() {
                state.schedule(id, at + request.interval);
            } else {
                state.ops.remove(&id);
            }
            if let Some(kind) = kind {
                let _ = self.events.try_send(OpEvent {
                    id,
                    request,
                    kind,
                    result,
                    timeout,
                });
            }
        }
        state.now = state.now.max(now);
    }
}

impl AgentRunner for SimRunner {
    fn submit(&self, request: OpRequest) -> Result<OpId, ExecError> {
        request.check()?;
        let mut state = self.lock();
        if state.ops.len() >= limits::MAX_PENDING_OPS {
            return Err(ExecError::QueueFull {
                limit: limits::MAX_PENDING_OPS,
            });
        }
        let id = state.next_id;
        state.next_id += 1;
        let at = state.now + request.start_delay;
        state.ops.insert(
            id,
            SimOp {
                request: Arc::new(request),
                last: None,
                cancelled: false,
            },
        );
        state.schedule(id, at);
        Ok(id)
    }

    fn cancel(&self, id: OpId) -> Result<(), ExecError> {
        let mut state = self.lock();
        let op = state.ops.remove(&id).ok_or(ExecError::NoSuchOp(id))?;
        state.due.retain(|(_, _, due_id)| *due_id != id);
        state.results.retain(|(_, result_id), _| *result_id != id);
        let result = OpResult::not_run(OcfCode::Success, ExecStatus::Cancelled, "cancelled");
        let timeout = op.request.timeout.unwrap_or(limits::DEFAULT_TIMEOUT);
        let _ = self.events.try_send(OpEvent {
            id,
            request: op.request,
            kind: EventKind::Cancelled,
            result,
            timeout,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::AgentSpec;

    fn request(resource: &str, action: Action) -> OpRequest {
        OpRequest::new(
            resource,
            AgentSpec::parse("ocf:pacemaker:Dummy").expect("spec"),
            action,
        )
        .timeout(Duration::from_secs(20))
    }

    fn drain(events: &Receiver<OpEvent>) -> Vec<(OpId, EventKind, OcfCode, ExecStatus)> {
        events
            .try_iter()
            .map(|e| (e.id, e.kind, e.result.code, e.result.status))
            .collect()
    }

    #[test]
    fn same_seed_same_timeline_and_hangs_time_out() {
        let timeline = |seed| {
            let (sim, events) =
                SimRunner::new(seed, Duration::from_millis(10), Duration::from_millis(50));
            sim.script(SimRule {
                resource: Some("b".into()),
                action: Some(Action::Start),
                behaviour: SimBehaviour::Hang,
            });
            let a = sim.submit(request("a", Action::Start)).expect("submit");
            let b = sim.submit(request("b", Action::Start)).expect("submit");
            let mut seen = Vec::new();
            while let Some(at) = sim.next_due() {
                sim.advance_to(at);
                seen.extend(drain(&events).into_iter().map(|e| (at, e)));
            }
            (a, b, seen)
        };
        let (a, b, first) = timeline(7);
        assert_eq!(first, timeline(7).2, "deterministic for a seed");
        assert_eq!(first.len(), 2);
        assert_eq!(
            first[0].1,
            (a, EventKind::Completed, OcfCode::Success, ExecStatus::Done)
        );
        assert!(first[0].0 >= Duration::from_millis(10) && first[0].0 < Duration::from_millis(60));
        assert_eq!(
            first[1],
            (
                Duration::from_secs(20),
                (
                    b,
                    EventKind::Completed,
                    OcfCode::ErrGeneric,
                    ExecStatus::Timeout
                )
            )
        );
    }

    #[test]
    fn recurring_reports_changes_serialises_and_cancels() {
        let (sim, events) = SimRunner::new(1, Duration::from_millis(100), Duration::ZERO);
        sim.script(SimRule {
            resource: None,
            action: Some(Action::Monitor),
            behaviour: SimBehaviour::Answer(OcfCode::Success),
        });
        let start = sim.submit(request("r", Action::Start)).expect("submit");
        let monitor = sim
            .submit(request("r", Action::Monitor).every(Duration::from_secs(1)))
            .expect("submit");
        sim.advance_to(Duration::from_millis(100));
        assert_eq!(
            drain(&events),
            vec![(
                start,
                EventKind::Completed,
                OcfCode::Success,
                ExecStatus::Done
            )]
        );
        // The monitor waited for the start: it ends at 200 ms, not 100 ms.
        sim.advance_to(Duration::from_millis(199));
        assert!(drain(&events).is_empty());
        sim.advance_to(Duration::from_millis(200));
        assert_eq!(
            drain(&events),
            vec![(
                monitor,
                EventKind::FirstResult,
                OcfCode::Success,
                ExecStatus::Done
            )]
        );
        sim.advance_to(Duration::from_secs(5));
        assert!(
            drain(&events).is_empty(),
            "unchanged results are not reported"
        );
        sim.script(SimRule {
            resource: Some("r".into()),
            action: Some(Action::Monitor),
            behaviour: SimBehaviour::Answer(OcfCode::NotRunning),
        });
        sim.advance_to(Duration::from_secs(7));
        assert_eq!(
            drain(&events),
            vec![(
                monitor,
                EventKind::Changed,
                OcfCode::NotRunning,
                ExecStatus::Done
            )]
        );
        sim.cancel(monitor).expect("cancel");
        assert_eq!(
            drain(&events),
            vec![(
                monitor,
                EventKind::Cancelled,
                OcfCode::Success,
                ExecStatus::Cancelled
            )]
        );
        sim.advance_to(Duration::from_secs(60));
        assert!(drain(&events).is_empty());
        assert_eq!(sim.next_due(), None);
    }
}
