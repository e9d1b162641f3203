//! The executor's scheduling: per-resource serialisation, the concurrency limit, recurring
//! monitors (start delay, report on change, refresh, cancel), cancellation and the waker.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{unique, Fixtures};
use executor::{
    Action, AgentRunner, EventKind, ExecStatus, Executor, ExecutorConfig, OcfCode, OpEvent,
    OpRequest,
};

fn executor(
    fixtures: &Fixtures,
    max_concurrent: usize,
    refresh: Duration,
) -> (Executor, Receiver<OpEvent>) {
    let config = ExecutorConfig {
        paths: fixtures.paths(),
        max_concurrent,
        refresh,
        reap_orphans: true,
        check_params: false,
        waker: None,
    };
    Executor::start(config).expect("executor starts")
}

fn next(events: &Receiver<OpEvent>) -> OpEvent {
    events
        .recv_timeout(Duration::from_secs(10))
        .expect("an event within 10 s")
}

/// An agent that fails if another instance for the same resource runs at the same time.
const EXCLUSIVE: &str = "#!/bin/sh\nlock=\"$OCF_RESKEY_dir/$OCF_RESOURCE_INSTANCE.lock\"\nmkdir \"$lock\" 2>/dev/null || exit 1\nsleep 0.2\nrmdir \"$lock\"\nexit 0\n";

#[test]
fn operations_on_one_resource_never_overlap() {
    let fixtures = Fixtures::new();
    let spec = fixtures.agent("Exclusive", EXCLUSIVE, 0o755);
    let (executor, events) = executor(&fixtures, 8, Duration::from_secs(600));
    let dir = fixtures.root.display().to_string();
    let started = Instant::now();
    for _ in 0..4 {
        let request = OpRequest::new("same", spec.clone(), Action::Start)
            .param("dir", &dir)
            .timeout(Duration::from_secs(10));
        executor.submit(request).expect("accepted");
    }
    let mut ids = Vec::new();
    for _ in 0..4 {
        let event = next(&events);
        assert!(
            event.result.is(OcfCode::Success),
            "overlapping run: {}",
            event.result.summary()
        );
        assert_eq!(event.kind, EventKind::Completed);
        ids.push(event.id);
    }
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "completed out of submission order: {ids:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "ran in parallel: {:?}",
        started.elapsed()
    );
    assert_eq!(executor.pending(), 0);
}

#[test]
fn different_resources_run_in_parallel_up_to_the_limit() {
    let fixtures = Fixtures::new();
    let spec = fixtures.agent("Slow", "#!/bin/sh\nsleep 0.5\nexit 0\n", 0o755);
    // 6 resources, 3 at a time: two waves of 0.5 s (3 s if they ran one by one).
    let (executor, events) = executor(&fixtures, 3, Duration::from_secs(600));
    let started = Instant::now();
    for index in 0..6 {
        executor
            .submit(
                OpRequest::new(format!("r{index}"), spec.clone(), Action::Start)
                    .timeout(Duration::from_secs(10)),
            )
            .expect("accepted");
    }
    for _ in 0..6 {
        assert!(next(&events).result.is(OcfCode::Success));
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(600),
        "limit not enforced: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(1700),
        "not parallel: {elapsed:?}"
    );
}

#[test]
fn recurring_monitor_reports_first_result_changes_and_refreshes() {
    let fixtures = Fixtures::new();
    let spec = fixtures.agent(
        "State",
        "#!/bin/sh\nexit $(cat \"$OCF_RESKEY_file\")\n",
        0o755,
    );
    let file = fixtures.root.join("state");
    std::fs::write(&file, "0").expect("write state");
    let (executor, events) = executor(&fixtures, 4, Duration::from_millis(1500));
    let request = OpRequest::new(unique("mon"), spec, Action::Monitor)
        .param("file", file.display().to_string())
        .every(Duration::from_millis(100))
        .timeout(Duration::from_secs(5));
    let started = Instant::now();
    let id = executor.submit(request).expect("accepted");
    let first = next(&events);
    assert_eq!((first.id, first.kind), (id, EventKind::FirstResult));
    assert!(first.result.is(OcfCode::Success));
    // Unchanged results are not reported before the refresh period.
    assert!(
        events.recv_timeout(Duration::from_millis(700)).is_err(),
        "unchanged result reported"
    );
    std::fs::write(&file, "7").expect("write state");
    let changed = next(&events);
    assert_eq!(changed.kind, EventKind::Changed);
    assert!(changed.result.is(OcfCode::NotRunning));
    let refresh = next(&events);
    assert_eq!(refresh.kind, EventKind::Refresh);
    assert!(refresh.result.is(OcfCode::NotRunning));
    assert!(started.elapsed() >= Duration::from_millis(1500));
    executor.cancel(id).expect("cancel");
    let cancelled = next(&events);
    assert_eq!(
        (cancelled.id, cancelled.kind, cancelled.result.status),
        (id, EventKind::Cancelled, ExecStatus::Cancelled)
    );
    std::fs::write(&file, "1").expect("write state");
    assert!(
        events.recv_timeout(Duration::from_millis(500)).is_err(),
        "event after cancel"
    );
    assert!(matches!(
        executor.cancel(id),
        Err(executor::ExecError::NoSuchOp(_))
    ));
    assert_eq!(executor.pending(), 0);
}

