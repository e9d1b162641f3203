//! The executor proper: accepts operations, runs them (one at a time per resource, up to a
//! limit overall), repeats recurring ones, and delivers completions as events.
//!
//! A scheduler thread owns all state. Callers talk to it through [`AgentRunner`]; each
//! running operation runs on a worker thread (kept for the next one, `workers`) that runs
//! the agent and reports back. Completions
//! come out of the [`Receiver`] returned by [`Executor::start`], in the order they finish,
//! and an optional waker is called after each one so an event loop can poll the receiver.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::agent_info;
use crate::error::ExecError;
use crate::invoke;
use crate::limits;
use crate::metadata::{Metadata, MetadataCache, ParamProblem};
use crate::outcome::{ExecStatus, OcfCode, OpResult};
use crate::paths::AgentPaths;
use crate::reaper;
use crate::request::OpRequest;
use crate::spec::AgentSpec;
use crate::workers::Workers;

/// Identifies one submitted operation (a recurring one keeps its id across runs).
pub type OpId = u64;

/// Why an event was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A one-shot operation finished.
    Completed,
    /// A recurring operation's first result.
    FirstResult,
    /// A recurring operation's result differs from the previous one.
    Changed,
    /// A recurring operation's result is unchanged; reported again after the refresh period.
    Refresh,
    /// The operation was cancelled; no more events come for it.
    Cancelled,
}

/// A completion delivered by the executor.
#[derive(Debug, Clone)]
pub struct OpEvent {
    /// The operation's id, as returned by `submit`.
    pub id: OpId,
    /// The request as submitted.
    pub request: Arc<OpRequest>,
    /// Why this event was sent.
    pub kind: EventKind,
    /// The result (for `Cancelled`, a result with status cancelled).
    pub result: OpResult,
    /// The timeout the operation ran with.
    pub timeout: Duration,
}

/// Anything that can run agent operations: the real executor, or a simulation.
pub trait AgentRunner {
    /// Accepts an operation; its results arrive later as events.
    fn submit(&self, request: OpRequest) -> Result<OpId, ExecError>;
    /// Cancels a queued, running or recurring operation.
    fn cancel(&self, id: OpId) -> Result<(), ExecError>;
}

/// Called after each event is queued, e.g. to wake an event loop (write to an eventfd).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Executor settings.
#[derive(Clone)]
pub struct ExecutorConfig {
    /// Agent locations and per-process bounds.
    pub paths: AgentPaths,
    /// Operations running at once across all resources.
    pub max_concurrent: usize,
    /// Period after which an unchanged recurring result is reported again.
    pub refresh: Duration,
    /// Become a child subreaper and reap agents' orphaned descendants (a background thread).
    pub reap_orphans: bool,
    /// Refuse start, reload and validate-all requests whose parameters break the agent's
    /// meta-data (missing required, badly typed), without running the agent.
    pub check_params: bool,
    /// Called after each event is queued.
    pub waker: Option<Waker>,
}

impl std::fmt::Debug for ExecutorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutorConfig")
            .field("paths", &self.paths)
            .field("max_concurrent", &self.max_concurrent)
            .field("refresh", &self.refresh)
            .field("reap_orphans", &self.reap_orphans)
            .field("check_params", &self.check_params)
            .field("waker", &self.waker.is_some())
            .finish()
    }
}

impl Default for ExecutorConfig {
    fn default() -> ExecutorConfig {
        ExecutorConfig {
            paths: AgentPaths::from_env(),
            max_concurrent: limits::DEFAULT_MAX_CONCURRENT,
            refresh: limits::DEFAULT_REFRESH,
            reap_orphans: true,
            check_params: false,
            waker: None,
        }
    }
}

impl ExecutorConfig {
    /// Rejects settings outside the bounds in `limits`.
    pub fn validate(&self) -> Result<(), ExecError> {
        if self.max_concurrent == 0 || self.max_concurrent > limits::MAX_CONCURRENT {
            return Err(ExecError::Config(format!(
                "max_concurrent must be 1..={}",
                limits::MAX_CONCURRENT
            )));
        }
        if self.refresh < limits::MIN_INTERVAL {
            return Err(ExecError::Config(format!(
                "refresh must be at least {}ms",
                limits::MIN_INTERVAL.as_millis()
            )));
        }
        Ok(())
    }
}

/// Messages to the scheduler thread.
enum Msg {
    Submit(OpId, Arc<OpRequest>),
    Cancel(OpId, SyncSender<Result<(), ExecError>>),
    CancelRecurring(String, SyncSender<usize>),
    Done(OpId, OpResult, Duration),
    Shutdown,
}

