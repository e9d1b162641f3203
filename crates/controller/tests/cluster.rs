//! Multi-node scenarios over the simulated group and fake executors: cold start, node
//! loss, monitor failure and migration-threshold, partition with no-quorum-policy=stop,
//! rejoin with the newest CIB, a corrupt CIB replaced from peers, fencing.

mod harness;

use cib::xml::{self, Element};
use controller::{CibOp, CibVersion};
use harness::Sim;

fn dummy(id: &str, meta: &str) -> String {
    format!(
        "<primitive id=\"{id}\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">{meta}\
         <operations><op id=\"{id}-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>\
         </operations></primitive>"
    )
}

/// The test configuration: 3 Dummy primitives, a group of two, an anonymous clone.
fn config(stonith: bool, extra_props: &str) -> String {
    let fence = if stonith {
        "<primitive id=\"fence\" class=\"stonith\" type=\"fence_dummy\">\
         <operations><op id=\"fence-monitor\" name=\"monitor\" interval=\"60s\"/></operations></primitive>"
    } else {
        ""
    };
    format!(
        "<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"5\" num_updates=\"0\" admin_epoch=\"0\">\
         <configuration><crm_config><cluster_property_set id=\"cib-bootstrap-options\">\
         <nvpair id=\"o-stonith\" name=\"stonith-enabled\" value=\"{stonith}\"/>\
         <nvpair id=\"o-nqp\" name=\"no-quorum-policy\" value=\"stop\"/>{extra_props}\
         </cluster_property_set></crm_config><nodes/><resources>{fence}{d1}{d2}{d3}\
         <group id=\"g\">{g1}{g2}</group><clone id=\"c\">{cd}</clone></resources>\
         <constraints/></configuration><status/></cib>",
        d1 = dummy("d1", ""),
        d2 = dummy(
            "d2",
            "<meta_attributes id=\"d2-meta\"><nvpair id=\"d2-mt\" name=\"migration-threshold\" value=\"2\"/></meta_attributes>"
        ),
        d3 = dummy("d3", ""),
        g1 = dummy("g1", ""),
        g2 = dummy("g2", ""),
        cd = dummy("cd", ""),
    )
}

const EXCLUSIVE: [&str; 5] = ["d1", "d2", "d3", "g1", "g2"];

/// Boots `n` nodes with empty disks, then loads `cib` through node 2's admin interface.
fn cold_start(n: u32, cib: &str) -> Sim {
    let mut sim = Sim::new(n);
    sim.exclusive = EXCLUSIVE.iter().map(|s| s.to_string()).collect();
    for id in 1..=n {
        sim.boot_with(id, None);
    }
    sim.set_parts(vec![(1..=n).collect()]);
    sim.settle(60_000);
    let root = xml::parse(cib).expect("test CIB parses");
    sim.admin(2, 1, CibOp::Replace(root));
    sim.settle(120_000);
    sim
}

fn assert_replicas_identical(sim: &Sim, ids: &[u32]) {
    let first = sim.cib_xml(ids[0]);
    for &id in &ids[1..] {
        assert_eq!(sim.cib_xml(id), first, "replica of node{id} differs");
    }
}

fn assert_each_exclusive_runs_once(sim: &Sim) {
    for r in EXCLUSIVE {
        assert_eq!(
            sim.running_on(r).len(),
            1,
            "{r} runs on {:?}",
            sim.running_on(r)
        );
    }
    assert_eq!(
        sim.running_on("g1"),
        sim.running_on("g2"),
        "group members together"
    );
    assert!(
        sim.double_active.is_empty(),
        "double active: {:?}",
        sim.double_active
    );
}

fn status_node_state<'a>(root: &'a Element, uname: &str) -> &'a Element {
    root.child("status")
        .and_then(|s| {
            s.children_named("node_state")
                .find(|n| n.attr("uname") == Some(uname))
        })
        .expect("node_state")
}

fn transient(root: &Element, uname: &str, name: &str) -> Option<String> {
    status_node_state(root, uname)
        .child("transient_attributes")?
        .child("instance_attributes")?
        .children_named("nvpair")
        .find(|nv| nv.attr("name") == Some(name))?
        .attr("value")
        .map(str::to_string)
}

