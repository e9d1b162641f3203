//! `tandem agent`: list, describe, run and test resource and fence agents.
//!
//! Arguments are parsed first into [`Command`] (no IO), then carried out with the
//! `executor` crate in this process: agents run exactly as the cluster would run them.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use executor::{
    conformance, discovery, metadata::parse_duration, Action, AgentPaths, AgentSpec, Class,
    ExecStatus, Metadata, MetadataCache, OpRequest, OpResult,
};

/// Resource id used when `--resource` is not given, so that successive `run`s of one agent
/// (start, then monitor) address the same instance.
const DEFAULT_RESOURCE: &str = "tandem-agent";

/// One option: its spellings, value name, and help line. Help text is generated from these.
struct Flag {
    long: &'static str,
    short: Option<char>,
    value: Option<&'static str>,
    help: &'static str,
}

/// Options of `run` and `test`.
const FLAGS: &[Flag] = &[
    Flag {
        long: "param",
        short: Some('p'),
        value: Some("NAME=VALUE"),
        help: "instance attribute (OCF_RESKEY_NAME; fence device parameter); repeatable",
    },
    Flag {
        long: "meta",
        short: Some('m'),
        value: Some("NAME=VALUE"),
        help: "meta attribute (OCF_RESKEY_CRM_meta_NAME), e.g. clone-max=2; repeatable",
    },
    Flag {
        long: "timeout",
        short: Some('t'),
        value: Some("TIME"),
        help: "operation timeout (20s, 500ms, 2min); default: the agent's advertised one, else 20s",
    },
    Flag {
        long: "resource",
        short: Some('r'),
        value: Some("ID"),
        help: "resource id (OCF_RESOURCE_INSTANCE); default 'tandem-agent'",
    },
    Flag {
        long: "interval",
        short: Some('i'),
        value: Some("TIME"),
        help: "OCF_RESKEY_CRM_meta_interval to announce (the action still runs once)",
    },
    Flag {
        long: "target",
        short: None,
        value: Some("NODE"),
        help: "node to fence (stonith off/on/reboot/status)",
    },
    Flag {
        long: "quiet",
        short: Some('q'),
        value: None,
        help: "print only the result line (run) or failures (test)",
    },
];

fn usage() -> String {
    let mut text = String::from(
        "Usage: tandem agent COMMAND [ARGS...]\n\n\
         List, describe, run and test resource and fence agents.\n\n\
         Commands:\n  \
         list [CLASS[:PROVIDER]]      list installed agents (classes: ocf lsb service systemd stonith)\n  \
         info SPEC [--xml]            show an agent's parameters and actions (--xml: raw meta-data)\n  \
         run SPEC ACTION [OPTIONS]    run one action and print the result and the agent's output\n  \
         test SPEC [OPTIONS]          run the ocf-tester conformance sequence and report each step\n\n\
         SPEC is ocf:PROVIDER:TYPE, lsb:SCRIPT, systemd:UNIT, service:NAME or stonith:AGENT.\n\
         ACTION is one of: ",
    );
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    text.push_str(&actions.join(" "));
    text.push_str("\n\nOptions for run and test:\n");
    for flag in FLAGS {
        let short = flag
            .short
            .map(|c| format!("-{c}, "))
            .unwrap_or_else(|| "    ".into());
        let long = match flag.value {
            Some(value) => format!("--{} {value}", flag.long),
            None => format!("--{}", flag.long),
        };
        text.push_str(&format!("  {short}{long:<22} {}\n", flag.help));
    }
    text.push_str(
        "\nEnvironment: OCF_ROOT overrides /usr/lib/ocf.\n\
         Exit status of run: the OCF result code (0 ok, 7 not running, 8 promoted, ...), 1 on timeout or execution error.\n\
         Exit status of test: 0 when every step passed, 1 otherwise.\n",
    );
    text
}

/// A parsed `tandem agent` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Command {
    Help,
    List {
        class: Option<Class>,
        provider: Option<String>,
    },
    Info {
        spec: AgentSpec,
        xml: bool,
    },
    Run {
        request: OpRequest,
        quiet: bool,
    },
    Test {
        request: OpRequest,
        quiet: bool,
    },
}

