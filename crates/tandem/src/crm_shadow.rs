//! `tandem crm_shadow`: shadow copies of the CIB, Pacemaker's sandbox for batches of
//! configuration changes. With `CIB_shadow=NAME` set, every tool reads and writes the copy
//! (see [`crate::cib_source`]); `--commit` uploads it to the cluster.

mod diff;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use cib::xml::Element;

use crate::cib_source::{self, CibFile, CibSource, CIB_SHADOW_ENV, SHADOW_MODE};
use crate::cibadmin::cluster_api;
use crate::exit_code::{self, Failure};
use crate::flag_walker::FlagWalker;

const USAGE: &str = "Usage: tandem crm_shadow QUERY|COMMAND [--force] [--batch] [--all]

Perform configuration changes in a sandbox (Pacemaker's crm_shadow): a shadow copy of
the CIB that every tool (cibadmin, crm_resource, crm_attribute, crm_mon, tandem status,
tandem configure, ...) uses instead of the live cluster while CIB_shadow=NAME is set.
Copies are the files shadow.NAME in $CIB_shadow_dir (default /var/lib/pacemaker/cib for
root, else ~/.cib). \"The cluster\" is the file $CIB_file names when set, else the live
cluster.

Queries (on the active copy, $CIB_shadow):
  -w, --which              print the active copy's name
  -p, --display            print the active copy
  -E, --edit               edit the active copy with $EDITOR
  -d, --diff               print the changes from the cluster's CIB to the active copy
                           (exit 1 when there are any, 0 when there are none)
  -F, --file               print the active copy's file name

Commands:
  -c, --create NAME        copy the cluster's CIB to shadow copy NAME
  -e, --create-empty NAME  create shadow copy NAME with an empty configuration
  -C, --commit NAME        replace the cluster's configuration with NAME's (needs --force)
  -D, --delete NAME        delete shadow copy NAME (needs --force)
  -r, --reset NAME         copy the cluster's CIB over shadow copy NAME
  -s, --switch NAME        print how to switch to shadow copy NAME

Options:
  -f, --force              do it even when dangerous (overwrite, commit, delete)
  -b, --batch              do not start a shell with CIB_shadow set after --create
  -a, --all                accepted with --commit (the status section always stays
                           the cluster's own)
  -v, --validate-with SCHEMA  with --create-empty, the schema to name (pacemaker-3.9)
  -h, --help               this text

Without --batch, --create and --create-empty start $SHELL (/bin/sh by default) with
CIB_shadow=NAME set; leave it with Ctrl-D.
";

const DANGEROUS: &str = "The supplied command is considered dangerous.  To prevent accidental destruction of the cluster, the --force flag is required in order to proceed.";
const UNSET_HINT: &str = "Please remember to unset the CIB_shadow variable by pasting the following into your shell:\n  unset CIB_shadow";
const NO_ACTIVE: &str = "No active shadow configuration defined";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Cmd {
    Which,
    Display,
    Edit,
    Diff,
    File,
    Create(String),
    CreateEmpty(String),
    Commit(String),
    Delete(String),
    Reset(String),
    Switch(String),
}

#[derive(Debug)]
struct Args {
    cmd: Cmd,
    force: bool,
    batch: bool,
    validate_with: Option<String>,
}

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut cmd = None;
    let mut a = Args {
        cmd: Cmd::Which,
        force: false,
        batch: false,
        validate_with: None,
    };
    let mut walker = FlagWalker::new(args);
    while let Some(flag) = walker.next_flag() {
        let new = match flag.as_str() {
            "-w" | "--which" => Some(Cmd::Which),
            "-p" | "--display" => Some(Cmd::Display),
            "-E" | "--edit" => Some(Cmd::Edit),
            "-d" | "--diff" => Some(Cmd::Diff),
            "-F" | "--file" => Some(Cmd::File),
            "-c" | "--create" => Some(Cmd::Create(walker.value(&flag)?)),
            "-e" | "--create-empty" => Some(Cmd::CreateEmpty(walker.value(&flag)?)),
            "-C" | "--commit" => Some(Cmd::Commit(walker.value(&flag)?)),
            "-D" | "--delete" => Some(Cmd::Delete(walker.value(&flag)?)),
            "-r" | "--reset" => Some(Cmd::Reset(walker.value(&flag)?)),
            "-s" | "--switch" => Some(Cmd::Switch(walker.value(&flag)?)),
            "-f" | "--force" => {
                a.force = true;
                None
            }
            "-b" | "--batch" => {
                a.batch = true;
                None
            }
            "-v" | "--validate-with" => {
                a.validate_with = Some(walker.value(&flag)?);
                None
            }
            "-a" | "--all" | "-V" | "--verbose" => None,
            "-h" | "--help" | "-?" => return Ok(None),
            other => return Err(format!("unknown option '{other}'")),
        };
        if let Some(new) = new {
            if cmd.is_some() {
                return Err("give only one query or command".into());
            }
            cmd = Some(new);
        }
    }
    a.cmd = cmd.ok_or("a query or command is required")?;
    if let Cmd::Create(n)
    | Cmd::CreateEmpty(n)
    | Cmd::Commit(n)
    | Cmd::Delete(n)
    | Cmd::Reset(n)
    | Cmd::Switch(n) = &a.cmd
    {
        if n.is_empty() {
            return Err("the shadow copy's name may not be empty".into());
        }
    }
    Ok(Some(a))
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut args = args.to_vec();
    let socket = cluster_api::take_socket(&mut args);
    let a = match parse(&args) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}{}", cluster_api::SOCKET_HELP);
            return Ok(ExitCode::SUCCESS);
        }
        Err(error) => {
            eprint!("crm_shadow: {error}\n\n{USAGE}");
            return Ok(ExitCode::from(exit_code::USAGE));
        }
    };
    let cluster = CibSource::cluster_from_env(socket);
    let active = std::env::var(CIB_SHADOW_ENV).ok().filter(|v| !v.is_empty());
    let need_active = || {
        active
            .clone()
            .ok_or_else(|| Failure::new(exit_code::NO_SUCH, NO_ACTIVE))
    };
    let need_force = || {
        if a.force {
            Ok(())
        } else {
            Err(Failure::new(exit_code::USAGE, DANGEROUS))
        }
    };
    match &a.cmd {
        Cmd::Which => println!("{}", need_active()?),
        Cmd::File => println!("{}", cib_source::shadow_path(&need_active()?)?.display()),
        Cmd::Display => {
            let name = need_active()?;
            let text = std::fs::read_to_string(cib_source::shadow_path(&name)?)
                .map_err(|e| no_instance(&name, &e))?;
            print!("{text}");
        }
        Cmd::Edit => return edit(&need_active()?),
        Cmd::Diff => {
            let name = need_active()?;
            let copy = existing(&name)?.read()?;
            let text = diff::diff(&cluster.query()?, &copy);
            print!("{text}");
            return Ok(ExitCode::from(u8::from(!text.is_empty())));
        }
        Cmd::Create(name) | Cmd::CreateEmpty(name) => {
            let path = cib_source::shadow_path(name)?;
            if path.exists() && !a.force {
                return Err(Failure::new(
                    exit_code::CANT_CREATE,
                    format!("A shadow instance '{name}' already exists.\n  To prevent accidental destruction of the cluster, the --force flag is required in order to proceed."),
                )
                .into());
            }
            let root = if matches!(a.cmd, Cmd::CreateEmpty(_)) {
                let schema = a.validate_with.as_deref().unwrap_or("pacemaker-3.9");
                println!("Created new {schema} configuration");
                empty_cib(schema)
            } else {
                cluster.query()?
            };
            write_new(&path, &root)?;
            println!("Setting up shadow instance");
            if a.batch {
                println!("A new shadow instance was created.  To begin using it paste the following into your shell:\n  CIB_shadow={name} ; export CIB_shadow");
            } else {
                return shell(name);
            }
        }
        Cmd::Reset(name) => {
            let file = existing(name)?;
            let root = cluster.query()?;
            file.write(&root)?;
        }
        Cmd::Commit(name) => {
            need_force()?;
            // The whole copy goes: its configuration replaces the cluster's, and its
            // version is kept when newer (then bumped), so --diff afterwards shows no
            // configuration change. The status section stays the cluster's own (with or
            // without --all: a cluster's status is what its nodes record).
            let copy = existing(name)?.read()?;
            cluster.call("replace", &[], &copy.to_xml())?;
            println!("{UNSET_HINT}");
        }
        Cmd::Delete(name) => {
            need_force()?;
            let path = cib_source::shadow_path(name)?;
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Failure::new(
                        exit_code::ERROR,
                        format!("could not delete {}: {e}", path.display()),
                    )
                    .into())
                }
            }
            println!("{UNSET_HINT}");
        }
        Cmd::Switch(name) => {
            existing(name)?;
            println!("To switch to the named shadow instance, paste the following into your shell:\n  CIB_shadow={name} ; export CIB_shadow");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn no_instance(name: &str, e: &std::io::Error) -> Failure {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
        _ => e.to_string(),
    };
    Failure::new(
        exit_code::NO_SUCH,
        format!("Could not access shadow instance '{name}': {why}"),
    )
}

