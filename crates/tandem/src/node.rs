//! `tandem node` and `crm_node`: standby, online, maintenance and attributes of nodes.

use std::process::ExitCode;

use crate::cibadmin::cluster_api;

const USAGE: &str = "Usage: tandem node COMMAND [NODE] ...

Commands:
  list                            nodes known to the cluster, with their state
  standby [NODE]                  put NODE (default: this node) in standby
  online [NODE]                   take NODE out of standby
  maintenance [NODE]              put NODE in maintenance mode
  ready [NODE]                    take NODE out of maintenance mode
  attribute NODE set NAME VALUE   set a permanent node attribute
  attribute NODE delete NAME      delete it
  attribute NODE show NAME        print it

crm_node flags: -n/--name (this node's name), -l/--list, -p/--partition, -q/--quorum.
";

/// What was asked.
#[derive(Debug, PartialEq)]
enum Cmd {
    List,
    Partition,
    Quorum,
    Name,
    Set(Option<String>, String, Option<String>),
    Show(String, String),
}

fn parse(args: &[String]) -> Result<Option<Cmd>, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(None);
    }
    let a = |i: usize| args.get(i).cloned();
    let cmd = match args.first().map(String::as_str) {
        None | Some("list") | Some("-l") | Some("--list") | Some("show") => Cmd::List,
        Some("-p") | Some("--partition") => Cmd::Partition,
        Some("-q") | Some("--quorum") => Cmd::Quorum,
        Some("-n") | Some("--name") | Some("-i") | Some("--cluster-id") => Cmd::Name,
        Some("standby") => Cmd::Set(a(1), "standby".into(), Some("on".into())),
        Some("online") => Cmd::Set(a(1), "standby".into(), Some("off".into())),
        Some("maintenance") => Cmd::Set(a(1), "maintenance".into(), Some("on".into())),
        Some("ready") => Cmd::Set(a(1), "maintenance".into(), Some("off".into())),
        Some("attribute") => {
            let node = a(1).ok_or("attribute needs NODE")?;
            let name = a(3).ok_or("attribute needs NODE set|delete|show NAME")?;
            match a(2).as_deref() {
                Some("set") => Cmd::Set(Some(node), name, Some(a(4).ok_or("set needs a VALUE")?)),
                Some("delete") => Cmd::Set(Some(node), name, None),
                Some("show") => Cmd::Show(node, name),
                _ => return Err("attribute NODE set|delete|show NAME [VALUE]".into()),
            }
        }
        Some(other) => return Err(format!("unknown command '{other}'")),
    };
    Ok(Some(cmd))
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let (socket, cmd) = match cluster_api::parse_or_usage("node", USAGE, args, parse) {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    let status = || -> anyhow::Result<resource_manager::admin::StatusReply> {
        Ok(resource_manager::admin::StatusReply::decode(
            &cluster_api::call(&socket, "status", &[], "")?,
        ))
    };
    match cmd {
        Cmd::Name => println!("{}", status()?.node),
        Cmd::Quorum => println!("{}", u8::from(status()?.quorate)),
        Cmd::Partition => println!("{}", status()?.members.join(" ")),
        Cmd::List => {
            let s = status()?;
            let cib = cib::xml::parse(&s.cib).map_err(|e| anyhow::anyhow!("the live CIB: {e}"))?;
            if let Some(st) = cib.child("status") {
                for ns in st.children_named("node_state") {
                    let name = ns.attr("uname").unwrap_or("?");
                    let state = if s.members.iter().any(|m| m == name) {
                        "member"
                    } else {
                        "lost"
                    };
                    println!("{} {name} {state}", ns.id());
                }
            }
        }
        Cmd::Set(node, name, value) => {
            let node = match node {
                Some(n) => n,
                None => status()?.node,
            };
            cluster_api::set_node_attr(&socket, &node, &name, value.as_deref())?;
            println!("{node}: {name}={}", value.as_deref().unwrap_or("(deleted)"));
        }
        Cmd::Show(node, name) => {
            let cib = cluster_api::query(&socket)?;
            let id = cluster_api::node_id(&cib, &node)
                .ok_or_else(|| anyhow::anyhow!("node '{node}' is not known"))?;
            let v = cib
                .child("configuration")
                .and_then(|c| c.child("nodes"))
                .and_then(|n| n.children_named("node").find(|n| n.id() == id))
                .and_then(|n| {
                    n.children_named("instance_attributes")
                        .flat_map(|s| s.children_named("nvpair"))
                        .find(|nv| nv.attr("name") == Some(name.as_str()))
                        .and_then(|nv| nv.attr("value").map(str::to_string))
                });
            match v {
                Some(v) => println!("{v}"),
                None => {
                    eprintln!("node: attribute '{name}' is not set on {node}");
                    return Ok(ExitCode::from(105));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_args::s;

    #[test]
    fn commands_parse() {
        assert_eq!(
            parse(&s(&["standby", "n1"])).expect("ok"),
            Some(Cmd::Set(
                Some("n1".into()),
                "standby".into(),
                Some("on".into())
            ))
        );
        assert_eq!(parse(&s(&["-l"])).expect("ok"), Some(Cmd::List));
        assert!(parse(&s(&["attribute", "n1", "set", "x"])).is_err());
        assert!(parse(&s(&["frobnicate"])).is_err());
    }
}
