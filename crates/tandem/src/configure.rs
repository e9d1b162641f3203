//! `tandem configure`: show and change the configuration in crm shell syntax.
//!
//! Changes are computed on a copy of the live CIB with the `crm-syntax` crate, the
//! primitives they add or change are checked against their agents' meta-data, and the new
//! configuration section replaces the cluster's in one agreed-order update.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use cib::xml::Element;
use executor::{AgentPaths, AgentSpec};

use crate::cibadmin::cluster_api;

const USAGE: &str = "Usage: tandem configure [--force] COMMAND

Commands:
  show [xml]                     print the configuration in crm shell syntax (or as XML)
  load replace|update FILE       apply a file of crm statements ('-' reads standard input):
                                 replace makes the configuration exactly the file's,
                                 update adds and changes what the file defines
  edit                           edit the configuration in $EDITOR, then replace it
  commit                         accepted for crmsh compatibility (every change is
                                 committed at once)
  STATEMENT...                   one crm statement, e.g.
                                 tandem configure primitive d1 ocf:heartbeat:Dummy op monitor interval=10s
                                 tandem configure property stonith-enabled=false

Primitives are checked against their agents' meta-data: an agent that is not installed or
a missing required parameter is an error naming it, unless --force is given.
";

#[derive(Debug, PartialEq)]
enum Cmd {
    Show { xml: bool },
    Load { replace: bool, file: String },
    Edit,
    Commit,
    Statement(String),
}

fn parse(args: &[String]) -> Result<Option<(Cmd, bool)>, String> {
    let mut force = false;
    let mut rest = Vec::new();
    for a in args {
        match a.as_str() {
            "-h" | "--help" if rest.is_empty() => return Ok(None),
            "-F" | "--force" if rest.is_empty() => force = true,
            _ => rest.push(a.clone()),
        }
    }
    let cmd = match rest.first().map(String::as_str) {
        None => return Err("a command is required".into()),
        Some("show") => Cmd::Show {
            xml: rest.get(1).is_some_and(|a| a == "xml"),
        },
        Some("load") => {
            let mode = rest.get(1).ok_or("load needs replace|update FILE")?;
            let replace = match mode.as_str() {
                "replace" => true,
                "update" => false,
                other => return Err(format!("load: '{other}' is not replace or update")),
            };
            Cmd::Load {
                replace,
                file: rest.get(2).cloned().ok_or("load needs a FILE")?,
            }
        }
        Some("edit") => Cmd::Edit,
        Some("commit") => Cmd::Commit,
        Some(_) => Cmd::Statement(rest.join(" ")),
    };
    Ok(Some((cmd, force)))
}

fn primitives(root: &Element) -> Vec<Element> {
    fn walk(e: &Element, out: &mut Vec<Element>) {
        for c in &e.children {
            if c.name == "primitive" {
                out.push(c.clone());
            } else {
                walk(c, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(r) = root
        .child("configuration")
        .and_then(|c| c.child("resources"))
    {
        walk(r, &mut out);
    }
    out
}

/// Problems of the primitives that are new or changed in `new` compared with `old`.
fn check_agents(old: &Element, new: &Element) -> Vec<String> {
    let before = primitives(old);
    let paths = AgentPaths::from_env();
    let mut problems = Vec::new();
    for p in primitives(new) {
        if before.contains(&p) {
            continue;
        }
        let class = p.attr("class").unwrap_or("");
        if class.is_empty() {
            continue; // from a template
        }
        let spec_text = match p.attr("provider") {
            Some(pr) => format!("{class}:{pr}:{}", p.attr("type").unwrap_or("")),
            None => format!("{class}:{}", p.attr("type").unwrap_or("")),
        };
        let spec = match AgentSpec::parse(&spec_text) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("primitive {}: {e}", p.id()));
                continue;
            }
        };
        let md = match executor::read_metadata(&spec, &paths) {
            Ok(md) => md,
            Err(e) => {
                problems.push(format!(
                    "primitive {}: agent {spec_text} is not installed on this node ({e})",
                    p.id()
                ));
                continue;
            }
        };
        let mut params = std::collections::BTreeMap::new();
        for set in p.children_named("instance_attributes") {
            for nv in set.children_named("nvpair") {
                if let (Some(n), Some(v)) = (nv.attr("name"), nv.attr("value")) {
                    params.insert(n.to_string(), v.to_string());
                }
            }
        }
        for problem in md.validate(&params, spec.class) {
            if problem.is_error() {
                problems.push(format!("primitive {} ({spec_text}): {problem}", p.id()));
            } else {
                eprintln!("WARNING: primitive {} ({spec_text}): {problem}", p.id());
            }
        }
    }
    problems
}

fn commit(
    socket: &cluster_api::CibSource,
    old: &Element,
    new: &Element,
    force: bool,
) -> anyhow::Result<()> {
    let problems = check_agents(old, new);
    if !problems.is_empty() {
        if force {
            for p in &problems {
                eprintln!("WARNING: {p} (committed anyway: --force)");
            }
        } else {
            bail!("{}\n(use --force to commit anyway)", problems.join("\n"));
        }
    }
    let config = new
        .child("configuration")
        .ok_or_else(|| anyhow!("the result has no configuration"))?;
    if old.child("configuration") == Some(config) {
        return Ok(());
    }
    cluster_api::call(socket, "replace", &[], &config.to_xml())?;
    Ok(())
}

fn read_source(file: &str) -> anyhow::Result<String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {file}"))
    }
}

