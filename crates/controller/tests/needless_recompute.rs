//! The DC computes a transition only when something changed: a timer that finds nothing
//! to do (the end of `unfenced-recovery-delay` on a node without quorum, which never held
//! anything back) runs no scheduler.

mod harness;

use cib::xml;
use controller::CibOp;
use harness::Sim;

#[test]
fn the_recovery_delay_ending_on_a_node_without_quorum_computes_nothing() {
    let mut sim = Sim::three_running(&harness::three_dummies_unfenced());
    let lone = sim.only_node_of("d1");
    let others: Vec<u32> = (1..=3).filter(|&i| i != lone).collect();
    sim.set_parts(vec![others.clone(), vec![lone]]);
    // Well within the 3 s delay: the lone node stopped its resources at once.
    sim.run_for(1_000);
    assert!(
        sim.running_on("d1").is_empty(),
        "stopped by the node without quorum"
    );
    let before = sim.ctrl(lone).transitions();
    // Past the delay: the majority recovers (it was held back); the lone node has nothing to do.
    sim.run_for(5_000);
    assert_eq!(
        sim.ctrl(lone).transitions(),
        before,
        "the node without quorum recomputed when the delay ended"
    );
    let on = sim.running_on("d1");
    assert!(
        on.len() == 1 && on[0] != sim.name(lone),
        "d1 recovered on {on:?}"
    );
}

#[test]
fn probes_of_fence_devices_not_started_here_run_no_agent() {
    let mut sim = Sim::new(3);
    for id in 1..=3 {
        sim.boot_with(id, None);
    }
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.settle(60_000);
    let cib = harness::three_dummies_unfenced().replace(
        "<resources>",
        "<resources><primitive id=\"fence\" class=\"stonith\" type=\"fence_dummy\"/>",
    );
    sim.admin(
        2,
        1,
        CibOp::Replace(xml::parse(&cib).expect("test CIB parses")),
    );
    sim.settle(120_000);
    // Answered "not running" by the controller (no device is registered anywhere yet): the
    // agent's monitor, which would find the device reachable from every node, never ran.
    for n in &sim.nodes {
        assert!(
            !n.exec
                .log
                .iter()
                .any(|(r, a, i)| r == "fence" && a == "monitor" && *i == 0),
            "{} ran the fence agent for a probe: {:?}",
            n.name,
            n.exec.log
        );
    }
    assert_eq!(sim.running_on("fence").len(), 1);
    // Once started, the device is found by a probe on its node (after a cleanup).
    let holder = sim.running_on("fence")[0].clone();
    let id: u32 = holder.trim_start_matches("node").parse().expect("id");
    sim.admin(
        id,
        2,
        CibOp::Cleanup {
            rsc: "fence".into(),
            node: Some(holder.clone()),
        },
    );
    sim.settle(60_000);
    let n = &sim.nodes[(id - 1) as usize];
    assert!(
        n.exec
            .log
            .iter()
            .any(|(r, a, i)| r == "fence" && a == "monitor" && *i == 0),
        "the registered device's probe ran its agent: {:?}",
        n.exec.log
    );
    assert_eq!(sim.running_on("fence"), vec![holder]);
}
