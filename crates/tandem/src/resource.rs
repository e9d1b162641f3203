//! `tandem resource` and `crm_resource`: move, ban, clear, cleanup, restart, enable,
//! disable and locate resources.

use crate::flag_walker::FlagWalker;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::bail;

use crate::cibadmin::cluster_api;
use crate::lifetime::Lifetime;

const USAGE: &str = "Usage: tandem resource COMMAND RSC [NODE]

Commands:
  status [RSC]          where each resource (or RSC) is active
  move RSC NODE         prefer NODE (constraint cli-prefer-RSC, score INFINITY)
  ban RSC NODE          keep RSC off NODE (constraint cli-ban-RSC-on-NODE, -INFINITY)
  clear RSC [NODE]      remove the move/ban constraints of RSC
  cleanup RSC [NODE]    forget RSC's failures and history, so it is probed again
  restart RSC           stop RSC (target-role=Stopped), wait until stopped, start it again
  enable RSC            target-role=Started (remove the Stopped setting)
  disable RSC           target-role=Stopped
  meta RSC NAME [VALUE] set (or with no value delete) a meta attribute

crm_resource flags: -r RSC with one of --move/-M [-N NODE] [--lifetime/-u DURATION] [--force],
  --ban/-B [-N NODE] [--lifetime/-u DURATION], --clear/-U [-N NODE], --cleanup/-C [-N NODE],
  --restart, --locate/-W, --list/-L, --set-parameter NAME [--meta] -v VALUE,
  --delete-parameter NAME [--meta] (without --meta: the agent's instance attributes; with
  --set-name/-s ID: in that set only).
  --move/--ban without -N act on the one node where RSC is active (a ban there).
";

/// What was asked.
#[derive(Debug, PartialEq)]
enum Cmd {
    Status(Option<String>),
    /// Resource, node (none: away from where it is active), lifetime, and whether a move
    /// to the node where it is already active is allowed (`--force`).
    Move(String, Option<String>, Option<Lifetime>, bool),
    /// Resource, node (none: where it is active), lifetime.
    Ban(String, Option<String>, Option<Lifetime>),
    Clear(String, Option<String>),
    Cleanup(String, Option<String>),
    Restart(String),
    Meta(String, String, Option<String>),
    /// `crm_resource --set-parameter`/`--delete-parameter`: a meta attribute (`--meta`) or
    /// one of the agent's instance attributes, in set `set` (`--set-name`) when given.
    Attr {
        rsc: String,
        meta: bool,
        set: Option<String>,
        name: String,
        value: Option<String>,
    },
}

fn parse(args: &[String]) -> Result<Option<Cmd>, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(None);
    }
    if args.first().is_some_and(|a| a.starts_with('-')) {
        return parse_flags(args).map(Some);
    }
    let a = |i: usize| args.get(i).cloned();
    let need = |i: usize, what: &str| a(i).ok_or_else(|| format!("{} needs {what}", args[0]));
    let cmd = match args.first().map(String::as_str) {
        None | Some("status") | Some("list") | Some("show") => Cmd::Status(a(1)),
        Some("move") | Some("migrate") => {
            Cmd::Move(need(1, "RSC")?, Some(need(2, "NODE")?), None, true)
        }
        Some("ban") => Cmd::Ban(need(1, "RSC")?, Some(need(2, "NODE")?), None),
        Some("clear") | Some("unmove") | Some("unmigrate") => Cmd::Clear(need(1, "RSC")?, a(2)),
        Some("cleanup") | Some("refresh") => Cmd::Cleanup(need(1, "RSC")?, a(2)),
        Some("restart") => Cmd::Restart(need(1, "RSC")?),
        Some("enable") | Some("start") => Cmd::Meta(
            need(1, "RSC")?,
            "target-role".into(),
            Some("Started".into()),
        ),
        Some("disable") | Some("stop") => Cmd::Meta(
            need(1, "RSC")?,
            "target-role".into(),
            Some("Stopped".into()),
        ),
        Some("meta") => Cmd::Meta(need(1, "RSC")?, need(2, "NAME")?, a(3)),
        Some(other) => return Err(format!("unknown command '{other}'")),
    };
    Ok(Some(cmd))
}

