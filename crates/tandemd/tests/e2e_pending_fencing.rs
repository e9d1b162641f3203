//! End-to-end: `crm_mon` shows a fencing operation in progress on every node, as
//! Pacemaker 2.1.5's does ("Pending Fencing Actions", `status="pending"` in XML), and
//! moves it to the history once done. An administrator fences node3 from node1 through a
//! fence_dummy device delayed by `pcmk_delay_base`. Namespaces `tdx-*`, 10.204.6.0/24.
//! Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::process::Stdio;
use std::time::{Duration, Instant};

use e2e::{Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tdx",
    octet: 6,
};

#[test]
fn fencing_in_progress_shows_as_pending_then_in_the_history() {
    if !e2e::enabled("fencing_in_progress_shows_as_pending_then_in_the_history") {
        return;
    }
    let c = Cluster::start_in(LAB, 3);
    c.wait_joined(&[1, 2, 3]);
    let device = format!(
        r#"<primitive id="fence" class="stonith" type="fence_dummy">
  <instance_attributes id="fence-ia">
    <nvpair id="fence-type" name="type" value="file"/>
    <nvpair id="fence-status-file" name="status_file" value="{}"/>
    <nvpair id="fence-delay" name="pcmk_delay_base" value="4s"/>
  </instance_attributes>
</primitive>"#,
        c.dir.join("fence_dummy.status").display()
    );
    c.configure(&format!(
        r#"<cib validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes/>
    <resources>{device}</resources>
    <constraints/>
  </configuration>
  <status/>
</cib>"#
    ));
    c.wait("the fence device started", Duration::from_secs(30), || {
        (e2e::placement(&c.query(1), "fence").len() == 1).then_some(())
    });
    let mut admin = c
        .tandem_command(1, &["stonith_admin", "--reboot", "node3", "-t", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn stonith_admin");
    let text = |args: &[&str]| String::from_utf8_lossy(&c.tandem(2, args).stdout).into_owned();
    c.wait(
        "node2's crm_mon to show the fencing in progress",
        Duration::from_secs(10),
        || {
            text(&["crm_mon", "-1"])
                .contains(
                    "\nPending Fencing Actions:\n  * reboot of node3 for stonith_admin@node1 last pending\n",
                )
                .then_some(())
        },
    );
    let xml = text(&["crm_mon", "-1", "--output-as", "xml"]);
    assert!(
        xml.contains(
            r#"<fence_event action="reboot" target="node3" client="stonith_admin" origin="node1" status="pending" extended-status="1"/>"#
        ),
        "{xml}"
    );
    let history = text(&["crm_mon", "-1", "-m"]);
    assert!(
        history
            .contains("\nFencing History:\n  * reboot of node3 for stonith_admin@node1 pending\n"),
        "{history}"
    );

    // The delay over, fence_dummy runs and the operation completes.
    let t = Instant::now();
    let status = loop {
        if let Some(s) = admin.try_wait().expect("wait for stonith_admin") {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "stonith_admin did not finish\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "stonith_admin --reboot failed\n{}",
        c.logs()
    );
    c.wait(
        "node2's crm_mon to move it to the history",
        Duration::from_secs(10),
        || {
            let t = text(&["crm_mon", "-1", "-m"]);
            (!t.contains("pending")
                && t.contains("\nFencing History:\n  * reboot of node3 by node1 for stonith_admin@node1 successful at "))
            .then_some(())
        },
    );
    assert!(!text(&["crm_mon", "-1"]).contains("Pending Fencing Actions"));
}
