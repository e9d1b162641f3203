//! The real Debian agents (resource-agents, pacemaker, fence-agents), run through the
//! executor. Gated by TANDEM_SLOW_TESTS=1; the IPaddr2 test also needs root, and works
//! only inside a network namespace it creates.

mod common;

use std::os::fd::AsRawFd;
use std::process::Command;
use std::time::Duration;

use common::{leftovers, slow_tests_enabled, unique};
use executor::{
    conformance, run_blocking, Action, AgentPaths, AgentRunner, AgentSpec, EventKind, Executor,
    ExecutorConfig, MetadataCache, OcfCode, OpRequest,
};

fn spec(text: &str) -> AgentSpec {
    AgentSpec::parse(text).expect("valid spec")
}

fn run(request: &OpRequest) -> executor::OpResult {
    executor::reaper::start_reaping().expect("become subreaper");
    run_blocking(request, &AgentPaths::default(), &MetadataCache::new()).expect("request accepted")
}

fn state_file(resource: &str) -> String {
    std::env::temp_dir()
        .join(format!("{resource}.state"))
        .display()
        .to_string()
}

/// Runs the lifecycle start, monitor, stop, monitor and checks each code.
fn lifecycle(agent: &str, params: &[(&str, String)]) {
    let resource = unique("life");
    let mut template = OpRequest::new(&resource, spec(agent), Action::Monitor);
    for (name, value) in params {
        template = template.param(*name, value.clone());
    }
    for (action, expected) in [
        (Action::Monitor, OcfCode::NotRunning),
        (Action::Start, OcfCode::Success),
        (Action::Monitor, OcfCode::Success),
        (Action::Start, OcfCode::Success),
        (Action::Reload, OcfCode::Success),
        (Action::Stop, OcfCode::Success),
        (Action::Stop, OcfCode::Success),
        (Action::Monitor, OcfCode::NotRunning),
    ] {
        let result = run(&OpRequest {
            action,
            ..template.clone()
        });
        assert!(
            result.is(expected),
            "{agent} {action}: expected {expected}, got {}\n{}{}",
            result.summary(),
            result.stdout.text(),
            result.stderr.text()
        );
    }
}

#[test]
fn heartbeat_dummy_full_lifecycle() {
    if !slow_tests_enabled("heartbeat_dummy_full_lifecycle") {
        return;
    }
    let resource = unique("hb-dummy");
    lifecycle("ocf:heartbeat:Dummy", &[("state", state_file(&resource))]);
    let metadata = executor::read_metadata(&spec("ocf:heartbeat:Dummy"), &AgentPaths::default())
        .expect("meta-data");
    assert!(metadata.parameters.iter().any(|p| p.name == "state"));
    assert_eq!(
        metadata.default_timeout(Action::Start, Duration::ZERO),
        Some(Duration::from_secs(20))
    );
}

#[test]
fn pacemaker_dummy_full_lifecycle_and_validation() {
    if !slow_tests_enabled("pacemaker_dummy_full_lifecycle_and_validation") {
        return;
    }
    let resource = unique("pcmk-dummy");
    lifecycle("ocf:pacemaker:Dummy", &[("state", state_file(&resource))]);
    // Migration actions are advertised and answered.
    let template = OpRequest::new(&resource, spec("ocf:pacemaker:Dummy"), Action::Start)
        .param("state", state_file(&resource));
    assert!(run(&template).is(OcfCode::Success));
    assert!(run(&OpRequest {
        action: Action::MigrateTo,
        ..template.clone()
    })
    .is(OcfCode::Success));
    assert!(run(&OpRequest {
        action: Action::MigrateFrom,
        ..template.clone()
    })
    .is(OcfCode::Success));
    assert!(run(&OpRequest {
        action: Action::Stop,
        ..template.clone()
    })
    .is(OcfCode::Success));
    // Meta-data drives validation: an integer parameter with a non-integer value.
    let metadata = executor::read_metadata(&spec("ocf:pacemaker:Dummy"), &AgentPaths::default())
        .expect("meta-data");
    let bad = template.clone().param("no_such_param", "1");
    let problems = metadata.validate(&bad.params, executor::Class::Ocf);
    assert!(
        problems
            .iter()
            .any(|p| p.to_string().contains("no_such_param")),
        "{problems:?}"
    );
}

