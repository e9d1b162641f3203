//! `tandem crm_simulate`: run the scheduler on a CIB and simulate the transition, as Pacemaker's crm_simulate.

mod args;
mod inject;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use args::SimArgs;

/// Runs the tool on its arguments.
pub fn run(argv: &[String]) -> anyhow::Result<ExitCode> {
    let args = match SimArgs::parse(argv) {
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
    let Some(path) = &args.xml_file else {
        eprintln!("crm_simulate: no input: use -x FILE (live clusters are not supported)");
        return Ok(ExitCode::from(crate::exit_code::USAGE));
    };
    let text = if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .context("reading the CIB from stdin")?;
        s
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?
    };
    let mut root = cib::xml::parse(&text).with_context(|| path.clone())?;
    inject::apply(&mut root, &args).with_context(|| path.clone())?;
    let doc = cib::Cib::from_element(root).with_context(|| path.clone())?;

    let mut out = String::new();
    let now = match &args.time {
        Some(t) => cib::model::parse_time(t).with_context(|| format!("invalid time '{t}'"))?,
        None => match doc.execution_date {
            Some(d) => {
                out.push_str(&format!(
                    "Using the original execution date of: {}\n",
                    format_date(d)
                ));
                d
            }
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        },
    };
    let sched = scheduler::schedule(&doc, now);
    let show_status = !args.quiet;
    let (total, disabled, blocked) = scheduler::report::instance_counts(&sched.before);
    if disabled > 0 || blocked > 0 {
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
    if args.run || args.simulate || args.show_scores {
        out.push_str("Transition Summary:\n");
        for line in &sched.transition.summary {
            out.push_str("  * ");
            out.push_str(line);
            out.push('\n');
        }
    }
    if args.simulate {
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
                format_date(d)
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
    Ok(ExitCode::SUCCESS)
}

fn format_date(t: i64) -> String {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    // Civil date from days since the epoch.
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}
