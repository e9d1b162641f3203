//! End-to-end: fencing with fence-agents' fence_dummy in a real 3-node cluster (namespaces
//! `tde-*`, 10.204.0.0/24). Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{config, number, settled, Cluster};

/// Whether `cib` records node `victim` as fenced (the fencer's status update).
fn fenced(cib: &str, victim: &str) -> bool {
    let Ok(root) = cib::xml::parse(cib) else {
        return false;
    };
    root.child("status").is_some_and(|s| {
        s.children.iter().any(|ns| {
            ns.name == "node_state"
                && ns.attr("uname") == Some(victim)
                && ns.attr("crm-debug-origin") == Some("send_stonith_update")
                && ns.attr("in_ccm") == Some("false")
        })
    })
}

#[test]
fn node_loss_is_fenced_before_its_resources_are_recovered() {
    if !e2e::enabled("node_loss_is_fenced_before_its_resources_are_recovered") {
        return;
    }
    let mut c = Cluster::start(3);
    c.wait_joined(&[1, 2, 3]);
    let status_file = c.dir.join("fence_dummy.status");
    let device = format!(
        r#"<primitive id="fence" class="stonith" type="fence_dummy">
  <instance_attributes id="fence-ia">
    <nvpair id="fence-type" name="type" value="file"/>
    <nvpair id="fence-status-file" name="status_file" value="{}"/>
  </instance_attributes>
  <operations><op id="fence-monitor-10s" name="monitor" interval="10s" timeout="20s"/></operations>
</primitive>"#,
        status_file.display()
    );
    c.configure(&config(&[("stonith-enabled", "true")], &device, ""));
    let holder = c.wait("everything started", Duration::from_secs(30), || {
        let cib = c.query(1);
        (e2e::placement(&cib, "fence").len() == 1)
            .then(|| settled(&c, 1, 3))
            .flatten()
    });
    let h = number(&holder);
    let survivors: Vec<usize> = (1..=3).filter(|&i| i != h).collect();
    assert!(!status_file.exists() || !fenced(&c.query(1), &holder));

    let t = Instant::now();
    c.kill(h);
    let mut fenced_at = None;
    let to = loop {
        // The VIP first, then the CIB of the node that runs it: that replica applied the
        // fencing result before it ran the start (one agreed message order).
        let vip: Vec<usize> = c
            .vip_addr_on()
            .into_iter()
            .filter(|n| survivors.contains(n))
            .collect();
        let a: Vec<usize> = c
            .dummy_on("a")
            .into_iter()
            .filter(|n| survivors.contains(n))
            .collect();
        let running: Vec<usize> = vip.iter().chain(a.iter()).copied().collect();
        for &n in &running {
            assert!(
                fenced(&c.query(n), &holder),
                "node{n} runs the group's resources but its CIB does not record {holder} fenced \
                 ({} ms after the kill)\n{}",
                t.elapsed().as_millis(),
                c.logs()
            );
        }
        if fenced_at.is_none() && survivors.iter().any(|&s| fenced(&c.query(s), &holder)) {
            fenced_at = Some(t.elapsed());
        }
        if let Some(to) = settled(&c, survivors[0], 2).filter(|n| *n != holder) {
            if vip == vec![number(&to)] && a == vip {
                break to;
            }
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "no recovery after fencing: vip {vip:?}, a {a:?}\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let fenced_at = fenced_at.expect("fencing recorded");
    eprintln!(
        "{holder} fenced after {} ms; group on {to} after {} ms",
        fenced_at.as_millis(),
        t.elapsed().as_millis()
    );
    // fence_dummy itself ran (it writes its status file), and the DC says so in its log.
    assert!(
        status_file.exists(),
        "fence_dummy did not write {}",
        status_file.display()
    );
    let dc = c
        .status(survivors[0])
        .and_then(|s| s.dc)
        .expect("a DC among the survivors");
    // (The transition that fences may also plan the recovery, ordered after the fencing:
    // the order of execution is what the polling above checked.)
    let log = c.log(number(&dc));
    assert!(
        log.lines()
            .any(|l| l.contains("node fenced") && l.contains(&holder)),
        "no 'node fenced' line for {holder} in {dc}'s log"
    );
}
