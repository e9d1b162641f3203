//! End-to-end: a 2|1 network partition with no-quorum-policy=stop in a real 3-node cluster
//! (namespaces `tde-*`, 10.204.0.0/24). Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{placement, settled, snapshot, Cluster, Snapshot};

/// Records it when anything that must run once runs on two nodes (the test fails at the
/// end with every such moment, so its message shows how long it lasted).
fn never_twice(seen: &mut Vec<String>, t: Instant, s: &Snapshot, when: &str) {
    for (what, on) in [
        ("the VIP", &s.vip),
        ("a", &s.a),
        ("b", &s.b),
        ("the promoted Stateful", &s.promoted),
    ] {
        if on.len() > 1 {
            seen.push(format!(
                "{when} +{} ms: {what} active on {on:?} at once",
                t.elapsed().as_millis()
            ));
        }
    }
}

/// Seconds of the day of a log line's RFC 3339 timestamp (`2026-11-26T13:56:27.577719Z ...`).
fn log_secs(line: &str) -> Option<f64> {
    let time = line.get(11..26)?;
    let mut parts = time.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.trim_end_matches('Z').parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// The first line of `log` containing every one of `words`, after `after` (seconds of day).
fn first_after(log: &str, after: f64, words: &[&str]) -> Option<(f64, String)> {
    log.lines()
        .filter(|l| words.iter().all(|w| l.contains(w)))
        .filter_map(|l| Some((log_secs(l)?, l.to_string())))
        .find(|(t, _)| *t >= after)
}

/// From the nodes' logs: the cut-off node `h` finished stopping its resources before the
/// majority's DC computed the transition that starts them again (both logged with the
/// host's clock). Returns the margin in ms; the 50 ms polls of the test only sample this.
fn stop_before_start_margin_ms(c: &Cluster, h: usize, majority: &[usize]) -> f64 {
    let minority = c.log(h);
    let (cut, _) = first_after(&minority, 0.0, &["cut off"])
        .unwrap_or_else(|| panic!("node{h} never took itself for cut off\n{}", c.logs()));
    let (stopped, _) = first_after(&minority, cut, &["local stop finished"])
        .unwrap_or_else(|| panic!("node{h} never finished its local stop\n{}", c.logs()));
    eprintln!(
        "node{h} took itself for cut off, then stopped its resources in {:.1} ms",
        (stopped - cut) * 1000.0
    );
    // tandemd's verdict reaches the resource manager as a ring event (no poll between).
    let (daemon_said, _) = first_after(&minority, 0.0, &["no JOIN from a quorate set", "cut off"])
        .unwrap_or_else(|| panic!("node{h}'s tandemd made no cut-off verdict\n{}", c.logs()));
    let (manager_heard, _) = first_after(&minority, daemon_said, &["cut off from the others"])
        .unwrap_or_else(|| panic!("node{h}'s resource manager never heard it\n{}", c.logs()));
    let latency_ms = (manager_heard - daemon_said) * 1000.0;
    eprintln!("node{h}'s cut-off verdict reached its resource manager in {latency_ms:.2} ms");
    assert!(
        latency_ms < 50.0,
        "the verdict took {latency_ms:.1} ms to reach the resource manager\n{}",
        c.logs()
    );
    let start = majority
        .iter()
        .filter_map(|&i| {
            let log = c.log(i);
            let (held, _) = first_after(&log, cut - 1.0, &["recovery waits for it to stop them"])?;
            first_after(&log, held, &["transition computed", "Start"])
        })
        .map(|(t, _)| t)
        .fold(f64::INFINITY, f64::min);
    assert!(
        start.is_finite(),
        "no transition starting the resources on the majority\n{}",
        c.logs()
    );
    (start - stopped) * 1000.0
}

const PROPS: [(&str, &str); 2] = [("stonith-enabled", "false"), ("no-quorum-policy", "stop")];

#[test]
fn partition_minority_stops_majority_runs_never_both() {
    if !e2e::enabled("partition_minority_stops_majority_runs_never_both") {
        return;
    }
    let (c, h) = Cluster::start_services(&PROPS);
    // The group starts on node 1: the ring's representative, which holds the idle token,
    // so the cut-off node is the last to lose it (by a hop or two).
    partition_never_both(&c, h);
}

#[test]
fn partition_of_a_node_without_the_token_never_both() {
    if !e2e::enabled("partition_of_a_node_without_the_token_never_both") {
        return;
    }
    // The group prefers node 3, which the idle token only passes through: cut off, it
    // loses the token first.
    let c = Cluster::start(3);
    c.wait_joined(&[1, 2, 3]);
    c.configure(&c.config(
        &PROPS,
        "",
        r#"<rsc_location id="loc-g" rsc="g" node="node3" score="100"/>"#,
    ));
    let h = c.wait_running(&[]);
    assert_eq!(h, 3, "the group runs on its preferred node");
    partition_never_both(&c, h);
}

/// Cuts node `h` (holding the group) off the other two and checks that the group runs on
/// one side only at every poll, then heals.
fn partition_never_both(c: &Cluster, h: usize) {
    let majority: Vec<usize> = (1..=3).filter(|&i| i != h).collect();

    // Cut the group's holder off: it is the minority.
    let mut twice = Vec::new();
    let t = Instant::now();
    c.isolate(h);
    let mut polls = 0u32;
    let (to, s) = loop {
        let s = snapshot(c);
        never_twice(&mut twice, t, &s, "during the partition");
        polls += 1;
        let minority_empty = !s.vip.contains(&h)
            && !s.a.contains(&h)
            && !s.b.contains(&h)
            && !s.clone.contains(&h)
            && !s.promoted.contains(&h);
        let majority_runs = s.vip.len() == 1
            && s.vip == s.a
            && s.a == s.b
            && majority.contains(&s.vip[0])
            && s.promoted.len() == 1
            && majority.contains(&s.promoted[0]);
        if minority_empty && majority_runs && settled(c, majority[0], 2).is_some() {
            break (s.vip[0], s);
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "partition did not settle: {s:?}\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    eprintln!(
        "partition settled in {} ms ({polls} polls): group node{h} -> node{to}; {s:?}",
        t.elapsed().as_millis()
    );
    let margin = stop_before_start_margin_ms(c, h, &majority);
    eprintln!("node{h} had stopped its resources {margin:.1} ms before the majority started them");
    assert!(
        margin > 0.0,
        "the majority started the resources {:.1} ms before node{h} had stopped them\n{}",
        -margin,
        c.logs()
    );
    // The minority knows it lost quorum once its own ring forms (after the consensus
    // timeout; it stopped its resources before, on losing the token); the majority is
    // quorate.
    c.wait(
        &format!("node{h} to see it lost quorum"),
        Duration::from_secs(10),
        || c.status(h).filter(|s| !s.quorate),
    );
    assert!(
        c.status(majority[0]).is_some_and(|s| s.quorate),
        "majority quorate"
    );
    // The agents themselves agree on the minority: nothing runs there.
    assert!(!c.vip_monitor_on().contains(&h), "VIP monitor on node{h}");
    assert!(!c.dummy_on("a").contains(&h), "a monitor on node{h}");
    assert!(
        c.stateful_on("st").iter().all(|(n, _)| *n != h),
        "Stateful on node{h}"
    );
    // Stays that way for a while (nothing restarts on the minority).
    let hold = Instant::now();
    while hold.elapsed() < Duration::from_secs(3) {
        let s = snapshot(c);
        never_twice(&mut twice, t, &s, "while partitioned");
        assert!(
            !s.vip.contains(&h) && !s.a.contains(&h) && !s.clone.contains(&h),
            "minority restarted something: {s:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Heal: one cluster again, nothing active twice, everything running.
    let t = Instant::now();
    c.heal(h);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = snapshot(c);
        never_twice(&mut twice, t, &s, "after healing");
        let joined = (1..=3).all(|i| {
            c.status(i)
                .is_some_and(|st| st.members.len() == 3 && st.phase == "Running")
        });
        if joined && settled(c, 1, 3).is_some() && s.clone.len() == 3 && s.vip.len() == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the healed cluster did not settle: {s:?}\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("healed in {} ms", t.elapsed().as_millis());
    assert!(
        twice.is_empty(),
        "active twice:\n{}\n{}",
        twice.join("\n"),
        c.logs()
    );
    let dcs: Vec<Option<String>> = (1..=3).map(|i| c.status(i).and_then(|s| s.dc)).collect();
    assert!(
        dcs.iter().all(|d| d.is_some() && *d == dcs[0]),
        "one DC: {dcs:?}"
    );
    // The agents agree: the group and the VIP on one node, the CIB says the same node.
    let vip = c.vip_monitor_on();
    assert_eq!(vip.len(), 1, "VIP monitor on {vip:?}");
    assert_eq!(c.dummy_on("a"), vip, "a with the VIP");
    assert_eq!(c.dummy_on("b"), vip, "b with the VIP");
    assert_eq!(
        placement(&c.query(2), "vip"),
        vec![format!("node{}", vip[0])],
        "CIB agrees"
    );
}