#[test]
fn cold_start_elects_one_dc_and_starts_everything() {
    let mut sim = cold_start(3, &config(false, ""));
    // One DC, the longest-standing member, agreed by all.
    assert_eq!(sim.dcs(), vec![Some(1), Some(1), Some(1)]);
    assert_eq!(sim.acting_dcs(), vec![1]);
    assert_eq!(sim.nodes[1].replies, vec![(1, Ok(()))]);
    assert_each_exclusive_runs_once(&sim);
    assert_eq!(sim.running_on("cd").len(), 3, "clone instance per node");
    assert_replicas_identical(&sim, &[1, 2, 3]);
    // Results are recorded as Pacemaker records them.
    let cib = sim.ctrl(1).cib().expect("cib").clone();
    let cib = &cib;
    let on = sim.running_on("d1");
    let ns = status_node_state(cib, &on[0]);
    let lrm = ns
        .child("lrm")
        .and_then(|l| l.child("lrm_resources"))
        .and_then(|l| l.children_named("lrm_resource").find(|r| r.id() == "d1"))
        .expect("d1 history");
    let last = lrm
        .children_named("lrm_rsc_op")
        .find(|o| o.id() == "d1_last_0")
        .expect("d1_last_0");
    for attr in [
        "id",
        "operation_key",
        "operation",
        "crm-debug-origin",
        "crm_feature_set",
        "transition-key",
        "transition-magic",
        "exit-reason",
        "on_node",
        "call-id",
        "rc-code",
        "op-status",
        "interval",
        "last-rc-change",
        "exec-time",
        "queue-time",
    ] {
        assert!(last.attr(attr).is_some(), "d1_last_0 lacks {attr}");
    }
    assert_eq!(last.attr("operation"), Some("start"));
    assert_eq!(last.attr("rc-code"), Some("0"));
    assert!(lrm
        .children_named("lrm_rsc_op")
        .any(|o| o.id() == "d1_monitor_10000"));
    assert_eq!(ns.attr("in_ccm"), Some("true"));
    assert_eq!(ns.attr("join"), Some("member"));
    assert_eq!(cib.attr("have-quorum"), Some("1"));
    assert_eq!(cib.attr("dc-uuid"), Some("1"));
    // Every node persisted what it holds; only the DC saved scheduler inputs.
    assert!(
        sim.nodes.iter().all(|n| n.disk_dirty),
        "every replica changed"
    );
    sim.write_disks();
    for n in &sim.nodes {
        assert_eq!(n.disk.as_deref(), Some(sim.cib_xml(n.id).as_str()));
    }
    assert!(sim.nodes[0].pe_inputs > 0);
    assert_eq!(sim.nodes[1].pe_inputs + sim.nodes[2].pe_inputs, 0);
    // The scheduler has nothing left to do on the live CIB.
    let parsed = cib::Cib::from_element(cib.clone()).expect("live CIB parses");
    let s = scheduler::schedule(&parsed, (sim.now / 1000) as i64);
    assert!(
        s.transition.summary.is_empty(),
        "live CIB still wants: {:?}",
        s.transition.summary
    );
    // And so has Pacemaker's: the live CIB is one Pacemaker's own tools accept as is.
    if let Some(summary) = debian_crm_simulate(cib) {
        assert!(summary.is_empty(), "Pacemaker would still do: {summary:?}");
    }
}

#[test]
fn node_loss_restarts_its_resources_elsewhere_exactly_once() {
    let mut sim = cold_start(3, &config(false, ""));
    // Crash the node running the group.
    let victim_name = sim.running_on("g1")[0].clone();
    let victim: u32 = victim_name.trim_start_matches("node").parse().expect("id");
    let moved: Vec<&str> = EXCLUSIVE
        .iter()
        .copied()
        .filter(|r| sim.running_on(r) == vec![victim_name.clone()])
        .collect();
    assert!(moved.contains(&"g1"));
    sim.crash(victim);
    let took = sim.settle(120_000);
    let survivors: Vec<u32> = (1..=3).filter(|&i| i != victim).collect();
    assert_each_exclusive_runs_once(&sim);
    for r in &moved {
        assert_ne!(
            sim.running_on(r),
            vec![victim_name.clone()],
            "{r} still on the victim"
        );
    }
    assert_eq!(sim.running_on("cd").len(), 2);
    assert_replicas_identical(&sim, &survivors);
    let cib = sim.ctrl(survivors[0]).cib().expect("cib");
    let ns = status_node_state(cib, &victim_name);
    assert_eq!(ns.attr("in_ccm"), Some("false"));
    assert_eq!(ns.attr("crmd"), Some("offline"));
    // Logical time: without fencing, recovery first waits unfenced-recovery-delay (the
    // victim may still be stopping its resources), then one exec latency per dependency
    // level, not wall time.
    let delay = controller::limits::DEFAULT_UNFENCED_RECOVERY_DELAY_MS;
    assert!(
        (delay..delay + 5_000).contains(&took),
        "recovery took {took} ms of simulated time"
    );
    // The victim comes back: no resource moves back twice or runs twice.
    sim.restart(victim);
    let mut parts = survivors.clone();
    parts.push(victim);
    sim.set_parts(vec![parts]);
    sim.settle(120_000);
    assert_each_exclusive_runs_once(&sim);
    assert_eq!(sim.running_on("cd").len(), 3);
    assert_replicas_identical(&sim, &[1, 2, 3]);
}

