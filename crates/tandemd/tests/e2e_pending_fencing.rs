//! End-to-end: `crm_mon` shows a fencing operation in progress on every node, as
//! Pacemaker 2.1.5's does ("Pending Fencing Actions", `status="pending"` in XML), and
//! moves it to the history once done. An administrator fences node3 from node1 through a
//! fence_dummy device delayed by `pcmk_delay_base`. Namespaces `tdx-*`, 10.204.6.0/24.
//! Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::process::Stdio;
use std::time::Duration;

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
    let status_file = e2e::fence_status_file(&c).display().to_string();
    let device = e2e::fence_dummy(
        "fence",
        &[
            ("type", "file"),
            ("status_file", status_file.as_str()),
            ("pcmk_delay_base", "4s"),
        ],
    );
    c.configure(&e2e::bare_cib(&[("stonith-enabled", "true")], &device));
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
    let status = c.wait("stonith_admin to finish", Duration::from_secs(60), || {
        admin.try_wait().expect("wait for stonith_admin")
    });
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