#[test]
fn start_delay_postpones_the_first_run() {
    let fixtures = Fixtures::new();
    let spec = fixtures.agent("Ok", "#!/bin/sh\nexit 0\n", 0o755);
    let (executor, events) = executor(&fixtures, 4, Duration::from_secs(600));
    let mut request = OpRequest::new(unique("delay"), spec, Action::Monitor)
        .every(Duration::from_secs(60))
        .timeout(Duration::from_secs(5));
    request.start_delay = Duration::from_millis(400);
    let started = Instant::now();
    let id = executor.submit(request).expect("accepted");
    let first = next(&events);
    assert_eq!(first.kind, EventKind::FirstResult);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "ran early: {:?}",
        started.elapsed()
    );
    executor.cancel(id).expect("cancel");
    assert_eq!(next(&events).kind, EventKind::Cancelled);
}

#[test]
fn cancelling_kills_a_running_operation_and_drops_a_queued_one() {
    let fixtures = Fixtures::new();
    let spec = fixtures.agent("Long", "#!/bin/sh\nsleep 30\n", 0o755);
    let (executor, events) = executor(&fixtures, 4, Duration::from_secs(600));
    let resource = unique("cancel");
    let running = executor
        .submit(
            OpRequest::new(&resource, spec.clone(), Action::Start).timeout(Duration::from_secs(60)),
        )
        .expect("accepted");
    let queued = executor
        .submit(OpRequest::new(&resource, spec, Action::Stop).timeout(Duration::from_secs(60)))
        .expect("accepted");
    std::thread::sleep(Duration::from_millis(200));
    executor.cancel(queued).expect("cancel queued");
    let event = next(&events);
    assert_eq!((event.id, event.kind), (queued, EventKind::Cancelled));
    let started = Instant::now();
    executor.cancel(running).expect("cancel running");
    let event = next(&events);
    assert_eq!(
        (event.id, event.result.status),
        (running, ExecStatus::Cancelled)
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(
        common::leftovers(&resource, Duration::from_secs(2)),
        Vec::<u32>::new()
    );
}

#[test]
fn waker_is_called_for_each_event_and_shutdown_kills_running_agents() {
    let fixtures = Fixtures::new();
    let ok = fixtures.agent("Ok", "#!/bin/sh\nexit 0\n", 0o755);
    let long = fixtures.agent("Long", "#!/bin/sh\nsleep 30\n", 0o755);
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = wakes.clone();
    let config = ExecutorConfig {
        paths: fixtures.paths(),
        waker: Some(Arc::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        })),
        ..ExecutorConfig::default()
    };
    let (executor, events) = Executor::start(config).expect("starts");
    for index in 0..3 {
        executor
            .submit(
                OpRequest::new(format!("w{index}"), ok.clone(), Action::Start)
                    .timeout(Duration::from_secs(5)),
            )
            .expect("accepted");
    }
    for _ in 0..3 {
        next(&events);
    }
    // The waker runs right after each event is queued, so it may trail the receiver a little.
    let until = Instant::now() + Duration::from_secs(2);
    while wakes.load(Ordering::Relaxed) < 3 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(wakes.load(Ordering::Relaxed), 3);
    let resource = unique("shutdown");
    executor
        .submit(OpRequest::new(&resource, long, Action::Start).timeout(Duration::from_secs(60)))
        .expect("accepted");
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    executor.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown waited for the agent"
    );
    assert_eq!(
        common::leftovers(&resource, Duration::from_secs(2)),
        Vec::<u32>::new()
    );
}

#[test]
fn invalid_requests_are_refused_at_submit() {
    let fixtures = Fixtures::new();
    let spec = fixtures.agent("Ok", "#!/bin/sh\nexit 0\n", 0o755);
    let (executor, _events) = executor(&fixtures, 4, Duration::from_secs(600));
    let error = executor
        .submit(OpRequest::new("x", spec.clone(), Action::Start).param("bad name", "1"))
        .expect_err("refused");
    assert!(error.to_string().contains("bad name"), "{error}");
    let error = executor
        .submit(OpRequest::new("x", spec, Action::Monitor).every(Duration::from_millis(1)))
        .expect_err("refused");
    assert!(error.to_string().contains("interval"), "{error}");
    assert!(ExecutorConfig {
        max_concurrent: 0,
        ..ExecutorConfig::default()
    }
    .validate()
    .is_err());
}

