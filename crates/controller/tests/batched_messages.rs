//! Group messages batched per loop turn (`Controller::with_turn_batching`, as tandemd runs
//! the controller): a bulk start, a node loss and the removal run as they do with one
//! multicast per message, in fewer multicasts.

mod harness;

use cib::xml;
use controller::CibOp;
use harness::Sim;

fn bulk(n: usize) -> String {
    let rscs: String = (1..=n)
        .map(|i| harness::dummy_primitive(&format!("b{i:03}")))
        .collect();
    harness::cib_with(
        &[
            ("stonith-enabled", "false"),
            ("no-quorum-policy", "stop"),
            ("unfenced-recovery-delay", "1s"),
        ],
        &rscs,
        "",
    )
}

/// Runs a 3-node cluster through a bulk start of `n` resources, the loss of the node
/// running b001 and the removal of every resource; returns the simulation at the end and
/// the multicasts (total, batches) of the bulk start.
fn scenario(batching: bool, n: usize) -> (Sim, Vec<u32>, (u64, u64)) {
    let mut sim = Sim::new(3);
    sim.batching = batching;
    for id in 1..=3 {
        sim.boot_with(id, None);
    }
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.settle(60_000);
    let before = sim.multicasts;
    sim.admin(
        2,
        1,
        CibOp::Replace(xml::parse(&bulk(n)).expect("test CIB parses")),
    );
    sim.settle(120_000);
    let start = (sim.multicasts.0 - before.0, sim.multicasts.1 - before.1);
    for i in 1..=n {
        assert_eq!(
            sim.running_on(&format!("b{i:03}")).len(),
            1,
            "b{i:03} runs once (batching {batching})"
        );
    }
    let victim = sim.only_node_of("b001");
    let rest: Vec<u32> = (1..=3).filter(|&i| i != victim).collect();
    sim.set_parts(vec![rest.clone()]);
    sim.settle(120_000);
    for i in 1..=n {
        let on = sim.running_on(&format!("b{i:03}"));
        let on: Vec<&String> = on
            .iter()
            .filter(|name| *name != &sim.name(victim))
            .collect();
        assert_eq!(on.len(), 1, "b{i:03} recovered on a survivor: {on:?}");
    }
    sim.admin(
        rest[0],
        2,
        CibOp::Replace(xml::parse(&bulk(0)).expect("empty CIB parses")),
    );
    sim.settle(120_000);
    (sim, rest, start)
}

#[test]
fn batched_turns_start_recover_and_remove_as_single_messages_do() {
    let (plain, plain_rest, plain_start) = scenario(false, 30);
    let (batched, batched_rest, batched_start) = scenario(true, 30);
    assert_eq!(plain_start.1, 0, "no batch without batching");
    assert!(
        batched_start.1 > 0,
        "the DC dispatches several actions at once: {batched_start:?}"
    );
    assert!(
        batched_start.0 < plain_start.0,
        "fewer multicasts with batching: {batched_start:?} against {plain_start:?}"
    );
    for (sim, rest) in [(&plain, &plain_rest), (&batched, &batched_rest)] {
        assert!(sim.double_active.is_empty(), "{:?}", sim.double_active);
        for &id in rest {
            let name = sim.name(id);
            for i in 1..=30 {
                let on = sim.running_on(&format!("b{i:03}"));
                assert!(!on.contains(&name), "b{i:03} still on {name}");
            }
        }
    }
}
