//! End-to-end: fencing with fence-agents' fence_dummy in a real 3-node cluster (namespaces
//! `tde-*`, 10.204.0.0/24). Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{fence_dummy, fenced, number, settled, Cluster, DEFAULT_LAB};

#[test]
fn node_loss_is_fenced_before_its_resources_are_recovered() {
    if !e2e::enabled("node_loss_is_fenced_before_its_resources_are_recovered") {
        return;
    }
    let (mut c, h) = Cluster::start_running(
        DEFAULT_LAB,
        &[("stonith-enabled", "true")],
        |c| fence_dummy("fence", &e2e::file_fencing(c)),
        &["fence"],
    );
    let status_file = e2e::fence_status_file(&c);
    let holder = format!("node{h}");
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
    // (The transition that fences may also plan the recovery, ordered after the fencing:
    // the order of execution is what the polling above checked.)
    c.dc_fenced_line(survivors[0], &holder);
}