#[test]
fn stateful_promote_and_demote() {
    if !slow_tests_enabled("stateful_promote_and_demote") {
        return;
    }
    let resource = unique("stateful");
    let template = OpRequest::new(&resource, spec("ocf:pacemaker:Stateful"), Action::Monitor)
        .meta("clone-max", "1")
        .meta("promoted-max", "1");
    for (action, expected) in [
        (Action::Monitor, OcfCode::NotRunning),
        (Action::Start, OcfCode::Success),
        (Action::Monitor, OcfCode::Success),
        (Action::Promote, OcfCode::Success),
        (Action::Monitor, OcfCode::RunningPromoted),
        (Action::Demote, OcfCode::Success),
        (Action::Monitor, OcfCode::Success),
        (Action::Stop, OcfCode::Success),
        (Action::Monitor, OcfCode::NotRunning),
    ] {
        let result = run(&OpRequest {
            action,
            ..template.clone()
        });
        assert!(
            result.is(expected),
            "Stateful {action}: expected {expected}, got {}",
            result.summary()
        );
    }
}

#[test]
fn conformance_sequence_passes_on_dummy_and_stateful() {
    if !slow_tests_enabled("conformance_sequence_passes_on_dummy_and_stateful") {
        return;
    }
    for agent in [
        "ocf:heartbeat:Dummy",
        "ocf:pacemaker:Dummy",
        "ocf:pacemaker:Stateful",
    ] {
        let resource = unique("conform");
        let template = OpRequest::new(&resource, spec(agent), Action::Monitor)
            .param("state", state_file(&resource));
        let mut seen = 0;
        let report =
            conformance::run(&template, &AgentPaths::default(), |_| seen += 1).expect("runs");
        let failed: Vec<String> = report
            .steps
            .iter()
            .filter(|s| !s.passed())
            .map(|s| format!("{}: {}", s.name, s.result.summary()))
            .collect();
        assert!(
            report.passed(),
            "{agent}: {:?} {failed:?}",
            report.metadata_error
        );
        assert_eq!(seen, report.steps.len());
        let promotes = report.steps.iter().any(|s| s.action == Action::Promote);
        assert_eq!(
            promotes,
            agent.ends_with("Stateful"),
            "{agent}: promote steps only where advertised"
        );
    }
}

#[test]
fn anything_supervises_a_process() {
    if !slow_tests_enabled("anything_supervises_a_process") {
        return;
    }
    let resource = unique("anything");
    let marker = unique("tandem-anything-marker");
    let pidfile = std::env::temp_dir().join(format!("{resource}.pid"));
    let template = OpRequest::new(&resource, spec("ocf:heartbeat:anything"), Action::Monitor)
        .param("binfile", "/bin/sleep")
        .param("cmdline_options", "3600")
        .param("pidfile", pidfile.display().to_string())
        .param("logfile", "/dev/null")
        .param("errlogfile", "/dev/null")
        .meta("marker", &marker);
    assert!(run(&template).is(OcfCode::NotRunning));
    let started = run(&OpRequest {
        action: Action::Start,
        ..template.clone()
    });
    assert!(
        started.is(OcfCode::Success),
        "{}{}",
        started.summary(),
        started.stderr.text()
    );
    assert!(
        started.elapsed < Duration::from_secs(10),
        "start waited for the supervised process"
    );
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .expect("pidfile")
        .trim()
        .parse()
        .expect("pid");
    assert!(
        std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "supervised process runs"
    );
    assert!(run(&template).is(OcfCode::Success));
    // The supervised process dies: monitor notices.
    // SAFETY: signalling the pid the agent recorded.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    std::thread::sleep(Duration::from_millis(200));
    executor::reaper::reap_orphans();
    let after_crash = run(&template);
    assert!(
        !after_crash.is(OcfCode::Success),
        "monitor after crash: {}",
        after_crash.summary()
    );
    assert!(run(&OpRequest {
        action: Action::Start,
        ..template.clone()
    })
    .is(OcfCode::Success));
    assert!(run(&OpRequest {
        action: Action::Stop,
        ..template.clone()
    })
    .is(OcfCode::Success));
    assert!(run(&template).is(OcfCode::NotRunning));
    assert_eq!(
        leftovers(&resource, Duration::from_secs(5)),
        Vec::<u32>::new()
    );
}

