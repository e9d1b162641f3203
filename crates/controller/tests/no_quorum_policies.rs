//! no-quorum-policy freeze and ignore over the simulated group, without fencing: a node cut
//! off from a quorate majority keeps what it runs (freeze) or also recovers what ran
//! elsewhere (ignore); the majority recovers the lost node's resources either way.

mod harness;

use harness::Sim;

fn config(policy: &str) -> String {
    harness::three_dummies(
        &[("stonith-enabled", "false"), ("no-quorum-policy", policy)],
        "",
    )
}

/// Three nodes running `policy`'s configuration, then the node running d1 cut off; returns
/// the sim, that node's name and what it ran before the cut.
fn cut_d1_holder(policy: &str) -> (Sim, String, Vec<String>) {
    let mut sim = Sim::three_running(&config(policy));
    let lone_name = sim.running_on("d1")[0].clone();
    let lone: u32 = lone_name.trim_start_matches("node").parse().expect("id");
    let had: Vec<String> = ["d1", "d2", "d3"]
        .into_iter()
        .filter(|r| sim.running_on(r).contains(&lone_name))
        .map(str::to_string)
        .collect();
    let others: Vec<u32> = (1..=3).filter(|&i| i != lone).collect();
    sim.set_parts(vec![others, vec![lone]]);
    sim.exclusive.clear(); // without fencing both sides may run a resource until the heal
    sim.run_for(30_000);
    (sim, lone_name, had)
}

fn on(sim: &Sim, node: &str) -> Vec<String> {
    ["d1", "d2", "d3"]
        .into_iter()
        .filter(|r| sim.running_on(r).iter().any(|n| n == node))
        .map(str::to_string)
        .collect()
}

#[test]
fn freeze_keeps_what_the_cut_off_node_runs_and_starts_nothing_there() {
    let (sim, lone, had) = cut_d1_holder("freeze");
    assert_eq!(on(&sim, &lone), had, "{lone} keeps exactly what it ran");
    for r in ["d1", "d2", "d3"] {
        assert!(
            sim.running_on(r).iter().any(|n| *n != lone),
            "the majority runs {r} too: {:?}",
            sim.running_on(r)
        );
    }
}

#[test]
fn ignore_lets_the_cut_off_node_recover_everything_itself() {
    let (sim, lone, _) = cut_d1_holder("ignore");
    assert_eq!(
        on(&sim, &lone),
        vec!["d1", "d2", "d3"],
        "{lone} runs everything"
    );
}
