//! `no-quorum-policy=suicide` over the simulated group: a node cut off from a quorate
//! majority fences itself; and a node that sees its own fencing succeed while alive (a device
//! that did not cut it off) stops its resources and leaves (`fence-reaction=stop`).

mod harness;

use harness::Sim;

fn config() -> String {
    harness::three_dummies(
        &[("stonith-enabled", "true"), ("no-quorum-policy", "suicide")],
        "<primitive id=\"fence\" class=\"stonith\" type=\"fence_dummy\"/>",
    )
}

/// Three nodes running the configuration; returns the sim and a node running a Dummy.
fn running() -> (Sim, u32) {
    let sim = Sim::three_running(&config());
    let victim = sim.only_node_of("d1");
    (sim, victim)
}

#[test]
fn a_node_that_loses_quorum_fences_itself() {
    let (mut sim, victim) = running();
    let name = sim.name(victim);
    let others: Vec<u32> = (1..=3).filter(|&i| i != victim).collect();
    // One peer dies (the other two keep quorum and fence it), then the other: the
    // victim, alone, has lost quorum.
    sim.crash(others[0]);
    sim.settle(120_000);
    sim.crash(others[1]);
    sim.settle(120_000);
    assert!(
        sim.fenced.iter().any(|(by, t)| *by == name && *t == name),
        "{name} fenced itself: {:?}",
        sim.fenced
    );
    assert!(
        sim.nodes[(victim - 1) as usize].ctrl.is_none(),
        "and is gone"
    );
    // While it had quorum it did not fence itself.
    let first = sim.name(others[0]);
    assert_eq!(sim.fenced[0].1, first, "{:?}", sim.fenced);
    for r in ["d1", "d2", "d3"] {
        assert!(sim.running_on(r).is_empty(), "{r} still runs");
    }
}

#[test]
fn a_node_alive_after_its_own_fencing_stops_everything_and_leaves() {
    let (mut sim, victim) = running();
    let others: Vec<u32> = (1..=3).filter(|&i| i != victim).collect();
    sim.crash(others[0]);
    sim.settle(120_000);
    sim.fence_spares = true;
    sim.crash(others[1]);
    // (A fenced node schedules nothing more: it never reads as an idle DC.)
    sim.run_for(30_000);
    let node = &sim.nodes[(victim - 1) as usize];
    assert!(node.ctrl.as_ref().is_some_and(|c| c.fenced_self()));
    assert!(
        node.exec.running.is_empty(),
        "still running {:?}",
        node.exec.running
    );
    assert!(node.shutdown_ready, "asked to leave");
    assert!(sim.cib_xml(victim).contains("no-quorum-panic=\"1\""));
}