#[test]
fn dc_loss_elects_the_next_member_and_recovers() {
    let mut sim = cold_start(3, &config(false, ""));
    sim.crash(1);
    sim.settle(120_000);
    assert_eq!(sim.acting_dcs(), vec![2]);
    assert_each_exclusive_runs_once(&sim);
    for r in EXCLUSIVE {
        assert_ne!(sim.running_on(r), vec!["node1".to_string()]);
    }
    assert_replicas_identical(&sim, &[2, 3]);
}

#[test]
fn monitor_failure_restarts_then_migration_threshold_moves() {
    let mut sim = cold_start(3, &config(false, ""));
    // d1: unlimited threshold, restarts in place.
    let home = sim.running_on("d1")[0].clone();
    let home_id: u32 = home.trim_start_matches("node").parse().expect("id");
    sim.nodes[(home_id - 1) as usize].exec.running.remove("d1");
    sim.run_for(10_500);
    sim.settle(60_000);
    assert_eq!(
        sim.running_on("d1"),
        vec![home.clone()],
        "restarted in place"
    );
    let cib = sim.ctrl(1).cib().expect("cib").clone();
    assert_eq!(
        transient(&cib, &home, "fail-count-d1#monitor_10000").as_deref(),
        Some("1")
    );
    assert!(transient(&cib, &home, "last-failure-d1#monitor_10000").is_some());
    let failure = status_node_state(&cib, &home)
        .child("lrm")
        .and_then(|l| l.child("lrm_resources"))
        .and_then(|l| l.children_named("lrm_resource").find(|r| r.id() == "d1"))
        .and_then(|r| {
            r.children_named("lrm_rsc_op")
                .find(|o| o.id() == "d1_last_failure_0")
        })
        .expect("failure recorded");
    assert_eq!(failure.attr("rc-code"), Some("7"));
    // d2: migration-threshold=2, moves after the second failure.
    let home = sim.running_on("d2")[0].clone();
    let home_id: u32 = home.trim_start_matches("node").parse().expect("id");
    sim.nodes[(home_id - 1) as usize].exec.running.remove("d2");
    sim.run_for(10_500);
    sim.settle(60_000);
    assert_eq!(
        sim.running_on("d2"),
        vec![home.clone()],
        "first failure: restart"
    );
    sim.nodes[(home_id - 1) as usize].exec.running.remove("d2");
    sim.run_for(10_500);
    sim.settle(60_000);
    let now_on = sim.running_on("d2");
    assert_eq!(now_on.len(), 1);
    assert_ne!(now_on[0], home, "second failure: moved away");
    let cib = sim.ctrl(2).cib().expect("cib").clone();
    assert_eq!(
        transient(&cib, &home, "fail-count-d2#monitor_10000").as_deref(),
        Some("2")
    );
    // Cleanup forgets the failures.
    sim.admin(
        3,
        7,
        CibOp::Cleanup {
            rsc: "d2".into(),
            node: None,
        },
    );
    sim.settle(60_000);
    let cib = sim.ctrl(3).cib().expect("cib").clone();
    assert_eq!(transient(&cib, &home, "fail-count-d2#monitor_10000"), None);
    assert_eq!(sim.running_on("d2").len(), 1);
    assert_replicas_identical(&sim, &[1, 2, 3]);
}

