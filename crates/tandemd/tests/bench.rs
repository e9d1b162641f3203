//! CPG throughput and latency through the real daemons, in the shape of shared/tools/cpg-bench:
//! every node joins "bench" and sends messages of one size for a fixed time with a bounded
//! number in flight, counts deliveries and times its own messages' round trips; all nodes must
//! deliver the same order. Runs only with TANDEM_SLOW_TESTS=1 and TANDEM_BENCH=1, as root;
//! TANDEM_BENCH_NODES, TANDEM_BENCH_SIZE, TANDEM_BENCH_SECONDS tune it.

mod harness;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use harness::{Cluster, Options};
use messaging::ipc::{Client, ClientError, ErrorCode, Event};

/// Own messages in flight per sender unless TANDEM_BENCH_IN_FLIGHT says otherwise.
const IN_FLIGHT_DEFAULT: u64 = 64;

struct NodeResult {
    delivered: Vec<(u32, u64)>,
    round_trips_us: Vec<u64>,
    elapsed: Duration,
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench_node(
    socket: std::path::PathBuf,
    nodes: usize,
    size: usize,
    seconds: u64,
    in_flight: usize,
) -> Result<NodeResult, String> {
    let mut client = Client::connect(&socket).map_err(|e| e.to_string())?;
    client.cpg_join(b"bench").map_err(|e| e.to_string())?;
    let me = client.process();
    let setup_deadline = Instant::now() + Duration::from_secs(20);
    while client.cpg_membership().map_err(|e| e.to_string())?.len() < nodes {
        if Instant::now() > setup_deadline {
            return Err("members never joined".to_string());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let payload = vec![0x42u8; size];
    let start = Instant::now();
    let stop_sending = start + Duration::from_secs(seconds);
    let mut sent_at: BTreeMap<u64, Instant> = BTreeMap::new();
    let mut next_sequence = 1u64;
    let mut delivered = Vec::new();
    let mut round_trips_us = Vec::new();
    loop {
        let now = Instant::now();
        if now < stop_sending {
            while sent_at.len() < in_flight {
                match client.cpg_mcast(&payload) {
                    Ok(()) => {
                        sent_at.insert(next_sequence, Instant::now());
                        next_sequence += 1;
                    }
                    Err(ClientError::Refused {
                        code: ErrorCode::TryAgain,
                        ..
                    }) => break,
                    Err(error) => return Err(error.to_string()),
                }
            }
        } else if sent_at.is_empty() {
            break;
        } else if now > stop_sending + Duration::from_secs(30) {
            return Err(format!("{} own messages never delivered", sent_at.len()));
        }
        if let Some(Event::CpgDeliver {
            sender, sequence, ..
        }) = client
            .next_event(Some(Duration::from_millis(100)))
            .map_err(|e| e.to_string())?
        {
            delivered.push((sender.nodeid, sequence));
            if sender == me {
                if let Some(at) = sent_at.remove(&sequence) {
                    round_trips_us.push(at.elapsed().as_micros() as u64);
                }
            }
        }
    }
    Ok(NodeResult {
        delivered,
        round_trips_us,
        elapsed: start.elapsed(),
    })
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

#[test]
fn cpg_bench_all_nodes_sending() {
    if !harness::enabled("cpg_bench_all_nodes_sending") {
        return;
    }
    if std::env::var("TANDEM_BENCH").as_deref() != Ok("1") {
        eprintln!("cpg_bench_all_nodes_sending: skipped (set TANDEM_BENCH=1)");
        return;
    }
    let nodes = env_or("TANDEM_BENCH_NODES", 3) as usize;
    let size = env_or("TANDEM_BENCH_SIZE", 1024) as usize;
    let seconds = env_or("TANDEM_BENCH_SECONDS", 10);
    let in_flight = env_or("TANDEM_BENCH_IN_FLIGHT", IN_FLIGHT_DEFAULT) as usize;
    let one_sender = std::env::var("TANDEM_BENCH_SENDERS").as_deref() == Ok("one");
    let mut options = Options::new(nodes);
    options.crypto = true;
    options.token_ms = 3000;
    let cluster = Cluster::start(options);
    let all: Vec<usize> = (1..=nodes).collect();
    cluster.wait_for_ring(&all, Duration::from_secs(30));
    let threads: Vec<_> = all
        .iter()
        .map(|n| {
            let socket = cluster.socket(*n);
            let in_flight = if one_sender && *n != 1 { 0 } else { in_flight };
            std::thread::spawn(move || bench_node(socket, nodes, size, seconds, in_flight))
        })
        .collect();
    let results: Vec<NodeResult> = threads
        .into_iter()
        .map(|t| t.join().expect("bench thread").expect("bench node"))
        .collect();
    let mut all_round_trips: Vec<u64> = results
        .iter()
        .flat_map(|r| r.round_trips_us.iter().copied())
        .collect();
    all_round_trips.sort_unstable();
    // Nodes stop reading at slightly different points: compare the common prefix.
    let common = results.iter().map(|r| r.delivered.len()).min().unwrap_or(0);
    for (index, result) in results.iter().enumerate() {
        assert!(
            result.delivered[..common] == results[0].delivered[..common],
            "node {} delivered a different order",
            index + 1
        );
    }
    let per_node = results[0].delivered.len() as f64 / results[0].elapsed.as_secs_f64();
    let rss: Vec<String> = (1..=nodes)
        .map(|n| format!("{}", cluster.rss_kib(n).unwrap_or(0) / 1024))
        .collect();
    println!(
        "BENCH nodes={nodes} size={size} seconds={seconds} in_flight={in_flight} one_sender={one_sender} \
         delivered_per_node={} msgs_per_s={per_node:.0} \
         MB_per_s={:.1} rtt_p50_ms={:.2} rtt_p99_ms={:.2} rss_mib=[{}]",
        results[0].delivered.len(),
        per_node * size as f64 / 1e6,
        percentile(&all_round_trips, 0.5),
        percentile(&all_round_trips, 0.99),
        rss.join(",")
    );
}

/// Time from SIGKILL of node 2 (of 3) to the survivors' new ring, over several trials
/// (TANDEM_BENCH_TRIALS, default 20; TANDEM_BENCH_TOKEN ms, default 1000).
#[test]
fn crash_to_new_ring() {
    if !harness::enabled("crash_to_new_ring") {
        return;
    }
    if std::env::var("TANDEM_BENCH").as_deref() != Ok("1") {
        eprintln!("crash_to_new_ring: skipped (set TANDEM_BENCH=1)");
        return;
    }
    let trials = env_or("TANDEM_BENCH_TRIALS", 20);
    let token = env_or("TANDEM_BENCH_TOKEN", 1000) as u32;
    let mut options = Options::new(3);
    options.token_ms = token;
    let mut cluster = Cluster::start(options);
    let mut times_ms = Vec::new();
    for _ in 0..trials {
        cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(60));
        let killed = Instant::now();
        cluster.kill(2);
        cluster.wait_for_ring(&[1, 3], Duration::from_secs(60));
        times_ms.push(killed.elapsed().as_millis() as u64);
        cluster.start_node(2);
    }
    times_ms.sort_unstable();
    let token_real = token + 650;
    println!(
        "BENCH crash_to_new_ring token={token} token_real={token_real} trials={trials} \
         min_ms={} p50_ms={} max_ms={}",
        times_ms[0],
        times_ms[times_ms.len() / 2],
        times_ms[times_ms.len() - 1]
    );
}
