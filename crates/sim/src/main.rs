//! `tandem-sim`: replays one seed or runs a range of seeds of the Totem cluster simulator.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use sim::{run, Options};

struct Args {
    seeds: std::ops::Range<u64>,
    nodes: Vec<usize>,
    fault_ms: Option<u64>,
    token_ms: Option<u64>,
    no_faults: bool,
    adversarial: bool,
    verbose: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        seeds: 0..1,
        nodes: vec![3],
        fault_ms: None,
        token_ms: None,
        no_faults: false,
        adversarial: false,
        verbose: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--seed" => {
                let seed: u64 = value("--seed")?.parse().context("--seed")?;
                args.seeds = seed..seed + 1;
            }
            "--seeds" => {
                let text = value("--seeds")?;
                let (a, b) = text.split_once("..").context("--seeds expects A..B")?;
                args.seeds =
                    a.parse().context("--seeds start")?..b.parse().context("--seeds end")?;
            }
            "--nodes" => {
                args.nodes = value("--nodes")?
                    .split(',')
                    .map(|n| n.parse::<usize>().context("--nodes"))
                    .collect::<anyhow::Result<_>>()?;
            }
            "--sim-seconds" => {
                args.fault_ms = Some(
                    value("--sim-seconds")?
                        .parse::<u64>()
                        .context("--sim-seconds")?
                        * 1000,
                )
            }
            "--token" => args.token_ms = Some(value("--token")?.parse().context("--token")?),
            "--no-faults" => args.no_faults = true,
            "--adversarial" => args.adversarial = true,
            "--verbose" | "-v" => args.verbose = true,
            "--help" | "-h" => {
                println!(
                    "usage: tandem-sim [--seed N | --seeds A..B] [--nodes K[,K..]] [--sim-seconds S] [--token MS] [--no-faults] [--adversarial] [-v]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    if args.nodes.iter().any(|n| !(1..=64).contains(n)) {
        bail!("--nodes must be within 1..=64");
    }
    Ok(args)
}

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("tandem-sim: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> anyhow::Result<ExitCode> {
    let args = parse_args()?;
    if args.verbose {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "debug".into()),
            )
            .with_writer(std::io::stderr)
            .without_time()
            .init();
    }
    let started = Instant::now();
    let (mut runs, mut failed, mut simulated_ms, mut node_ms, mut events, mut deliveries) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut convergence_max_ms = 0;
    for &nodes in &args.nodes {
        for seed in args.seeds.clone() {
            let mut options = Options::new(seed, nodes);
            if let Some(ms) = args.fault_ms {
                options.fault_ms = ms;
            }
            if let Some(ms) = args.token_ms {
                options.token_ms = ms;
            }
            options.faults = !args.no_faults;
            options.adversarial = args.adversarial;
            if args.seeds.end - args.seeds.start == 1 {
                println!(
                    "SEED={seed} nodes={nodes} fault_ms={} token_ms={}",
                    options.fault_ms, options.token_ms
                );
            }
            let report = run(options);
            if args.seeds.end - args.seeds.start == 1 {
                println!("swarm: {:?}", report.swarm);
            }
            runs += 1;
            simulated_ms += report.simulated_ms;
            node_ms += report.simulated_ms * nodes as u64;
            events += report.events;
            deliveries += report.deliveries;
            convergence_max_ms = convergence_max_ms.max(report.convergence_ms.unwrap_or(0));
            if !report.violations.is_empty() {
                failed += 1;
                println!("FAIL seed={seed} nodes={nodes}:");
                for v in &report.violations {
                    println!("  {v}");
                }
            } else if args.seeds.end - args.seeds.start == 1 {
                println!(
                    "ok seed={seed} nodes={nodes} simulated={}ms events={} sent={} deliveries={} installs={} converged_after={:?}ms",
                    report.simulated_ms, report.events, report.messages_sent, report.deliveries, report.installs, report.convergence_ms
                );
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    println!(
        "summary: runs={runs} nodes={:?} seeds={}..{} simulated={:.1}s ({:.2} node-hours) events={events} deliveries={deliveries} \
         violations={failed} max_convergence={}ms wall={wall:.1}s node-hours/wall-s={:.2}",
        args.nodes,
        args.seeds.start,
        args.seeds.end,
        simulated_ms as f64 / 1000.0,
        node_ms as f64 / 3_600_000.0,
        convergence_max_ms,
        node_ms as f64 / 3_600_000.0 / wall.max(1e-9),
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
