//! `tandem property` and `crm_attribute`: cluster properties (and, with crm_attribute's
//! `--node`, node attributes).

use crate::flag_walker::FlagWalker;
use std::process::ExitCode;

use anyhow::bail;

use crate::cibadmin::cluster_api;

const USAGE: &str = "Usage: tandem property NAME=VALUE...      set cluster properties
       tandem property show [NAME]         print properties (all, or one)
       tandem property delete NAME...      remove properties
       crm_attribute [-t crm_config|nodes|status] [-N NODE] -n NAME (-v VALUE | -G | -D) [-l reboot|forever]
       crm_attribute --promotion[=RSC] [-N NODE] (-v SCORE | -G | -D)

Cluster properties live in crm_config's cib-bootstrap-options set, as Pacemaker keeps them
(e.g. no-quorum-policy, stonith-enabled, cluster-recheck-interval, pe-input-series-max).
With -N NODE, crm_attribute works on a node attribute: permanent (-l forever, the default
for -t nodes) or transient (-l reboot, -t status).

Options (crm_attribute):
  -n, --name NAME      attribute name
  -v, --update VALUE   set it
  -G, --query          print it
  -D, --delete         delete it
  -N, --node NODE      a node attribute of NODE
  -t, --type TYPE      crm_config (default), nodes, status
  -l, --lifetime L     reboot (transient) or forever (permanent)
  -q, --quiet          print only the value with -G
  -p, --promotion[=RSC]
                       the promotion score of RSC (default $OCF_RESOURCE_INSTANCE, as agents
                       call it): transient attribute master-RSC of NODE (default this node)
  -h, --help           this text
";

/// What was asked.
#[derive(Debug, PartialEq)]
enum Cmd {
    Set(Vec<(String, String)>),
    Show(Option<String>),
    Delete(Vec<String>),
    Attr {
        name: String,
        node: Option<String>,
        transient: bool,
        action: AttrAction,
        quiet: bool,
    },
}

#[derive(Debug, PartialEq)]
enum AttrAction {
    Set(String),
    Get,
    Delete,
}

fn parse(args: &[String]) -> Result<Option<Cmd>, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(None);
    }
    if args.first().is_some_and(|a| a.starts_with('-')) {
        return parse_crm_attribute(args).map(Some);
    }
    match args.first().map(String::as_str) {
        None => Ok(Some(Cmd::Show(None))),
        Some("show") => Ok(Some(Cmd::Show(args.get(1).cloned()))),
        Some("delete") if args.len() > 1 => Ok(Some(Cmd::Delete(args[1..].to_vec()))),
        Some("delete") => Err("delete needs a property name".into()),
        Some(_) => {
            let mut set = Vec::new();
            for a in args {
                let (k, v) = a
                    .split_once('=')
                    .ok_or_else(|| format!("'{a}': expected NAME=VALUE"))?;
                if k.is_empty() {
                    return Err(format!("'{a}': empty property name"));
                }
                set.push((k.to_string(), v.trim_matches('"').to_string()));
            }
            Ok(Some(Cmd::Set(set)))
        }
    }
}

