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
    let (mut c, h) = Cluster::start_running(
        LAB,
        &[("stonith-enabled", "true")],
        |c| {
            format!(
                r#"<primitive id="fence-kill" class="stonith" type="fence_tandem_kill">
  <instance_attributes id="fence-kill-ia">
    <nvpair id="fence-kill-pid-dir" name="pid_dir" value="{}"/>
  </instance_attributes>
</primitive>"#,
                c.pid_dir().display()
            )
        },
        &["fence-kill"],
    );
    let holder = format!("node{h}");
    let majority: Vec<usize> = (1..=3).filter(|&i| i != h).collect();
    assert!(c.vip_answers(1000), "the VIP answers before the cut");

    // A network cut, not a crash: the node keeps running its resources until fenced.
    let t = Instant::now();
    c.isolate(h);
    c.wait_exited(h, "killed by fencing", Duration::from_secs(30));
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
    let line = c.dc_fenced_line(majority[0], &format!("target={holder}"));
    assert!(
        line.contains("fence-kill"),
        "not through fence-kill: {line}"
    );
}