fn parse_flags(args: &[String]) -> Result<Cmd, String> {
    let mut rsc = None;
    let mut node = None;
    let mut op = None;
    let mut param = None;
    let mut value = None;
    let mut meta = false;
    let mut force = false;
    let mut set = None;
    let mut lifetime = None;
    let mut walker = FlagWalker::new(args);
    while let Some(flag) = walker.next_flag() {
        let mut val = |flag_name: &str| walker.value(flag_name);
        match flag.as_str() {
            "-r" | "--resource" => rsc = Some(val(&flag)?),
            "-N" | "--node" => node = Some(val(&flag)?),
            "-M" | "--move" => op = Some("move"),
            "-B" | "--ban" => op = Some("ban"),
            "-U" | "--clear" | "--un-move" => op = Some("clear"),
            "-C" | "--cleanup" | "-R" | "--refresh" => op = Some("cleanup"),
            "--restart" => op = Some("restart"),
            "-W" | "--locate" | "-L" | "--list" => op = Some("status"),
            "-p" | "--set-parameter" => {
                param = Some(val(&flag)?);
                op = Some("set");
            }
            "-d" | "--delete-parameter" => {
                param = Some(val(&flag)?);
                op = Some("delete");
            }
            "-v" | "--parameter-value" => value = Some(val(&flag)?),
            "-u" | "--lifetime" => lifetime = Some(Lifetime::parse(&val(&flag)?)?),
            "-m" | "--meta" => meta = true,
            "-s" | "--set-name" => set = Some(val(&flag)?),
            "--force" | "-f" => force = true,
            "-Q" | "--quiet" => {}
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    let need_rsc = || rsc.clone().ok_or_else(|| "-r RSC is required".to_string());
    Ok(match op {
        Some("move") => Cmd::Move(need_rsc()?, node, lifetime, force),
        Some("ban") => Cmd::Ban(need_rsc()?, node, lifetime),
        Some("clear") => Cmd::Clear(need_rsc()?, node),
        Some("cleanup") => Cmd::Cleanup(need_rsc()?, node),
        Some("restart") => Cmd::Restart(need_rsc()?),
        Some("set") | Some("delete") => Cmd::Attr {
            rsc: need_rsc()?,
            meta,
            set,
            name: param.unwrap_or_default(),
            value: match op {
                Some("set") => Some(value.ok_or("--set-parameter needs -v VALUE")?),
                _ => None,
            },
        },
        _ => Cmd::Status(rsc),
    })
}

fn wait_until_stopped(
    socket: &cluster_api::CibSource,
    rsc: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let cib = cluster_api::query(socket)?;
        if cluster_api::active_nodes(&cib, rsc)?.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("{rsc} did not stop within {} s", timeout.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn has_constraint(cib: &cib::xml::Element, id: &str) -> bool {
    cib.child("configuration")
        .and_then(|c| c.child("constraints"))
        .is_some_and(|c| c.children.iter().any(|c| c.attr("id") == Some(id)))
}

/// Bans `rsc` from `node`, or (no node) from the one node where it is active.
fn ban(
    socket: &cluster_api::CibSource,
    cib: &cib::xml::Element,
    rsc: &str,
    node: Option<String>,
    lifetime: Option<Lifetime>,
) -> anyhow::Result<ExitCode> {
    let node = match node {
        Some(n) => n,
        None => {
            let active = cluster_api::active_nodes(cib, rsc)?;
            match <[String; 1]>::try_from(active) {
                Ok([n]) => n,
                Err(active) => {
                    eprintln!(
                        "resource: Resource '{rsc}' not moved: active in {} locations.\n\
                         To prevent '{rsc}' from running on a specific location, specify a node.",
                        active.len()
                    );
                    return Ok(ExitCode::from(64));
                }
            }
        }
    };
    let id = format!("cli-ban-{rsc}-on-{node}");
    let until = lifetime_rule(
        lifetime,
        [
            format!("{id}-rule"),
            format!("{id}-expr"),
            format!("{id}-lifetime"),
        ],
    )?;
    cluster_api::add_location(
        socket,
        &cluster_api::CliLocation {
            id: &id,
            rsc,
            node: &node,
            score: "-INFINITY",
            until,
        },
    )?;
    println!("Banned {rsc} from {node} (constraint {id})");
    Ok(ExitCode::SUCCESS)
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let (socket, cmd) = match cluster_api::parse_or_usage("resource", USAGE, args, parse) {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    match cmd {
        Cmd::Status(rsc) => {
            let cib = cluster_api::query(&socket)?;
            let ids: Vec<String> = match rsc {
                Some(r) => {
                    if cluster_api::resource_kind(&cib, &r).is_none() {
                        eprintln!("resource: resource '{r}' not found");
                        return Ok(ExitCode::from(105));
                    }
                    vec![r]
                }
                None => cib
                    .child("configuration")
                    .and_then(|c| c.child("resources"))
                    .map(|r| r.children.iter().map(|c| c.id().to_string()).collect())
                    .unwrap_or_default(),
            };
            for id in ids {
                let nodes = cluster_api::active_nodes(&cib, &id)?;
                if nodes.is_empty() {
                    println!("resource {id} is NOT running");
                } else {
                    println!("resource {id} is running on: {}", nodes.join(" "));
                }
            }
        }
        Cmd::Move(rsc, node, lifetime, force) => {
            let cib = cluster_api::query(&socket)?;
            if cluster_api::resource_kind(&cib, &rsc).is_none() {
                bail!("resource '{rsc}' not found in the configuration");
            }
            let Some(node) = node else {
                // As Pacemaker's: moving away from the one node where it is active bans it there.
                return ban(&socket, &cib, &rsc, None, lifetime);
            };
            if !force && cluster_api::active_nodes(&cib, &rsc)? == [node.as_str()] {
                // As Pacemaker's (exit 108, "Requested item already exists").
                eprintln!("resource: {rsc} is already active on {node} (use --force to add the preference anyway)");
                return Ok(ExitCode::from(108));
            }
            // A ban from the target node would defeat the move: it goes (as with Pacemaker's).
            let ban_id = format!("cli-ban-{rsc}-on-{node}");
            if has_constraint(&cib, &ban_id) {
                cluster_api::call(
                    &socket,
                    "delete",
                    &[],
                    &format!("<rsc_location id=\"{ban_id}\"/>"),
                )?;
            }
            let id = format!("cli-prefer-{rsc}");
            let until = lifetime_rule(
                lifetime,
                [
                    format!("cli-prefer-rule-{rsc}"),
                    format!("cli-prefer-expr-{rsc}"),
                    format!("cli-prefer-lifetime-end-{rsc}"),
                ],
            )?;
            cluster_api::add_location(
                &socket,
                &cluster_api::CliLocation {
                    id: &id,
                    rsc: &rsc,
                    node: &node,
                    score: "INFINITY",
                    until,
                },
            )?;
            println!("Moving {rsc} to {node} (constraint {id}; remove it with: tandem resource clear {rsc})");
        }
        Cmd::Ban(rsc, node, lifetime) => {
            let cib = cluster_api::query(&socket)?;
            if cluster_api::resource_kind(&cib, &rsc).is_none() {
                bail!("resource '{rsc}' not found in the configuration");
            }
            return ban(&socket, &cib, &rsc, node, lifetime);
        }
        Cmd::Clear(rsc, node) => {
            let n = cluster_api::clear_locations(&socket, &rsc, node.as_deref())?;
            println!("Removed {n} constraint(s) of {rsc}");
        }
        Cmd::Cleanup(rsc, node) => {
            let mut a = vec![rsc.as_str()];
            if let Some(n) = &node {
                a.push(n);
            }
            cluster_api::call(&socket, "cleanup", &a, "")?;
            println!(
                "Cleaned up {rsc} on {}",
                node.as_deref().unwrap_or("all nodes")
            );
        }
        Cmd::Restart(rsc) => {
            cluster_api::set_meta(&socket, &rsc, "target-role", Some("Stopped"))?;
            wait_until_stopped(&socket, &rsc, Duration::from_secs(60))?;
            cluster_api::set_meta(&socket, &rsc, "target-role", None)?;
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let cib = cluster_api::query(&socket)?;
                if !cluster_api::active_nodes(&cib, &rsc)?.is_empty() {
                    break;
                }
                if Instant::now() >= deadline {
                    bail!("{rsc} stopped but did not start again within 60 s");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            println!("Restarted {rsc}");
        }
        Cmd::Meta(rsc, name, value) => {
            if name.is_empty() {
                bail!("a meta attribute name is required");
            }
            cluster_api::set_meta(&socket, &rsc, &name, value.as_deref())?;
        }
        Cmd::Attr {
            rsc,
            meta,
            set,
            name,
            value,
        } => {
            if name.is_empty() {
                bail!("a parameter name is required");
            }
            let set_name = if meta {
                "meta_attributes"
            } else {
                "instance_attributes"
            };
            cluster_api::set_resource_attr(
                &socket,
                &rsc,
                set_name,
                set.as_deref(),
                &name,
                value.as_deref(),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A constraint's lifetime as Pacemaker writes it: its end and the ids of its rule, date
/// expression and end (`None` without `--lifetime`); says until when, as crm_resource does.
fn lifetime_rule(
    lifetime: Option<Lifetime>,
    ids: [String; 3],
) -> anyhow::Result<Option<(String, [String; 3])>> {
    let Some(l) = lifetime else {
        return Ok(None);
    };
    let end = l
        .end_text(cluster_api::now_s())
        .map_err(anyhow::Error::msg)?;
    println!("Migration will take effect until: {end}");
    Ok(Some((end, ids)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_args::s;

    #[test]
    fn both_syntaxes_parse() {
        assert_eq!(
            parse(&s(&["move", "g", "n2"])).expect("ok"),
            Some(Cmd::Move("g".into(), Some("n2".into()), None, true))
        );
        assert_eq!(
            parse(&s(&["-r", "g", "--ban", "-N", "n1"])).expect("ok"),
            Some(Cmd::Ban("g".into(), Some("n1".into()), None))
        );
        assert_eq!(
            parse(&s(&["--resource=g", "--cleanup"])).expect("ok"),
            Some(Cmd::Cleanup("g".into(), None))
        );
        assert_eq!(
            parse(&s(&["disable", "g"])).expect("ok"),
            Some(Cmd::Meta(
                "g".into(),
                "target-role".into(),
                Some("Stopped".into())
            ))
        );
        assert!(parse(&s(&["move", "g"])).is_err());
        assert_eq!(
            parse(&s(&["--ban", "-r", "g"])).expect("ok"),
            Some(Cmd::Ban("g".into(), None, None))
        );
        assert_eq!(
            parse(&s(&["-r", "g", "--move", "-N", "n1", "--lifetime=PT1H"])).expect("ok"),
            Some(Cmd::Move(
                "g".into(),
                Some("n1".into()),
                Some(Lifetime::parse("PT1H").expect("duration")),
                false
            ))
        );
        assert!(parse(&s(&["-r", "g", "--ban", "--lifetime", "1h"])).is_err());
        assert_eq!(
            parse(&s(&["-r", "g", "--set-parameter", "ip", "-v", "1"])).expect("ok"),
            Some(Cmd::Attr {
                rsc: "g".into(),
                meta: false,
                set: None,
                name: "ip".into(),
                value: Some("1".into())
            })
        );
        assert_eq!(
            parse(&s(&[
                "-r",
                "g",
                "--meta",
                "--delete-parameter",
                "x",
                "-s",
                "m"
            ]))
            .expect("ok"),
            Some(Cmd::Attr {
                rsc: "g".into(),
                meta: true,
                set: Some("m".into()),
                name: "x".into(),
                value: None
            })
        );
    }
}
