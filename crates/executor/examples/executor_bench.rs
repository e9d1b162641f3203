//! Executor benchmark: per-operation overhead against a bare fork/exec of the same agent,
//! and throughput with 100 resources monitored concurrently.
//!
//! Usage: cargo run --release -p executor --example executor_bench -- [RUNS] [SECONDS]
//! (defaults: 10000 runs of ocf:heartbeat:Dummy monitor; 10 s for the concurrent phases).

use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use executor::{
    run_blocking, Action, AgentPaths, AgentRunner, AgentSpec, Executor, ExecutorConfig,
    MetadataCache, OcfCode, OpEvent, OpRequest,
};

const AGENT: &str = "/usr/lib/ocf/resource.d/heartbeat/Dummy";

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

/// Per-run times in microseconds: mean, p50, p99.
fn stats(mut samples: Vec<u128>) -> (f64, u128, u128) {
    samples.sort_unstable();
    let mean = samples.iter().sum::<u128>() as f64 / samples.len().max(1) as f64;
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (mean, at(0.5), at(0.99))
}

fn report(name: &str, samples: Vec<u128>, total: Duration) -> f64 {
    let n = samples.len();
    let (mean, p50, p99) = stats(samples);
    println!(
        "{name:<44} n={n:<6} total={:>7.2}s mean={:>7.3}ms p50={:>7.3}ms p99={:>7.3}ms",
        total.as_secs_f64(),
        mean / 1000.0,
        p50 as f64 / 1000.0,
        p99 as f64 / 1000.0
    );
    mean / 1000.0
}

/// The same agent and environment, spawned directly with std::process and waited for.
fn bare_spawn(runs: usize, resource: &str) -> f64 {
    let mut samples = Vec::with_capacity(runs);
    let started = Instant::now();
    for _ in 0..runs {
        let t = Instant::now();
        let status = Command::new(AGENT)
            .arg("monitor")
            .env_clear()
            .env("PATH", AgentPaths::default().path_env)
            .env("OCF_ROOT", "/usr/lib/ocf")
            .env("OCF_RESOURCE_INSTANCE", resource)
            .env("OCF_RESKEY_state", state_file(resource))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("spawn agent");
        assert_eq!(status.code(), Some(0));
        samples.push(t.elapsed().as_micros());
    }
    report("bare std::process spawn+wait", samples, started.elapsed())
}

/// The same loop run by /bin/sh: what an administrator's shell loop costs.
fn shell_loop(runs: usize, resource: &str) -> f64 {
    let script = format!(
        "export OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE={resource} OCF_RESKEY_state={}; i=0; while [ $i -lt {runs} ]; do {AGENT} monitor >/dev/null 2>&1 || exit 1; i=$((i+1)); done",
        state_file(resource)
    );
    let started = Instant::now();
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .status()
        .expect("sh");
    assert!(status.success(), "shell loop failed");
    let total = started.elapsed();
    let mean = total.as_secs_f64() * 1000.0 / runs as f64;
    println!(
        "{:<44} n={runs:<6} total={:>7.2}s mean={mean:>7.3}ms",
        "bare /bin/sh loop",
        total.as_secs_f64()
    );
    mean
}

fn blocking(runs: usize, resource: &str) -> f64 {
    let paths = AgentPaths::default();
    let cache = MetadataCache::new();
    let monitor = request(resource, Action::Monitor);
    let mut samples = Vec::with_capacity(runs);
    let started = Instant::now();
    for _ in 0..runs {
        let t = Instant::now();
        let result = run_blocking(&monitor, &paths, &cache).expect("run");
        assert!(result.is(OcfCode::Success), "{}", result.summary());
        samples.push(t.elapsed().as_micros());
    }
    report("executor run_blocking", samples, started.elapsed())
}

fn next(events: &Receiver<OpEvent>) -> OpEvent {
    events.recv_timeout(Duration::from_secs(60)).expect("event")
}

fn through_executor(runs: usize, resource: &str) -> f64 {
    let (executor, events) = Executor::start(ExecutorConfig::default()).expect("executor");
    let monitor = request(resource, Action::Monitor);
    let mut samples = Vec::with_capacity(runs);
    let started = Instant::now();
    for _ in 0..runs {
        let t = Instant::now();
        executor.submit(monitor.clone()).expect("submit");
        let event = next(&events);
        assert!(
            event.result.is(OcfCode::Success),
            "{}",
            event.result.summary()
        );
        samples.push(t.elapsed().as_micros());
    }
    report(
        "executor submit -> event (one at a time)",
        samples,
        started.elapsed(),
    )
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
        "{resources} resources, one-shot monitors back to back (limit {}): {:.0} ops/s ({done} ops in {elapsed:.1}s)",
        executor::limits::DEFAULT_MAX_CONCURRENT,
        done as f64 / elapsed
    );
    for name in &names {
        executor
            .submit(request(name, Action::Stop))
            .expect("submit");
    }
    let mut pending = names.len() + resources;
    while pending > 0 {
        if events.recv_timeout(Duration::from_secs(5)).is_err() {
            break;
        }
        pending -= 1;
    }
}

/// 100 recurring monitors at a 1 s interval: the steady-state load a node carries.
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
        "{resources} recurring monitors every {}ms: {:.0} runs/s (ideal {:.0}), {reported} events reported, executor+agents CPU {:.1}%",
        interval.as_millis(),
        runs as f64 / elapsed,
        resources as f64 / interval.as_secs_f64(),
        cpu / elapsed * 100.0
    );
    executor.shutdown();
    let paths = AgentPaths::default();
    let cache = MetadataCache::new();
    for name in &names {
        let _ = run_blocking(&request(name, Action::Stop), &paths, &cache);
    }
}

/// User+system CPU time of this process and its waited-for children, in seconds.
fn cpu_seconds() -> f64 {
    let mut total = 0.0;
    for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
        // SAFETY: getrusage fills the struct it is given.
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
    println!("ocf:heartbeat:Dummy monitor, {runs} runs each:");
    let shell = shell_loop(runs, resource);
    let bare = bare_spawn(runs, resource);
    let blocking = blocking(runs, resource);
    let executor = through_executor(runs, resource);
    println!(
        "overhead per op: run_blocking {:+.3}ms, executor {:+.3}ms vs bare spawn; {:+.3}ms, {:+.3}ms vs the shell loop",
        blocking - bare,
        executor - bare,
        blocking - shell,
        executor - shell
    );
    run_blocking(
        &request(resource, Action::Stop),
        &paths,
        &MetadataCache::new(),
    )
    .expect("stop");
    saturated(100, seconds);
    recurring(100, seconds, Duration::from_secs(1));
}