/// Recurring-operation bookkeeping.
struct Recurring {
    last: Option<(OcfCode, ExecStatus)>,
    last_reported: Option<Instant>,
}

/// One accepted operation.
struct Op {
    request: Arc<OpRequest>,
    recurring: Option<Recurring>,
    cancel: Arc<AtomicBool>,
    cancelled: bool,
    /// Queued or running right now.
    in_flight: bool,
    timeout: Duration,
}

/// Per-resource serialisation.
#[derive(Default)]
struct Resource {
    queue: VecDeque<OpId>,
    running: Option<OpId>,
    waiting: bool,
}

struct Scheduler {
    config: ExecutorConfig,
    cache: Arc<MetadataCache>,
    to_self: Sender<Msg>,
    events: SyncSender<OpEvent>,
    pending: Arc<AtomicUsize>,
    runs: Arc<AtomicU64>,
    ops: HashMap<OpId, Op>,
    resources: HashMap<String, Resource>,
    timers: BTreeSet<(Instant, OpId)>,
    waiting: VecDeque<String>,
    running: usize,
    workers: Workers,
}

impl Scheduler {
    fn emit(&self, event: OpEvent) {
        if self.events.send(event).is_err() {
            tracing::debug!("executor event receiver dropped");
            return;
        }
        if let Some(waker) = &self.config.waker {
            waker();
        }
    }

    fn enqueue(&mut self, id: OpId) {
        let Some(op) = self.ops.get_mut(&id) else {
            return;
        };
        if op.in_flight || op.cancelled {
            return;
        }
        op.in_flight = true;
        let resource = self
            .resources
            .entry(op.request.resource.clone())
            .or_default();
        resource.queue.push_back(id);
        if resource.running.is_none() && !resource.waiting {
            resource.waiting = true;
            self.waiting.push_back(op.request.resource.clone());
        }
    }

    fn dispatch(&mut self) {
        while self.running < self.config.max_concurrent {
            let Some(name) = self.waiting.pop_front() else {
                break;
            };
            let Some(resource) = self.resources.get_mut(&name) else {
                continue;
            };
            resource.waiting = false;
            if resource.running.is_some() {
                continue;
            }
            let Some(id) = resource.queue.pop_front() else {
                continue;
            };
            resource.running = Some(id);
            let Some(op) = self.ops.get(&id) else {
                continue;
            };
            self.running += 1;
            let request = op.request.clone();
            tracing::debug!(id, resource = %request.resource, action = %request.action, agent = %request.spec, "running");
            let cancel = op.cancel.clone();
            let paths = self.config.paths.clone();
            let cache = self.cache.clone();
            let to_self = self.to_self.clone();
            let check_params = self.config.check_params;
            let job = Box::new(move || {
                let completed = agent_info::complete(&request, &paths, &cache);
                let timeout = agent_info::resolve_timeout(&completed, &paths, &cache);
                let refused = if check_params {
                    agent_info::param_errors(&completed, &paths, &cache)
                } else {
                    None
                };
                let result = match refused {
                    Some(result) => result,
                    None => invoke::execute(&completed, timeout, &paths, Some(&cancel)),
                };
                let _ = to_self.send(Msg::Done(id, result, timeout));
            });
            if let Err(error) = self.workers.run(job) {
                let result = OpResult::not_run(
                    OcfCode::ErrGeneric,
                    ExecStatus::Error,
                    format!("cannot start a worker thread: {error}"),
                );
                let _ = self.to_self.send(Msg::Done(id, result, Duration::ZERO));
            }
        }
    }

    fn finish(&mut self, id: OpId) {
        self.ops.remove(&id);
        self.pending.fetch_sub(1, Ordering::Relaxed);
    }

