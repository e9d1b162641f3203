//! `stonith_admin`: list fence devices, fence a node, show the fencing history.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use resource_manager::fence_history::{self, FenceRecord};
use resource_manager::fence_pending;

use crate::cibadmin::cluster_api;
use crate::status::fencing;

const USAGE: &str = "Usage: stonith_admin OPTION

Queries:
  -L, --list-registered   the configured fence devices
  -l, --list=HOST         the devices able to fence HOST (fencing topology first)
  -s, --list-targets=DEVICE  the nodes DEVICE lists (pcmk_host_list, pcmk_host_map)
  -H, --history=NODE      the recorded successful fencing of NODE ('*': every node),
                          as Pacemaker 2.1.5 picks it (the earliest kept); with
                          --verbose every operation, failed and in progress too,
                          newest first; with --quiet only its Unix time
Fencing:
  -F, --fence=HOST        power HOST off through its fence devices, and wait for the result
  -B, --reboot=HOST       reboot HOST the same way
  -C, --confirm=HOST      tell the cluster HOST is safely down (no device runs)
Options:
  -t, --timeout=SECONDS   how long -F/-B wait for the result (default 120)
  -b, --broadcast         with -H: gather the history from every node (each node
                          holds the whole cluster's: the same list)
  --output-as=FORMAT      text (default) or xml
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
    broadcast: bool,
    xml: bool,
    /// The command line, as XML output repeats it.
    request: String,
}

fn parse(args: &[String]) -> Result<Option<Parsed>, String> {
    let mut cmd = None;
    let mut timeout_s = 120;
    let mut verbose = false;
    let mut quiet = false;
    let mut broadcast = false;
    let mut xml = false;
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
            "-b" | "--broadcast" => {
                broadcast = true;
                None
            }
            "--output-as" => {
                xml = match value("a FORMAT")?.as_str() {
                    "xml" => true,
                    "text" => false,
                    other => return Err(format!("--output-as: '{other}' is not text or xml")),
                };
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
        broadcast,
        xml,
        request: std::iter::once("stonith_admin")
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
    }))
}

/// The count line of `-L` and `-l`, as Debian's 2.1.5 prints it (pcmk-lab):
/// `1 fence device found`, `3 fence devices found`.
fn devices_found(n: usize) -> String {
    format!("{n} fence device{} found", if n == 1 { "" } else { "s" })
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
                println!("{}", d.id);
            }
            if !p.quiet {
                println!("{}", devices_found(devices.len()));
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
                        println!("{} (level {})", d.id, l.index);
                    } else {
                        println!("{}", d.id);
                    }
                }
            }
            if !p.quiet {
                println!("{}", devices_found(n));
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
            let history = history()?;
            let pending =
                fence_pending::decode(&cluster_api::call(&socket, "fence-pending", &[], "")?);
            let events = fencing::admin_events(&history, &pending, &node, p.verbose);
            if p.xml {
                // extended-status of an operation in progress depends on the node asking.
                let local = if pending.is_empty() {
                    String::new()
                } else {
                    resource_manager::admin::StatusReply::decode(&cluster_api::call(
                        &socket,
                        "status",
                        &[],
                        "",
                    )?)
                    .node
                };
                print!("{}", fencing::admin_xml(&events, &p.request, &local));
            } else {
                // Every node holds the whole cluster's history: a broadcast gathers the
                // same list. (Debian's 2.1.5 then reports "0 events found" whatever the
                // history holds; this lists the events.)
                if p.broadcast {
                    println!("gather fencing-history from all nodes");
                }
                print!("{}", fencing::admin_text(&events, p.verbose, p.quiet));
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
                    // As Debian's stonith_admin: silent on success.
                    if r.succeeded {
                        return Ok(ExitCode::SUCCESS);
                    }
                    eprintln!("stonith_admin: Couldn't fence {host}: {}", r.detail);
                    return Ok(ExitCode::from(1));
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
    fn device_counts_read_as_debians() {
        assert_eq!(devices_found(1), "1 fence device found");
        assert_eq!(devices_found(3), "3 fence devices found");
        assert_eq!(devices_found(0), "0 fence devices found");
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
        let p = parse(&args(&["-H", "*", "--output-as=xml", "-b", "-q"]))
            .expect("ok")
            .expect("cmd");
        assert!(p.xml && p.broadcast && p.quiet && !p.verbose);
        assert_eq!(p.request, "stonith_admin -H * --output-as=xml -b -q");
        assert!(
            !parse(&args(&["-H", "n1", "--output-as", "text"]))
                .expect("ok")
                .expect("cmd")
                .xml
        );
        assert!(parse(&args(&["-H", "n1", "--output-as", "html"])).is_err());
    }
}
