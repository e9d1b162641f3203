//! The calling convention of each class: how a request becomes a process, and how the
//! process's ending becomes a result.

use std::ffi::OsString;
use std::io;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::lsb;
use crate::outcome::{Captured, ExecStatus, OcfCode, OpResult};
use crate::paths::AgentPaths;
use crate::process::{self, Ending, Invocation, ProcessLimits, ProcessOutcome};
use crate::request::OpRequest;
use crate::spec::{Action, Class};

/// OCF API version announced to agents.
pub const OCF_RA_VERSION: (u32, u32) = (1, 1);

/// The class actually used for a request (`service` resolved to systemd or LSB).
pub fn effective_class(class: Class, paths: &AgentPaths) -> Class {
    match class {
        Class::Service if paths.systemd_running() => Class::Systemd,
        Class::Service => Class::Lsb,
        other => other,
    }
}

/// How a request is carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Run this process, then map its ending for this class.
    Run(Invocation, Class),
    /// Answer without running anything (synthesized meta-data, stonith start/stop, refusals).
    Answer(OpResult),
    /// Ask systemd, over D-Bus, to do this to the unit.
    Systemd(String, Action),
}

fn env(name: &str, value: impl Into<OsString>) -> (OsString, OsString) {
    (OsString::from(name), value.into())
}

/// `OCF_RESKEY_CRM_meta_<name>` for a meta attribute named as in the CIB (dashes allowed).
pub fn meta_env_name(name: &str) -> String {
    format!("OCF_RESKEY_CRM_meta_{}", name.replace(['-', '.'], "_"))
}

fn refuse(code: OcfCode, status: ExecStatus, reason: String) -> Plan {
    Plan::Answer(OpResult::not_run(code, status, reason))
}

/// Plans `request` with timeout `timeout` (already resolved).
pub fn plan(request: &OpRequest, timeout: Duration, paths: &AgentPaths) -> Plan {
    let class = effective_class(request.spec.class, paths);
    match class {
        Class::Ocf => plan_ocf(request, timeout, paths),
        Class::Lsb | Class::Service => plan_lsb(request, paths),
        Class::Systemd => plan_systemd(request, paths),
        Class::Stonith => plan_stonith(request, paths),
    }
}

fn plan_ocf(request: &OpRequest, timeout: Duration, paths: &AgentPaths) -> Plan {
    let provider = request.spec.provider.clone().unwrap_or_default();
    let mut vars = vec![
        env("PATH", paths.path_env.clone()),
        env("OCF_ROOT", paths.ocf_root.clone().into_os_string()),
        env("OCF_RA_VERSION_MAJOR", OCF_RA_VERSION.0.to_string()),
        env("OCF_RA_VERSION_MINOR", OCF_RA_VERSION.1.to_string()),
        env("OCF_RESOURCE_INSTANCE", request.resource.clone()),
        env("OCF_RESOURCE_TYPE", request.spec.kind.clone()),
        env("OCF_RESOURCE_PROVIDER", provider.clone()),
        env("OCF_EXIT_REASON_PREFIX", "ocf-exit-reason:"),
    ];
    for (name, value) in &request.params {
        if name == "OCF_CHECK_LEVEL" {
            vars.push(env("OCF_CHECK_LEVEL", value.clone()));
        } else {
            vars.push(env(&format!("OCF_RESKEY_{name}"), value.clone()));
        }
    }
    for (name, value) in &request.meta {
        if name == "timeout" || name == "interval" {
            continue;
        }
        vars.push(env(&meta_env_name(name), value.clone()));
    }
    vars.push(env(
        "OCF_RESKEY_CRM_meta_timeout",
        timeout.as_millis().to_string(),
    ));
    vars.push(env(
        "OCF_RESKEY_CRM_meta_interval",
        request.interval.as_millis().to_string(),
    ));
    Plan::Run(
        Invocation {
            program: paths.ocf_agent(&provider, &request.spec.kind),
            args: vec![OsString::from(request.action.as_str())],
            env: vars,
            stdin: None,
            cwd: paths.cwd.clone(),
        },
        Class::Ocf,
    )
}

