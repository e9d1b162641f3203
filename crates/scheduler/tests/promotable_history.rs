//! Promotable clone instances read from their history: an anonymous instance's promotion
//! attribute is looked up under the name its history records before the instance number it
//! is given now, a notification still in flight leaves the instance as it was, and a demote
//! that failed leaves it unpromoted (and failed) whatever the agent answered; a recurring
//! monitor recorded before the last start or role change was cancelled by it.

mod common;
use common::{run, summary};

/// Anonymous instances recorded as `s:1` (promoted, node1) and `s:0` (node2, with a
/// notification in flight); each node carries promotion attributes for both names.
const CIB: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
<resources>
<clone id="ms"><meta_attributes id="msm"><nvpair id="msm1" name="promotable" value="true"/></meta_attributes>
<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></clone>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="1"><instance_attributes id="ta"><nvpair id="ta1" name="master-s:1" value="10"/><nvpair id="ta2" name="master-s:0" value="1"/></instance_attributes></transient_attributes><lrm id="1"><lrm_resources>
<lrm_resource id="s:1" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s1" operation="promote" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="2"><instance_attributes id="tb"><nvpair id="tb1" name="master-s:0" value="5"/><nvpair id="tb2" name="master-s:1" value="100"/></instance_attributes></transient_attributes><lrm id="2"><lrm_resources>
<lrm_resource id="s:0" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s2" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
<lrm_rsc_op id="s2n" operation="notify" transition-key="1:1:0:x" transition-magic="-1:-1;1:1:0:x" call-id="-1" rc-code="-1" op-status="-1" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

#[test]
fn the_history_name_picks_the_promotion_attribute() {
    // node1 counts master-s:1 (10), node2 master-s:0 (5): no change. Had the instances been
    // looked up by their new numbers, node2 (100) would have beaten node1 (1).
    let s = run(CIB);
    assert_eq!(summary(&s), Vec::<String>::new());
}

#[test]
fn a_notification_in_flight_is_not_a_pending_action() {
    let s = run(CIB);
    let pending: Vec<_> = s
        .before
        .rscs
        .iter()
        .filter(|r| !r.pending.is_empty())
        .map(|r| r.id.clone())
        .collect();
    assert!(pending.is_empty(), "pending: {pending:?}");
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Unpromoted: [ node2 ]"), "{text}");
}

/// An instance whose demote answered "not running" (rc 7) on the only node.
const FAILED_DEMOTE: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/></nodes>
<resources>
<clone id="ms"><meta_attributes id="msm"><nvpair id="msm1" name="promotable" value="true"/></meta_attributes>
<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></clone>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
<lrm_rsc_op id="s2" operation="promote" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
<lrm_rsc_op id="s3" operation="demote" transition-key="1:1:0:x" transition-magic="0:7;1:1:0:x" call-id="4" rc-code="7" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

#[test]
fn a_demote_answering_not_running_leaves_a_failed_unpromoted_instance() {
    let s = run(FAILED_DEMOTE);
    let inst = s
        .before
        .rscs
        .iter()
        .find(|r| r.running.contains_key(&0))
        .expect("the instance is still active on node1");
    assert_eq!(inst.running.get(&0), Some(&scheduler::Role::Unpromoted));
    assert!(inst.failed_on.contains(&0));
    assert_eq!(summary(&s), vec!["Recover s:0 ( Unpromoted node1 )"]);
}

/// A promoted instance whose 5s promoted-role monitor is recorded with call-id 5; CALL is
/// the call-id of its promotion.
const MONITOR: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/></nodes>
<resources>
<clone id="ms"><meta_attributes id="msm"><nvpair id="msm1" name="promotable" value="true"/></meta_attributes>
<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"><operations><op id="sm" name="monitor" interval="5s" role="Promoted"/></operations></primitive></clone>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="1"><instance_attributes id="ta"><nvpair id="ta1" name="master-s" value="10"/></instance_attributes></transient_attributes><lrm id="1"><lrm_resources>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s1" operation="promote" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="CALL" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
<lrm_rsc_op id="s2" operation="monitor" transition-key="1:1:8:x" transition-magic="0:8;1:1:8:x" call-id="5" rc-code="8" op-status="0" interval="5000" op-digest="4811cef7f7f94e3a35a70be7916cb2fd"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

fn execution(xml: &str) -> Vec<String> {
    scheduler::report::execution_lines(&run(xml).transition)
}

#[test]
fn a_monitor_recorded_before_the_promotion_is_scheduled_again() {
    let got = execution(&MONITOR.replace("CALL", "9"));
    assert!(
        got.iter().any(|l| l.contains("s monitor=5000 on node1")),
        "{got:#?}"
    );
}

#[test]
fn a_monitor_recorded_after_the_promotion_keeps_running() {
    let got = execution(&MONITOR.replace("CALL", "3"));
    assert!(got.is_empty(), "{got:#?}");
}
