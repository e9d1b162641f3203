//! End-to-end: fencing topology in a real 3-node cluster (namespaces `tdf-*`,
//! 10.204.1.0/24, beside the `tde-*` tests). Level 1 is fence_dummy told to fail
//! (`type=fail`), level 2 fence_dummy that succeeds: a SIGKILLed node is fenced through
//! level 2 and its resources recovered. Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::{Duration, Instant};

use e2e::{fence_dummy, fenced, number, settled, Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tdf",
    octet: 1,
};

#[test]
fn a_failing_level_falls_through_to_the_next_and_the_node_is_fenced() {
    if !e2e::enabled("a_failing_level_falls_through_to_the_next_and_the_node_is_fenced") {
        return;
    }
    let mut c = Cluster::start_in(LAB, 3);
    c.wait_joined(&[1, 2, 3]);
    let status_file = e2e::fence_status_file(&c);
    // type=fail answers every fencing action with an error after power_timeout (1 s).
    let devices = fence_dummy("fence-bad", &[("type", "fail"), ("power_timeout", "1")])
        + &fence_dummy("fence-ok", &e2e::file_fencing(&c));
    let mut xml = c.config(&[("stonith-enabled", "true")], &devices, "");
    xml = xml.replace(
        "</configuration>",
        r#"<fencing-topology>
    <fencing-level id="fl-1" target-pattern="^node[0-9]+$" index="1" devices="fence-bad"/>
    <fencing-level id="fl-2" target-pattern="^node[0-9]+$" index="2" devices="fence-ok"/>
  </fencing-topology>
</configuration>"#,
    );
    c.configure(&xml);
    let h = c.wait_running(&["fence-ok"]);
    let holder = format!("node{h}");
    let survivors: Vec<usize> = (1..=3).filter(|&i| i != h).collect();

    let t = Instant::now();
    c.kill(h);
    let to = c.wait("recovery after fencing", Duration::from_secs(40), || {
        let vip: Vec<usize> = c
            .vip_addr_on()
            .into_iter()
            .filter(|n| survivors.contains(n))
            .collect();
        for &n in &vip {
            assert!(
                fenced(&c.query(n), &holder),
                "node{n} runs the VIP but its CIB does not record {holder} fenced\n{}",
                c.logs()
            );
        }
        settled(&c, survivors[0], 2)
            .filter(|n| *n != holder && vip == vec![number(n)])
            .filter(|n| {
                // (The killed node keeps its agents' state: only the survivors count.)
                let a: Vec<usize> = c
                    .dummy_on("a")
                    .into_iter()
                    .filter(|i| survivors.contains(i))
                    .collect();
                a == vec![number(n)]
            })
    });
    eprintln!(
        "{holder} fenced through level 2; group on {to} {} ms after the kill",
        t.elapsed().as_millis()
    );
    assert!(
        status_file.exists(),
        "level 2's fence_dummy did not write {}",
        status_file.display()
    );
    // The DC's log names the level that passed and level 1's failure.
    let line = c.dc_fenced_line(survivors[0], &holder);
    assert!(
        line.contains("level 2 (fence-ok)") && line.contains("level 1 fence-bad"),
        "{line}"
    );
    // stonith_admin's history lists it, in Debian's layout (which names no level).
    let out = c.tandem(survivors[0], &["stonith_admin", "--history", &holder]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stonith_admin --history: {text}");
    assert!(
        text.starts_with(&format!("reboot of {holder} successful: delegate=node"))
            && text.contains("last-successful='")
            && text.ends_with("\n1 event found\n"),
        "{text}"
    );

    // So does crm_mon's fencing history (-m: successes too).
    let out = c.tandem(survivors[0], &["crm_mon", "-1", "-m"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Fencing History:")
            && text
                .lines()
                .any(|l| l.starts_with(&format!("  * reboot of {holder} by "))
                    && l.contains("successful at ")),
        "{text}"
    );

    // An administrator fences a live node: it goes through the same levels, and the node,
    // alive after its own fencing (fence_dummy cuts nothing), stops everything and leaves.
    let (asker, victim) = (survivors[0], survivors[1]);
    let out = c.tandem(
        asker,
        &[
            "stonith_admin",
            "--reboot",
            &format!("node{victim}"),
            "-t",
            "60",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.is_empty(),
        "stonith_admin --reboot (silent on success): {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    c.wait_exited(victim, "its own fencing", Duration::from_secs(30));
    assert!(c.log(victim).contains("this node was fenced"));
    for rsc in ["a", "b", "c"] {
        assert!(
            !c.dummy_on(rsc).contains(&victim),
            "{rsc} left running on the fenced node{victim}"
        );
    }
}