fn plan_lsb(request: &OpRequest, paths: &AgentPaths) -> Plan {
    let script = paths.lsb_dir.join(&request.spec.kind);
    let arg = match request.action {
        Action::MetaData => {
            let header = match lsb::read_header(&script) {
                Ok(header) => header,
                Err(error) => return refuse_missing(&script, &error),
            };
            let name = request.spec.kind.as_str();
            let short = header.short_description.unwrap_or_else(|| name.to_string());
            let long = header
                .description
                .unwrap_or_else(|| format!("LSB init script {name}"));
            let xml = lsb::synthesized_metadata(
                name,
                &short,
                &long,
                &[
                    ("start", "15s"),
                    ("stop", "15s"),
                    ("status", "15s"),
                    ("restart", "15s"),
                    ("force-reload", "15s"),
                    ("monitor", "15s"),
                    ("meta-data", "5s"),
                ],
            );
            return Plan::Answer(answer_with_stdout(xml));
        }
        Action::Monitor | Action::Status => "status",
        Action::Start | Action::Stop | Action::Reload => request.action.as_str(),
        other => {
            return refuse(
                OcfCode::ErrUnimplemented,
                ExecStatus::NotSupported,
                format!("LSB scripts have no '{other}' action"),
            );
        }
    };
    Plan::Run(
        Invocation {
            program: script,
            args: vec![OsString::from(arg)],
            env: vec![env("PATH", paths.path_env.clone())],
            stdin: None,
            cwd: paths.cwd.clone(),
        },
        Class::Lsb,
    )
}

/// The unit name for a systemd spec: `.service` appended when no unit suffix is given.
pub fn unit_name(kind: &str) -> String {
    const SUFFIXES: [&str; 6] = [
        ".service", ".socket", ".mount", ".timer", ".target", ".path",
    ];
    if SUFFIXES.iter().any(|suffix| kind.ends_with(suffix)) {
        kind.to_string()
    } else {
        format!("{kind}.service")
    }
}

fn plan_systemd(request: &OpRequest, paths: &AgentPaths) -> Plan {
    if !paths.systemd_running() {
        return refuse(
            OcfCode::ErrInstalled,
            ExecStatus::NotSupported,
            format!(
                "systemd is not running on this host (no {}); systemd:{} cannot be managed",
                paths.systemd_marker.display(),
                request.spec.kind
            ),
        );
    }
    let unit = unit_name(&request.spec.kind);
    match request.action {
        Action::Start | Action::Stop | Action::Reload | Action::Monitor | Action::Status => {
            Plan::Systemd(unit, request.action)
        }
        Action::MetaData => {
            let xml = lsb::synthesized_metadata(
                &unit,
                &format!("systemd unit {unit}"),
                &format!("systemd unit file for {unit}"),
                &[
                    ("start", "100s"),
                    ("stop", "100s"),
                    ("status", "100s"),
                    ("monitor", "100s"),
                    ("meta-data", "5s"),
                ],
            );
            Plan::Answer(answer_with_stdout(xml))
        }
        other => refuse(
            OcfCode::ErrUnimplemented,
            ExecStatus::NotSupported,
            format!("systemd units have no '{other}' action"),
        ),
    }
}

/// Parameters of a fence device that are Pacemaker's, not the agent's.
fn is_pacemaker_fence_param(name: &str) -> bool {
    name.starts_with("pcmk_") || matches!(name, "provides" | "priority")
}

/// The port for `target` per `pcmk_host_map` (`node:port;node2:port2`), else the target itself.
fn fence_port(params: &std::collections::BTreeMap<String, String>, target: &str) -> String {
    if let Some(map) = params.get("pcmk_host_map") {
        for entry in map.split([';', ' ', ',']).filter(|entry| !entry.is_empty()) {
            if let Some((node, port)) = entry.split_once([':', '=']) {
                if node == target {
                    return port.to_string();
                }
            }
        }
    }
    target.to_string()
}

