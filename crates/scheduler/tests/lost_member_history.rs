//! The history of a member that left cleanly (expected down) but still shows a resource
//! active: with fencing enabled it is believed, and a managed resource active there makes
//! the node unclean ("... is thought to be active there"); without quorum the stop is
//! blocked and a promoted instance there keeps its promoted slot. A clone's stopped list
//! counts only instances wholly active on online nodes.

mod common;
use common::{run, summary};

/// `s` (promotable, clone-max 2) unpromoted on node1, and promoted on node3, which is down
/// and expected down; node2 is down with no history. QUORUM, STONITH and MANAGED fill in.
const LOST: &str = r#"<cib have-quorum="QUORUM" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="STONITH"/><nvpair id="o2" name="no-quorum-policy" value="freeze"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/></nodes>
<resources>
<primitive id="fence" class="stonith" type="fence_dummy"/>
<clone id="ms"><meta_attributes id="msm"><nvpair id="msm1" name="promotable" value="true"/><nvpair id="msm2" name="clone-max" value="2"/></meta_attributes>
<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"><meta_attributes id="sm"><nvpair id="sm1" name="is-managed" value="MANAGED"/></meta_attributes></primitive></clone>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="1"><instance_attributes id="ta"><nvpair id="ta1" name="master-s" value="10"/></instance_attributes></transient_attributes><lrm id="1"><lrm_resources>
<lrm_resource id="fence" class="stonith" type="fence_dummy"><lrm_rsc_op id="f1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="1" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="2" uname="node2" in_ccm="false" crmd="offline" join="down" expected="down"/>
<node_state id="3" uname="node3" in_ccm="false" crmd="offline" join="down" expected="down"><lrm id="3"><lrm_resources>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s3" operation="promote" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

fn cib(quorum: bool, stonith: bool, managed: bool) -> String {
    LOST.replace("QUORUM", if quorum { "1" } else { "0" })
        .replace("STONITH", &stonith.to_string())
        .replace("MANAGED", &managed.to_string())
}

#[test]
fn an_active_history_on_a_departed_member_gets_it_fenced() {
    let s = run(&cib(true, true, true));
    assert_eq!(
        summary(&s),
        vec![
            "Fence (reboot) node3 's:1 is thought to be active there'",
            "Promote s:0 ( Unpromoted -> Promoted node1 )",
            "Stop s:1 ( Promoted node3 ) due to node availability",
        ]
    );
}

#[test]
fn without_quorum_the_stop_is_blocked_and_the_promoted_slot_kept() {
    let s = run(&cib(false, true, true));
    assert_eq!(
        summary(&s),
        vec!["Stop s:1 ( Promoted node3 ) due to node availability (blocked)"]
    );
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Node node3: UNCLEAN (offline)"), "{text}");
    assert!(text.contains("Stopped: [ node2 ]"), "{text}");
}

#[test]
fn without_fencing_the_history_is_not_believed() {
    let s = run(&cib(true, false, true));
    assert_eq!(
        summary(&s),
        vec!["Promote s:0 ( Unpromoted -> Promoted node1 )"]
    );
    assert!(!s.before.nodes.iter().any(|n| n.unclean));
}

#[test]
fn unmanaged_resources_there_are_believed_but_fence_nothing() {
    let s = run(&cib(true, true, false));
    assert_eq!(summary(&s), Vec::<String>::new());
    assert!(!s.before.nodes.iter().any(|n| n.unclean));
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Promoted node3 (unmanaged)"), "{text}");
    assert!(text.contains("Stopped: [ node2 node3 ]"), "{text}");
}

/// Clone `c` (clone-max 2) of group `g` (`a`, then disabled `b`): `a` runs on node1 and
/// node2; node3 runs nothing.
const PARTIAL_GROUPS: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/></nodes>
<resources>
<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="2"/></meta_attributes>
<group id="g"><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="bm"><nvpair id="bm1" name="target-role" value="Stopped"/></meta_attributes></primitive></group></clone>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="a1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="1" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources>
<lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="a2" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="1" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="3" uname="node3" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#;

#[test]
fn partly_active_group_instances_leave_the_stopped_list_shown() {
    let s = run(PARTIAL_GROUPS);
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Stopped: [ node3 ]"), "{text}");
    assert!(!text.contains("Stopped: [ node1"), "{text}");
}