#[test]
fn fence_dummy_through_the_stonith_class() {
    if !slow_tests_enabled("fence_dummy_through_the_stonith_class") {
        return;
    }
    let fence = spec("stonith:fence_dummy");
    let metadata =
        executor::read_metadata(&fence, &AgentPaths::default()).expect("fence meta-data via stdin");
    assert_eq!(metadata.name, "fence_dummy");
    assert!(metadata.parameters.iter().any(|p| p.name == "status_file"));
    let status_file = std::env::temp_dir().join(unique("fence-dummy-status"));
    let device = OpRequest::new("fencer", fence, Action::Start)
        .param("type", "file")
        .param("status_file", status_file.display().to_string());
    assert!(
        run(&device).is(OcfCode::Success),
        "{}",
        run(&device).summary()
    );
    assert!(run(&OpRequest {
        action: Action::Monitor,
        ..device.clone()
    })
    .is(OcfCode::Success));
    let target = |action| OpRequest {
        action,
        target: Some("node2".into()),
        ..device.clone()
    };
    let off = run(&target(Action::Off));
    assert!(
        off.is(OcfCode::Success),
        "{}{}",
        off.summary(),
        off.stderr.text()
    );
    assert!(
        run(&target(Action::Status)).is(OcfCode::NotRunning),
        "status after off is 'off'"
    );
    assert!(run(&target(Action::On)).is(OcfCode::Success));
    assert!(
        run(&target(Action::Status)).is(OcfCode::Success),
        "status after on is 'on'"
    );
    assert!(run(&target(Action::Reboot)).is(OcfCode::Success));
    assert!(run(&OpRequest {
        action: Action::Stop,
        ..device
    })
    .is(OcfCode::Success));
    let _ = std::fs::remove_file(status_file);
}

#[test]
fn executor_monitors_many_real_dummies() {
    if !slow_tests_enabled("executor_monitors_many_real_dummies") {
        return;
    }
    let (executor, events) = Executor::start(ExecutorConfig::default()).expect("starts");
    let mut ids = Vec::new();
    let mut resources = Vec::new();
    for index in 0..10 {
        let resource = unique(&format!("many{index}"));
        let state = state_file(&resource);
        let start = OpRequest::new(&resource, spec("ocf:pacemaker:Dummy"), Action::Start)
            .param("state", &state);
        executor.submit(start.clone()).expect("accepted");
        let monitor = OpRequest {
            action: Action::Monitor,
            ..start.clone()
        }
        .every(Duration::from_millis(300));
        ids.push(executor.submit(monitor).expect("accepted"));
        resources.push(start);
    }
    let mut firsts = 0;
    let mut completions = 0;
    while firsts < 10 || completions < 10 {
        let event = events.recv_timeout(Duration::from_secs(30)).expect("event");
        match event.kind {
            EventKind::Completed => completions += 1,
            EventKind::FirstResult => {
                assert!(
                    event.result.is(OcfCode::Success),
                    "{}",
                    event.result.summary()
                );
                firsts += 1;
            }
            other => panic!("unexpected {other:?}: {}", event.result.summary()),
        }
    }
    // Stop one resource behind the executor's back: its monitor reports the change.
    let victim = &resources[3];
    assert!(run(&OpRequest {
        action: Action::Stop,
        ..victim.clone()
    })
    .is(OcfCode::Success));
    let changed = events
        .recv_timeout(Duration::from_secs(10))
        .expect("change reported");
    assert_eq!((changed.id, changed.kind), (ids[3], EventKind::Changed));
    assert!(changed.result.is(OcfCode::NotRunning));
    for id in ids {
        executor.cancel(id).expect("cancel");
    }
    for request in resources {
        executor
            .submit(OpRequest {
                action: Action::Stop,
                ..request
            })
            .expect("accepted");
    }
    let mut stops = 0;
    while stops < 10 {
        let event = events.recv_timeout(Duration::from_secs(30)).expect("event");
        if event.kind == EventKind::Completed {
            assert!(event.result.is(OcfCode::Success));
            stops += 1;
        }
    }
}