fn plan_stonith(request: &OpRequest, paths: &AgentPaths) -> Plan {
    let agent_action = match request.action {
        // Starting or stopping a fence device registers or forgets it; the agent is only
        // asked to check the device when it starts.
        Action::Start | Action::Monitor => "monitor",
        Action::Stop => {
            return Plan::Answer(OpResult::not_run(
                OcfCode::Success,
                ExecStatus::Done,
                "fence device stopped",
            ))
        }
        Action::MetaData => "metadata",
        Action::ValidateAll => "validate-all",
        Action::Status => "status",
        Action::Off => "off",
        Action::On => "on",
        Action::Reboot => "reboot",
        Action::List => "list",
        other => {
            return refuse(
                OcfCode::ErrUnimplemented,
                ExecStatus::NotSupported,
                format!("fence agents have no '{other}' action"),
            );
        }
    };
    // pcmk_<action>_action renames a fencing action for devices that call it otherwise.
    let renamed = request.params.get(&format!("pcmk_{agent_action}_action"));
    let agent_action = renamed.map(String::as_str).unwrap_or(agent_action);
    let mut stdin = format!("action={agent_action}\n");
    if agent_action != "metadata" {
        for (name, value) in &request.params {
            if !is_pacemaker_fence_param(name) {
                stdin.push_str(&format!("{name}={value}\n"));
            }
        }
        if let Some(target) = &request.target {
            let argument = request
                .params
                .get("pcmk_host_argument")
                .map(String::as_str)
                .unwrap_or("port");
            if argument != "none" {
                stdin.push_str(&format!(
                    "{argument}={}\n",
                    fence_port(&request.params, target)
                ));
            }
            stdin.push_str(&format!("nodename={target}\n"));
        }
    }
    Plan::Run(
        Invocation {
            program: paths.fence_dir.join(&request.spec.kind),
            args: Vec::new(),
            env: vec![env("PATH", paths.path_env.clone())],
            stdin: Some(stdin.into_bytes()),
            cwd: paths.cwd.clone(),
        },
        Class::Stonith,
    )
}

fn answer_with_stdout(text: String) -> OpResult {
    let mut result = OpResult::not_run(OcfCode::Success, ExecStatus::Done, "");
    result.exit_reason = None;
    result.exit_status = Some(0);
    result.stdout = Captured {
        bytes: text.into_bytes(),
        dropped: 0,
    };
    result
}

fn refuse_missing(path: &std::path::Path, error: &io::Error) -> Plan {
    if error.kind() == io::ErrorKind::NotFound {
        refuse(
            OcfCode::ErrInstalled,
            ExecStatus::NotInstalled,
            format!("agent {} is not installed", path.display()),
        )
    } else {
        refuse(
            OcfCode::ErrGeneric,
            ExecStatus::Error,
            format!("cannot read {}: {error}", path.display()),
        )
    }
}

/// The last `ocf-exit-reason:` line of the agent's stderr, if any.
pub fn exit_reason(stderr: &Captured) -> Option<String> {
    let text = String::from_utf8_lossy(&stderr.bytes);
    text.lines()
        .filter_map(|line| {
            line.split_once("ocf-exit-reason:")
                .map(|(_, reason)| reason.trim())
        })
        .rfind(|reason| !reason.is_empty())
        .map(|reason| reason.chars().take(512).collect())
}

/// The result code for a normal exit of an agent of `class` doing `action`.
pub fn map_exit(class: Class, action: Action, status: i32) -> OcfCode {
    match class {
        Class::Ocf => OcfCode::from_exit(status),
        Class::Lsb | Class::Service => match action {
            Action::Monitor | Action::Status => OcfCode::from_lsb_status(status),
            _ => OcfCode::from_lsb_action(status),
        },
        Class::Systemd => match (action, status) {
            (_, 0) => OcfCode::Success,
            (Action::Monitor | Action::Status, _) => OcfCode::NotRunning,
            _ => OcfCode::ErrGeneric,
        },
        Class::Stonith => match (action, status) {
            (_, 0) => OcfCode::Success,
            // Fence agents answer "off" with 2 to a status query.
            (Action::Status, 2) => OcfCode::NotRunning,
            _ => OcfCode::ErrGeneric,
        },
    }
}

/// Name of a signal, for messages.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGUSR2 => "SIGUSR2",
        _ => "signal",
    }
}

