//! End-to-end: node loss and resource failures in a real 3-node cluster (namespaces `tde-*`,
//! 10.204.0.0/24). Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{number, placement, settled, Cluster, DEFAULT_LAB, VIP};

/// The running instance names of an agent's state files `PREFIX*.state` in `dir`
/// (clone instances may carry `:N`).
fn instances(dir: &std::path::Path, prefix: &str) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|n| {
            n.strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(".state"))
                .map(|r| r.to_string())
        })
        .collect();
    v.sort();
    v
}

/// Nodes where the Dummy clone `c` monitors as running, by the agent's own monitor.
fn clone_running(c: &Cluster) -> Vec<usize> {
    (1..=c.n())
        .filter(|&i| {
            instances(&c.rsctmp(i), "Dummy-")
                .iter()
                .filter(|inst| *inst == "c" || inst.starts_with("c:"))
                .any(|inst| c.ocf(i, "heartbeat/Dummy", "monitor", inst, &[]) == 0)
        })
        .collect()
}

/// Stateful `st` per node by the agent's own monitor: (node, promoted).
fn stateful_running(c: &Cluster) -> Vec<(usize, bool)> {
    let mut out = Vec::new();
    for i in 1..=c.n() {
        for inst in instances(&c.varrun(i), "Stateful-")
            .iter()
            .filter(|inst| *inst == "st" || inst.starts_with("st:"))
        {
            out.extend(c.stateful_on(inst).into_iter().filter(|(n, _)| *n == i));
        }
    }
    out.dedup();
    out
}

/// Asserts that the agents themselves see the group (VIP, a, b) on `holder` only, the
/// clone on `clones`, and Stateful on `clones` with exactly one promoted.
fn agents_agree(c: &Cluster, holder: usize, clones: &[usize]) -> Result<(), String> {
    let want = vec![holder];
    let checks = [
        ("VIP (IPaddr2 monitor)", c.vip_monitor_on()),
        ("VIP (ip addr)", c.vip_addr_on()),
        ("a (Dummy monitor)", c.dummy_on("a")),
        ("b (Dummy monitor)", c.dummy_on("b")),
    ];
    for (what, got) in checks {
        if got != want {
            return Err(format!("{what} on {got:?}, expected {want:?}"));
        }
    }
    let cl = clone_running(c);
    if cl != clones {
        return Err(format!("clone c on {cl:?}, expected {clones:?}"));
    }
    let st = stateful_running(c);
    let nodes: Vec<usize> = st.iter().map(|(n, _)| *n).collect();
    let promoted = st.iter().filter(|(_, p)| *p).count();
    if nodes != clones || promoted != 1 {
        return Err(format!(
            "Stateful st (node, promoted) {st:?}, expected on {clones:?} with one promoted"
        ));
    }
    Ok(())
}

#[test]
fn sigkill_of_the_group_holder_moves_group_and_vip() {
    if !e2e::enabled("sigkill_of_the_group_holder_moves_group_and_vip") {
        return;
    }
    let (mut c, h) = Cluster::start_services(&[("stonith-enabled", "false")]);
    let holder = format!("node{h}");
    c.wait(
        "the agents to agree with the CIB",
        Duration::from_secs(10),
        || agents_agree(&c, h, &[1, 2, 3]).ok(),
    );
    assert!(c.vip_answers(1000), "{VIP} does not answer on {holder}");

    let t = Instant::now();
    c.kill(h);
    let survivors: Vec<usize> = (1..=3).filter(|&i| i != h).collect();
    let s = survivors[0];
    let to = c.wait("the group on a survivor", Duration::from_secs(30), || {
        settled(&c, s, 2).filter(|n| *n != holder)
    });
    let elapsed = t.elapsed();
    let to_n = number(&to);
    // The agents on the survivors, not only the CIB: the group and the VIP run on the new
    // holder only (the dead node's namespace still has the address, but is cut off: the
    // check covers the survivors), the clone on both survivors, one Stateful promoted.
    c.wait(
        "the agents to agree after failover",
        Duration::from_secs(10),
        || {
            let mut r = agents_agree_on(&c, to_n, &survivors);
            if r.is_ok() && !c.vip_answers(500) {
                r = Err(format!("{VIP} does not answer"));
            }
            r.ok()
        },
    );
    eprintln!(
        "group and VIP moved {holder} -> {to} in {} ms after SIGKILL",
        elapsed.as_millis()
    );
    // The other survivor's CIB agrees.
    let other = survivors[1];
    assert_eq!(
        placement(&c.query(other), "vip"),
        vec![to.clone()],
        "node{other}'s CIB"
    );
}