#[test]
fn failed_start_sets_infinite_fail_count_and_moves() {
    let mut sim = cold_start(3, &config(false, ""));
    let home = sim.running_on("d3")[0].clone();
    let home_id: u32 = home.trim_start_matches("node").parse().expect("id");
    // The monitor finds d3 dead; the restart's start fails too.
    let exec = &mut sim.nodes[(home_id - 1) as usize].exec;
    exec.running.remove("d3");
    exec.fail_next.insert(("d3".into(), "start".into()));
    sim.run_for(10_500);
    sim.settle(60_000);
    let on = sim.running_on("d3");
    assert_eq!(on.len(), 1, "{on:?}");
    assert_ne!(on[0], home, "a failed start bans the node");
    let cib = sim.ctrl(1).cib().expect("cib").clone();
    assert_eq!(
        transient(&cib, &home, "fail-count-d3#start_0").as_deref(),
        Some("INFINITY")
    );
    assert_eq!(
        transient(&cib, &home, "fail-count-d3#monitor_10000").as_deref(),
        Some("1")
    );
    assert_each_exclusive_runs_once(&sim);
}

#[test]
fn partition_minority_stops_majority_runs_and_heal_merges() {
    let mut sim = cold_start(3, &config(false, ""));
    sim.exclusive.clear(); // both sides run resources until the heal: no fencing here
    let before = sim.nodes[2].exec.log.len();
    sim.set_parts(vec![vec![1, 2], vec![3]]);
    sim.settle(120_000);
    assert_eq!(sim.acting_dcs(), vec![1, 3], "one DC per side");
    let minority_starts: Vec<_> = sim.nodes[2].exec.log[before..]
        .iter()
        .filter(|(_, a, _)| a == "start")
        .collect();
    assert!(
        minority_starts.is_empty(),
        "minority started {minority_starts:?}"
    );
    let minority = sim.ctrl(3).cib().expect("cib").clone();
    let majority = sim.ctrl(1).cib().expect("cib").clone();
    assert_eq!(minority.attr("have-quorum"), Some("0"));
    assert_eq!(majority.attr("have-quorum"), Some("1"));
    // The majority runs every resource, each once, none on the lost node.
    for r in EXCLUSIVE {
        let on: Vec<String> = sim
            .running_on(r)
            .into_iter()
            .filter(|n| n != "node3")
            .collect();
        assert_eq!(on.len(), 1, "{r} on {on:?} in the majority");
    }
    // The minority stopped everything, and Pacemaker itself agrees with the minority's
    // live CIB: nothing to do but what no quorum blocks.
    assert!(
        sim.nodes[2].exec.running.is_empty(),
        "minority still runs {:?}",
        sim.nodes[2].exec.running
    );
    if let Some(summary) = debian_crm_simulate(&minority) {
        for line in &summary {
            assert!(line.ends_with("due to no quorum (blocked)"), "{line}");
        }
    }
    let v_major = sim.ctrl(1).version().expect("v");
    let v_minor = sim.ctrl(3).version().expect("v");
    // Heal: one cluster, one DC, every resource active exactly once again.
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.settle(120_000);
    sim.exclusive = EXCLUSIVE.iter().map(|s| s.to_string()).collect();
    assert_eq!(sim.acting_dcs(), vec![1]);
    assert_each_exclusive_runs_once(&sim);
    assert_eq!(sim.running_on("cd").len(), 3);
    assert_replicas_identical(&sim, &[1, 2, 3]);
    let merged = sim.ctrl(3).version().expect("v");
    assert!(
        merged > v_major.max(v_minor),
        "{merged:?} vs {v_major:?} {v_minor:?}"
    );
}

#[test]
fn isolated_node_stops_its_resources_before_its_ring_forms() {
    let mut sim = cold_start(3, &config(false, ""));
    let on3: Vec<String> = sim.nodes[2].exec.running.keys().cloned().collect();
    assert!(!on3.is_empty(), "node3 runs something to stop");
    let before = sim.nodes[2].exec.log.len();
    // The token is lost; no ring yet, and no message crosses the cut.
    sim.cut(vec![vec![1, 2], vec![3]]);
    sim.input(3, controller::Input::Isolated);
    sim.run_for(500);
    assert!(
        sim.nodes[2].exec.running.is_empty(),
        "node3 still runs {:?} (had {on3:?})",
        sim.nodes[2].exec.running
    );
    let actions: Vec<_> = sim.nodes[2].exec.log[before..].to_vec();
    assert!(
        actions
            .iter()
            .all(|(_, a, _)| a == "stop" || a == "demote" || a == "cancel"),
        "{actions:?}"
    );
    // The groups stop in reverse order: g2 before g1.
    let pos = |r: &str| actions.iter().position(|(x, a, _)| x == r && a == "stop");
    if let (Some(g1), Some(g2)) = (pos("g1"), pos("g2")) {
        assert!(g2 < g1, "g2 stops before g1: {actions:?}");
    }
    // The rings form; the majority recovers, the minority stays stopped.
    sim.set_parts(vec![vec![1, 2], vec![3]]);
    sim.settle(120_000);
    assert!(sim.nodes[2].exec.running.is_empty());
    for r in EXCLUSIVE {
        assert_eq!(sim.running_on(r).len(), 1, "{r} on {:?}", sim.running_on(r));
    }
    // Heal: one cluster, each resource once, replicas identical.
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.settle(120_000);
    assert_each_exclusive_runs_once(&sim);
    assert_eq!(sim.running_on("cd").len(), 3);
    assert_replicas_identical(&sim, &[1, 2, 3]);
}