#[test]
fn timeouts_through_the_executor_kill_the_group_and_free_the_slot() {
    let fixtures = Fixtures::new();
    let hang = fixtures.agent("Hang", "#!/bin/sh\nsleep 1000 &\nwait\n", 0o755);
    let ok = fixtures.agent("Ok", "#!/bin/sh\nexit 0\n", 0o755);
    // One slot: the second operation can only run once the hung one is dealt with.
    let (executor, events) = executor(&fixtures, 1, Duration::from_secs(600));
    let resource = unique("exec-hang");
    let hung = executor
        .submit(OpRequest::new(&resource, hang, Action::Start).timeout(Duration::from_millis(300)))
        .expect("accepted");
    let after = executor
        .submit(
            OpRequest::new(unique("exec-ok"), ok, Action::Start).timeout(Duration::from_secs(5)),
        )
        .expect("accepted");
    let first = next(&events);
    assert_eq!(
        (first.id, first.result.status),
        (hung, ExecStatus::Timeout),
        "{}",
        first.result.summary()
    );
    assert_eq!(first.timeout, Duration::from_millis(300));
    let second = next(&events);
    assert_eq!(second.id, after);
    assert!(second.result.is(OcfCode::Success));
    assert_eq!(
        common::leftovers(&resource, Duration::from_secs(2)),
        Vec::<u32>::new()
    );
    assert_eq!(executor.pending(), 0);
    assert_eq!(executor.runs_completed(), 2);
}

#[test]
fn parameters_are_checked_against_meta_data_when_asked() {
    let fixtures = Fixtures::new();
    let body = "#!/bin/sh\ncase \"$1\" in\nmeta-data) cat <<'XML'\n<resource-agent name=\"Strict\"><parameters>\n<parameter name=\"state\" required=\"1\"><content type=\"string\"/></parameter>\n<parameter name=\"port\"><content type=\"integer\"/></parameter>\n</parameters><actions><action name=\"start\" timeout=\"7s\"/></actions></resource-agent>\nXML\nexit 0;;\n*) echo \"timeout=$OCF_RESKEY_CRM_meta_timeout\"; exit 0;;\nesac\n";
    let spec = fixtures.agent("Strict", body, 0o755);
    let config = ExecutorConfig {
        paths: fixtures.paths(),
        check_params: true,
        ..ExecutorConfig::default()
    };
    let (executor, events) = Executor::start(config).expect("starts");
    executor
        .submit(OpRequest::new("strict", spec.clone(), Action::Start).param("port", "eighty"))
        .expect("accepted");
    let refused = next(&events);
    assert_eq!(
        (refused.result.code, refused.result.status),
        (OcfCode::ErrConfigured, ExecStatus::Invalid)
    );
    let reason = refused.result.exit_reason.unwrap_or_default();
    assert!(
        reason.contains("required parameter 'state'") && reason.contains("'port' = 'eighty'"),
        "{reason}"
    );
    // Valid parameters run, with the advertised default timeout.
    executor
        .submit(
            OpRequest::new("strict", spec.clone(), Action::Start)
                .param("state", "x")
                .param("port", "80"),
        )
        .expect("accepted");
    let ran = next(&events);
    assert!(ran.result.is(OcfCode::Success), "{}", ran.result.summary());
    assert_eq!(ran.result.stdout.text(), "timeout=7000\n");
    // Monitors are never refused: they must report the truth.
    executor
        .submit(OpRequest::new("strict", spec, Action::Monitor))
        .expect("accepted");
    assert!(next(&events).result.is(OcfCode::Success));
}

#[test]
fn cancel_recurring_ends_every_monitor_of_one_resource_only() {
    let fixtures = Fixtures::new();
    let ok = fixtures.agent("Ok", "#!/bin/sh\nexit 0\n", 0o755);
    let (executor, events) = executor(&fixtures, 4, Duration::from_secs(600));
    let monitor = |resource: &str, interval_ms: u64| {
        OpRequest::new(resource, ok.clone(), Action::Monitor)
            .every(Duration::from_millis(interval_ms))
            .timeout(Duration::from_secs(5))
    };
    let a1 = executor.submit(monitor("a", 200)).expect("accepted");
    let a2 = executor.submit(monitor("a", 300)).expect("accepted");
    let b = executor.submit(monitor("b", 200)).expect("accepted");
    for _ in 0..3 {
        assert_eq!(next(&events).kind, EventKind::FirstResult);
    }
    assert_eq!(executor.cancel_recurring("a").expect("cancel"), 2);
    let mut cancelled = vec![next(&events).id, next(&events).id];
    cancelled.sort_unstable();
    assert_eq!(cancelled, vec![a1, a2]);
    assert_eq!(executor.cancel_recurring("a").expect("cancel"), 0);
    executor.cancel(b).expect("b still runs");
    assert_eq!(next(&events).kind, EventKind::Cancelled);
}
