//! failure-timeout end to end over the simulated group: a resource moved away by
//! migration-threshold comes back once its fail count expires — the DC rechecks at the
//! expiry (the graph's `recheck-by`), not only every cluster-recheck-interval, and its
//! `clear_failcount` deletes the fail count while the operation history stays.

mod harness;

use cib::xml::Element;
use controller::CibOp;
use harness::Sim;

fn transient(root: &Element, uname: &str, prefix: &str) -> Vec<String> {
    root.child("status")
        .into_iter()
        .flat_map(|s| s.children_named("node_state"))
        .filter(|n| n.attr("uname") == Some(uname))
        .flat_map(|n| n.children_named("transient_attributes"))
        .flat_map(|t| t.children_named("instance_attributes"))
        .flat_map(|s| s.children_named("nvpair"))
        .filter_map(|nv| nv.attr("name"))
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

fn has_failure_record(root: &Element, uname: &str, rsc: &str) -> bool {
    root.child("status")
        .into_iter()
        .flat_map(|s| s.children_named("node_state"))
        .filter(|n| n.attr("uname") == Some(uname))
        .filter_map(|n| n.child("lrm")?.child("lrm_resources"))
        .flat_map(|l| l.children_named("lrm_resource"))
        .filter(|r| r.id() == rsc)
        .flat_map(|r| r.children_named("lrm_rsc_op"))
        .any(|o| o.id() == format!("{rsc}_last_failure_0"))
}

#[test]
fn a_resource_moved_by_migration_threshold_returns_when_its_failure_expires() {
    // The default cluster-recheck-interval (15 min) is far longer than the test.
    let d1 = "<primitive id=\"d1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\
              <meta_attributes id=\"d1-meta\">\
              <nvpair id=\"d1-mt\" name=\"migration-threshold\" value=\"1\"/>\
              <nvpair id=\"d1-ft\" name=\"failure-timeout\" value=\"20s\"/>\
              <nvpair id=\"d1-st\" name=\"resource-stickiness\" value=\"0\"/>\
              </meta_attributes>\
              <operations><op id=\"d1-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>\
              </operations></primitive>";
    let prefer = "<constraints><rsc_location id=\"d1-prefers-node3\" rsc=\"d1\" node=\"node3\" score=\"100\"/></constraints>";
    let xml = harness::cib_with(&[("stonith-enabled", "false")], d1, "")
        .replace("<constraints/>", prefer);
    let mut sim = Sim::three_running(&xml);
    assert_eq!(sim.running_on("d1"), vec!["node3".to_string()]);

    // The monitor finds it stopped: migration-threshold=1 moves it away.
    sim.nodes[2].exec.running.remove("d1");
    sim.run_for(10_500);
    sim.settle(60_000);
    let away = sim.running_on("d1");
    assert_eq!(away.len(), 1);
    assert_ne!(
        away,
        vec!["node3".to_string()],
        "moved away after the failure"
    );
    let failed_at = sim.now;
    let cib = sim.ctrl(1).cib().expect("cib").clone();
    assert_eq!(
        transient(&cib, "node3", "fail-count-d1"),
        vec!["fail-count-d1#monitor_10000".to_string()]
    );

    // Within the timeout it stays away.
    sim.run_for(10_000);
    sim.settle(60_000);
    assert_eq!(sim.running_on("d1"), away, "still within failure-timeout");

    // Past it (20 s after the failure, plus the recheck's second), back home, with the
    // fail count cleared and the failure still in the history.
    let waited = sim.now - failed_at;
    sim.run_for(22_000u64.saturating_sub(waited));
    sim.settle(60_000);
    assert_eq!(sim.running_on("d1"), vec!["node3".to_string()], "back home");
    for id in 1..=3 {
        let cib = sim.ctrl(id).cib().expect("cib").clone();
        assert!(
            transient(&cib, "node3", "fail-count-d1").is_empty(),
            "fail count cleared on node{id}'s replica"
        );
        assert!(transient(&cib, "node3", "last-failure-d1").is_empty());
        assert!(has_failure_record(&cib, "node3", "d1"), "history kept");
    }
    // A cleanup still works on what is left.
    sim.admin(
        2,
        7,
        CibOp::Cleanup {
            rsc: "d1".into(),
            node: Some("node3".into()),
        },
    );
    sim.settle(60_000);
    assert_eq!(sim.running_on("d1"), vec!["node3".to_string()]);
}
