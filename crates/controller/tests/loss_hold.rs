//! Without fencing, the quorate side holds a lost node's resources back for
//! `unfenced-recovery-delay`, counted from the moment its own ring broke when the host
//! reports it (`Controller::note_ring_break`), otherwise from the membership change.

mod harness;

use controller::{CibOp, Input, Member};
use harness::Sim;

/// Crashes the node running d1 after each survivor noted a ring break `broke_ms_ago` ms
/// earlier (none: not reported); returns the simulated time until d1 runs again, in ms
/// (polled every 50 ms).
fn recovery_after(broke_ms_ago: Option<u64>) -> u64 {
    let mut sim = Sim::three_running(&harness::three_dummies_unfenced());
    let victim = sim.only_node_of("d1");
    if let Some(ago) = broke_ms_ago {
        let at = sim.now - ago;
        for n in sim.nodes.iter_mut().filter(|n| n.id != victim) {
            n.ctrl.as_mut().expect("survivor runs").note_ring_break(at);
        }
    }
    sim.crash(victim);
    let start = sim.now;
    while sim.running_on("d1").is_empty() {
        assert!(sim.now - start < 10_000, "d1 not recovered within 10 s");
        sim.run_for(50);
    }
    assert!(sim.double_active.is_empty(), "{:?}", sim.double_active);
    sim.now - start
}

#[test]
fn the_recovery_delay_counts_from_the_ring_break_when_known() {
    let plain = recovery_after(None);
    assert!((3_000..3_500).contains(&plain), "{plain} ms");
    // The ring broke 1.2 s before the membership change: 1.8 s of the delay are left.
    let early = recovery_after(Some(1_200));
    assert!((1_800..2_300).contains(&early), "{early} ms");
    // A break longer ago than the delay: nothing left to wait for.
    let long_ago = recovery_after(Some(4_000));
    assert!(long_ago < 500, "{long_ago} ms");
}

#[test]
fn a_noted_break_is_forgotten_at_the_next_membership_change() {
    let mut sim = Sim::three_running(&harness::three_dummies_unfenced());
    let victim = sim.only_node_of("d1");
    let at = sim.now - 4_000;
    let members: Vec<Member> = (1..=3).map(|i| Member::new(i, &sim.name(i))).collect();
    for id in (1..=3).filter(|&i| i != victim) {
        let n = &mut sim.nodes[(id - 1) as usize];
        n.ctrl.as_mut().expect("survivor runs").note_ring_break(at);
        // A membership change without a loss (a ring re-formed with the same members)
        // takes the noted break.
        sim.input(id, Input::Membership(members.clone()));
    }
    sim.settle(60_000);
    // The loss that follows was not reported: the full delay applies again.
    sim.crash(victim);
    let start = sim.now;
    sim.run_for(2_500);
    assert!(
        sim.running_on("d1").is_empty(),
        "recovered after {} ms",
        sim.now - start
    );
    sim.run_for(1_000);
    assert_eq!(sim.running_on("d1").len(), 1);
}

/// A cut-off DC rejoins one side of a partition that is itself splitting: node V (cut
/// off, its resources stopped) forms a ring with Z just as Z loses Y, which runs d1 and has
/// not noticed yet. V's own ring broke long ago, but Z shared a ring with Y until now: V,
/// the DC of the new membership, must still hold d1 back for the whole delay.
#[test]
fn a_dc_that_rejoins_a_splitting_partition_holds_from_the_merge() {
    rejoin_a_splitting_partition(false, false);
}

/// The same, when the cut-off DC's own replica (which forgot what Y runs) wins the sync:
/// Z's report of resources active outside the membership still holds recovery back.
#[test]
fn the_hold_comes_from_any_members_replica_not_only_the_winning_one() {
    rejoin_a_splitting_partition(true, false);
}

/// The same when Z first saw itself alone (its replica then forgot what Y runs, fencing
/// being off) before V joined it: Z's hold, reported with its version, still counts.
#[test]
fn a_members_hold_survives_an_intermediate_membership() {
    rejoin_a_splitting_partition(true, true);
}

