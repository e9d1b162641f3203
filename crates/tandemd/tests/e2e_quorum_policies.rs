//! End-to-end: what a node cut off from a quorate majority does under the no-quorum-policy
//! values other than `stop` (which `e2e_partition.rs` covers), in a real 3-node cluster
//! (namespaces `tds-*`, 10.204.2.0/24, beside the `tde-*` tests). Run only with
//! TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{fence_dummy, number, settled, Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tds",
    octet: 2,
};

/// The cluster with `props` set and a fence_dummy device; returns it and the group's node.
fn running(props: &[(&str, &str)]) -> (Cluster, usize) {
    Cluster::start_running(
        LAB,
        props,
        |c| fence_dummy("fence", &e2e::file_fencing(c)),
        &["fence"],
    )
}

#[test]
fn suicide_a_node_that_loses_quorum_fences_itself_and_stops() {
    if !e2e::enabled("suicide_a_node_that_loses_quorum_fences_itself_and_stops") {
        return;
    }
    let (mut c, h) = running(&[("stonith-enabled", "true"), ("no-quorum-policy", "suicide")]);
    let holder = format!("node{h}");
    let majority: Vec<usize> = (1..=3).filter(|&i| i != h).collect();
    let t = Instant::now();
    c.isolate(h);
    // The cut-off node forms a ring of its own, sees quorum lost, fences itself (the device
    // leaves it running: fence_dummy), stops what ran there and exits.
    c.wait_exited(h, "it lost quorum", Duration::from_secs(40));
    let left_after = t.elapsed();
    let log = c.log(h);
    assert!(
        log.lines().any(|l| l.contains("node fenced")
            && l.contains(&format!("target={holder}"))
            && l.contains(&format!("by={holder}"))),
        "{holder} did not fence itself\n{}",
        c.logs()
    );
    assert!(
        log.contains("this node was fenced"),
        "no fence reaction in {holder}'s log"
    );
    // Its agents say nothing runs there any more (the VIP gone from its namespace too).
    assert!(!c.vip_addr_on().contains(&h), "VIP left on {holder}");
    for rsc in ["a", "b", "c"] {
        assert!(!c.dummy_on(rsc).contains(&h), "{rsc} left on {holder}");
    }
    // The majority kept quorum, fenced the lost node and runs the services.
    let to = c.wait(
        "the majority runs the group",
        Duration::from_secs(40),
        || settled(&c, majority[0], 2).filter(|n| *n != holder),
    );
    assert!(c.vip_addr_on().contains(&number(&to)));
    assert!(
        !c.query(majority[0]).contains("no-quorum-panic"),
        "the majority never lost quorum"
    );
    eprintln!(
        "{holder} fenced itself and left {} ms after the cut; group on {to}",
        left_after.as_millis()
    );
}

/// Nodes (of `among`) where the group's agents say it runs: VIP address and a's state file.
fn group_on(c: &Cluster, among: &[usize]) -> Vec<usize> {
    let vip = c.vip_addr_on();
    among
        .iter()
        .copied()
        .filter(|i| vip.contains(i) && c.rsctmp(*i).join("Dummy-a.state").exists())
        .collect()
}

#[test]
fn freeze_a_node_that_loses_quorum_keeps_what_runs_and_the_heal_leaves_one_copy() {
    if !e2e::enabled("freeze_a_node_that_loses_quorum_keeps_what_runs_and_the_heal_leaves_one_copy")
    {
        return;
    }
    let (c, h) = running(&[("stonith-enabled", "false"), ("no-quorum-policy", "freeze")]);
    let holder = format!("node{h}");
    let majority: Vec<usize> = (1..=3).filter(|&i| i != h).collect();
    c.isolate(h);
    // The cut-off node forms its own ring (without quorum) and keeps the group running.
    c.wait("the cut-off node alone", Duration::from_secs(20), || {
        c.status(h)
            .filter(|s| s.members == vec![holder.clone()] && !s.quorate && s.phase == "Running")
            .map(|_| ())
    });
    // Without fencing, the majority recovers the group after unfenced-recovery-delay: the
    // price of freeze without fencing, as in Pacemaker.
    let to = c.wait(
        "the majority runs the group",
        Duration::from_secs(30),
        || settled(&c, majority[0], 2).filter(|n| *n != holder),
    );
    let to = number(&to);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        group_on(&c, &[h]),
        vec![h],
        "{holder} stopped the group under freeze\n{}",
        c.logs()
    );
    assert!(
        !c.log(h).contains("stopping the resources here"),
        "no local stop under freeze"
    );
    assert_eq!(group_on(&c, &majority), vec![to]);
    // Heal: one cluster, and the group (and the VIP) on one node only.
    c.heal(h);
    c.wait_joined(&[1, 2, 3]);
    c.wait("one copy of the group", Duration::from_secs(40), || {
        let on = group_on(&c, &[1, 2, 3]);
        let n = settled(&c, 1, 3)?;
        (on == vec![number(&n)] && c.vip_addr_on().len() == 1).then_some(())
    });
}