    fn on_done(&mut self, id: OpId, result: OpResult, timeout: Duration) {
        self.running = self.running.saturating_sub(1);
        self.runs.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let Some(op) = self.ops.get_mut(&id) else {
            return;
        };
        op.in_flight = false;
        op.timeout = timeout;
        let request = op.request.clone();
        if let Some(resource) = self.resources.get_mut(&request.resource) {
            resource.running = None;
            if !resource.queue.is_empty() && !resource.waiting {
                resource.waiting = true;
                self.waiting.push_back(request.resource.clone());
            } else if resource.queue.is_empty() {
                self.resources.remove(&request.resource);
            }
        }
        let refresh = self.config.refresh;
        let kind = match (&mut op.recurring, op.cancelled) {
            // A cancelled recurring op already got its Cancelled event.
            (Some(_), true) => None,
            (None, _) => Some(EventKind::Completed),
            (Some(recurring), false) => {
                let key = (result.code, result.status);
                let kind = match recurring.last {
                    None => Some(EventKind::FirstResult),
                    Some(last) if last != key => Some(EventKind::Changed),
                    Some(_)
                        if recurring
                            .last_reported
                            .is_some_and(|at| now.duration_since(at) >= refresh) =>
                    {
                        Some(EventKind::Refresh)
                    }
                    Some(_) => None,
                };
                recurring.last = Some(key);
                if kind.is_some() {
                    recurring.last_reported = Some(now);
                }
                self.timers.insert((now + request.interval, id));
                kind
            }
        };
        tracing::debug!(id, resource = %request.resource, action = %request.action, result = %result.summary(), reported = kind.is_some(), "finished");
        let finished = op.recurring.is_none() || op.cancelled;
        if finished {
            self.finish(id);
        }
        if let Some(kind) = kind {
            self.emit(OpEvent {
                id,
                request,
                kind,
                result,
                timeout,
            });
        }
    }

    fn on_cancel(&mut self, id: OpId) -> Result<(), ExecError> {
        let Some(op) = self.ops.get_mut(&id) else {
            return Err(ExecError::NoSuchOp(id));
        };
        if op.cancelled {
            return Ok(());
        }
        op.cancelled = true;
        let request = op.request.clone();
        let timeout = op.timeout;
        let running = self
            .resources
            .get(&request.resource)
            .is_some_and(|r| r.running == Some(id));
        if running && op.recurring.is_none() {
            // The worker kills the agent; its result (status cancelled) is the event.
            op.cancel.store(true, Ordering::Relaxed);
            return Ok(());
        }
        let recurring = op.recurring.is_some();
        self.timers.retain(|(_, timer_id)| *timer_id != id);
        if let Some(resource) = self.resources.get_mut(&request.resource) {
            resource.queue.retain(|queued| *queued != id);
        }
        // A running recurring op finishes its current run; on_done then forgets it.
        if !(running && recurring) {
            self.finish(id);
        }
        let cancelled = OpResult::not_run(OcfCode::Success, ExecStatus::Cancelled, "cancelled");
        self.emit(OpEvent {
            id,
            request,
            kind: EventKind::Cancelled,
            result: cancelled,
            timeout,
        });
        Ok(())
    }

    fn next_wake(&self) -> Option<Instant> {
        self.timers.first().map(|(at, _)| *at)
    }

