//! A primitive active on several nodes: the nodes count in the order the status section
//! lists them (the first is where it "is": restarted there, or moved from there), the
//! status shows them in that order, and a primitive promoted on one of them is demoted on
//! all before it stops.

mod common;
use common::{labels, run, summary};

/// A (ocf:pacemaker:Stateful) with a location preference for `pref`, whose probe found it
/// running on each node of `order` (status order), promoted on `promoted`.
fn cib(order: &[&str], pref: &str, promoted: Option<&str>) -> String {
    let status: String = order
        .iter()
        .map(|n| {
            let rc = if Some(*n) == promoted { 8 } else { 0 };
            format!(
                r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources><lrm_resource id="A" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="A_last_0" operation="monitor" interval="0" call-id="2" rc-code="{rc}" op-status="0" transition-key="1:1:7:x"/></lrm_resource></lrm_resources></lrm></node_state>"#
            )
        })
        .collect();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
<resources><primitive id="A" class="ocf" provider="pacemaker" type="Stateful"/></resources>
<constraints><rsc_location id="l" rsc="A" node="{pref}" score="100"/></constraints>
</configuration><status>{status}</status></cib>"#
    )
}

#[test]
fn moved_from_the_first_node_the_status_lists() {
    let s = run(&cib(&["n2", "n1", "n3"], "n1", None));
    assert_eq!(summary(&s), vec!["Move A ( n2 -> n1 )"]);
    let s = run(&cib(&["n3", "n1", "n2"], "n2", None));
    assert_eq!(summary(&s), vec!["Move A ( n3 -> n2 )"]);
}

#[test]
fn restarted_when_it_stays_on_that_first_node() {
    let s = run(&cib(&["n2", "n1", "n3"], "n2", None));
    assert_eq!(summary(&s), vec!["Restart A ( n2 )"]);
    let l = labels(&s);
    for n in ["n1", "n2", "n3"] {
        assert!(l.contains(&format!("A stop on {n}")), "{l:?}");
    }
}

#[test]
fn status_lists_the_nodes_in_status_order() {
    let s = run(&cib(&["n2", "n1", "n3"], "n2", None));
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("[ n2 n1 n3 ]"), "{text}");
}

#[test]
fn promoted_anywhere_is_demoted_everywhere() {
    let s = run(&cib(&["n2", "n1", "n3"], "n3", Some("n2")));
    assert_eq!(summary(&s), vec!["Move A ( Promoted n2 -> Started n3 )"]);
    let l = labels(&s);
    for n in ["n1", "n2", "n3"] {
        assert!(l.contains(&format!("A demote on {n}")), "{l:?}");
    }
}
