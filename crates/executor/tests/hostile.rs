//! Agents that misbehave: each gets a clear result, leaves no process behind, and cannot
//! make the executor's memory grow with its output.

mod common;

use std::time::{Duration, Instant};

use common::{leftovers, peak_rss_kib, unique, Fixtures};
use executor::{
    read_metadata, run_blocking, Action, ExecError, ExecStatus, MetadataCache, OcfCode, OpRequest,
};

fn setup() -> Fixtures {
    executor::reaper::start_reaping().expect("become subreaper");
    Fixtures::new()
}

#[test]
fn agent_that_hangs_forever_times_out_and_leaves_nothing() {
    let fixtures = setup();
    let spec = fixtures.agent("Hang", "#!/bin/sh\nwhile :; do sleep 1; done\n", 0o755);
    let resource = unique("hang");
    let request =
        OpRequest::new(&resource, spec, Action::Start).timeout(Duration::from_millis(500));
    let started = Instant::now();
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert_eq!(result.status, ExecStatus::Timeout, "{}", result.summary());
    assert_eq!(result.code, OcfCode::ErrGeneric);
    assert_eq!(result.signal, Some(libc::SIGTERM));
    assert!(result
        .exit_reason
        .as_deref()
        .unwrap_or_default()
        .contains("timed out after 500ms"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        leftovers(&resource, Duration::from_secs(2)),
        Vec::<u32>::new()
    );
}

#[test]
fn daemon_ignoring_sigterm_is_killed_with_the_group() {
    let fixtures = setup();
    // The agent forks a daemon that ignores SIGTERM and keeps stdout open, then hangs.
    let body = "#!/bin/sh\n( trap '' TERM; while :; do sleep 1; done ) &\necho forked\ntrap '' TERM\nwhile :; do sleep 1; done\n";
    let spec = fixtures.agent("Stubborn", body, 0o755);
    let resource = unique("stubborn");
    let request =
        OpRequest::new(&resource, spec, Action::Start).timeout(Duration::from_millis(500));
    let started = Instant::now();
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    let elapsed = started.elapsed();
    assert_eq!(result.status, ExecStatus::Timeout, "{}", result.summary());
    assert_eq!(
        result.signal,
        Some(libc::SIGKILL),
        "SIGTERM was ignored, so SIGKILL ended it"
    );
    assert_eq!(result.stdout.text(), "forked\n");
    // Timeout 500 ms + grace 500 ms, with room for a loaded machine.
    assert!(
        elapsed >= Duration::from_millis(1000),
        "killed before the grace period: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert_eq!(
        leftovers(&resource, Duration::from_secs(2)),
        Vec::<u32>::new()
    );
    assert_eq!(
        common::zombies_after(Duration::from_secs(2)),
        Vec::<u32>::new()
    );
}

#[test]
fn daemon_holding_the_pipes_does_not_delay_the_result() {
    let fixtures = setup();
    // A successful start that leaves a daemon with the agent's stdout: the result must not
    // wait for the daemon. The daemon is the service; stopping it is the agent's job, so
    // the test kills it itself.
    let body = "#!/bin/sh\nsleep 30 &\necho started\nexit 0\n";
    let spec = fixtures.agent("Daemon", body, 0o755);
    let resource = unique("daemon");
    let request = OpRequest::new(&resource, spec, Action::Start).timeout(Duration::from_secs(10));
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert!(result.is(OcfCode::Success), "{}", result.summary());
    assert_eq!(result.stdout.text(), "started\n");
    assert!(
        result.elapsed < Duration::from_secs(2),
        "waited for the daemon: {:?}",
        result.elapsed
    );
    let needle = format!("OCF_RESOURCE_INSTANCE={resource}");
    let daemons = common::processes_with_env(&needle);
    assert_eq!(
        daemons.len(),
        1,
        "the started daemon is still there: {daemons:?}"
    );
    for pid in daemons {
        // SAFETY: signalling a pid we just found.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    }
    assert_eq!(
        leftovers(&resource, Duration::from_secs(2)),
        Vec::<u32>::new()
    );
}

#[test]
fn flood_of_output_is_bounded() {
    let fixtures = setup();
    let spec = fixtures.agent(
        "Flood",
        "#!/bin/sh\nhead -c 100000000 /dev/zero\necho 'ocf-exit-reason:flooded' >&2\nexit 0\n",
        0o755,
    );
    let resource = unique("flood");
    let before = peak_rss_kib();
    let request = OpRequest::new(&resource, spec, Action::Monitor).timeout(Duration::from_secs(60));
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    let after = peak_rss_kib();
    assert!(result.is(OcfCode::Success), "{}", result.summary());
    assert_eq!(
        result.stdout.bytes.len(),
        executor::limits::MAX_STDOUT_BYTES
    );
    assert_eq!(
        result.stdout.dropped,
        100_000_000 - executor::limits::MAX_STDOUT_BYTES as u64
    );
    assert!(result.stdout.text().ends_with("more bytes dropped]\n"));
    assert_eq!(result.exit_reason.as_deref(), Some("flooded"));
    assert!(
        after.saturating_sub(before) < 32 * 1024,
        "peak RSS grew by {} KiB",
        after - before
    );
    assert_eq!(
        leftovers(&resource, Duration::from_secs(2)),
        Vec::<u32>::new()
    );
}

#[test]
fn agent_killed_by_a_signal_is_told_apart() {
    let fixtures = setup();
    let spec = fixtures.agent("Crash", "#!/bin/sh\necho dying >&2\nkill -SEGV $$\n", 0o755);
    let resource = unique("crash");
    let request = OpRequest::new(&resource, spec, Action::Monitor).timeout(Duration::from_secs(10));
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert_eq!(result.status, ExecStatus::Error, "{}", result.summary());
    assert_eq!(result.signal, Some(libc::SIGSEGV));
    assert_eq!(result.exit_status, None);
    assert!(result
        .exit_reason
        .as_deref()
        .unwrap_or_default()
        .contains("SIGSEGV"));
    assert_eq!(result.stderr.text(), "dying\n");
}

#[test]
fn agent_not_executable_is_a_permission_error() {
    let fixtures = setup();
    let spec = fixtures.agent("NoExec", "#!/bin/sh\nexit 0\n", 0o644);
    let request =
        OpRequest::new(unique("noexec"), spec, Action::Start).timeout(Duration::from_secs(5));
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert_eq!(
        (result.code, result.status),
        (OcfCode::ErrPerm, ExecStatus::Error),
        "{}",
        result.summary()
    );
    assert!(result
        .exit_reason
        .as_deref()
        .unwrap_or_default()
        .contains("not executable"));
}

#[test]
fn missing_agent_is_not_installed() {
    let fixtures = setup();
    let spec = executor::AgentSpec::ocf("tandemtest", "Missing").expect("spec");
    let request = OpRequest::new(unique("missing"), spec.clone(), Action::Start)
        .timeout(Duration::from_secs(5));
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert_eq!(
        (result.code, result.status),
        (OcfCode::ErrInstalled, ExecStatus::NotInstalled),
        "{}",
        result.summary()
    );
    assert!(result
        .exit_reason
        .as_deref()
        .unwrap_or_default()
        .contains("not installed"));
    let error = read_metadata(&spec, &fixtures.paths()).expect_err("no meta-data");
    assert!(error.to_string().contains("not installed"), "{error}");
    // A missing LSB script and fence agent too.
    let lsb = OpRequest::new(
        unique("missing"),
        executor::AgentSpec::parse("lsb:nonexistent").expect("spec"),
        Action::Monitor,
    );
    let result = run_blocking(&lsb, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert_eq!(
        result.status,
        ExecStatus::NotInstalled,
        "{}",
        result.summary()
    );
    let fence = OpRequest::new(
        unique("missing"),
        executor::AgentSpec::parse("stonith:fence_nonexistent").expect("spec"),
        Action::Monitor,
    );
    let result = run_blocking(&fence, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert_eq!(
        result.status,
        ExecStatus::NotInstalled,
        "{}",
        result.summary()
    );
}

#[test]
fn invalid_metadata_is_reported_and_defaults_apply() {
    let fixtures = setup();
    let body = "#!/bin/sh\ncase \"$1\" in\nmeta-data) echo '<resource-agent name=\"Bad\"><parameters><parameter>'; exit 0;;\n*) echo \"timeout=$OCF_RESKEY_CRM_meta_timeout\"; exit 0;;\nesac\n";
    let spec = fixtures.agent("BadMeta", body, 0o755);
    let error = read_metadata(&spec, &fixtures.paths()).expect_err("invalid");
    assert!(matches!(error, ExecError::Metadata { .. }), "{error}");
    assert!(
        error.to_string().contains("ocf:tandemtest:BadMeta"),
        "{error}"
    );
    assert!(error.to_string().contains("invalid XML"), "{error}");
    // Without usable meta-data, the default timeout (20 s) is used.
    let request = OpRequest::new(unique("badmeta"), spec, Action::Start);
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert!(result.is(OcfCode::Success), "{}", result.summary());
    assert_eq!(result.stdout.text(), "timeout=20000\n");
}

#[test]
fn every_ocf_exit_code_maps_and_unknown_codes_are_errors() {
    let fixtures = setup();
    let spec = fixtures.agent("Exit", "#!/bin/sh\nexit $OCF_RESKEY_rc\n", 0o755);
    let cache = MetadataCache::new();
    for (rc, expected) in [
        (0, OcfCode::Success),
        (1, OcfCode::ErrGeneric),
        (2, OcfCode::ErrArgs),
        (3, OcfCode::ErrUnimplemented),
        (4, OcfCode::ErrPerm),
        (5, OcfCode::ErrInstalled),
        (6, OcfCode::ErrConfigured),
        (7, OcfCode::NotRunning),
        (8, OcfCode::RunningPromoted),
        (9, OcfCode::FailedPromoted),
        (190, OcfCode::Degraded),
        (191, OcfCode::DegradedPromoted),
        (42, OcfCode::ErrGeneric),
    ] {
        let request = OpRequest::new("exit", spec.clone(), Action::Monitor)
            .param("rc", rc.to_string())
            .timeout(Duration::from_secs(5));
        let result = run_blocking(&request, &fixtures.paths(), &cache).expect("runs");
        assert_eq!(result.status, ExecStatus::Done);
        assert_eq!(result.exit_status, Some(rc));
        assert_eq!(result.code, expected, "exit {rc}");
    }
}

#[test]
fn agents_see_the_ocf_environment_and_nothing_else() {
    let fixtures = setup();
    let spec = fixtures.agent("Env", "#!/bin/sh\npwd\nenv | sort\n", 0o755);
    let request = OpRequest::new("env-rsc", spec, Action::Notify)
        .param("ip", "10.201.0.1")
        .meta("notify_type", "pre")
        .meta("notify_operation", "start")
        .meta("clone-max", "2")
        .timeout(Duration::from_secs(7));
    let paths = executor::AgentPaths {
        extra_env: vec![("HA_logfacility".into(), "none".into())],
        ..fixtures.paths()
    };
    let result = run_blocking(&request, &paths, &MetadataCache::new()).expect("runs");
    let text = result.stdout.text();
    let root = fixtures.root.display().to_string();
    for line in [
        "/".to_string(),
        format!("OCF_ROOT={root}"),
        "OCF_RA_VERSION_MAJOR=1".into(),
        "OCF_RA_VERSION_MINOR=1".into(),
        "OCF_RESOURCE_INSTANCE=env-rsc".into(),
        "OCF_RESOURCE_TYPE=Env".into(),
        "OCF_RESOURCE_PROVIDER=tandemtest".into(),
        "OCF_RESKEY_ip=10.201.0.1".into(),
        "OCF_RESKEY_CRM_meta_notify_type=pre".into(),
        "OCF_RESKEY_CRM_meta_notify_operation=start".into(),
        "OCF_RESKEY_CRM_meta_clone_max=2".into(),
        "OCF_RESKEY_CRM_meta_timeout=7000".into(),
        "OCF_RESKEY_CRM_meta_interval=0".into(),
        "OCF_EXIT_REASON_PREFIX=ocf-exit-reason:".into(),
        "HA_logfacility=none".into(),
        format!("PATH={}", executor::AgentPaths::default().path_env),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line} in:\n{text}"
        );
    }
    assert!(
        !text.contains("CARGO"),
        "the test's environment leaked:\n{text}"
    );
}

#[test]
fn lsb_scripts_get_status_mapped() {
    let fixtures = setup();
    let body = "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: fake\n# Short-Description: Fake service\n### END INIT INFO\ncase \"$1\" in\nstatus) exit $(cat \"$0.rc\" 2>/dev/null || echo 3);;\nstart|stop) exit 0;;\n*) exit 3;;\nesac\n";
    let spec = fixtures.lsb("fake", body);
    let paths = fixtures.paths();
    let cache = MetadataCache::new();
    let script = fixtures.root.join("init.d/fake");
    for (rc, expected) in [
        (0, OcfCode::Success),
        (1, OcfCode::NotRunning),
        (2, OcfCode::NotRunning),
        (3, OcfCode::NotRunning),
        (4, OcfCode::ErrGeneric),
    ] {
        std::fs::write(script.with_extension("rc"), rc.to_string()).expect("write rc");
        let request =
            OpRequest::new("fake", spec.clone(), Action::Monitor).timeout(Duration::from_secs(5));
        let result = run_blocking(&request, &paths, &cache).expect("runs");
        assert_eq!(result.code, expected, "LSB status {rc}");
    }
    let metadata = read_metadata(&spec, &paths).expect("synthesized meta-data");
    assert_eq!(metadata.shortdesc, "Fake service");
    assert!(metadata.has_action("status"));
    let promote = OpRequest::new("fake", spec, Action::Promote);
    let result = run_blocking(&promote, &paths, &cache).expect("runs");
    assert_eq!(
        (result.code, result.status),
        (OcfCode::ErrUnimplemented, ExecStatus::NotSupported)
    );
}

#[test]
fn fence_agent_reads_its_arguments_from_stdin() {
    let fixtures = setup();
    let spec = fixtures.fence("fence_echo", "#!/bin/sh\ncat\nexit 0\n");
    let request = OpRequest {
        target: Some("node3".into()),
        ..OpRequest::new("fencer", spec, Action::Off)
            .param("ipaddr", "10.201.9.9")
            .param("pcmk_host_list", "node3")
    };
    let result = run_blocking(&request, &fixtures.paths(), &MetadataCache::new()).expect("runs");
    assert!(result.is(OcfCode::Success), "{}", result.summary());
    assert_eq!(
        result.stdout.text(),
        // The agent's meta-data (it only echoes) declares no `plug`, so `port` is used.
        "action=off\nipaddr=10.201.9.9\nport=node3\nnodename=node3\n"
    );
}

#[test]
fn reaper_leaves_the_programs_own_children_alone() {
    let _fixtures = setup();
    // A thread reaping as fast as it can must not steal the exit status of children the
    // rest of the program spawns (in its own process group) and waits for.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let reaper = std::thread::spawn(move || {
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            executor::reaper::reap_orphans();
        }
    });
    for _ in 0..200 {
        let status = std::process::Command::new("/bin/sh")
            .args(["-c", "exit 3"])
            .status()
            .expect("own child waited for");
        assert_eq!(status.code(), Some(3));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    reaper.join().expect("reaper thread");
}

