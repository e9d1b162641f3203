//! End-to-end: `crm_mon` and `stonith_admin --history` show a fencing operation in
//! progress on every node, as Pacemaker 2.1.5's do ("Pending Fencing Actions",
//! `status="pending"` in XML, `... pending: client=..., origin=...`), and move it to the
//! history once done. An administrator fences node3 from node1 through a
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
            r#"<fence_event action="reboot" target="node3" client="stonith_admin" origin="node1" status="pending" extended-status="0"/>"#
        ),
        "{xml}"
    );
    // stonith_admin lists it too, in Debian's layout; extended-status is 1 on the node
    // that asked.
    assert_eq!(
        text(&["stonith_admin", "--history", "node3", "--verbose"]),
        "reboot of node3 pending: client=stonith_admin, origin=node1\n1 event found\n"
    );
    assert_eq!(
        text(&["stonith_admin", "-H", "node3"]),
        "0 events found\n",
        "an operation in progress is no success"
    );
    let xml = String::from_utf8_lossy(
        &c.tandem(1, &["stonith_admin", "-H", "*", "-V", "--output-as", "xml"])
            .stdout,
    )
    .into_owned();
    assert!(
        xml.starts_with(
            "<pacemaker-result api-version=\"2.25\" request=\"stonith_admin -H * -V --output-as xml\">\n  <list name=\"fencing history\" count=\"1\">\n    <fence_event action=\"reboot\" target=\"node3\" client=\"stonith_admin\" origin=\"node1\" status=\"pending\" extended-status=\"1\"/>\n"
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
    let out = admin.wait_with_output().expect("stonith_admin's output");
    assert!(
        out.stdout.is_empty(),
        "stonith_admin --reboot prints nothing on success, as Debian's: {}",
        String::from_utf8_lossy(&out.stdout)
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
    let history = text(&["stonith_admin", "-H", "*"]);
    assert!(
        history.starts_with(
            "reboot of node3 successful: delegate=node1, client=stonith_admin, origin=node1, last-successful='"
        ) && history.ends_with("Z'\n1 event found\n")
            && history.lines().count() == 2,
        "{history}"
    );
    let verbose = text(&["stonith_admin", "-H", "node3", "--verbose"]);
    assert!(
        verbose.starts_with(
            "reboot of node3 successful: delegate=node1, client=stonith_admin, origin=node1, completed='"
        ) && verbose.ends_with("Z'\n1 event found\n"),
        "{verbose}"
    );
    let quiet = text(&["stonith_admin", "-H", "node3", "-q"]);
    let when = quiet.lines().next().unwrap_or_default();
    assert!(
        when.parse::<i64>().is_ok_and(|t| t > 1_700_000_000)
            && quiet == format!("{when}\n0 events found\n"),
        "{quiet}"
    );
}
