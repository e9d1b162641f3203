//! `tandem crm_simulate`: run the scheduler on a CIB and simulate the transition, as Pacemaker's crm_simulate.

mod args;
mod inject;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use args::SimArgs;

/// Runs the tool on its arguments.
pub fn run(argv: &[String]) -> anyhow::Result<ExitCode> {
    let mut argv = argv.to_vec();
    let socket = crate::cibadmin::cluster_api::take_socket(&mut argv);
    let args = match SimArgs::parse(&argv) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("crm_simulate: {msg}\n\n{}", args::USAGE);
            return Ok(ExitCode::from(crate::exit_code::USAGE));
        }
    };
    if args.help {
        print!("{}", args::USAGE);
        return Ok(ExitCode::SUCCESS);
    }
    let (path, text) = match (&args.xml_file, args.live) {
        (Some(path), false) => (path.clone(), read_input(path)?),
        (None, true) => {
            let source = crate::cib_source::CibSource::from_env(socket)?;
            let name = match &source {
                crate::cib_source::CibSource::Live(_) => "the live CIB".to_string(),
                crate::cib_source::CibSource::File(f) => f.path.display().to_string(),
            };
            (name, source.call("query", &[], "")?)
        }
        _ => {
            eprintln!("crm_simulate: give one input: -x FILE or -L (--live-check)");
            return Ok(ExitCode::from(crate::exit_code::USAGE));
        }
    };
    let path = &path;
    let mut root = cib::xml::parse(&text).with_context(|| path.clone())?;
    inject::apply(&mut root, &args).with_context(|| path.clone())?;
    let doc = cib::Cib::from_element(root).with_context(|| path.clone())?;

    let mut out = String::new();
    let now = match &args.time {
        Some(t) => cib::model::parse_time(t).with_context(|| format!("invalid time '{t}'"))?,
        None => match doc.execution_date {
            Some(d) => {
                if !args.quiet {
                    out.push_str(&format!(
                        "Using the original execution date of: {}\n",
                        crate::clock_text::clock_text(d)
                    ));
                }
                d
            }
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        },
    };
    // Only -S prints the revised status.
    let sched = scheduler::schedule_with(&doc, now, args.simulate);
    let show_status = !args.quiet;
    let (total, disabled, blocked) = scheduler::report::instance_counts(&sched.before);
    if (disabled > 0 || blocked > 0) && !args.quiet {
        out.push_str(&format!(
            "{disabled} of {total} resource instances DISABLED and {blocked} BLOCKED from further action due to failure\n"
        ));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    if show_status {
        out.push_str("Current cluster status:\n");
        out.push_str(&scheduler::report::status_text(&sched.before));
        out.push('\n');
    }
    if args.show_scores {
        out.push_str(&scheduler::report::scores_text(&sched.before));
        out.push('\n');
    }
    // -Q (quiet) leaves only the scores: no status, summary or executed actions.
    if (args.run || args.simulate || args.show_scores) && !args.quiet {
        out.push_str("Transition Summary:\n");
        for line in &sched.transition.summary {
            out.push_str("  * ");
            out.push_str(line);
            out.push('\n');
        }
    }
    if args.simulate && !args.quiet {
        out.push('\n');
        out.push_str("Executing Cluster Transition:\n");
        for line in scheduler::report::execution_lines(&sched.transition) {
            out.push_str("  * ");
            out.push_str(&line);
            out.push('\n');
        }
        if let (None, Some(d)) = (&args.time, doc.execution_date) {
            out.push_str(&format!(
                "Using the original execution date of: {}\n",
                crate::clock_text::clock_text(d)
            ));
        }
        if show_status {
            out.push('\n');
            out.push_str("Revised Cluster Status:\n");
            out.push_str(&scheduler::report::status_text(&sched.after));
        }
    }
    if let Some(g) = &args.graph_file {
        std::fs::write(g, scheduler::report::graph_xml(&sched))
            .with_context(|| format!("writing {g}"))?;
    }
    if let Some(d) = &args.dot_file {
        std::fs::write(d, scheduler::report::graph_dot(&sched))
            .with_context(|| format!("writing {d}"))?;
    }
    if let Some(o) = &args.output_file {
        std::fs::write(o, doc.root.to_xml()).with_context(|| format!("writing {o}"))?;
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    // The process exits next: freeing the CIB and the schedule node by node would cost
    // about a sixth of the run on large clusters, and the OS reclaims them at once.
    std::mem::forget(sched);
    std::mem::forget(doc);
    Ok(ExitCode::SUCCESS)
}

/// The CIB text of `-x PATH` (`-` is standard input).
fn read_input(path: &str) -> anyhow::Result<String> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .context("reading the CIB from stdin")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {path}"))
    }
}
