//! `stonith_admin`: list fence devices, fence a node, show the fencing history.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use resource_manager::fence_history::{self, FenceRecord};

use crate::cibadmin::cluster_api;
use crate::clock_text::clock_text;

const USAGE: &str = "Usage: stonith_admin OPTION

Queries:
  -L, --list-registered   the configured fence devices
  -l, --list=HOST         the devices able to fence HOST (fencing topology first)
  -s, --list-targets=DEVICE  the nodes DEVICE lists (pcmk_host_list, pcmk_host_map)
  -H, --history=NODE      the last successful fencing of NODE ('*': every node);
                          with --verbose every recorded operation, failed ones too
Fencing:
  -F, --fence=HOST        power HOST off through its fence devices, and wait for the result
  -B, --reboot=HOST       reboot HOST the same way
  -C, --confirm=HOST      tell the cluster HOST is safely down (no device runs)
Options:
  -t, --timeout=SECONDS   how long -F/-B wait for the result (default 120)
  -V, --verbose           more output
  -q, --quiet             less output
";

/// What was asked.
#[derive(Debug, PartialEq)]
enum Cmd {
    Registered,
    List(String),
    Targets(String),
    History(String),
    Fence(String, &'static str),
}

#[derive(Debug, PartialEq)]
struct Parsed {
    cmd: Cmd,
    timeout_s: u64,
    verbose: bool,
    quiet: bool,
}

fn parse(args: &[String]) -> Result<Option<Parsed>, String> {
    let mut cmd = None;
    let mut timeout_s = 120;
    let mut verbose = false;
    let mut quiet = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a, None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{flag} needs {what}"))
        };
        let next = match flag {
            "-?" | "--help" => return Ok(None),
            "-L" | "--list-registered" => Some(Cmd::Registered),
            "-l" | "--list" => Some(Cmd::List(value("a HOST")?)),
            "-s" | "--list-targets" => Some(Cmd::Targets(value("a DEVICE")?)),
            "-H" | "--history" => Some(Cmd::History(value("a NODE or '*'")?)),
            "-F" | "--fence" => Some(Cmd::Fence(value("a HOST")?, "off")),
            "-B" | "--reboot" => Some(Cmd::Fence(value("a HOST")?, "reboot")),
            "-C" | "--confirm" => Some(Cmd::Fence(value("a HOST")?, "confirm")),
            "-t" | "--timeout" => {
                let v = value("SECONDS")?;
                timeout_s = v
                    .trim_end_matches('s')
                    .parse()
                    .map_err(|_| format!("--timeout: '{v}' is not a number of seconds"))?;
                None
            }
            "-V" | "--verbose" => {
                verbose = true;
                None
            }
            "-q" | "--quiet" => {
                quiet = true;
                None
            }
            other => return Err(format!("unknown option '{other}'")),
        };
        if let Some(c) = next {
            if cmd.is_some() {
                return Err("give one command".into());
            }
            cmd = Some(c);
        }
        i += 1;
    }
    let cmd = cmd.ok_or("no command given")?;
    Ok(Some(Parsed {
        cmd,
        timeout_s,
        verbose,
        quiet,
    }))
}

