//! Executor benchmark: per-operation overhead against a bare fork/exec of the same agent,
//! and throughput with 100 resources monitored concurrently.
//!
//! Usage: cargo run --release -p executor --example executor_bench -- [RUNS] [SECONDS]
//! (defaults: 10000 runs of ocf:heartbeat:Dummy monitor per mode; 10 s per concurrent phase).
//! The modes are interleaved (the shell loop in chunks of 100 runs, the in-process modes run
//! by run) so that machine load hits them alike.

use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use executor::invoke::{self, Plan};
use executor::process::Invocation;
use executor::{
    run_blocking, Action, AgentPaths, AgentRunner, AgentSpec, Executor, ExecutorConfig,
    MetadataCache, OcfCode, OpEvent, OpRequest,
};

/// Runs of each mode between switches.
const CHUNK: usize = 100;

fn state_file(resource: &str) -> String {
    std::env::temp_dir()
        .join(format!("tandem-bench-{resource}.state"))
        .display()
        .to_string()
}

fn request(resource: &str, action: Action) -> OpRequest {
    let spec = AgentSpec::parse("ocf:heartbeat:Dummy").expect("spec");
    OpRequest::new(resource, spec, action)
        .param("state", state_file(resource))
        .timeout(Duration::from_secs(20))
}

/// Prints mean, p50 and p99 of per-run times (µs); returns the mean in ms.
fn report(name: &str, mut samples: Vec<u128>, total: Duration) -> f64 {
    samples.sort_unstable();
    let n = samples.len().max(1);
    let mean = samples.iter().sum::<u128>() as f64 / n as f64 / 1000.0;
    let at = |q: f64| samples[((n as f64 * q) as usize).min(n - 1)] as f64 / 1000.0;
    println!(
        "{name:<42} n={:<6} total={:>7.2}s mean={mean:>7.3}ms p50={:>7.3}ms p99={:>7.3}ms",
        samples.len(),
        total.as_secs_f64(),
        at(0.5),
        at(0.99)
    );
    mean
}

/// The exact invocation the executor would make (program, argument, environment, working
/// directory), as planned by `executor::invoke::plan`.
fn invocation(resource: &str) -> Invocation {
    match invoke::plan(
        &request(resource, Action::Monitor),
        Duration::from_secs(20),
        &AgentPaths::default(),
    ) {
        Plan::Run(invocation, _) => invocation,
        other => panic!("Dummy monitor is not a process run: {other:?}"),
    }
}

/// The same invocation, spawned directly with std::process and waited for.
fn bare_spawn(runs: usize, resource: &str, samples: &mut Vec<u128>) {
    let invocation = invocation(resource);
    for _ in 0..runs {
        let t = Instant::now();
        let status = Command::new(&invocation.program)
            .args(&invocation.args)
            .env_clear()
            .envs(invocation.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&invocation.cwd)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("spawn agent");
        assert_eq!(status.code(), Some(0));
        samples.push(t.elapsed().as_micros());
    }
}

/// The same invocation looped by /bin/sh; every run of a chunk gets the chunk's mean.
fn shell_loop(runs: usize, resource: &str, samples: &mut Vec<u128>) {
    let invocation = invocation(resource);
    let program = invocation.program.display().to_string();
    let script = format!(
        "cd {}; i=0; while [ $i -lt {runs} ]; do {program} monitor >/dev/null 2>&1 || exit 1; i=$((i+1)); done",
        invocation.cwd.display()
    );
    let started = Instant::now();
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .env_clear()
        .envs(invocation.env.iter().map(|(k, v)| (k, v)))
        .status()
        .expect("sh");
    assert!(status.success(), "shell loop failed");
    let per_run = started.elapsed().as_micros() / runs as u128;
    samples.extend(std::iter::repeat_n(per_run, runs));
}

fn blocking(runs: usize, resource: &str, samples: &mut Vec<u128>) {
    let paths = AgentPaths::default();
    let cache = MetadataCache::new();
    let monitor = request(resource, Action::Monitor);
    for _ in 0..runs {
        let t = Instant::now();
        let result = run_blocking(&monitor, &paths, &cache).expect("run");
        assert!(result.is(OcfCode::Success), "{}", result.summary());
        samples.push(t.elapsed().as_micros());
    }
}

fn next(events: &Receiver<OpEvent>) -> OpEvent {
    events.recv_timeout(Duration::from_secs(60)).expect("event")
}

fn through_executor(
    executor: &Executor,
    events: &Receiver<OpEvent>,
    runs: usize,
    resource: &str,
    samples: &mut Vec<u128>,
) {
    let monitor = request(resource, Action::Monitor);
    for _ in 0..runs {
        let t = Instant::now();
        executor.submit(monitor.clone()).expect("submit");
        let event = next(events);
        assert!(
            event.result.is(OcfCode::Success),
            "{}",
            event.result.summary()
        );
        samples.push(t.elapsed().as_micros());
    }
}

