//! no-quorum-policy freeze and ignore over the simulated group, without fencing: a node cut
//! off from a quorate majority keeps what it runs (freeze) or also recovers what ran
//! elsewhere (ignore); the majority recovers the lost node's resources either way.

mod harness;

use cib::xml;
use controller::CibOp;
use harness::Sim;

fn config(policy: &str) -> String {
    let dummy = |id: &str| {
        format!(
            "<primitive id=\"{id}\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\
             <operations><op id=\"{id}-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>\
             </operations></primitive>"
        )
    };
    format!(
        "<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"5\" num_updates=\"0\" admin_epoch=\"0\">\
         <configuration><crm_config><cluster_property_set id=\"cib-bootstrap-options\">\
         <nvpair id=\"o-stonith\" name=\"stonith-enabled\" value=\"false\"/>\
         <nvpair id=\"o-nqp\" name=\"no-quorum-policy\" value=\"{policy}\"/>\
         </cluster_property_set></crm_config><nodes/><resources>{d1}{d2}{d3}</resources>\
         <constraints/></configuration><status/></cib>",
        d1 = dummy("d1"),
        d2 = dummy("d2"),
        d3 = dummy("d3"),
    )
}

/// Three nodes running `policy`'s configuration, then the node running d1 cut off; returns
/// the sim, that node's name and what it ran before the cut.
fn cut_d1_holder(policy: &str) -> (Sim, String, Vec<String>) {
    let mut sim = Sim::new(3);
    for id in 1..=3 {
        sim.boot_with(id, None);
    }
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.settle(60_000);
    sim.admin(
        2,
        1,
        CibOp::Replace(xml::parse(&config(policy)).expect("test CIB parses")),
    );
    sim.settle(120_000);
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
