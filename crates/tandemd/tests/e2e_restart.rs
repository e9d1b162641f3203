//! End-to-end: rolling and full-cluster restarts of a real 3-node cluster (namespaces
//! `tde-*`, 10.204.0.0/24). Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use e2e::{config, settled, Cluster};

/// Asserts that node `i` (stopped) runs none of the resources, by the agents' own view.
fn runs_nothing(c: &Cluster, i: usize) {
    assert!(!c.vip_addr_on().contains(&i), "VIP left on stopped node{i}");
    for rsc in ["a", "b", "c"] {
        assert!(
            !c.dummy_on(rsc).contains(&i),
            "{rsc} left running on stopped node{i}"
        );
    }
    assert!(
        c.stateful_on("st").iter().all(|(n, _)| *n != i),
        "Stateful left running on stopped node{i}"
    );
}

#[test]
fn rolling_restart_keeps_the_vip_answering() {
    if !e2e::enabled("rolling_restart_keeps_the_vip_answering") {
        return;
    }
    let (mut c, _) = Cluster::start_services(&[("stonith-enabled", "false")]);
    assert!(c.vip_answers(1000), "VIP answers before the restarts");

    // Sample the VIP from the hub every 100 ms through the whole rolling restart.
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = Arc::clone(&stop);
    let t0 = Instant::now();
    let sampler = std::thread::spawn(move || {
        let mut samples = Vec::new();
        while !stop2.load(Ordering::SeqCst) {
            let at = t0.elapsed();
            samples.push((at, e2e::vip_answers(300)));
            std::thread::sleep(Duration::from_millis(100));
        }
        samples
    });
    for i in 1..=3 {
        let took = c.terminate(i, Duration::from_secs(30));
        eprintln!("node{i} stopped cleanly in {} ms", took.as_millis());
        runs_nothing(&c, i);
        let others: Vec<usize> = (1..=3).filter(|&n| n != i).collect();
        c.wait(
            &format!("the services on the others while node{i} is down"),
            Duration::from_secs(20),
            || settled(&c, others[0], 2),
        );
        c.start_node(i);
        c.wait_joined(&[1, 2, 3]);
        c.wait(
            &format!("everything running after node{i} rejoined"),
            Duration::from_secs(20),
            || settled(&c, i, 3),
        );
    }
    stop.store(true, Ordering::SeqCst);
    let samples = sampler.join().expect("sampler");
    // The longest time the VIP did not answer (between the last answer before a gap and
    // the first answer after it).
    let mut worst = Duration::ZERO;
    let mut last_ok = Duration::ZERO;
    for (at, ok) in &samples {
        if *ok {
            worst = worst.max(at.saturating_sub(last_ok));
            last_ok = *at;
        }
    }
    let failed = samples.iter().filter(|(_, ok)| !ok).count();
    eprintln!(
        "VIP: {} samples, {failed} unanswered, longest gap between answers {} ms",
        samples.len(),
        worst.as_millis()
    );
    assert!(
        samples.last().is_some_and(|(_, ok)| *ok),
        "VIP answers at the end"
    );
    // A clean move stops the VIP on one node and starts it on another: a short gap, never
    // an outage.
    assert!(
        worst < Duration::from_millis(2000),
        "VIP unanswered for {} ms during the rolling restart",
        worst.as_millis()
    );
    // Nothing runs twice at the end.
    assert_eq!(c.vip_addr_on().len(), 1, "VIP on one node");
    assert_eq!(c.dummy_on("a"), c.vip_addr_on(), "a with the VIP");
}

/// The configuration's sections that a restart must keep, as XML.
fn kept_sections(cib: &str) -> Vec<String> {
    let Ok(root) = cib::xml::parse(cib) else {
        return Vec::new();
    };
    let Some(cfg) = root.child("configuration") else {
        return Vec::new();
    };
    ["crm_config", "resources", "constraints"]
        .iter()
        .map(|s| cfg.child(s).map(|e| e.to_xml()).unwrap_or_default())
        .collect()
}