/// Turns a process ending into the result of `request`.
pub fn interpret(
    request: &OpRequest,
    class: Class,
    program: &std::path::Path,
    timeout: Duration,
    outcome: ProcessOutcome,
) -> OpResult {
    let ProcessOutcome {
        ending,
        stdout,
        stderr,
        elapsed,
    } = outcome;
    let mut result = OpResult {
        code: OcfCode::ErrGeneric,
        status: ExecStatus::Error,
        exit_status: None,
        signal: None,
        exit_reason: exit_reason(&stderr),
        stdout,
        stderr,
        elapsed,
    };
    match ending {
        Ending::Exited(status) => {
            result.exit_status = Some(status);
            result.code = map_exit(class, request.action, status);
            result.status = ExecStatus::Done;
        }
        Ending::Signalled(signal) => {
            result.signal = Some(signal);
            result.exit_reason = Some(format!(
                "agent was killed by signal {signal} ({})",
                signal_name(signal)
            ));
        }
        Ending::TimedOut(signal) => {
            result.signal = signal;
            result.status = ExecStatus::Timeout;
            result.exit_reason = Some(format!(
                "{} {} timed out after {}ms",
                request.resource,
                request.action,
                timeout.as_millis()
            ));
        }
        Ending::Cancelled => {
            result.status = ExecStatus::Cancelled;
            result.exit_reason = Some("cancelled while running".into());
        }
        Ending::SpawnFailed { kind, message } => match kind {
            io::ErrorKind::NotFound => {
                result.code = OcfCode::ErrInstalled;
                result.status = ExecStatus::NotInstalled;
                result.exit_reason = Some(format!(
                    "agent {} is not installed ({message})",
                    program.display()
                ));
            }
            io::ErrorKind::PermissionDenied => {
                result.code = OcfCode::ErrPerm;
                result.status = ExecStatus::Error;
                result.exit_reason = Some(format!(
                    "agent {} is not executable ({message})",
                    program.display()
                ));
            }
            _ => {
                result.exit_reason =
                    Some(format!("cannot run agent {}: {message}", program.display()));
            }
        },
    }
    result
}