/// One history line, as Pacemaker's fencing history reads.
fn history_line(r: &FenceRecord) -> String {
    format!(
        "{} of {} {}: delegate={}, device={}, completed='{}' ({})",
        r.action,
        r.target,
        if r.succeeded { "successful" } else { "failed" },
        r.executioner,
        r.device,
        clock_text(r.when_s),
        r.detail
    )
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let (socket, p) = match cluster_api::parse_or_usage("stonith_admin", USAGE, args, parse) {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    let history = || -> anyhow::Result<Vec<FenceRecord>> {
        Ok(fence_history::decode(&cluster_api::call(
            &socket,
            "fence-history",
            &[],
            "",
        )?))
    };
    match p.cmd {
        Cmd::Registered => {
            let cib = cluster_api::query(&socket)?;
            let devices = controller::fencing_topology::devices(&cib);
            for d in &devices {
                println!(" {}", d.id);
            }
            if !p.quiet {
                println!("{} fence devices found", devices.len());
            }
        }
        Cmd::List(host) => {
            let cib = cluster_api::query(&socket)?;
            let plan = controller::fencing_topology::plan(&cib, &host);
            let mut n = 0;
            for l in &plan.levels {
                for d in &l.devices {
                    n += 1;
                    if plan.from_topology && p.verbose {
                        println!(" {} (level {})", d.id, l.index);
                    } else {
                        println!(" {}", d.id);
                    }
                }
            }
            if !p.quiet {
                println!("{n} fence devices found");
            }
        }
        Cmd::Targets(device) => {
            let cib = cluster_api::query(&socket)?;
            let Some(d) = controller::fencing_topology::devices(&cib)
                .into_iter()
                .find(|d| d.id == device)
            else {
                eprintln!("stonith_admin: no fence device '{device}' is configured");
                return Ok(ExitCode::from(105));
            };
            let hosts = controller::fencing_topology::listed_hosts(&d.params);
            if hosts.is_empty() && !p.quiet {
                println!("{device} lists no nodes (it is asked about any node: pcmk_host_check)");
            }
            for h in &hosts {
                println!(" {h}");
            }
            if !p.quiet && !hosts.is_empty() {
                println!("{} targets found", hosts.len());
            }
        }
        Cmd::History(node) => {
            let all = history()?;
            let mine: Vec<&FenceRecord> = all
                .iter()
                .filter(|r| node == "*" || r.target == node)
                .collect();
            let shown: Vec<&FenceRecord> = if p.verbose {
                mine
            } else {
                // The last successful operation per node.
                let mut last: Vec<&FenceRecord> = Vec::new();
                for r in mine.into_iter().filter(|r| r.succeeded) {
                    last.retain(|x| x.target != r.target);
                    last.push(r);
                }
                last
            };
            for r in &shown {
                if p.quiet {
                    println!("{}", r.when_s);
                } else {
                    println!("{}", history_line(r));
                }
            }
            if shown.is_empty() && !p.quiet {
                println!("No fencing history for {node}");
            }
        }
        Cmd::Fence(host, action) => {
            let before = history()?;
            cluster_api::call(&socket, "fence", &[&host, action], "")?;
            // A confirmation is recorded as an `off`.
            let action = if action == "confirm" { "off" } else { action };
            let deadline = Instant::now() + Duration::from_secs(p.timeout_s);
            loop {
                let all = history()?;
                // The history is bounded (its oldest entries go): look for a record that
                // was not there before.
                let new = all
                    .iter()
                    .rev()
                    .find(|r| r.target == host && r.action == action && !before.contains(r));
                if let Some(r) = new {
                    if !p.quiet {
                        println!("{}", history_line(r));
                    }
                    return Ok(if r.succeeded {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    });
                }
                if Instant::now() >= deadline {
                    eprintln!(
                        "stonith_admin: no result for the fencing of {host} within {} s",
                        p.timeout_s
                    );
                    return Ok(ExitCode::from(124));
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_parse_as_stonith_admin_takes_them() {
        let p = parse(&args(&["--history=*", "-V"]))
            .expect("ok")
            .expect("cmd");
        assert_eq!(p.cmd, Cmd::History("*".into()));
        assert!(p.verbose);
        let p = parse(&args(&["-B", "node2", "-t", "30"]))
            .expect("ok")
            .expect("cmd");
        assert_eq!(p.cmd, Cmd::Fence("node2".into(), "reboot"));
        assert_eq!(p.timeout_s, 30);
        assert_eq!(
            parse(&args(&["--fence", "node1"]))
                .expect("ok")
                .expect("cmd")
                .cmd,
            Cmd::Fence("node1".into(), "off")
        );
        assert_eq!(
            parse(&args(&["-C", "node3"]))
                .expect("ok")
                .expect("cmd")
                .cmd,
            Cmd::Fence("node3".into(), "confirm")
        );
        assert_eq!(
            parse(&args(&["--list-targets", "f1"]))
                .expect("ok")
                .expect("cmd")
                .cmd,
            Cmd::Targets("f1".into())
        );
        assert!(parse(&args(&["-L", "-H", "x"])).is_err());
        assert!(parse(&args(&["-F"])).is_err());
        assert!(parse(&args(&["--bogus"])).is_err());
        assert!(parse(&args(&[])).is_err());
        assert_eq!(parse(&args(&["--help"])), Ok(None));
    }

    #[test]
    fn history_lines_name_the_outcome_and_level() {
        let r = FenceRecord {
            when_s: 0,
            target: "node3".into(),
            action: "reboot".into(),
            executioner: "node1".into(),
            succeeded: true,
            device: "ok".into(),
            detail: "fenced by level 2 (ok)".into(),
            client: "tandem-controller".into(),
            origin: "node1".into(),
        };
        assert_eq!(
            history_line(&r),
            "reboot of node3 successful: delegate=node1, device=ok, \
             completed='1970-01-01 00:00:00Z' (fenced by level 2 (ok))"
        );
    }
}