/// A network namespace with a veth pair, deleted on drop.
struct Netns {
    name: String,
}

impl Netns {
    fn create() -> Netns {
        let name = format!("tdx-exec-{}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).status();
        let netns = Netns { name };
        let ip = |args: &[&str]| {
            let status = Command::new("ip").args(args).status().expect("run ip");
            assert!(status.success(), "ip {args:?} failed");
        };
        ip(&["netns", "add", &netns.name]);
        ip(&[
            "-n",
            &netns.name,
            "link",
            "add",
            "tdx0",
            "type",
            "veth",
            "peer",
            "name",
            "tdx1",
        ]);
        ip(&["-n", &netns.name, "link", "set", "lo", "up"]);
        ip(&["-n", &netns.name, "link", "set", "tdx0", "up"]);
        ip(&["-n", &netns.name, "link", "set", "tdx1", "up"]);
        ip(&[
            "-n",
            &netns.name,
            "addr",
            "add",
            "10.201.1.1/24",
            "dev",
            "tdx0",
        ]);
        netns
    }
}

/// A handle on a namespace that does not own it.
struct NetnsView {
    name: String,
}

impl NetnsView {
    /// Moves the calling thread (and so the agents it spawns) into the namespace.
    fn enter_this_thread(&self) {
        let file = std::fs::File::open(format!("/run/netns/{}", self.name)).expect("open netns");
        // SAFETY: setns on a valid namespace descriptor; affects only this thread.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
    }

    fn addresses(&self) -> String {
        let output = Command::new("ip")
            .args(["-n", &self.name, "-4", "addr", "show", "dev", "tdx0"])
            .output()
            .expect("ip addr");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Netns {
    // Deletes the namespace even when the test failed.
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

#[test]
fn ipaddr2_adds_and_removes_an_address_inside_a_namespace() {
    if !slow_tests_enabled("ipaddr2_adds_and_removes_an_address_inside_a_namespace") {
        return;
    }
    if !common::is_root() {
        eprintln!("ipaddr2 test: skipped (needs root for network namespaces)");
        return;
    }
    let netns = Netns::create();
    let name = netns.name.clone();
    // A fresh thread enters the namespace, so the rest of the test process stays outside.
    let worker = std::thread::spawn(move || {
        let netns = NetnsView { name };
        netns.enter_this_thread();
        let resource = unique("vip");
        let template = OpRequest::new(&resource, spec("ocf:heartbeat:IPaddr2"), Action::Monitor)
            .param("ip", "10.201.1.10")
            .param("cidr_netmask", "24")
            .param("nic", "tdx0");
        assert!(run(&template).is(OcfCode::NotRunning));
        let started = run(&OpRequest {
            action: Action::Start,
            ..template.clone()
        });
        assert!(
            started.is(OcfCode::Success),
            "{}\n{}",
            started.summary(),
            started.stderr.text()
        );
        assert!(
            netns.addresses().contains("10.201.1.10/24"),
            "address added: {}",
            netns.addresses()
        );
        assert!(run(&template).is(OcfCode::Success));
        assert!(run(&OpRequest {
            action: Action::Stop,
            ..template.clone()
        })
        .is(OcfCode::Success));
        assert!(
            !netns.addresses().contains("10.201.1.10"),
            "address removed: {}",
            netns.addresses()
        );
        // The whole conformance sequence too.
        let report = conformance::run(&template, &AgentPaths::default(), |_| {}).expect("runs");
        let failed: Vec<String> = report
            .steps
            .iter()
            .filter(|s| !s.passed())
            .map(|s| format!("{}: {}", s.name, s.result.summary()))
            .collect();
        assert!(report.passed(), "{failed:?} {:?}", report.metadata_error);
        assert!(!netns.addresses().contains("10.201.1.10"));
    });
    let outcome = worker.join();
    drop(netns);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