#[test]
fn removed_resources_are_stopped_and_their_histories_deleted() {
    let mut sim = cold_start(3, &config(false, ""));
    let was_on = sim.running_on("d1");
    assert_eq!(was_on.len(), 1);
    // The same configuration without d1.
    let cib = config(false, "").replace(&dummy("d1", ""), "");
    let mut root = xml::parse(&cib).expect("test CIB parses");
    root.set_attr("epoch", "50");
    sim.admin(1, 7, CibOp::Replace(root));
    sim.settle(120_000);
    assert!(sim.running_on("d1").is_empty(), "d1 still runs");
    // The same transition deleted every node's history of d1, after its stop.
    for id in 1..=3 {
        let cib = sim.ctrl(id).cib().expect("cib").clone();
        let left: Vec<String> = cib
            .child("status")
            .into_iter()
            .flat_map(|s| s.children_named("node_state"))
            .filter_map(|n| n.child("lrm"))
            .filter_map(|l| l.child("lrm_resources"))
            .flat_map(|l| l.children_named("lrm_resource"))
            .map(|r| r.id().to_string())
            .filter(|r| r == "d1")
            .collect();
        assert!(left.is_empty(), "node{id} keeps d1's history");
    }
    assert_replicas_identical(&sim, &[1, 2, 3]);
}

#[test]
fn a_dc_wrongly_taken_for_cut_off_recovers_when_its_ring_reforms() {
    let mut sim = cold_start(3, &config(false, ""));
    assert_eq!(sim.acting_dcs(), vec![1]);
    // The DC loses the token, takes itself for cut off and stops what it runs; the ring
    // then re-forms with the same members (no membership change).
    sim.cut(vec![vec![1], vec![2, 3]]);
    sim.input(1, controller::Input::Isolated);
    sim.cut(vec![vec![1, 2, 3]]);
    sim.settle(120_000);
    assert_eq!(sim.acting_dcs(), vec![1]);
    assert_each_exclusive_runs_once(&sim);
    for r in EXCLUSIVE {
        assert_eq!(sim.running_on(r).len(), 1, "{r} on {:?}", sim.running_on(r));
    }
    assert_eq!(sim.running_on("cd").len(), 3);
    assert_replicas_identical(&sim, &[1, 2, 3]);
}

#[test]
fn isolation_stops_nothing_when_fencing_will_decide() {
    let mut sim = cold_start(3, &config(true, ""));
    let on3 = sim.nodes[2].exec.running.clone();
    sim.cut(vec![vec![1, 2], vec![3]]);
    sim.input(3, controller::Input::Isolated);
    sim.run_for(500);
    assert_eq!(sim.nodes[2].exec.running, on3);
}

/// Transition Summary lines of Debian's `crm_simulate -S` on `cib`, or `None` (with a
/// note) when Pacemaker's tools are not installed.
fn debian_crm_simulate(cib: &Element) -> Option<Vec<String>> {
    let bin = std::path::Path::new("/usr/sbin/crm_simulate");
    if !bin.exists() {
        eprintln!(
            "skipping the Pacemaker cross-check: {} not installed",
            bin.display()
        );
        return None;
    }
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "controller-live-{}-{}.xml",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::write(&path, cib.to_xml()).expect("write temp CIB");
    let out = std::process::Command::new(bin)
        .arg("-x")
        .arg(&path)
        .arg("-S")
        .output()
        .expect("run crm_simulate");
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "crm_simulate failed: {text}");
    let summary = text
        .split("Transition Summary:")
        .nth(1)
        .and_then(|t| t.split("Executing Cluster Transition:").next())
        .unwrap_or("");
    Some(
        summary
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches("* ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|l| !l.is_empty())
            .collect(),
    )
}

