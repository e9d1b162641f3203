//! End-to-end: fencing a node that is cut off but alive, with the test fence agent
//! `fence_tandem_kill` (SIGKILL of the node's tandemd, its link taken down), in a real
//! 3-node cluster (namespaces `tdv-*`, 10.204.4.0/24, beside the `tde-*` tests). Run only
//! with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{number, settled, Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tdv",
    octet: 4,
};

#[test]
fn a_cut_off_node_is_killed_by_fencing_before_its_resources_move() {
    if !e2e::enabled("a_cut_off_node_is_killed_by_fencing_before_its_resources_move") {
        return;
    }
    let mut c = Cluster::start_in(LAB, 3);
    c.wait_joined(&[1, 2, 3]);
    let device = format!(
        r#"<primitive id="fence-kill" class="stonith" type="fence_tandem_kill">
  <instance_attributes id="fence-kill-ia">
    <nvpair id="fence-kill-pid-dir" name="pid_dir" value="{}"/>
  </instance_attributes>
</primitive>"#,
        c.pid_dir().display()
    );
    c.configure(&c.config(&[("stonith-enabled", "true")], &device, ""));
    let holder = c.wait("everything started", Duration::from_secs(40), || {
        let cib = c.query(1);
        (e2e::placement(&cib, "fence-kill").len() == 1)
            .then(|| settled(&c, 1, 3))
            .flatten()
    });
    let h = number(&holder);
    let majority: Vec<usize> = (1..=3).filter(|&i| i != h).collect();
    assert!(c.vip_answers(1000), "the VIP answers before the cut");

    // A network cut, not a crash: the node keeps running its resources until fenced.
    let t = Instant::now();
    c.isolate(h);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !c.exited(h) {
        assert!(
            Instant::now() < deadline,
            "{holder} was not killed by fencing\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed_after = t.elapsed();
    let to = c.wait(
        "the majority runs the group",
        Duration::from_secs(30),
        || settled(&c, majority[0], 2).filter(|n| *n != holder),
    );
    let to_n = number(&to);
    c.wait("the VIP on the new node", Duration::from_secs(20), || {
        (c.vip_addr_on().contains(&to_n) && c.vip_answers(500)).then_some(())
    });
    eprintln!(
        "{holder} killed by fencing {} ms after the cut; VIP answering from {to} after {} ms",
        killed_after.as_millis(),
        t.elapsed().as_millis()
    );
    let dc = c
        .status(majority[0])
        .and_then(|s| s.dc)
        .expect("a DC in the majority");
    let log = c.log(number(&dc));
    assert!(
        log.lines().any(|l| l.contains("node fenced")
            && l.contains(&format!("target={holder}"))
            && l.contains("fence-kill")),
        "no 'node fenced' line for {holder} through fence-kill in {dc}'s log"
    );
}
