//! `tandem cibadmin`: query, replace, modify, create and delete CIB sections, with
//! Pacemaker's `cibadmin` flags.

pub mod cluster_api;

use crate::flag_walker::FlagWalker;
use std::io::Read;
use std::process::ExitCode;

use anyhow::{bail, Context};

const USAGE: &str =
    "Usage: tandem cibadmin COMMAND [-o SECTION] [-X XML | --xml-file FILE | --xml-pipe]

Read and change the cluster's live CIB (Pacemaker's cibadmin), or the CIB file
$CIB_file / shadow copy $CIB_shadow names (see Environment below).

Commands:
  -Q, --query          print the CIB (or the section given with -o)
  -R, --replace        replace the CIB, a section, or the element with the same id
  -M, --modify         merge attributes and children into the matching element/section
  -C, --create         add a new element (under the section given with -o)
  -D, --delete         delete the element matching the given XML (name and id)
  -E, --erase          replace the configuration with an empty one (needs --force;
                       admin_epoch + 1, as Pacemaker's)

Options:
  -o, --scope SECTION  configuration, nodes, resources, constraints, crm_config,
                       rsc_defaults, op_defaults, status
  -X, --xml-text XML   the XML to apply
  -x, --xml-file FILE  read the XML from FILE
  -p, --xml-pipe       read the XML from standard input
  -f, --force          allow --erase
  -h, --help           this text
";

#[derive(Debug, PartialEq)]
enum Verb {
    Query,
    Replace,
    Modify,
    Create,
    Delete,
    Erase,
}

#[derive(Debug)]
struct Args {
    verb: Verb,
    scope: Option<String>,
    xml_text: Option<String>,
    xml_file: Option<String>,
    pipe: bool,
    force: bool,
}

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut verb = None;
    let mut a = Args {
        verb: Verb::Query,
        scope: None,
        xml_text: None,
        xml_file: None,
        pipe: false,
        force: false,
    };
    let mut walker = FlagWalker::new(args);
    while let Some(flag) = walker.next_flag() {
        let mut value = |flag_name: &str| walker.value(flag_name);
        let set = |v: Verb, verb: &mut Option<Verb>| -> Result<(), String> {
            if verb.is_some() {
                return Err("give only one of --query/--replace/--modify/--create/--delete".into());
            }
            *verb = Some(v);
            Ok(())
        };
        match flag.as_str() {
            "-Q" | "--query" => set(Verb::Query, &mut verb)?,
            "-R" | "--replace" => set(Verb::Replace, &mut verb)?,
            "-M" | "--modify" => set(Verb::Modify, &mut verb)?,
            "-C" | "--create" => set(Verb::Create, &mut verb)?,
            "-D" | "--delete" => set(Verb::Delete, &mut verb)?,
            "-E" | "--erase" => set(Verb::Erase, &mut verb)?,
            "-f" | "--force" => a.force = true,
            "-o" | "--scope" | "--obj_type" => a.scope = Some(value(&flag)?),
            "-X" | "--xml-text" => a.xml_text = Some(value(&flag)?),
            "-x" | "--xml-file" => a.xml_file = Some(value(&flag)?),
            "-p" | "--xml-pipe" => a.pipe = true,
            "-l" | "--local" | "--sync-call" | "-s" | "--no-children" => {}
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    a.verb = verb.ok_or("one of --query/--replace/--modify/--create/--delete is required")?;
    if !matches!(a.verb, Verb::Query | Verb::Erase)
        && a.xml_text.is_none()
        && a.xml_file.is_none()
        && !a.pipe
    {
        return Err("this command needs XML: -X XML, --xml-file FILE or --xml-pipe".into());
    }
    Ok(Some(a))
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let (socket, a) = match cluster_api::parse_or_usage("cibadmin", USAGE, args, parse) {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    if a.verb == Verb::Query {
        let text = cluster_api::call(&socket, "query", &[], "")?;
        match &a.scope {
            None => print!("{text}"),
            Some(scope) => {
                let cib = cib::xml::parse(&text).context("the live CIB")?;
                let found = if scope == "status" || scope == "configuration" {
                    cib.child(scope)
                } else {
                    cib.child("configuration").and_then(|c| c.child(scope))
                };
                match found {
                    Some(e) => print!("{}", e.to_xml()),
                    None => {
                        eprintln!("cibadmin: section '{scope}' not found in the CIB");
                        return Ok(ExitCode::from(105));
                    }
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if a.verb == Verb::Erase {
        if !a.force {
            eprintln!("cibadmin: The supplied command is considered dangerous.  To prevent accidental destruction of the cluster, the --force flag is required in order to proceed.");
            return Ok(ExitCode::from(UNSAFE));
        }
        let body = erased(&cluster_api::query(&socket)?).to_xml();
        return submit(&socket, "replace", &[], &body);
    }
    let xml = if let Some(t) = a.xml_text {
        t
    } else if let Some(f) = a.xml_file {
        std::fs::read_to_string(&f).with_context(|| format!("reading {f}"))?
    } else {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        s
    };
    let el = cib::xml::parse(&xml).context("the XML given")?;
    let body = match (&a.verb, &a.scope) {
        // `-o SECTION -R/-M` with an element that is not the section: wrap it, so that the
        // change lands in that section.
        (Verb::Replace | Verb::Modify, Some(s))
            if el.name != *s
                && el.name != "cib"
                && el.name != "configuration"
                && el.attr("id").is_none() =>
        {
            bail!(
                "the XML's top element <{}> is neither section '{s}' nor an element with an id",
                el.name
            )
        }
        _ => el.to_xml(),
    };
    let (verb, args): (&str, Vec<&str>) = match a.verb {
        Verb::Replace => ("replace", vec![]),
        Verb::Modify => ("modify", vec![]),
        Verb::Delete => ("delete", vec![]),
        Verb::Create => ("create", a.scope.as_deref().into_iter().collect()),
        Verb::Query | Verb::Erase => unreachable!("handled above"),
    };
    submit(&socket, verb, &args, &body)
}

/// Pacemaker's exit code for a dangerous command without `--force` (CRM_EX_UNSAFE).
const UNSAFE: u8 = 107;

/// Sends one change; a refusal prints Pacemaker's "Call failed" line and exits with its code.
fn submit(
    socket: &cluster_api::CibSource,
    verb: &str,
    args: &[&str],
    body: &str,
) -> anyhow::Result<ExitCode> {
    if let Err(e) = cluster_api::call(socket, verb, args, body) {
        eprintln!("cibadmin: Call failed: {e:#}");
        let code = crate::exit_code::code_of(&e)
            .unwrap_or_else(|| crate::cib_source::update_error_code(&e.to_string()));
        return Ok(ExitCode::from(code));
    }
    Ok(ExitCode::SUCCESS)
}

/// The `<cib>` an erase submits: the same root with empty configuration sections and
/// admin_epoch + 1, epoch + 1, num_updates 0 (a replacement with a newer version keeps
/// it, so the CIB ends at Pacemaker's erase version).
fn erased(cib: &cib::xml::Element) -> cib::xml::Element {
    let mut v = controller::CibVersion::of(cib);
    v.admin_epoch += 1;
    v.epoch += 1;
    v.num_updates = 0;
    let mut root = cib::empty::cib_with(cib.attrs.clone());
    v.write(&mut root);
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_args::s;

    #[test]
    fn flags_parse() {
        let a = parse(&s(&["-Q", "-o", "resources"]))
            .expect("ok")
            .expect("some");
        assert_eq!(
            (a.verb, a.scope.as_deref()),
            (Verb::Query, Some("resources"))
        );
        let a = parse(&s(&["--create", "--scope=resources", "-X", "<primitive/>"]))
            .expect("ok")
            .expect("some");
        assert_eq!(a.verb, Verb::Create);
        assert!(parse(&s(&["-M"])).is_err());
        assert!(parse(&s(&["-Q", "-R"])).is_err());
        assert!(parse(&s(&["--bogus"])).is_err());
    }
}