#[test]
fn discovery_lists_executable_agents_per_class() {
    let fixtures = setup();
    fixtures.agent("Alpha", "#!/bin/sh\nexit 0\n", 0o755);
    fixtures.agent("Beta", "#!/bin/sh\nexit 0\n", 0o755);
    fixtures.agent("NotAnAgent", "data\n", 0o644);
    fixtures.fence("fence_one", "#!/bin/sh\nexit 0\n");
    fixtures.lsb("svc", "#!/bin/sh\nexit 0\n");
    let paths = fixtures.paths();
    let names = |class, provider| -> Vec<String> {
        executor::discovery::list_agents(&paths, class, provider)
            .expect("listable")
            .into_iter()
            .map(|spec| spec.to_string())
            .collect()
    };
    assert_eq!(
        names(executor::Class::Ocf, None),
        vec!["ocf:tandemtest:Alpha", "ocf:tandemtest:Beta"]
    );
    assert_eq!(names(executor::Class::Ocf, Some("tandemtest")).len(), 2);
    assert_eq!(
        names(executor::Class::Stonith, None),
        vec!["stonith:fence_one"]
    );
    assert_eq!(names(executor::Class::Lsb, None), vec!["lsb:svc"]);
    let error = executor::discovery::list_agents(&paths, executor::Class::Ocf, Some("nosuch"))
        .expect_err("missing provider");
    assert!(error.to_string().contains("nosuch"), "{error}");
}