#[test]
fn rejoining_node_takes_the_newer_cib() {
    let mut sim = cold_start(3, &config(false, ""));
    sim.crash(3);
    sim.settle(60_000);
    let stale = sim.nodes[2].disk.clone().expect("node3 persisted");
    // The cluster moves on: a new resource while node3 is away.
    let mut p = xml::parse(&dummy("d4", "")).expect("primitive");
    p.line = 0;
    sim.admin(
        1,
        2,
        CibOp::Create {
            section: None,
            xml: p,
        },
    );
    sim.settle(60_000);
    assert_eq!(sim.running_on("d4").len(), 1);
    let newer = sim.ctrl(1).version().expect("v");
    let old = CibVersion::of(&xml::parse(&stale).expect("stale parses"));
    assert!(newer.epoch > old.epoch);
    sim.restart(3);
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.settle(60_000);
    assert!(
        sim.cib_xml(3).contains("id=\"d4\""),
        "node3 took the newer CIB"
    );
    assert_replicas_identical(&sim, &[1, 2, 3]);
    assert_eq!(sim.running_on("d4").len(), 1);
}

#[test]
fn stale_node_with_higher_admin_epoch_wins() {
    // admin_epoch dominates: a restored copy with a higher admin_epoch replaces the cluster's.
    let mut sim = cold_start(2, &config(false, ""));
    let mut restored = xml::parse(&config(false, "")).expect("cib");
    restored.set_attr("admin_epoch", "1");
    restored.set_attr("epoch", "1");
    sim.crash(2);
    sim.settle(60_000);
    sim.boot_with(2, Some(&restored.to_xml()));
    sim.set_parts(vec![vec![1, 2]]);
    sim.settle(60_000);
    assert_eq!(sim.ctrl(1).version().expect("v").admin_epoch, 1);
    assert_replicas_identical(&sim, &[1, 2]);
}

#[test]
fn corrupt_cib_on_one_node_is_replaced_from_peers() {
    let mut sim = cold_start(3, &config(false, ""));
    sim.crash(2);
    sim.settle(60_000);
    // cib-store reported the file corrupt: the node starts without a CIB.
    sim.boot_with(2, None);
    sim.set_parts(vec![vec![1, 3, 2]]);
    sim.settle(60_000);
    assert!(sim.cib_xml(2).contains("id=\"g1\""));
    assert_replicas_identical(&sim, &[1, 2, 3]);
    assert_each_exclusive_runs_once(&sim);
}

#[test]
fn fencing_precedes_recovery_when_stonith_is_enabled() {
    let mut sim = cold_start(3, &config(true, ""));
    assert_each_exclusive_runs_once(&sim);
    let victim_name = sim.running_on("g1")[0].clone();
    let victim: u32 = victim_name.trim_start_matches("node").parse().expect("id");
    // A network loss, not a crash: the node is still running its resources.
    let others: Vec<u32> = (1..=3).filter(|&i| i != victim).collect();
    sim.set_parts(vec![others.clone(), vec![victim]]);
    sim.settle(120_000);
    assert_eq!(sim.fenced.len(), 1, "fenced once: {:?}", sim.fenced);
    assert_eq!(sim.fenced[0].1, victim_name);
    assert_ne!(sim.fenced[0].0, victim_name, "fenced from another node");
    assert!(
        sim.nodes[(victim - 1) as usize].ctrl.is_none(),
        "fencing killed it"
    );
    for r in EXCLUSIVE {
        let on = sim.running_on(r);
        assert_eq!(on.len(), 1, "{r} on {on:?}");
    }
    assert!(sim.double_active.is_empty(), "{:?}", sim.double_active);
    let cib = sim.ctrl(others[0]).cib().expect("cib").clone();
    let ns = status_node_state(&cib, &victim_name);
    assert_eq!(ns.attr("expected"), Some("down"));
    assert!(ns.child("lrm").is_none(), "history erased after fencing");
}