/// Shadow copy `name`, which must exist.
fn existing(name: &str) -> Result<CibFile, Failure> {
    let path = cib_source::shadow_path(name)
        .map_err(|e| Failure::new(exit_code::USAGE, format!("{e:#}")))?;
    std::fs::metadata(&path).map_err(|e| no_instance(name, &e))?;
    Ok(CibFile {
        path,
        shadow: Some(name.to_string()),
    })
}

/// The CIB `--create-empty` writes: empty sections, versions 0.0.0.
fn empty_cib(schema: &str) -> Element {
    cib::empty::cib_with(
        [
            ("crm_feature_set", controller::cib_doc::FEATURE_SET),
            ("validate-with", schema),
            ("epoch", "0"),
            ("num_updates", "0"),
            ("admin_epoch", "0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    )
}

fn write_new(path: &Path, root: &Element) -> anyhow::Result<()> {
    crate::atomic_file::write(path, root.to_xml().as_bytes(), SHADOW_MODE).map_err(|e| {
        Failure::new(
            exit_code::CANT_CREATE,
            format!("could not create the shadow copy {}: {e:#}", path.display()),
        )
        .into()
    })
}

/// Starts `$SHELL` with `CIB_shadow=name`, as `crm_shadow --create` does without `--batch`.
fn shell(name: &str) -> anyhow::Result<ExitCode> {
    println!("Type Ctrl-D to exit the crm_shadow shell");
    let sh = std::env::var("SHELL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".to_string());
    let status = std::process::Command::new(&sh)
        .env(CIB_SHADOW_ENV, name)
        .env("PS1", format!("shadow[{name}] # "))
        .status()
        .with_context(|| format!("could not start the shell {sh}"))?;
    Ok(ExitCode::from(
        status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(exit_code::ERROR),
    ))
}

fn edit(name: &str) -> anyhow::Result<ExitCode> {
    let file = existing(name)?;
    let editor = std::env::var("EDITOR")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let status = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file.path)
        .status()
        .with_context(|| format!("could not start the editor {editor}"))?;
    if !status.success() {
        return Ok(ExitCode::from(exit_code::ERROR));
    }
    // The edited copy must still be a CIB (the tools would refuse it later).
    file.read()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_args::s;

    #[test]
    fn flags_parse() {
        let a = parse(&s(&["--create", "x", "--batch"]))
            .expect("ok")
            .expect("some");
        assert_eq!(a.cmd, Cmd::Create("x".into()));
        assert!(a.batch);
        let a = parse(&s(&["--commit=y", "-f"])).expect("ok").expect("some");
        assert_eq!(a.cmd, Cmd::Commit("y".into()));
        assert!(a.force);
        assert!(parse(&s(&["--which", "--display"])).is_err());
        assert!(parse(&s(&["--batch"])).is_err());
        assert!(parse(&s(&["--create"])).is_err());
        assert!(parse(&s(&["--bogus"])).is_err());
    }

    #[test]
    fn empty_cib_is_a_valid_cib() {
        let root = empty_cib("pacemaker-3.9");
        assert!(cib::Cib::from_element(root.clone()).is_ok());
        assert_eq!(root.attr("epoch"), Some("0"));
    }
}