/// Runs `request` synchronously in this thread with the given resolved timeout.
pub fn execute(
    request: &OpRequest,
    timeout: Duration,
    paths: &AgentPaths,
    cancel: Option<&AtomicBool>,
) -> OpResult {
    match plan(request, timeout, paths) {
        Plan::Answer(result) => result,
        Plan::Systemd(unit, action) => crate::systemd::run(&unit, action, timeout),
        Plan::Run(mut invocation, class) => {
            for (name, value) in &paths.extra_env {
                if !invocation.env.iter().any(|(k, _)| k == name.as_str()) {
                    invocation.env.push(env(name, value.clone()));
                }
            }
            let limits = ProcessLimits {
                timeout,
                kill_grace: paths.kill_grace,
                max_stdout: paths.max_stdout,
                max_stderr: paths.max_stderr,
            };
            let outcome = process::run(&invocation, &limits, cancel);
            interpret(request, class, &invocation.program, timeout, outcome)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::AgentSpec;
    use std::path::PathBuf;

    fn env_of(plan: &Plan) -> Vec<(String, String)> {
        match plan {
            Plan::Run(invocation, _) => invocation
                .env
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string_lossy().into_owned(),
                        v.to_string_lossy().into_owned(),
                    )
                })
                .collect(),
            Plan::Answer(_) | Plan::Systemd(..) => Vec::new(),
        }
    }

    #[test]
    fn ocf_environment_follows_the_calling_convention() {
        let request = OpRequest::new(
            "db",
            AgentSpec::parse("ocf:heartbeat:Dummy").expect("spec"),
            Action::Monitor,
        )
        .param("state", "/run/x")
        .param("OCF_CHECK_LEVEL", "10")
        .meta("clone-max", "3")
        .meta("notify_type", "pre")
        .every(Duration::from_secs(10));
        let plan = plan(&request, Duration::from_secs(20), &AgentPaths::default());
        let vars = env_of(&plan);
        let get = |name: &str| {
            vars.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("OCF_ROOT"), Some("/usr/lib/ocf"));
        assert_eq!(get("OCF_RA_VERSION_MAJOR"), Some("1"));
        assert_eq!(get("OCF_RESOURCE_INSTANCE"), Some("db"));
        assert_eq!(get("OCF_RESOURCE_TYPE"), Some("Dummy"));
        assert_eq!(get("OCF_RESOURCE_PROVIDER"), Some("heartbeat"));
        assert_eq!(get("OCF_RESKEY_state"), Some("/run/x"));
        assert_eq!(get("OCF_CHECK_LEVEL"), Some("10"));
        assert_eq!(get("OCF_RESKEY_OCF_CHECK_LEVEL"), None);
        assert_eq!(get("OCF_RESKEY_CRM_meta_clone_max"), Some("3"));
        assert_eq!(get("OCF_RESKEY_CRM_meta_notify_type"), Some("pre"));
        assert_eq!(get("OCF_RESKEY_CRM_meta_timeout"), Some("20000"));
        assert_eq!(get("OCF_RESKEY_CRM_meta_interval"), Some("10000"));
        match plan {
            Plan::Run(invocation, class) => {
                assert_eq!(class, Class::Ocf);
                assert_eq!(invocation.args, vec![OsString::from("monitor")]);
                assert_eq!(
                    invocation.program,
                    PathBuf::from("/usr/lib/ocf/resource.d/heartbeat/Dummy")
                );
            }
            other => panic!("unexpected plan {other:?}"),
        }
    }

    #[test]
    fn stonith_arguments_go_to_stdin() {
        let request = OpRequest {
            target: Some("node2".into()),
            ..OpRequest::new(
                "fence1",
                AgentSpec::parse("stonith:fence_dummy").expect("spec"),
                Action::Reboot,
            )
            .param("type", "file")
            .param("pcmk_host_map", "node1:1;node2:7")
            .param("pcmk_delay_max", "5")
            .param("pcmk_reboot_action", "off")
        };
        match plan(&request, Duration::from_secs(20), &AgentPaths::default()) {
            Plan::Run(invocation, Class::Stonith) => {
                let stdin = String::from_utf8(invocation.stdin.expect("stdin")).expect("utf8");
                assert_eq!(stdin, "action=off\ntype=file\nport=7\nnodename=node2\n");
                assert!(invocation.args.is_empty());
            }
            other => panic!("unexpected plan {other:?}"),
        }
    }

    #[test]
    fn exit_codes_map_per_class() {
        assert_eq!(
            map_exit(Class::Ocf, Action::Monitor, 8),
            OcfCode::RunningPromoted
        );
        assert_eq!(
            map_exit(Class::Ocf, Action::Monitor, 191),
            OcfCode::DegradedPromoted
        );
        assert_eq!(
            map_exit(Class::Lsb, Action::Monitor, 3),
            OcfCode::NotRunning
        );
        assert_eq!(
            map_exit(Class::Lsb, Action::Start, 3),
            OcfCode::ErrUnimplemented
        );
        assert_eq!(
            map_exit(Class::Stonith, Action::Status, 2),
            OcfCode::NotRunning
        );
        assert_eq!(
            map_exit(Class::Systemd, Action::Monitor, 3),
            OcfCode::NotRunning
        );
    }

    #[test]
    fn exit_reason_is_the_last_marked_line() {
        let stderr = Captured {
            bytes: b"noise\nocf-exit-reason:first\nERROR: ocf-exit-reason: second one \n".to_vec(),
            dropped: 0,
        };
        assert_eq!(exit_reason(&stderr).as_deref(), Some("second one"));
        assert_eq!(exit_reason(&Captured::default()), None);
    }

    #[test]
    fn systemd_refused_clearly_when_not_running() {
        let paths = AgentPaths {
            systemd_marker: PathBuf::from("/nonexistent/systemd"),
            ..AgentPaths::default()
        };
        let request = OpRequest::new(
            "web",
            AgentSpec::parse("systemd:nginx").expect("spec"),
            Action::Start,
        );
        match plan(&request, Duration::from_secs(1), &paths) {
            Plan::Answer(result) => {
                assert_eq!(result.status, ExecStatus::NotSupported);
                assert!(result
                    .exit_reason
                    .unwrap_or_default()
                    .contains("systemd is not running"));
            }
            other => panic!("unexpected plan {other:?}"),
        }
        assert_eq!(unit_name("nginx"), "nginx.service");
        assert_eq!(unit_name("x.socket"), "x.socket");
    }
}