#[test]
fn full_cluster_restart_keeps_the_configuration() {
    if !e2e::enabled("full_cluster_restart_keeps_the_configuration") {
        return;
    }
    let mut c = Cluster::start(3);
    c.wait_joined(&[1, 2, 3]);
    c.configure(&config(
        &[
            ("stonith-enabled", "false"),
            ("cluster-recheck-interval", "5min"),
        ],
        "",
        r#"<rsc_location id="prefer-vip" rsc="g" node="node2" score="50"/>"#,
    ));
    c.wait(
        "everything started on node2",
        Duration::from_secs(30),
        || settled(&c, 1, 3).filter(|n| n == "node2"),
    );
    let before = kept_sections(&c.query(1));
    assert!(before.iter().all(|s| !s.is_empty()), "{before:?}");
    for i in 1..=3 {
        c.terminate(i, Duration::from_secs(30));
        runs_nothing(&c, i);
    }
    for i in 1..=3 {
        c.start_node(i);
    }
    c.wait_joined(&[1, 2, 3]);
    for i in 1..=3 {
        assert_eq!(
            kept_sections(&c.query(i)),
            before,
            "node{i}'s configuration after the restart"
        );
    }
    // And it runs again as configured (the location constraint survived too).
    c.wait(
        "everything started again on node2",
        Duration::from_secs(30),
        || settled(&c, 1, 3).filter(|n| n == "node2"),
    );
}

#[test]
fn corrupted_cib_file_is_detected_and_replaced_from_the_others() {
    if !e2e::enabled("corrupted_cib_file_is_detected_and_replaced_from_the_others") {
        return;
    }
    let (mut c, _) = Cluster::start_services(&[("stonith-enabled", "false")]);
    let good = kept_sections(&c.query(2));
    // node1 stops cleanly; while it is down one byte of its stored CIB changes: the VIP's
    // address. The file still parses and carries the same version as the others' copies,
    // so only the checksum tells it apart — and node1, the longest-standing member, would
    // win the tie if it trusted the file.
    c.terminate(1, Duration::from_secs(30));
    let path = c.node_dir(1).join("state/cib/cib.xml");
    let text = std::fs::read_to_string(&path).expect("node1's stored CIB");
    let wanted = format!("value=\"{}\"", e2e::VIP);
    assert!(text.contains(&wanted), "the VIP in {}", path.display());
    let forged = text.replacen(&wanted, "value=\"10.204.0.199\"", 1);
    assert_eq!(forged.len(), text.len());
    std::fs::write(&path, forged).expect("corrupt node1's CIB");

    c.start_node(1);
    c.wait_joined(&[1, 2, 3]);
    c.wait(
        "node1's CIB to equal the others'",
        Duration::from_secs(20),
        || (kept_sections(&c.query(1)) == good).then_some(()),
    );
    let log = c.log(1);
    assert!(
        log.contains("corrupt CIB: checksum mismatch"),
        "node1's log does not report the corrupt CIB:\n{}",
        c.logs()
    );
    // The replacement is written (and logged) by the resource manager's disk writer,
    // a moment after the replica itself took the cluster's copy.
    c.wait(
        "node1's log to report the replacement",
        Duration::from_secs(10),
        || {
            c.log(1)
                .contains("replaced the unusable stored CIB with the cluster's copy")
                .then_some(())
        },
    );
    // The file on disk is the cluster's copy again, and the cluster still serves the VIP at
    // its configured address, nowhere the forged one.
    c.wait("node1's file rewritten", Duration::from_secs(10), || {
        let t = std::fs::read_to_string(&path).unwrap_or_default();
        (t.contains(&wanted) && !t.contains("10.204.0.199")).then_some(())
    });
    c.wait("everything running", Duration::from_secs(20), || {
        settled(&c, 1, 3)
    });
    assert_eq!(c.vip_addr_on().len(), 1, "VIP on one node");
    for i in 1..=3 {
        let out = std::process::Command::new("ip")
            .args(["-n", &c.ns(i), "-o", "addr", "show"])
            .output()
            .expect("ip addr");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("10.204.0.199"),
            "the forged address runs on node{i}"
        );
    }
}
