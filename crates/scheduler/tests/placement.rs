//! End-to-end checks of small CIBs through the scheduler.

mod common;
use common::run;

const TWO_NODES: &str = r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<primitive id="r1" class="ocf" provider="pacemaker" type="Dummy"/>
<primitive id="r2" class="ocf" provider="pacemaker" type="Dummy"/>
</resources><constraints>
<rsc_location id="l1" rsc="r1" node="n2" score="100"/>
<rsc_location id="l2" rsc="r2" node="n1" score="-INFINITY"/>
<rsc_location id="l3" rsc="r2" node="n2" score="-5"/>
</constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#;

#[test]
fn location_preference_and_negative_scores() {
    let s = run(TWO_NODES);
    // r1 prefers n2; r2 is banned from n1 and scores below zero on n2, so it stays stopped.
    assert_eq!(s.transition.summary, vec!["Start r1 ( n2 )".to_string()]);
    let probes = s
        .transition
        .actions
        .iter()
        .filter(|a| a.task == "monitor" && a.interval_ms == 0)
        .count();
    assert_eq!(probes, 4);
}

#[test]
fn status_text_lists_nodes_and_resources() {
    let s = run(TWO_NODES);
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("* Online: [ n1 n2 ]"), "{text}");
    assert!(
        text.contains("* r1\t(ocf:pacemaker:Dummy):\t Stopped"),
        "{text}"
    );
    let after = scheduler::report::status_text(&s.after);
    assert!(
        after.contains("* r1\t(ocf:pacemaker:Dummy):\t Started n2"),
        "{after}"
    );
}

#[test]
fn natural_node_order() {
    use std::cmp::Ordering;
    assert_eq!(
        scheduler::report::natural_cmp("node2", "node10"),
        Ordering::Less
    );
    assert_eq!(scheduler::report::natural_cmp("a", "a"), Ordering::Equal);
}
