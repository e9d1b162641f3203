//! End-to-end: failure-timeout in a real 3-node cluster. A Dummy that prefers node1, with
//! migration-threshold=1 and failure-timeout=5s, moves away when its monitor fails there,
//! and comes back once the failure expires: the DC rechecks at the expiry (the graph's
//! `recheck-by`), clears the fail count (`clear_failcount`) and keeps the history.
//! Namespaces `tdt-*`, 10.204.5.0/24. Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{number, placement, Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tdt",
    octet: 5,
};

/// The failure-timeout of the test resource, in seconds.
const TIMEOUT_S: u64 = 5;

fn configuration() -> String {
    format!(
        r#"<configuration>
  <crm_config><cluster_property_set id="o">
    <nvpair id="o-stonith" name="stonith-enabled" value="false"/>
  </cluster_property_set></crm_config>
  <nodes/>
  <resources>
    <primitive id="ft" class="ocf" provider="heartbeat" type="Dummy">
      <meta_attributes id="ft-meta">
        <nvpair id="ft-mt" name="migration-threshold" value="1"/>
        <nvpair id="ft-ft" name="failure-timeout" value="{TIMEOUT_S}s"/>
        <nvpair id="ft-st" name="resource-stickiness" value="0"/>
      </meta_attributes>
      <operations><op id="ft-monitor-1s" name="monitor" interval="1s" timeout="20s"/></operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="ft-prefers-node1" rsc="ft" node="node1" score="100"/>
  </constraints>
</configuration>"#
    )
}

/// Names of `ft`'s fail-count and last-failure attributes on `node` in `cib`.
fn failure_attrs(cib: &str, node: &str) -> Vec<String> {
    let Ok(root) = cib::xml::parse(cib) else {
        return vec!["(unreadable CIB)".into()];
    };
    let mut out = Vec::new();
    let Some(status) = root.child("status") else {
        return out;
    };
    for ns in status.children_named("node_state") {
        if ns.attr("uname") != Some(node) {
            continue;
        }
        let mut stack = vec![ns];
        while let Some(e) = stack.pop() {
            if e.name == "nvpair" {
                if let Some(n) = e
                    .attr("name")
                    .filter(|n| n.starts_with("fail-count-ft") || n.starts_with("last-failure-ft"))
                {
                    out.push(n.to_string());
                }
            }
            stack.extend(e.children.iter());
        }
    }
    out.sort();
    out
}

#[test]
fn a_resource_moved_by_a_failure_returns_after_its_failure_timeout() {
    if !e2e::enabled("a_resource_moved_by_a_failure_returns_after_its_failure_timeout") {
        return;
    }
    let c = Cluster::start_in(LAB, 3);
    c.wait_joined(&[1, 2, 3]);
    c.configure(&configuration());
    c.wait("ft running on node1", Duration::from_secs(20), || {
        let cib = c.query(1);
        (placement(&cib, "ft") == vec!["node1".to_string()] && c.dummy_on("ft") == vec![1])
            .then_some(())
    });

    // Its monitor fails on node1: migration-threshold=1 moves it away.
    let failed = Instant::now();
    std::fs::remove_file(c.rsctmp(1).join("Dummy-ft.state")).expect("remove ft's state file");
    let away = c.wait("ft moved away from node1", Duration::from_secs(10), || {
        let cib = c.query(1);
        let p = placement(&cib, "ft");
        let fail_count = failure_attrs(&cib, "node1")
            .iter()
            .any(|n| n.starts_with("fail-count-ft#monitor_1000"));
        (fail_count && p.len() == 1 && p[0] != "node1" && c.dummy_on("ft") == vec![number(&p[0])])
            .then(|| number(&p[0]))
    });
    let moved_after = failed.elapsed();
    eprintln!(
        "ft moved node1 -> node{away} after {} ms",
        moved_after.as_millis()
    );

    // Back on node1 once the failure expired, the fail count gone from the live CIB.
    let back = c.wait(
        "ft back on node1 with its fail count cleared",
        Duration::from_secs(TIMEOUT_S + 10),
        || {
            let cib = c.query(2);
            (failure_attrs(&cib, "node1").is_empty()
                && placement(&cib, "ft") == vec!["node1".to_string()]
                && c.dummy_on("ft") == vec![1])
            .then(|| failed.elapsed())
        },
    );
    eprintln!(
        "ft back on node1 {} ms after the failure (failure-timeout {TIMEOUT_S} s)",
        back.as_millis()
    );
    // Not before the failure expired (the recorded times are whole seconds).
    assert!(
        back >= Duration::from_secs(TIMEOUT_S - 1),
        "ft came back after {back:?}, before its failure-timeout"
    );
    // Not at the next cluster-recheck-interval (15 min): at the expiry.
    assert!(
        back <= Duration::from_secs(TIMEOUT_S + 6),
        "ft came back only after {back:?}"
    );
    // Every replica agrees, and the failed operation stays in the history (crm_mon and
    // `tandem status` still list it under the failed actions).
    for i in 1..=3 {
        let cib = c.query(i);
        assert!(
            failure_attrs(&cib, "node1").is_empty(),
            "node{i} still has {:?}",
            failure_attrs(&cib, "node1")
        );
        assert!(
            cib.contains("ft_last_failure_0"),
            "node{i} lost the history"
        );
    }
    assert_eq!(c.dummy_on("ft"), vec![1], "ft runs on node1 only");
}