fn parse_pair(text: &str, flag: &str) -> anyhow::Result<(String, String)> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| anyhow!("{flag} expects NAME=VALUE, got '{text}'"))?;
    if name.is_empty() {
        bail!("{flag} expects NAME=VALUE, got '{text}' (empty name)");
    }
    Ok((name.to_string(), value.to_string()))
}

fn parse_time(text: &str, flag: &str) -> anyhow::Result<Duration> {
    parse_duration(text)
        .ok_or_else(|| anyhow!("{flag}: '{text}' is not a duration (e.g. 20s, 500ms, 2min)"))
}

/// Parses the options of `run`/`test` into `request`; returns `quiet` and leftover positionals.
fn parse_options(args: &[String], request: &mut OpRequest) -> anyhow::Result<(bool, Vec<String>)> {
    let mut quiet = false;
    let mut positionals = Vec::new();
    let mut index = 0;
    while index < args.len() {
        let arg = &args[index];
        index += 1;
        let (name, inline) = if let Some(long) = arg.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (long.to_string(), None),
            }
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let letter = chars.next().unwrap_or_default();
            let flag = FLAGS
                .iter()
                .find(|flag| flag.short == Some(letter))
                .ok_or_else(|| anyhow!("unknown option '-{letter}' (see 'tandem agent --help')"))?;
            let rest: String = chars.collect();
            (flag.long.to_string(), (!rest.is_empty()).then_some(rest))
        } else {
            positionals.push(arg.clone());
            continue;
        };
        let flag = FLAGS
            .iter()
            .find(|flag| flag.long == name)
            .ok_or_else(|| anyhow!("unknown option '--{name}' (see 'tandem agent --help')"))?;
        let value = match (flag.value, inline) {
            (None, None) => String::new(),
            (None, Some(_)) => bail!("--{name} takes no value"),
            (Some(_), Some(value)) => value,
            (Some(value_name), None) => {
                let value = args
                    .get(index)
                    .ok_or_else(|| anyhow!("--{name} needs a value ({value_name})"))?;
                index += 1;
                value.clone()
            }
        };
        match flag.long {
            "param" => {
                let (name, value) = parse_pair(&value, "--param")?;
                request.params.insert(name, value);
            }
            "meta" => {
                let (name, value) = parse_pair(&value, "--meta")?;
                request.meta.insert(name, value);
            }
            "timeout" => request.timeout = Some(parse_time(&value, "--timeout")?),
            "interval" => request.interval = parse_time(&value, "--interval")?,
            "resource" => request.resource = value,
            "target" => request.target = Some(value),
            "quiet" => quiet = true,
            other => bail!("option --{other} is not handled"),
        }
    }
    request.check().context("invalid request")?;
    Ok((quiet, positionals))
}