fn overhead(runs: usize, resource: &str) {
    println!(
        "ocf:heartbeat:Dummy monitor, {runs} runs per mode, the shell loop in chunks of {CHUNK}, the others alternating run by run:"
    );
    let (executor, events) = Executor::start(ExecutorConfig::default()).expect("executor");
    let mut shell = Vec::new();
    let mut bare = Vec::new();
    let mut blocked = Vec::new();
    let mut queued = Vec::new();
    let mut totals = [Duration::ZERO; 4];
    let mut left = runs;
    while left > 0 {
        let chunk = left.min(CHUNK);
        left -= chunk;
        let t = Instant::now();
        shell_loop(chunk, resource, &mut shell);
        totals[0] += t.elapsed();
        // The three in-process modes alternate run by run.
        for _ in 0..chunk {
            let t = Instant::now();
            bare_spawn(1, resource, &mut bare);
            totals[1] += t.elapsed();
            let t = Instant::now();
            blocking(1, resource, &mut blocked);
            totals[2] += t.elapsed();
            let t = Instant::now();
            through_executor(&executor, &events, 1, resource, &mut queued);
            totals[3] += t.elapsed();
        }
    }
    let shell = report("bare /bin/sh loop (chunk means)", shell, totals[0]);
    let bare = report("bare std::process spawn+wait", bare, totals[1]);
    let blocked = report("executor run_blocking", blocked, totals[2]);
    let queued = report("executor submit -> event, one at a time", queued, totals[3]);
    println!(
        "overhead per op: run_blocking {:+.3}ms, executor {:+.3}ms vs bare spawn; {:+.3}ms, {:+.3}ms vs the shell loop",
        blocked - bare,
        queued - bare,
        blocked - shell,
        queued - shell
    );
    executor.shutdown();
}

/// 100 resources, each always with one monitor queued: saturated ops/s.
fn saturated(resources: usize, seconds: u64) {
    let (executor, events) = Executor::start(ExecutorConfig::default()).expect("executor");
    let names: Vec<String> = (0..resources).map(|i| format!("sat{i}")).collect();
    for name in &names {
        executor
            .submit(request(name, Action::Start))
            .expect("submit");
    }
    for _ in &names {
        next(&events);
    }
    let started = Instant::now();
    let mut done = 0u64;
    for name in &names {
        executor
            .submit(request(name, Action::Monitor))
            .expect("submit");
    }
    while started.elapsed() < Duration::from_secs(seconds) {
        let event = next(&events);
        assert!(
            event.result.is(OcfCode::Success),
            "{}",
            event.result.summary()
        );
        done += 1;
        executor.submit((*event.request).clone()).expect("submit");
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{resources} resources, monitors back to back (limit {} at once): {:.0} ops/s ({done} ops in {elapsed:.1}s)",
        executor::limits::DEFAULT_MAX_CONCURRENT,
        done as f64 / elapsed
    );
    executor.shutdown();
    stop_all(&names);
}

/// 100 recurring monitors at `interval`: the steady load a node carries.
fn recurring(resources: usize, seconds: u64, interval: Duration) {
    let (executor, events) = Executor::start(ExecutorConfig::default()).expect("executor");
    let names: Vec<String> = (0..resources).map(|i| format!("rec{i}")).collect();
    for name in &names {
        executor
            .submit(request(name, Action::Start))
            .expect("submit");
    }
    for _ in &names {
        next(&events);
    }
    let cpu_before = cpu_seconds();
    let runs_before = executor.runs_completed();
    let started = Instant::now();
    for name in &names {
        executor
            .submit(request(name, Action::Monitor).every(interval))
            .expect("submit");
    }
    let mut reported = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        if events.recv_timeout(Duration::from_millis(100)).is_ok() {
            reported += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let runs = executor.runs_completed() - runs_before;
    let cpu = cpu_seconds() - cpu_before;
    println!(
        "{resources} recurring monitors every {}ms: {:.0} runs/s (ideal {:.0}), {reported} events reported (first results only: unchanged), CPU of executor+agents {:.0}% of one core",
        interval.as_millis(),
        runs as f64 / elapsed,
        resources as f64 / interval.as_secs_f64(),
        cpu / elapsed * 100.0
    );
    executor.shutdown();
    stop_all(&names);
}

fn stop_all(names: &[String]) {
    let paths = AgentPaths::default();
    let cache = MetadataCache::new();
    for name in names {
        let _ = run_blocking(&request(name, Action::Stop), &paths, &cache);
    }
}

/// User+system CPU time of this process and its waited-for children, in seconds.
fn cpu_seconds() -> f64 {
    let mut total = 0.0;
    for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
        // SAFETY: an all-zero rusage is valid; getrusage fills it.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer to a rusage struct.
        unsafe { libc::getrusage(who, &mut usage) };
        total += usage.ru_utime.tv_sec as f64 + usage.ru_utime.tv_usec as f64 / 1e6;
        total += usage.ru_stime.tv_sec as f64 + usage.ru_stime.tv_usec as f64 / 1e6;
    }
    total
}

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let resource = "bench";
    let paths = AgentPaths::default();
    run_blocking(
        &request(resource, Action::Start),
        &paths,
        &MetadataCache::new(),
    )
    .expect("start");
    overhead(runs, resource);
    run_blocking(
        &request(resource, Action::Stop),
        &paths,
        &MetadataCache::new(),
    )
    .expect("stop");
    saturated(100, seconds);
    recurring(100, seconds, Duration::from_secs(1));
}