    fn run(mut self, inbox: Receiver<Msg>) {
        loop {
            let message = match self.next_wake() {
                Some(at) => {
                    match inbox.recv_timeout(at.saturating_duration_since(Instant::now())) {
                        Ok(message) => Some(message),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                None => match inbox.recv() {
                    Ok(message) => Some(message),
                    Err(_) => break,
                },
            };
            match message {
                Some(Msg::Submit(id, request)) => {
                    let recurring = request.is_recurring().then_some(Recurring {
                        last: None,
                        last_reported: None,
                    });
                    let start_delay = request.start_delay;
                    self.ops.insert(
                        id,
                        Op {
                            request,
                            recurring,
                            cancel: Arc::new(AtomicBool::new(false)),
                            cancelled: false,
                            in_flight: false,
                            timeout: Duration::ZERO,
                        },
                    );
                    if start_delay.is_zero() {
                        self.enqueue(id);
                    } else {
                        self.timers.insert((Instant::now() + start_delay, id));
                    }
                }
                Some(Msg::Cancel(id, reply)) => {
                    let _ = reply.send(self.on_cancel(id));
                }
                Some(Msg::CancelRecurring(resource, reply)) => {
                    let mut ids: Vec<OpId> = self
                        .ops
                        .iter()
                        .filter(|(_, op)| {
                            op.recurring.is_some()
                                && !op.cancelled
                                && op.request.resource == resource
                        })
                        .map(|(id, _)| *id)
                        .collect();
                    ids.sort_unstable();
                    let cancelled = ids.iter().filter(|id| self.on_cancel(**id).is_ok()).count();
                    let _ = reply.send(cancelled);
                }
                Some(Msg::Done(id, result, timeout)) => self.on_done(id, result, timeout),
                Some(Msg::Shutdown) => break,
                None => {}
            }
            let now = Instant::now();
            while let Some(&(at, id)) = self.timers.first() {
                if at > now {
                    break;
                }
                self.timers.pop_first();
                self.enqueue(id);
            }
            self.dispatch();
        }
        // Shutting down: kill what runs, wait for the workers.
        for op in self.ops.values() {
            op.cancel.store(true, Ordering::Relaxed);
        }
        self.workers.finish();
    }
}

/// The real executor: runs agents as processes.
pub struct Executor {
    to_scheduler: Sender<Msg>,
    scheduler: Option<JoinHandle<()>>,
    next_id: AtomicU64,
    pending: Arc<AtomicUsize>,
    runs: Arc<AtomicU64>,
    cache: Arc<MetadataCache>,
    paths: AgentPaths,
}

impl Executor {
    /// Starts the executor; completions arrive on the returned receiver.
    pub fn start(config: ExecutorConfig) -> Result<(Executor, Receiver<OpEvent>), ExecError> {
        config.validate()?;
        if config.reap_orphans {
            if let Err(error) = reaper::start_reaping() {
                tracing::warn!(%error, "cannot become a child subreaper; orphaned agent processes are left to init");
            }
        }
        let (to_scheduler, inbox) = mpsc::channel();
        let (events, receiver) = mpsc::sync_channel(limits::MAX_EVENT_BACKLOG);
        let pending = Arc::new(AtomicUsize::new(0));
        let runs = Arc::new(AtomicU64::new(0));
        let cache = Arc::new(MetadataCache::new());
        let paths = config.paths.clone();
        let scheduler = Scheduler {
            config,
            cache: cache.clone(),
            to_self: to_scheduler.clone(),
            events,
            pending: pending.clone(),
            runs: runs.clone(),
            ops: HashMap::new(),
            resources: HashMap::new(),
            timers: BTreeSet::new(),
            waiting: VecDeque::new(),
            running: 0,
            workers: Workers::new(),
        };
        let handle = std::thread::Builder::new()
            .name("executor".into())
            .spawn(move || scheduler.run(inbox))
            .map_err(|error| {
                ExecError::Config(format!("cannot start the scheduler thread: {error}"))
            })?;
        Ok((
            Executor {
                to_scheduler,
                scheduler: Some(handle),
                next_id: AtomicU64::new(1),
                pending,
                runs,
                cache,
                paths,
            },
            receiver,
        ))
    }

    /// The agent's meta-data (cached after the first read).
    pub fn metadata(&self, spec: &AgentSpec) -> Result<Arc<Metadata>, ExecError> {
        agent_info::metadata(spec, &self.paths, &self.cache)
    }

    /// Problems with `request`'s parameters according to its agent's meta-data.
    pub fn validate(&self, request: &OpRequest) -> Result<Vec<ParamProblem>, ExecError> {
        Ok(self
            .metadata(&request.spec)?
            .validate(&request.params, request.spec.class))
    }

    /// Operations accepted and not yet finished (recurring ones count until cancelled).
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    /// Agent runs finished since start, reported or not (recurring runs each count).
    pub fn runs_completed(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Cancels every recurring operation of `resource` (as before stopping it); returns how many.
    pub fn cancel_recurring(&self, resource: &str) -> Result<usize, ExecError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.to_scheduler
            .send(Msg::CancelRecurring(resource.to_string(), reply))
            .map_err(|_| ExecError::ShutDown)?;
        answer.recv().map_err(|_| ExecError::ShutDown)
    }

    /// Stops accepting work, kills running agents and waits for the scheduler to end.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.to_scheduler.send(Msg::Shutdown);
        if let Some(handle) = self.scheduler.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.stop();
    }
}

impl AgentRunner for Executor {
    fn submit(&self, request: OpRequest) -> Result<OpId, ExecError> {
        request.check()?;
        let pending = self.pending.fetch_add(1, Ordering::Relaxed);
        if pending >= limits::MAX_PENDING_OPS {
            self.pending.fetch_sub(1, Ordering::Relaxed);
            return Err(ExecError::QueueFull {
                limit: limits::MAX_PENDING_OPS,
            });
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if self
            .to_scheduler
            .send(Msg::Submit(id, Arc::new(request)))
            .is_err()
        {
            self.pending.fetch_sub(1, Ordering::Relaxed);
            return Err(ExecError::ShutDown);
        }
        Ok(id)
    }

    fn cancel(&self, id: OpId) -> Result<(), ExecError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.to_scheduler
            .send(Msg::Cancel(id, reply))
            .map_err(|_| ExecError::ShutDown)?;
        answer.recv().map_err(|_| ExecError::ShutDown)?
    }
}
