//! Measures the controller and scheduler on a simulated 3-node cluster: N Dummy
//! resources configured at once, then a node crash. Prints simulated and wall time.
//!
//! `cargo run --release -p controller --example scale -- 100 1000`

#[path = "../tests/harness/mod.rs"]
mod harness;

use std::time::Instant;

use controller::CibOp;

fn config(n: usize) -> String {
    let mut rs = String::new();
    for i in 0..n {
        rs.push_str(&format!(
            "<primitive id=\"r{i}\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\
             <operations><op id=\"r{i}-mon\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>\
             </operations></primitive>"
        ));
    }
    format!(
        "<cib epoch=\"5\" num_updates=\"0\" admin_epoch=\"0\"><configuration><crm_config>\
         <cluster_property_set id=\"o\"><nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/>\
         </cluster_property_set></crm_config><nodes/><resources>{rs}</resources><constraints/>\
         </configuration><status/></cib>"
    )
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() { vec![100] } else { sizes };
    for n in sizes {
        let mut sim = harness::Sim::new(3);
        for id in 1..=3 {
            sim.boot_with(id, None);
        }
        let t = Instant::now();
        sim.set_parts(vec![vec![1, 2, 3]]);
        let sim_ms = sim.settle(60_000);
        println!(
            "cold start to an idle DC: {sim_ms} ms simulated, {:?} wall",
            t.elapsed()
        );
        let root = cib::xml::parse(&config(n)).expect("config parses");
        let t = Instant::now();
        sim.admin(1, 1, CibOp::Replace(root));
        let sim_ms = sim.settle(600_000);
        let wall = t.elapsed();
        let started = (0..n)
            .filter(|i| sim.running_on(&format!("r{i}")).len() == 1)
            .count();
        println!(
            "{n} resources: {started} started once; {sim_ms} ms simulated (agent latency {} ms), {wall:?} wall, {} transitions",
            harness::OP_LATENCY_MS,
            sim.ctrl(1).transitions()
        );
        let victim = 3;
        let t = Instant::now();
        let survivors = |sim: &harness::Sim| -> usize {
            sim.nodes
                .iter()
                .filter(|n| n.id != victim)
                .map(|n| n.exec.log.len())
                .sum()
        };
        let before = survivors(&sim);
        let t0 = sim.now;
        sim.crash(victim);
        // Step 1 ms at a time until the first action reaches an agent.
        while survivors(&sim) == before && sim.now - t0 < 10_000 {
            sim.run_for(1);
        }
        println!(
            "node crash: first action dispatched {} ms simulated after the membership change (message latency {} ms)",
            sim.now - t0,
            harness::MSG_LATENCY_MS
        );
        let sim_ms = sim.settle(600_000);
        let wall = t.elapsed();
        let started = (0..n)
            .filter(|i| sim.running_on(&format!("r{i}")).len() == 1)
            .count();
        println!(
            "node crash: {started}/{n} running once after {sim_ms} ms simulated, {wall:?} wall"
        );
    }
}
