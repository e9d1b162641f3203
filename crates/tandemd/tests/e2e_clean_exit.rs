//! End-to-end: a clean exit keeps the last CIB write. SIGTERM makes the node stop its
//! resources and leave; the stop results are the CIB's last changes, written by the resource
//! manager's thread on its way out, which tandemd waits for before exiting. One node in
//! namespaces `tdj-*` (10.204.3.0/24). Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::Duration;

use e2e::{Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tdj",
    octet: 3,
};

/// The `operation` of `rsc`'s `_last_0` history entry in `cib`.
fn last_op(cib: &str, rsc: &str) -> Option<String> {
    let root = cib::xml::parse(cib).ok()?;
    let want = format!("{rsc}_last_0");
    let status = root.child("status")?;
    let op = status
        .children_named("node_state")
        .filter_map(|ns| ns.child("lrm")?.child("lrm_resources"))
        .flat_map(|r| r.children_named("lrm_resource"))
        .flat_map(|r| r.children_named("lrm_rsc_op"))
        .find(|op| op.id() == want)
        .and_then(|op| op.attr("operation").map(str::to_string));
    op
}

#[test]
fn sigterm_keeps_the_last_cib_write() {
    if !e2e::enabled("sigterm_keeps_the_last_cib_write") {
        return;
    }
    let mut c = Cluster::start_in(LAB, 1);
    c.wait_joined(&[1]);
    let mut dummies = String::new();
    for i in 0..5 {
        dummies.push_str(&format!(
            r#"<primitive id="x{i}" class="ocf" provider="heartbeat" type="Dummy"/>"#
        ));
    }
    c.configure(&format!(
        r#"<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">
  <nvpair id="o-stonith" name="stonith-enabled" value="false"/>
</cluster_property_set></crm_config><nodes/><resources>{dummies}</resources><constraints/></configuration>"#
    ));
    c.wait("every Dummy started", Duration::from_secs(30), || {
        let cib = c.query(1);
        (0..5)
            .all(|i| e2e::placement(&cib, &format!("x{i}")) == vec!["node1".to_string()])
            .then_some(())
    });
    c.terminate(1, Duration::from_secs(30));
    // The node stopped everything before leaving; its stored CIB says so.
    let path = c.node_dir(1).join("state").join("cib").join("cib.xml");
    let stored = std::fs::read_to_string(&path).expect("the stored CIB");
    for i in 0..5 {
        let rsc = format!("x{i}");
        assert_eq!(
            last_op(&stored, &rsc).as_deref(),
            Some("stop"),
            "{rsc}'s stop is missing from {}\n{}",
            path.display(),
            c.log(1)
        );
    }
    assert!(
        c.log(1)
            .contains("resources stopped here; asking tandemd to leave"),
        "{}",
        c.log(1)
    );
}