/// Parses the arguments after `tandem agent`; no IO.
fn parse(args: &[String]) -> anyhow::Result<Command> {
    let Some(command) = args.first() else {
        return Ok(Command::Help);
    };
    let rest = &args[1..];
    if rest.iter().any(|arg| arg == "-h" || arg == "--help") {
        return Ok(Command::Help);
    }
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "list" => {
            if rest.len() > 1 {
                bail!("list takes at most one argument: CLASS[:PROVIDER]");
            }
            let Some(filter) = rest.first() else {
                return Ok(Command::List {
                    class: None,
                    provider: None,
                });
            };
            let (class_name, provider) = match filter.split_once(':') {
                Some((class, provider)) => (class, Some(provider.to_string())),
                None => (filter.as_str(), None),
            };
            let class = Class::parse(class_name).ok_or_else(|| {
                anyhow!("unknown class '{class_name}' (ocf, lsb, service, systemd, stonith)")
            })?;
            if provider.is_some() && class != Class::Ocf {
                bail!("only the ocf class has providers ('{filter}')");
            }
            Ok(Command::List {
                class: Some(class),
                provider,
            })
        }
        "info" => {
            let mut xml = false;
            let mut spec = None;
            for arg in rest {
                match arg.as_str() {
                    "--xml" => xml = true,
                    other if other.starts_with('-') => bail!("unknown option '{other}' for info"),
                    other if spec.is_none() => spec = Some(AgentSpec::parse(other)?),
                    other => bail!("unexpected argument '{other}'"),
                }
            }
            let spec = spec.ok_or_else(|| anyhow!("info needs an agent SPEC"))?;
            Ok(Command::Info { spec, xml })
        }
        "run" | "test" => {
            let placeholder = AgentSpec::parse("ocf:none:none")?;
            let mut request = OpRequest::new(DEFAULT_RESOURCE, placeholder, Action::Monitor);
            let (quiet, positionals) = parse_options(rest, &mut request)?;
            let mut positionals = positionals.into_iter();
            let spec = positionals
                .next()
                .ok_or_else(|| anyhow!("{command} needs an agent SPEC"))?;
            request.spec = AgentSpec::parse(&spec)?;
            if command == "run" {
                let action = positionals
                    .next()
                    .ok_or_else(|| anyhow!("run needs an ACTION after the SPEC"))?;
                request.action = Action::parse(&action)?;
            }
            if let Some(extra) = positionals.next() {
                bail!("unexpected argument '{extra}'");
            }
            Ok(if command == "run" {
                Command::Run { request, quiet }
            } else {
                Command::Test { request, quiet }
            })
        }
        other => bail!(
            "unknown agent command '{other}' (list, info, run, test; see 'tandem agent --help')"
        ),
    }
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let command = match parse(args) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("agent: {error:#}");
            return Ok(ExitCode::from(crate::exit_code::USAGE));
        }
    };
    let paths = AgentPaths::from_env();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        Command::Help => {
            write!(out, "{}", usage())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::List { class, provider } => list(&mut out, &paths, class, provider.as_deref()),
        Command::Info { spec, xml } => info(&mut out, &paths, &spec, xml),
        Command::Run { request, quiet } => run_once(&mut out, &paths, &request, quiet),
        Command::Test { request, quiet } => test(&mut out, &paths, &request, quiet),
    }
}