/// [`agents_agree`] restricted to `nodes` (a dead node's namespace is not consulted).
fn agents_agree_on(c: &Cluster, holder: usize, nodes: &[usize]) -> Result<(), String> {
    let only = |v: Vec<usize>| {
        v.into_iter()
            .filter(|n| nodes.contains(n))
            .collect::<Vec<_>>()
    };
    let want = vec![holder];
    for (what, got) in [
        ("VIP (IPaddr2 monitor)", only(c.vip_monitor_on())),
        ("VIP (ip addr)", only(c.vip_addr_on())),
        ("a (Dummy monitor)", only(c.dummy_on("a"))),
        ("b (Dummy monitor)", only(c.dummy_on("b"))),
    ] {
        if got != want {
            return Err(format!("{what} on {got:?}, expected {want:?}"));
        }
    }
    let cl = only(clone_running(c));
    if cl != nodes {
        return Err(format!("clone c on {cl:?}, expected {nodes:?}"));
    }
    let st: Vec<(usize, bool)> = stateful_running(c)
        .into_iter()
        .filter(|(n, _)| nodes.contains(n))
        .collect();
    let on: Vec<usize> = st.iter().map(|(n, _)| *n).collect();
    if on != nodes || st.iter().filter(|(_, p)| *p).count() != 1 {
        return Err(format!(
            "Stateful st {st:?}, expected on {nodes:?} with one promoted"
        ));
    }
    Ok(())
}

const FLAKY: &str = r#"<primitive id="m" class="ocf" provider="heartbeat" type="Dummy">
  <meta_attributes id="m-meta">
    <nvpair id="m-migration-threshold" name="migration-threshold" value="2"/>
  </meta_attributes>
  <operations><op id="m-monitor-1s" name="monitor" interval="1s" timeout="20s"/></operations>
</primitive>"#;

fn fail_count(cib: &str, node: usize) -> Option<u32> {
    // <nvpair id="status-N-fail-count-m#monitor_1000" name="fail-count-m#monitor_1000" value="1"/>
    let root = cib::xml::parse(cib).ok()?;
    let status = root.child("status")?;
    for ns in status.children.iter().filter(|e| e.name == "node_state") {
        if ns.attr("uname") != Some(format!("node{node}").as_str()) {
            continue;
        }
        let mut total = 0;
        let mut stack = vec![ns];
        while let Some(e) = stack.pop() {
            if e.name == "nvpair"
                && e.attr("name")
                    .is_some_and(|n| n.starts_with("fail-count-m#"))
            {
                total += e.attr("value").and_then(|v| v.parse::<u32>().ok())?;
            }
            stack.extend(e.children.iter());
        }
        return Some(total);
    }
    Some(0)
}

#[test]
fn monitor_failures_restart_then_move_and_cleanup_clears() {
    if !e2e::enabled("monitor_failures_restart_then_move_and_cleanup_clears") {
        return;
    }
    let (c, _) = Cluster::start_running(
        DEFAULT_LAB,
        &[("stonith-enabled", "false")],
        |_| FLAKY.to_string(),
        &["m"],
    );
    let on = number(&placement(&c.query(1), "m")[0]);
    c.wait("m's agent monitor", Duration::from_secs(10), || {
        (c.dummy_on("m") == vec![on]).then_some(())
    });
    let state = c.rsctmp(on).join("Dummy-m.state");

    // First failure: restarted in place.
    let t = Instant::now();
    std::fs::remove_file(&state).expect("remove m's state file");
    c.wait(
        "fail count 1 and m restarted on the same node",
        Duration::from_secs(15),
        || {
            let cib = c.query(1);
            (fail_count(&cib, on) == Some(1)
                && placement(&cib, "m") == vec![format!("node{on}")]
                && c.dummy_on("m") == vec![on])
            .then_some(())
        },
    );
    eprintln!(
        "first failure: restarted in place after {} ms",
        t.elapsed().as_millis()
    );

    // Second failure: migration-threshold=2 reached, m moves away.
    std::fs::remove_file(&state).expect("remove m's state file again");
    let to = c.wait("m moved to another node", Duration::from_secs(15), || {
        let cib = c.query(1);
        let p = placement(&cib, "m");
        let running = c.dummy_on("m");
        (fail_count(&cib, on) == Some(2)
            && p.len() == 1
            && p[0] != format!("node{on}")
            && running == vec![number(&p[0])])
        .then(|| number(&p[0]))
    });
    eprintln!("second failure: m moved node{on} -> node{to}");

    // `tandem resource cleanup m` forgets the failures.
    let out = c.tandem(2, &["resource", "cleanup", "m"]);
    assert!(
        out.status.success(),
        "tandem resource cleanup m: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    c.wait("failures forgotten", Duration::from_secs(15), || {
        let cib = c.query(3);
        (fail_count(&cib, on) == Some(0)
            && !cib.contains("m_last_failure_0")
            && placement(&cib, "m").len() == 1
            && c.dummy_on("m").len() == 1)
            .then_some(())
    });
}