fn rejoin_a_splitting_partition(v_wins_the_sync: bool, z_alone_first: bool) {
    let mut sim = Sim::three_running(&harness::three_dummies_unfenced());
    sim.exclusive = vec!["d1".into()];
    let v = sim.only_node_of("d1");
    let rest: Vec<u32> = (1..=3).filter(|&i| i != v).collect();
    sim.set_parts(vec![vec![v], rest.clone()]);
    sim.run_for(6_000);
    sim.settle(60_000);
    if v_wins_the_sync {
        // Status updates on the cut-off side (allowed without quorum) put V's replica
        // ahead of the others' in num_updates.
        for k in 0..200u64 {
            let op = CibOp::SetAttr {
                node: sim.name(v),
                name: "probe-count".into(),
                value: Some(k.to_string()),
            };
            sim.admin(v, 100 + k, op);
            sim.run_for(5);
        }
        sim.settle(60_000);
    }
    let y = sim.only_node_of("d1");
    let z = rest.into_iter().find(|&i| i != y).expect("a third node");
    // V's ring broke long ago (when it was cut off).
    broke_long_ago(&mut sim, v);
    // V and Z form a ring, V first (the DC); Y hears nothing yet and keeps d1.
    sim.cut(vec![vec![v, z], vec![y]]);
    if z_alone_first {
        sim.input(z, Input::Quorum(false));
        sim.input(z, Input::Membership(vec![Member::new(z, &sim.name(z))]));
        sim.run_for(20);
    }
    let members = vec![Member::new(v, &sim.name(v)), Member::new(z, &sim.name(z))];
    for id in [v, z] {
        sim.input(id, Input::Quorum(true));
        sim.input(id, Input::Membership(members.clone()));
    }
    sim.run_for(2_500);
    assert_eq!(
        sim.running_on("d1"),
        vec![sim.name(y)],
        "d1 started by the new DC before the hold ran out"
    );
    // The three merge: d1 runs once, and never ran twice.
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.run_for(5_000);
    sim.settle(60_000);
    assert_eq!(sim.running_on("d1").len(), 1);
    assert!(sim.double_active.is_empty(), "{:?}", sim.double_active);
}

/// A node back from being cut off (it stopped its resources then) lost the others long
/// ago by its own clock, but they were the quorate side and run what it stopped: if it
/// briefly sees itself quorate alone (the quorum verdict of a new ring can precede the
/// group's view of it), it holds for the whole delay rather than start their resources.
#[test]
fn a_node_back_from_being_cut_off_holds_from_now() {
    let mut sim = Sim::three_running(&harness::three_dummies_unfenced());
    // A resource of a node other than the DC (a cut-off node delivers nothing, not even
    // its own messages; the simulation's cut still loops them back, which would end a
    // DC's isolation at once).
    let dc = sim.dcs()[0].expect("a DC");
    let (rsc, v) = ["d1", "d2", "d3"]
        .into_iter()
        .map(|r| (r, sim.only_node_of(r)))
        .find(|(_, n)| *n != dc)
        .expect("a resource off the DC");
    sim.exclusive = vec![rsc.into()];
    let others: Vec<u32> = (1..=3).filter(|&i| i != v).collect();
    sim.cut(vec![vec![v], others.clone()]);
    sim.input(v, Input::Isolated);
    sim.run_for(2_000);
    assert!(
        sim.running_on(rsc).is_empty(),
        "V stopped {rsc} when cut off: {:?}",
        sim.nodes[(v - 1) as usize].exec.log
    );
    let majority: Vec<Member> = others
        .iter()
        .map(|&i| Member::new(i, &sim.name(i)))
        .collect();
    for &id in &others {
        sim.input(id, Input::Quorum(true));
        sim.input(id, Input::Membership(majority.clone()));
    }
    sim.run_for(5_000);
    let y = sim.only_node_of(rsc);
    assert_ne!(y, v);
    // V: its ring broke long ago; a membership of itself alone, quorate.
    broke_long_ago(&mut sim, v);
    sim.input(v, Input::Quorum(true));
    sim.input(v, Input::Membership(vec![Member::new(v, &sim.name(v))]));
    sim.run_for(1_500);
    assert_eq!(sim.running_on(rsc), vec![sim.name(y)], "V started {rsc}");
    // The quorum verdict catches up (the simulation's partition bookkeeping still has
    // one part: record the split first), then the three merge.
    sim.set_parts(vec![vec![v], others.clone()]);
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.run_for(5_000);
    sim.settle(60_000);
    assert_eq!(
        sim.running_on(rsc).len(),
        1,
        "{:?} {:?}",
        sim.running_on(rsc),
        sim.nodes
            .iter()
            .map(|n| n.exec.log.clone())
            .collect::<Vec<_>>()
    );
    assert!(sim.double_active.is_empty(), "{:?}", sim.double_active);
}

/// Node `v` notes that its ring broke 5 s ago.
fn broke_long_ago(sim: &mut Sim, v: u32) {
    let at = sim.now - 5_000;
    sim.nodes[(v - 1) as usize]
        .ctrl
        .as_mut()
        .expect("the node runs")
        .note_ring_break(at);
}
