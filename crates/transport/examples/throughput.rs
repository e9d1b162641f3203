//! Measures the packet layer (seal + open per second) and real loopback
//! throughput of three encrypted udpu nodes all sending.
//! `cargo run --release -p transport --example throughput`

use std::time::{Duration, Instant};

use transport::packet::{cluster_tag, Kind, Opener, PacketKey, Sealer};
use transport::{Dest, Transport, TransportConfig};

fn packet_layer(size: usize) {
    let key = || Some(PacketKey::derive(&[9u8; 256], "bench"));
    let mut s = Sealer::new(key(), cluster_tag("bench"), 1, 1);
    let mut o = Opener::new(key(), cluster_tag("bench"), 2);
    let payload = vec![7u8; size];
    let mut out = Vec::new();
    let n = if size > 10_000 { 5_000 } else { 200_000 };
    let start = Instant::now();
    for _ in 0..n {
        s.seal(Kind::Data, &payload, &mut out).expect("seal");
        o.open(&out).expect("open");
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "packet layer {size} B: {:.0} seal+open/s, {:.1} MB/s, {:.2} us each",
        n as f64 / secs,
        n as f64 * size as f64 / secs / 1e6,
        secs * 1e6 / n as f64
    );
}

fn loopback(size: usize, secs: u64) {
    let mut text = "totem {\n version: 2\n transport: udpu\n cluster_name: bench\n secauth: on\n interface {\n  linknumber: 0\n  mcastport: 42900\n }\n}\nnodelist {\n".to_string();
    for i in 1..=3 {
        text.push_str(&format!(
            " node {{\n  nodeid: {i}\n  ring0_addr: 127.29.0.{i}\n }}\n"
        ));
    }
    text.push_str("}\n");
    let config = corosync_conf::parse(&text, "bench.conf")
        .expect("valid")
        .config;
    let mut nodes: Vec<Transport> = (1..=3)
        .map(|i| {
            let tc = TransportConfig::from_config(&config, i, &[]).expect("setup");
            Transport::new(tc, Some(&[9u8; 256]), transport::epoch_now()).expect("bind")
        })
        .collect();
    let payload = vec![1u8; size];
    let end = Instant::now() + Duration::from_secs(secs);
    let mut received = [0u64; 3];
    while Instant::now() < end {
        for (i, t) in nodes.iter_mut().enumerate() {
            for _ in 0..8 {
                t.send(Dest::All, &payload).expect("send");
            }
            while let Some(_r) = t.recv() {
                received[i] += 1;
            }
        }
    }
    let per_node = received.iter().sum::<u64>() as f64 / 3.0 / secs as f64;
    let s = nodes[0].stats();
    println!(
        "loopback 3 nodes {size} B, one thread: {per_node:.0} packets/s received per node ({:.1} MB/s); node 1 tx {} rx {} tx_errors {} bad drops {}",
        per_node * size as f64 / 1e6,
        s.tx_packets,
        s.rx_packets,
        s.tx_errors,
        s.dropped_bad()
    );
}

fn main() {
    packet_layer(1024);
    packet_layer(65_000);
    loopback(1024, 2);
}
