//! End-to-end: a two-node cluster (`two_node: 1`) split in two, where both halves keep
//! quorum and race to fence each other with the test agent `fence_tandem_kill`: one device
//! per node (`pcmk_host_list`), the one that fences node1 delayed (`pcmk_delay_base`), so
//! node1 wins, kills node2 and runs everything. Namespaces `tdw-*`, 10.204.5.0/24. Run
//! only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{settled, Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tdw",
    octet: 5,
};

#[test]
fn a_split_two_node_cluster_fences_one_side_only() {
    if !e2e::enabled("a_split_two_node_cluster_fences_one_side_only") {
        return;
    }
    let mut c = Cluster::start_with(LAB, 2, "  two_node: 1\n");
    c.wait_joined(&[1, 2]);
    let pids = c.pid_dir();
    let device = |id: &str, host: &str, extra: &str| {
        format!(
            r#"<primitive id="{id}" class="stonith" type="fence_tandem_kill">
  <instance_attributes id="{id}-ia">
    <nvpair id="{id}-pid-dir" name="pid_dir" value="{}"/>
    <nvpair id="{id}-hosts" name="pcmk_host_list" value="{host}"/>{extra}
  </instance_attributes>
</primitive>"#,
            pids.display()
        )
    };
    let devices = device(
        "fence-n1",
        "node1",
        r#"
    <nvpair id="fence-n1-delay" name="pcmk_delay_base" value="3s"/>"#,
    ) + &device("fence-n2", "node2", "");
    c.configure(&c.config(&[("stonith-enabled", "true")], &devices, ""));
    c.wait("everything started", Duration::from_secs(40), || {
        settled(&c, 1, 2)
    });

    // stonith_admin reads the same device selection the fencing uses.
    let text = |args: &[&str]| String::from_utf8_lossy(&c.tandem(1, args).stdout).into_owned();
    assert_eq!(
        text(&["stonith_admin", "-l", "node2"]),
        "fence-n2\n1 fence device found\n"
    );
    assert_eq!(
        text(&["stonith_admin", "-s", "fence-n1"]),
        " node1\n1 targets found\n"
    );
    assert_eq!(
        text(&["stonith_admin", "-L"]),
        "fence-n1\nfence-n2\n2 fence devices found\n"
    );

    let t = Instant::now();
    c.isolate(2);
    // Both halves keep quorum (two_node) and fence the other; node2's device waits 3 s.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !c.exited(2) {
        assert!(
            Instant::now() < deadline,
            "node2 was not fenced\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let fenced_after = t.elapsed();
    c.wait("node1 runs everything", Duration::from_secs(30), || {
        settled(&c, 1, 1).filter(|n| n == "node1")
    });
    assert!(c.is_up(1) && !c.exited(1), "node1 survived the race");
    assert!(c.vip_addr_on().contains(&1));
    // node2 was killed before it could fence node1: while its device waited out the
    // delay, or before it even got there.
    let log2 = c.log(2);
    assert!(
        !log2.contains("fencing succeeded"),
        "node2 fenced node1 too\n{log2}"
    );
    assert!(
        !log2.contains("target=node1") || log2.contains("fencing delayed"),
        "node2 ran a device against node1 without the delay\n{log2}"
    );
    eprintln!(
        "node2 fenced {} ms after the split; node1 runs everything after {} ms",
        fenced_after.as_millis(),
        t.elapsed().as_millis()
    );
}