#[test]
fn rolling_restart_keeps_services_up_without_fencing() {
    let mut sim = cold_start(3, &config(true, ""));
    assert_each_exclusive_runs_once(&sim);
    for id in [3, 1, 2] {
        let name = sim.name(id);
        sim.input(id, controller::Input::Shutdown);
        sim.settle(120_000);
        assert!(
            sim.nodes[(id - 1) as usize].shutdown_ready,
            "{name} not released"
        );
        assert!(
            sim.nodes[(id - 1) as usize].exec.running.is_empty(),
            "{name} still runs {:?}",
            sim.nodes[(id - 1) as usize].exec.running
        );
        // Everything runs elsewhere before the node goes.
        assert_each_exclusive_runs_once(&sim);
        sim.crash(id);
        sim.settle(120_000);
        assert!(
            sim.fenced.is_empty(),
            "a clean leave was fenced: {:?}",
            sim.fenced
        );
        assert_each_exclusive_runs_once(&sim);
        let survivor = (1..=3).find(|&i| i != id).expect("survivor");
        let cib = sim.ctrl(survivor).cib().expect("cib").clone();
        assert_eq!(
            status_node_state(&cib, &name).attr("expected"),
            Some("down")
        );
        sim.restart(id);
        let mut part = sim.parts[0].clone();
        part.push(id);
        sim.set_parts(vec![part]);
        sim.settle(120_000);
        assert_each_exclusive_runs_once(&sim);
        assert_eq!(sim.running_on("cd").len(), 3, "clone back on {name}");
        let cib = sim.ctrl(id).cib().expect("cib").clone();
        assert_eq!(transient(&cib, &name, "shutdown"), None);
    }
    assert_replicas_identical(&sim, &[1, 2, 3]);
}

#[test]
fn transient_attributes_are_replicated_and_deleted() {
    let mut sim = cold_start(3, &config(false, ""));
    let v0 = sim.ctrl(1).version().expect("v");
    sim.admin(
        2,
        10,
        CibOp::SetAttr {
            node: "node3".into(),
            name: "pingd".into(),
            value: Some("100".into()),
        },
    );
    sim.settle(60_000);
    assert!(sim.nodes[1].replies.contains(&(10, Ok(()))));
    for id in 1..=3 {
        let cib = sim.ctrl(id).cib().expect("cib").clone();
        assert_eq!(transient(&cib, "node3", "pingd").as_deref(), Some("100"));
    }
    // A status change bumps num_updates only.
    let v1 = sim.ctrl(3).version().expect("v");
    assert_eq!((v1.admin_epoch, v1.epoch), (v0.admin_epoch, v0.epoch));
    assert!(v1.num_updates > v0.num_updates);
    // A configuration change bumps epoch and resets num_updates.
    let mut prop = Element::new("nvpair");
    prop.set_attr("id", "o-recheck");
    prop.set_attr("name", "cluster-recheck-interval");
    prop.set_attr("value", "5min");
    let mut set = Element::new("cluster_property_set");
    set.set_attr("id", "cib-bootstrap-options");
    set.children.push(prop);
    sim.admin(3, 13, CibOp::Modify(set));
    sim.settle(60_000);
    assert!(sim.nodes[2].replies.contains(&(13, Ok(()))));
    let v2 = sim.ctrl(1).version().expect("v");
    assert_eq!(v2.epoch, v1.epoch + 1);
    assert!(sim.cib_xml(2).contains("cluster-recheck-interval"));
    sim.admin(
        1,
        11,
        CibOp::SetAttr {
            node: "node3".into(),
            name: "pingd".into(),
            value: None,
        },
    );
    sim.admin(
        1,
        12,
        CibOp::SetAttr {
            node: "nosuch".into(),
            name: "pingd".into(),
            value: Some("1".into()),
        },
    );
    sim.settle(60_000);
    let cib = sim.ctrl(2).cib().expect("cib").clone();
    assert_eq!(transient(&cib, "node3", "pingd"), None);
    let refused = sim.nodes[0]
        .replies
        .iter()
        .find(|(r, _)| *r == 12)
        .expect("reply to 12");
    assert!(
        refused.1.as_ref().is_err_and(|e| e.contains("nosuch")),
        "{refused:?}"
    );
    assert_replicas_identical(&sim, &[1, 2, 3]);
}