fn parse_crm_attribute(args: &[String]) -> Result<Cmd, String> {
    let mut name = None;
    let mut node = None;
    let mut transient = false;
    let mut action = None;
    let mut quiet = false;
    let mut promotion = None;
    let mut walker = FlagWalker::new(args);
    while let Some(flag) = walker.next_flag() {
        let mut value = |flag_name: &str| walker.value(flag_name);
        match flag.as_str() {
            "-n" | "--name" => name = Some(value(&flag)?),
            "-v" | "--update" => action = Some(AttrAction::Set(value(&flag)?)),
            "-G" | "--query" => action = Some(AttrAction::Get),
            "-D" | "--delete" => action = Some(AttrAction::Delete),
            "-N" | "--node" | "-U" | "--uname" => node = Some(value(&flag)?),
            "-t" | "--type" => {
                let t = value(&flag)?;
                match t.as_str() {
                    "crm_config" | "nodes" => {}
                    "status" => transient = true,
                    other => return Err(format!("--type: unsupported section '{other}'")),
                }
            }
            "-l" | "--lifetime" => {
                let l = value(&flag)?;
                transient = match l.as_str() {
                    "reboot" => true,
                    "forever" => false,
                    other => return Err(format!("--lifetime: '{other}' is not reboot or forever")),
                };
            }
            "-q" | "--quiet" => quiet = true,
            "-p" | "--promotion" => {
                let rsc = walker
                    .optional_value()
                    .or_else(|| std::env::var("OCF_RESOURCE_INSTANCE").ok())
                    .ok_or("--promotion needs RSC (or OCF_RESOURCE_INSTANCE)")?;
                // Anonymous clone instances share one score: master-<id without :N>.
                let base = rsc.split(':').next().unwrap_or(&rsc).to_string();
                promotion = Some(format!("master-{base}"));
            }
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    if let Some(attr) = promotion {
        // A promotion score is a transient attribute of a node: this one unless -N.
        return Ok(Cmd::Attr {
            name: attr,
            node: Some(node.unwrap_or_default()),
            transient: true,
            action: action.unwrap_or(AttrAction::Get),
            quiet,
        });
    }
    Ok(Cmd::Attr {
        name: name.ok_or("-n NAME is required")?,
        node,
        transient,
        action: action.unwrap_or(AttrAction::Get),
        quiet,
    })
}

fn properties(cib: &cib::xml::Element) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(cc) = cib
        .child("configuration")
        .and_then(|c| c.child("crm_config"))
    {
        for set in cc.children_named("cluster_property_set") {
            for nv in set.children_named("nvpair") {
                out.push((
                    nv.attr("name").unwrap_or("").to_string(),
                    nv.attr("value").unwrap_or("").to_string(),
                ));
            }
        }
    }
    out
}

fn node_attr(cib: &cib::xml::Element, node: &str, name: &str, transient: bool) -> Option<String> {
    let id = cluster_api::node_id(cib, node)?;
    if transient {
        let ns = cib
            .child("status")?
            .children_named("node_state")
            .find(|n| n.id() == id)?;
        let attrs = ns.child("transient_attributes")?;
        for set in attrs.children_named("instance_attributes") {
            for nv in set.children_named("nvpair") {
                if nv.attr("name") == Some(name) {
                    return nv.attr("value").map(str::to_string);
                }
            }
        }
        None
    } else {
        let n = cib
            .child("configuration")?
            .child("nodes")?
            .children_named("node")
            .find(|n| n.id() == id)?;
        for set in n.children_named("instance_attributes") {
            for nv in set.children_named("nvpair") {
                if nv.attr("name") == Some(name) {
                    return nv.attr("value").map(str::to_string);
                }
            }
        }
        None
    }
}

/// An empty node name (from `--promotion` without `-N`) means this node: the one whose
/// resource manager answers on `socket`.
fn local_node(
    socket: &cluster_api::CibSource,
    node: Option<String>,
) -> anyhow::Result<Option<String>> {
    match node {
        Some(n) if n.is_empty() => {
            let reply = cluster_api::call(socket, "status", &[], "")?;
            let name = reply
                .lines()
                .find_map(|l| l.strip_prefix("node="))
                .filter(|n| !n.is_empty())
                .ok_or_else(|| anyhow::anyhow!("the resource manager did not name its node"))?;
            Ok(Some(name.to_string()))
        }
        other => Ok(other),
    }
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let (socket, cmd) = match cluster_api::parse_or_usage("property", USAGE, args, parse) {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    match cmd {
        Cmd::Set(pairs) => {
            for (k, v) in pairs {
                cluster_api::set_property(&socket, &k, Some(&v))?;
            }
        }
        Cmd::Delete(names) => {
            for k in names {
                cluster_api::set_property(&socket, &k, None)?;
            }
        }
        Cmd::Show(name) => {
            let cib = cluster_api::query(&socket)?;
            let props = properties(&cib);
            match name {
                Some(n) => match props.iter().find(|(k, _)| *k == n) {
                    Some((_, v)) => println!("{v}"),
                    None => bail!("property '{n}' is not set"),
                },
                None => {
                    for (k, v) in props {
                        println!("{k}={v}");
                    }
                }
            }
        }
        Cmd::Attr {
            name,
            node,
            transient,
            action,
            quiet,
        } => match (local_node(&socket, node)?, action) {
            (None, AttrAction::Set(v)) => cluster_api::set_property(&socket, &name, Some(&v))?,
            (None, AttrAction::Delete) => cluster_api::set_property(&socket, &name, None)?,
            (None, AttrAction::Get) => {
                let cib = cluster_api::query(&socket)?;
                match properties(&cib).into_iter().find(|(k, _)| *k == name) {
                    Some((_, v)) if quiet => println!("{v}"),
                    Some((_, v)) => println!("scope=crm_config  name={name} value={v}"),
                    None => {
                        eprintln!("crm_attribute: property '{name}' is not set");
                        return Ok(ExitCode::from(105));
                    }
                }
            }
            (Some(node), AttrAction::Set(v)) if transient => {
                cluster_api::call(&socket, "setattr", &[&node, &name, &v], "")?;
            }
            (Some(node), AttrAction::Delete) if transient => {
                cluster_api::call(&socket, "setattr", &[&node, &name], "")?;
            }
            (Some(node), AttrAction::Set(v)) => {
                cluster_api::set_node_attr(&socket, &node, &name, Some(&v))?
            }
            (Some(node), AttrAction::Delete) => {
                cluster_api::set_node_attr(&socket, &node, &name, None)?
            }
            (Some(node), AttrAction::Get) => {
                let cib = cluster_api::query(&socket)?;
                match node_attr(&cib, &node, &name, transient) {
                    Some(v) if quiet => println!("{v}"),
                    Some(v) => println!(
                        "scope={} name={name} value={v}",
                        if transient { "status" } else { "nodes" }
                    ),
                    None => {
                        eprintln!("crm_attribute: attribute '{name}' is not set on {node}");
                        return Ok(ExitCode::from(105));
                    }
                }
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_args::s;

    #[test]
    fn promotion_score_is_a_transient_attribute_of_this_node() {
        let c = parse(&s(&["--promotion=st:1", "-v", "5"]))
            .expect("ok")
            .expect("some");
        assert_eq!(
            c,
            Cmd::Attr {
                name: "master-st".into(),
                node: Some(String::new()),
                transient: true,
                action: AttrAction::Set("5".into()),
                quiet: false,
            }
        );
        let c = parse(&s(&["-p", "db", "-N", "n2", "-D"]))
            .expect("ok")
            .expect("some");
        assert!(
            matches!(c, Cmd::Attr { ref name, ref node, action: AttrAction::Delete, .. }
            if name == "master-db" && node.as_deref() == Some("n2"))
        );
    }

    #[test]
    fn openstack_guide_property_line_parses() {
        let c = parse(&s(&[
            "no-quorum-policy=\"ignore\"",
            "pe-warn-series-max=1000",
            "cluster-recheck-interval=5min",
        ]))
        .expect("ok")
        .expect("some");
        assert_eq!(
            c,
            Cmd::Set(vec![
                ("no-quorum-policy".into(), "ignore".into()),
                ("pe-warn-series-max".into(), "1000".into()),
                ("cluster-recheck-interval".into(), "5min".into()),
            ])
        );
        assert!(parse(&s(&["novalue"])).is_err());
    }

    #[test]
    fn crm_attribute_flags() {
        let c = parse(&s(&[
            "-t", "status", "-N", "n1", "-n", "pingd", "-v", "100",
        ]))
        .expect("ok")
        .expect("some");
        assert_eq!(
            c,
            Cmd::Attr {
                name: "pingd".into(),
                node: Some("n1".into()),
                transient: true,
                action: AttrAction::Set("100".into()),
                quiet: false
            }
        );
        assert!(parse(&s(&["-v", "1"])).is_err());
    }
}
