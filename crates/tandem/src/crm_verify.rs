//! `tandem crm_verify`: check a CIB's configuration for errors, as Pacemaker's crm_verify.

use std::process::ExitCode;

use cib::validate::Severity;

use crate::cib_source::CibSource;

mod fencing_levels;

/// Pacemaker's CRM_EX_CONFIG: the configuration is invalid.
const EXIT_CONFIG: u8 = 78;

const USAGE: &str = "Usage: crm_verify -x FILE | -L [-V]
  -x, --xml-file=FILE   check the CIB in FILE (- for stdin)
  -L, --live-check      check the live cluster's CIB, or the one $CIB_file or
                        $CIB_shadow names
  -V, --verbose         also print warnings
  --crm-socket PATH     resource manager's admin socket for -L
";

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut args = args.to_vec();
    let socket = crate::cibadmin::cluster_api::take_socket(&mut args);
    let args = &args[..];
    let mut file: Option<String> = None;
    let mut live = false;
    let mut verbose = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        match a {
            "-x" | "--xml-file" => {
                file = args.get(i).cloned();
                i += 1;
            }
            "-V" | "--verbose" => verbose = true,
            "-L" | "--live-check" => live = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other if other.starts_with("--xml-file=") => {
                file = Some(other["--xml-file=".len()..].to_string());
            }
            other if other.starts_with("-V") && other[1..].chars().all(|c| c == 'V') => {
                verbose = true
            }
            other => {
                eprintln!("crm_verify: unknown argument '{other}'\n\n{USAGE}");
                return Ok(ExitCode::from(crate::exit_code::USAGE));
            }
        }
    }
    let (path, text) = match (file, live) {
        (Some(path), false) => {
            let text = read_input(&path)?;
            match text {
                Ok(text) => (path, text),
                Err(code) => return Ok(code),
            }
        }
        (None, true) => match live_cib(socket) {
            Ok(found) => found,
            Err(e) => {
                eprintln!("crm_verify: CIB query failed: {e:#}");
                return Ok(ExitCode::from(crate::exit_code::NO_INPUT));
            }
        },
        _ => {
            eprintln!("crm_verify: give one input: -x FILE or -L\n\n{USAGE}");
            return Ok(ExitCode::from(crate::exit_code::USAGE));
        }
    };
    check_text(&path, &text, verbose)
}

/// The CIB `-L` checks, and the name to report it under.
fn live_cib(socket: std::path::PathBuf) -> anyhow::Result<(String, String)> {
    let source = CibSource::from_env(socket)?;
    let name = match &source {
        CibSource::Live(_) => "live CIB".to_string(),
        CibSource::File(f) => f.path.display().to_string(),
    };
    Ok((name, source.call("query", &[], "")?))
}

/// The text of `-x PATH` (`-` is standard input), or the exit code of a read failure.
fn read_input(path: &str) -> anyhow::Result<Result<String, ExitCode>> {
    Ok(Ok(if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        s
    } else {
        match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("crm_verify: cannot read {path}: {e}");
                return Ok(Err(ExitCode::from(crate::exit_code::ERROR)));
            }
        }
    }))
}

/// Checks the CIB `text` read from `path`, printing the problems found.
fn check_text(path: &str, text: &str, verbose: bool) -> anyhow::Result<ExitCode> {
    let doc = match cib::Cib::parse(text) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("crm_verify: {path}: {e}");
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    };
    let mut issues = cib::validate::check(&doc);
    if let Ok(root) = cib::xml::parse(text) {
        issues.extend(fencing_levels::check(&root, path));
    }
    for k in &doc.constraints {
        if let cib::model::Constraint::Location(l) = k {
            if let Some(why) = l
                .rsc_pattern
                .as_deref()
                .and_then(scheduler::rsc_pattern::invalid)
            {
                issues.push(cib::validate::Issue {
                    severity: Severity::Error,
                    message: format!("rsc_location {}: invalid rsc-pattern: {why}", l.id),
                });
            }
        }
    }
    let mut errors = 0;
    for issue in &issues {
        match issue.severity {
            Severity::Error => {
                errors += 1;
                eprintln!("error: {}", issue.message);
            }
            Severity::Warning if verbose => eprintln!("warning: {}", issue.message),
            Severity::Warning => {}
        }
    }
    if errors > 0 {
        eprintln!("crm_verify: Errors found during check: config not valid");
        return Ok(ExitCode::from(EXIT_CONFIG));
    }
    Ok(ExitCode::SUCCESS)
}