/// Applies a text of crm statements (`load update`) to the live configuration, checking
/// agents unless `force`; used by the demo.
pub fn load_update_text(
    socket: &cluster_api::CibSource,
    text: &str,
    source: &str,
    force: bool,
) -> anyhow::Result<()> {
    let old = cluster_api::query(socket)?;
    let mut new = old.clone();
    let stmts = crm_syntax::parse(text, source).map_err(|e| anyhow!("{e}"))?;
    crm_syntax::load_update(&mut new, &stmts).map_err(|e| anyhow!("{e}"))?;
    commit(socket, &old, &new, force)
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let (socket, (cmd, force)) = match cluster_api::parse_or_usage("configure", USAGE, args, parse)
    {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    let old = cluster_api::query(&socket)?;
    let mut new = old.clone();
    match cmd {
        Cmd::Commit => return Ok(ExitCode::SUCCESS),
        Cmd::Show { xml: true } => {
            if let Some(c) = old.child("configuration") {
                print!("{}", c.to_xml());
            }
            return Ok(ExitCode::SUCCESS);
        }
        Cmd::Show { xml: false } => {
            let text = crm_syntax::show(&old);
            if text.ends_with('\n') || text.is_empty() {
                print!("{text}");
            } else {
                println!("{text}");
            }
            return Ok(ExitCode::SUCCESS);
        }
        Cmd::Statement(text) => {
            let stmts = crm_syntax::parse(&text, "command line").map_err(|e| anyhow!("{e}"))?;
            for s in &stmts {
                crm_syntax::apply(&mut new, s).map_err(|e| anyhow!("{e}"))?;
            }
        }
        Cmd::Load { replace, file } => {
            let text = read_source(&file)?;
            let stmts = crm_syntax::parse(&text, &file).map_err(|e| anyhow!("{e}"))?;
            if replace {
                crm_syntax::load_replace(&mut new, &stmts).map_err(|e| anyhow!("{e}"))?;
            } else {
                crm_syntax::load_update(&mut new, &stmts).map_err(|e| anyhow!("{e}"))?;
            }
        }
        Cmd::Edit => {
            let editor = std::env::var("EDITOR").unwrap_or_else(|_| "vi".to_string());
            let path =
                std::env::temp_dir().join(format!("tandem-configure-{}.crm", std::process::id()));
            std::fs::write(&path, crm_syntax::show(&old))
                .with_context(|| format!("writing {}", path.display()))?;
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("{editor} \"$1\""))
                .arg("sh")
                .arg(&path)
                .status()
                .with_context(|| format!("running {editor}"))?;
            let text = std::fs::read_to_string(&path);
            let _ = std::fs::remove_file(&path);
            if !status.success() {
                bail!("{editor} exited with {status}; nothing changed");
            }
            let text = text.context("reading the edited file")?;
            let stmts =
                crm_syntax::parse(&text, "edited configuration").map_err(|e| anyhow!("{e}"))?;
            crm_syntax::load_replace(&mut new, &stmts).map_err(|e| anyhow!("{e}"))?;
        }
    }
    commit(&socket, &old, &new, force)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_args::s;

    #[test]
    fn commands_parse() {
        assert_eq!(
            parse(&s(&["--force", "load", "update", "f.crm"])).expect("ok"),
            Some((
                Cmd::Load {
                    replace: false,
                    file: "f.crm".into()
                },
                true
            ))
        );
        assert_eq!(
            parse(&s(&["primitive", "d", "ocf:heartbeat:Dummy"])).expect("ok"),
            Some((
                Cmd::Statement("primitive d ocf:heartbeat:Dummy".into()),
                false
            ))
        );
        assert!(parse(&s(&["load", "merge", "x"])).is_err());
        assert!(parse(&s(&[])).is_err());
    }

    #[test]
    fn missing_agent_is_named() {
        let old = cib::xml::parse(crm_syntax::EMPTY_CIB).expect("valid");
        let mut new = old.clone();
        let st = crm_syntax::parse(
            "primitive p_drbd ocf:nosuchprovider:drbd params drbd_resource=r0",
            "t",
        )
        .expect("parses");
        crm_syntax::apply(&mut new, &st[0]).expect("applies");
        let problems = check_agents(&old, &new);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("ocf:nosuchprovider:drbd is not installed"),
            "{problems:?}"
        );
    }
}