fn list(
    out: &mut impl Write,
    paths: &AgentPaths,
    class: Option<Class>,
    provider: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let classes = match class {
        Some(class) => vec![class],
        None => vec![Class::Ocf, Class::Lsb, Class::Systemd, Class::Stonith],
    };
    let mut failed = false;
    for listed in classes {
        match discovery::list_agents(paths, listed, provider) {
            Ok(specs) => {
                for spec in specs {
                    writeln!(out, "{spec}")?;
                }
            }
            Err(error) => {
                // Listing everything tolerates a missing class (systemd not running, no
                // init.d); asking for that class is an error.
                eprintln!("agent list: {listed}: {error}");
                failed |= class.is_some();
            }
        }
    }
    Ok(if failed {
        ExitCode::from(crate::exit_code::ERROR)
    } else {
        ExitCode::SUCCESS
    })
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

fn describe(out: &mut impl Write, spec: &AgentSpec, metadata: &Metadata) -> std::io::Result<()> {
    writeln!(out, "{spec} - {}", metadata.shortdesc)?;
    if let Some(version) = &metadata.version {
        writeln!(out, "version: {version}")?;
    }
    if !metadata.longdesc.is_empty() {
        writeln!(out)?;
        for line in metadata.longdesc.lines() {
            writeln!(out, "  {}", line.trim_end())?;
        }
    }
    writeln!(out, "\nParameters (* required, + unique):")?;
    if metadata.parameters.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for param in &metadata.parameters {
        let marks = format!(
            "{}{}",
            if param.required { "*" } else { "" },
            if param.unique { "+" } else { "" }
        );
        let default = param
            .default
            .as_ref()
            .map(|d| format!(" [default: {d}]"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}{marks} ({}){default}",
            param.name, param.content_type
        )?;
        if !param.shortdesc.is_empty() {
            writeln!(out, "      {}", param.shortdesc)?;
        }
        if param.deprecated || param.reloadable {
            writeln!(
                out,
                "      deprecated: {}, reloadable: {}",
                yes_no(param.deprecated),
                yes_no(param.reloadable)
            )?;
        }
    }
    writeln!(out, "\nActions:")?;
    for action in &metadata.actions {
        let mut line = format!("  {:<14}", action.name);
        if let Some(timeout) = action.timeout {
            line.push_str(&format!(" timeout={}s", timeout.as_secs_f64()));
        }
        if let Some(interval) = action.interval {
            line.push_str(&format!(" interval={}s", interval.as_secs_f64()));
        }
        if let Some(delay) = action.start_delay {
            line.push_str(&format!(" start-delay={}s", delay.as_secs_f64()));
        }
        if let Some(depth) = &action.depth {
            line.push_str(&format!(" depth={depth}"));
        }
        if let Some(role) = &action.role {
            line.push_str(&format!(" role={role}"));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn info(
    out: &mut impl Write,
    paths: &AgentPaths,
    spec: &AgentSpec,
    xml: bool,
) -> anyhow::Result<ExitCode> {
    if xml {
        let request = OpRequest::new(DEFAULT_RESOURCE, spec.clone(), Action::MetaData);
        let result = executor::run_blocking(&request, paths, &MetadataCache::new())?;
        if result.status != ExecStatus::Done {
            bail!("{spec} meta-data: {}", result.summary());
        }
        out.write_all(&result.stdout.bytes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let metadata = executor::read_metadata(spec, paths)?;
    describe(out, spec, &metadata)?;
    Ok(ExitCode::SUCCESS)
}

/// Warns on stderr about parameters the agent's meta-data does not accept.
fn warn_about_params(paths: &AgentPaths, request: &OpRequest) {
    if request.action == Action::MetaData {
        return;
    }
    match executor::read_metadata(&request.spec, paths) {
        Ok(metadata) => {
            for problem in metadata.validate(&request.params, request.spec.class) {
                eprintln!("agent: warning: {}: {problem}", request.spec);
            }
        }
        Err(error) => eprintln!("agent: warning: {error}"),
    }
}

fn print_result(
    out: &mut impl Write,
    request: &OpRequest,
    result: &OpResult,
    quiet: bool,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} on {}: {}",
        request.spec,
        request.action,
        request.resource,
        result.summary()
    )?;
    if quiet {
        return Ok(());
    }
    for (name, captured) in [("stdout", &result.stdout), ("stderr", &result.stderr)] {
        if captured.bytes.is_empty() && !captured.truncated() {
            continue;
        }
        writeln!(out, "--- {name} ---")?;
        write!(out, "{}", captured.text())?;
        if !captured.text().ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(())
}

fn run_once(
    out: &mut impl Write,
    paths: &AgentPaths,
    request: &OpRequest,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    if let Err(error) = executor::reaper::start_reaping() {
        tracing::debug!(%error, "not a subreaper");
    }
    warn_about_params(paths, request);
    let result = executor::run_blocking(request, paths, &MetadataCache::new())?;
    print_result(out, request, &result, quiet)?;
    let code = match result.status {
        ExecStatus::Done => u8::try_from(result.code.code()).unwrap_or(1),
        ExecStatus::NotInstalled => 5,
        _ => 1,
    };
    Ok(ExitCode::from(code))
}

fn test(
    out: &mut impl Write,
    paths: &AgentPaths,
    request: &OpRequest,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    if let Err(error) = executor::reaper::start_reaping() {
        tracing::debug!(%error, "not a subreaper");
    }
    writeln!(
        out,
        "Testing {} as resource '{}'",
        request.spec, request.resource
    )?;
    warn_about_params(paths, request);
    let mut write_error = None;
    let report = conformance::run(request, paths, |step| {
        if quiet && step.passed() {
            return;
        }
        let expected: Vec<String> = step.expected.iter().map(|c| c.to_string()).collect();
        let verdict = if step.passed() { "PASS" } else { "FAIL" };
        let line = format!(
            "{verdict} {:<28} {:<13} expected {}; got {}",
            step.name,
            step.action,
            expected.join(" or "),
            step.result.summary()
        );
        let mut written = writeln!(out, "{line}");
        if !step.passed() && written.is_ok() {
            for (name, captured) in [
                ("stdout", &step.result.stdout),
                ("stderr", &step.result.stderr),
            ] {
                if !captured.bytes.is_empty() {
                    written = write!(out, "  --- {name} ---\n{}", captured.text());
                }
            }
        }
        if let Err(error) = written {
            write_error.get_or_insert(error);
        }
    })?;
    if let Some(error) = write_error {
        return Err(error.into());
    }
    let passed = report.steps.iter().filter(|s| s.passed()).count();
    let total = report.steps.len();
    if report.passed() {
        writeln!(out, "{}: all {total} checks passed", request.spec)?;
        Ok(ExitCode::SUCCESS)
    } else {
        writeln!(out, "{}: {passed} of {total} checks passed", request.spec)?;
        Ok(ExitCode::from(crate::exit_code::ERROR))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_run_with_options() {
        let command = parse(&args("run ocf:heartbeat:Dummy start -p state=/tmp/s --meta clone-max=2 --timeout 5s -r db --interval=10s")).expect("valid");
        let Command::Run { request, quiet } = command else {
            panic!("not a run: {command:?}")
        };
        assert!(!quiet);
        assert_eq!(request.spec.to_string(), "ocf:heartbeat:Dummy");
        assert_eq!(request.action, Action::Start);
        assert_eq!(
            request.params.get("state").map(String::as_str),
            Some("/tmp/s")
        );
        assert_eq!(request.meta.get("clone-max").map(String::as_str), Some("2"));
        assert_eq!(request.timeout, Some(Duration::from_secs(5)));
        assert_eq!(request.interval, Duration::from_secs(10));
        assert_eq!(request.resource, "db");
    }

    #[test]
    fn parses_list_info_and_test() {
        assert_eq!(parse(&[]).expect("help"), Command::Help);
        assert_eq!(
            parse(&args("list")).expect("list"),
            Command::List {
                class: None,
                provider: None
            }
        );
        assert_eq!(
            parse(&args("list ocf:pacemaker")).expect("list"),
            Command::List {
                class: Some(Class::Ocf),
                provider: Some("pacemaker".into())
            }
        );
        assert!(matches!(
            parse(&args("info stonith:fence_dummy --xml")).expect("info"),
            Command::Info { xml: true, .. }
        ));
        let Command::Test { request, quiet } =
            parse(&args("test ocf:pacemaker:Stateful -q")).expect("test")
        else {
            panic!("not a test")
        };
        assert!(quiet);
        assert_eq!(request.resource, DEFAULT_RESOURCE);
        assert_eq!(
            parse(&args("run lsb:x start --help")).expect("help"),
            Command::Help
        );
    }

    #[test]
    fn rejects_bad_command_lines_with_the_reason() {
        for (line, needle) in [
            ("frobnicate", "unknown agent command 'frobnicate'"),
            ("list nfs", "unknown class 'nfs'"),
            ("list lsb:x", "only the ocf class has providers"),
            ("run ocf:heartbeat:Dummy", "run needs an ACTION"),
            (
                "run ocf:heartbeat:Dummy explode",
                "unknown action 'explode'",
            ),
            ("run ocf:heartbeat start", "invalid agent spec"),
            (
                "run ocf:heartbeat:Dummy start -p novalue",
                "--param expects NAME=VALUE",
            ),
            (
                "run ocf:heartbeat:Dummy start --timeout soon",
                "--timeout: 'soon' is not a duration",
            ),
            (
                "run ocf:heartbeat:Dummy start --colour red",
                "unknown option '--colour'",
            ),
            (
                "run ocf:heartbeat:Dummy start --timeout",
                "--timeout needs a value",
            ),
            ("info", "info needs an agent SPEC"),
        ] {
            let error = parse(&args(line)).expect_err(line);
            assert!(format!("{error:#}").contains(needle), "{line}: {error:#}");
        }
    }

    #[test]
    fn help_lists_every_flag_and_command() {
        let text = usage();
        for flag in FLAGS {
            assert!(text.contains(&format!("--{}", flag.long)), "{}", flag.long);
        }
        for command in ["list", "info", "run", "test"] {
            assert!(text.contains(&format!("  {command} ")), "{command}");
        }
    }

    #[test]
    fn conformance_via_the_cli_on_real_agents() {
        if std::env::var_os("TANDEM_SLOW_TESTS").is_none_or(|v| v != "1") {
            eprintln!("conformance_via_the_cli_on_real_agents: skipped (set TANDEM_SLOW_TESTS=1)");
            return;
        }
        for spec in ["ocf:heartbeat:Dummy", "ocf:pacemaker:Stateful"] {
            let resource = format!("tandem-cli-{}-{}", std::process::id(), spec.len());
            let mut out = Vec::new();
            let Command::Test { request, quiet } =
                parse(&args(&format!("test {spec} -r {resource}"))).expect("parses")
            else {
                panic!("not a test")
            };
            let code = test(&mut out, &AgentPaths::from_env(), &request, quiet).expect("runs");
            let text = String::from_utf8_lossy(&out);
            assert_eq!(code, ExitCode::SUCCESS, "{text}");
            assert!(
                text.contains("checks passed") && !text.contains("FAIL"),
                "{text}"
            );
            assert!(text.contains("PASS monitor when stopped"), "{text}");
            assert_eq!(
                text.contains("PASS promote"),
                spec.ends_with("Stateful"),
                "{text}"
            );
        }
    }

    #[test]
    fn conformance_via_the_cli_on_ipaddr2_in_a_namespace() {
        if std::env::var_os("TANDEM_SLOW_TESTS").is_none_or(|v| v != "1") {
            eprintln!("conformance_via_the_cli_on_ipaddr2_in_a_namespace: skipped (set TANDEM_SLOW_TESTS=1)");
            return;
        }
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc_geteuid() } != 0 {
            eprintln!("conformance_via_the_cli_on_ipaddr2_in_a_namespace: skipped (needs root)");
            return;
        }
        let name = format!("tdx-cli-{}", std::process::id());
        let ip = |args: &[&str]| {
            std::process::Command::new("ip")
                .args(args)
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        };
        struct Cleanup(String);
        impl Drop for Cleanup {
            fn drop(&mut self) {
                let _ = std::process::Command::new("ip")
                    .args(["netns", "del", &self.0])
                    .status();
            }
        }
        let _ = ip(&["netns", "del", &name]);
        assert!(ip(&["netns", "add", &name]), "ip netns add");
        let _cleanup = Cleanup(name.clone());
        assert!(ip(&[
            "-n", &name, "link", "add", "tdx0", "type", "veth", "peer", "name", "tdx1"
        ]));
        assert!(ip(&["-n", &name, "link", "set", "tdx0", "up"]));
        assert!(ip(&["-n", &name, "link", "set", "tdx1", "up"]));
        assert!(ip(&[
            "-n",
            &name,
            "addr",
            "add",
            "10.201.3.1/24",
            "dev",
            "tdx0"
        ]));
        let netns_path = format!("/run/netns/{name}");
        // Only this thread (and the agents it spawns) enters the namespace.
        let worker = std::thread::spawn(move || {
            let file = std::fs::File::open(&netns_path).expect("open netns");
            enter_netns(&file);
            let mut out = Vec::new();
            let line = "test ocf:heartbeat:IPaddr2 -p ip=10.201.3.10 -p cidr_netmask=24 -p nic=tdx0 -r tandem-cli-vip";
            let Command::Test { request, quiet } = parse(&args(line)).expect("parses") else {
                panic!("not a test")
            };
            let code = test(&mut out, &AgentPaths::from_env(), &request, quiet).expect("runs");
            (code, String::from_utf8_lossy(&out).into_owned())
        });
        let (code, text) = worker.join().expect("worker");
        assert_eq!(code, ExitCode::SUCCESS, "{text}");
        assert!(text.contains("all 9 checks passed"), "{text}");
    }

    extern "C" {
        #[link_name = "geteuid"]
        fn libc_geteuid() -> u32;
        fn setns(fd: i32, nstype: i32) -> i32;
    }

    /// Moves the calling thread into the network namespace open as `file`.
    fn enter_netns(file: &std::fs::File) {
        use std::os::fd::AsRawFd;
        const CLONE_NEWNET: i32 = 0x4000_0000;
        // SAFETY: setns on a valid namespace descriptor; it affects only this thread.
        let rc = unsafe { setns(file.as_raw_fd(), CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
    }
}