#[test]
fn standby_attribute_moves_resources_away() {
    let mut sim = cold_start(3, &config(false, ""));
    let home = sim.running_on("g1")[0].clone();
    sim.admin(
        1,
        20,
        CibOp::SetAttr {
            node: home.clone(),
            name: "standby".into(),
            value: Some("on".into()),
        },
    );
    sim.settle(60_000);
    for r in EXCLUSIVE {
        assert_ne!(
            sim.running_on(r),
            vec![home.clone()],
            "{r} left the standby node"
        );
    }
    assert_each_exclusive_runs_once(&sim);
    assert!(!sim.running_on("cd").contains(&home));
}

#[test]
fn dc_crash_mid_transition_never_runs_a_resource_twice() {
    let mut sim = Sim::new(3);
    sim.exclusive = EXCLUSIVE.iter().map(|s| s.to_string()).collect();
    for id in 1..=3 {
        sim.boot_with(id, None);
    }
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.settle(60_000);
    sim.admin(
        2,
        1,
        CibOp::Replace(xml::parse(&config(false, "")).expect("cib")),
    );
    // Probes take one agent latency; kill the DC while the starts are in flight.
    sim.run_for(harness::OP_LATENCY_MS + harness::OP_LATENCY_MS / 2 + 5);
    let in_flight: usize = sim
        .nodes
        .iter()
        .map(|n| n.exec.log.iter().filter(|(_, a, _)| a == "start").count())
        .sum();
    assert!(in_flight > 0, "starts were dispatched before the crash");
    sim.crash(1);
    sim.settle(120_000);
    assert_eq!(sim.acting_dcs(), vec![2]);
    assert_each_exclusive_runs_once(&sim);
    assert_eq!(sim.running_on("cd").len(), 2);
    assert_replicas_identical(&sim, &[2, 3]);
}

/// `count` Dummy primitives with the given cluster properties (no fencing).
fn many(count: usize, props: &str) -> String {
    let rscs: String = (1..=count).map(|i| dummy(&format!("m{i}"), "")).collect();
    format!(
        "<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"5\" num_updates=\"0\" admin_epoch=\"0\">\
         <configuration><crm_config><cluster_property_set id=\"cib-bootstrap-options\">\
         <nvpair id=\"o-stonith\" name=\"stonith-enabled\" value=\"false\"/>{props}\
         </cluster_property_set></crm_config><nodes/><resources>{rscs}</resources>\
         <constraints/></configuration><status/></cib>"
    )
}

fn all_started_once(sim: &Sim, count: usize) {
    for i in 1..=count {
        assert_eq!(sim.running_on(&format!("m{i}")).len(), 1, "m{i} runs once");
    }
}

#[test]
fn node_action_limit_bounds_each_nodes_actions_in_flight() {
    let props = "<nvpair id=\"o-nal\" name=\"node-action-limit\" value=\"2\"/>";
    let sim = cold_start(3, &many(15, props));
    all_started_once(&sim, 15);
    for n in &sim.nodes {
        assert!(
            n.exec.max_pending <= 2,
            "{} had {} actions at once",
            n.name,
            n.exec.max_pending
        );
        assert_eq!(n.exec.max_pending, 2, "{} used its two slots", n.name);
    }
}

#[test]
fn without_node_action_limit_each_node_takes_what_it_announced() {
    // Each controller announces 4 jobs (the harness keeps the default); 15 resources
    // probe 15 times per node, so every node fills its 4 slots and never more.
    let sim = cold_start(3, &many(15, ""));
    all_started_once(&sim, 15);
    for n in &sim.nodes {
        assert_eq!(n.exec.max_pending, 4, "{}", n.name);
    }
}

#[test]
fn batch_limit_bounds_the_whole_clusters_actions_in_flight() {
    let props = "<nvpair id=\"o-bl\" name=\"batch-limit\" value=\"3\"/>";
    let sim = cold_start(3, &many(15, props));
    all_started_once(&sim, 15);
    assert_eq!(sim.max_pending_total, 3);
}

#[test]
fn first_monitors_wait_until_every_start_is_dispatched() {
    let sim = cold_start(3, &many(15, ""));
    all_started_once(&sim, 15);
    for n in &sim.nodes {
        let log = &n.exec.log;
        let first_monitor = log
            .iter()
            .position(|(r, a, i)| r.starts_with('m') && a == "monitor" && *i > 0);
        let last_start = log
            .iter()
            .rposition(|(r, a, _)| r.starts_with('m') && a == "start");
        if let (Some(m), Some(s)) = (first_monitor, last_start) {
            assert!(
                m > s,
                "{}: a monitor before the last start: {log:?}",
                n.name
            );
        }
    }
}
