//! Notifications that ride on fencing and role changes that ride on restarts: an instance of
//! a notifying clone stopped by its node's fencing is announced to the instances that stay
//! (`<instance>_post_notify_stop` .. `<instance>_notified`), and a restart or recovery that
//! also changes the instance's role shows both roles in its summary line.

mod common;
use common::{labels, run, summary};

/// node3 is lost with an instance of `c` (notify set on the primitive `d`, not on the clone)
/// still recorded there; `d` runs on node1 and node2 too.
const FENCE: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/></nodes>
<resources>
<primitive id="fence" class="stonith" type="fence_dummy"/>
<clone id="c"><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="dm"><nvpair id="dm1" name="notify" value="true"/></meta_attributes>
<operations><op id="d-mon" name="monitor" interval="10s"/></operations></primitive></clone>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="fence" class="stonith" type="fence_dummy"><lrm_rsc_op id="f1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="1" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="d" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="d1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
<lrm_rsc_op id="d1m" operation="monitor" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="10000" op-digest="4811cef7f7f94e3a35a70be7916cb2fd"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources>
<lrm_resource id="d" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="d2" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
<lrm_rsc_op id="d2m" operation="monitor" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="10000" op-digest="4811cef7f7f94e3a35a70be7916cb2fd"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="3" uname="node3" in_ccm="false" crmd="offline" join="down" expected="member"><lrm id="3"><lrm_resources>
<lrm_resource id="d" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="d3" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

fn find(s: &scheduler::Schedule, label: &str) -> usize {
    s.transition
        .actions
        .iter()
        .position(|a| a.label == label)
        .unwrap_or_else(|| panic!("no action {label}: {:#?}", labels(s)))
}

fn after(s: &scheduler::Schedule, first: &str, then: &str) -> bool {
    let (f, t) = (find(s, first), find(s, then));
    s.transition.actions[t].after.contains(&f)
}

#[test]
fn a_fenced_instance_is_announced_to_the_instances_that_stay() {
    let s = run(FENCE);
    assert_eq!(
        summary(&s),
        vec![
            "Fence (reboot) node3 'peer is no longer part of the cluster'",
            "Stop d:2 ( node3 ) due to node availability",
        ]
    );
    // The announcement follows the fencing, fans out to both survivors and is confirmed.
    assert!(after(&s, "node3 (reboot)", "d_post_notify_stop_0"));
    for on in ["node1", "node2"] {
        let notify = format!("d notify on {on}");
        assert!(after(&s, "d_post_notify_stop_0", &notify));
        assert!(after(&s, &notify, "d_notified_0"));
    }
    assert!(after(&s, "d_post_notify_stop_0", "d_notified_0"));
    // No clone-level notifications: the clone itself does not ask for them.
    assert!(!labels(&s).iter().any(|l| l.starts_with("c_pre_notify")));
}

#[test]
fn an_instance_that_stops_too_is_not_announced_to() {
    let banned = FENCE.replace(
        "<constraints/>",
        r#"<constraints><rsc_location id="l" rsc="c" node="node2" score="-INFINITY"/></constraints>"#,
    );
    let s = run(&banned);
    assert!(summary(&s).contains(&"Stop d:1 ( node2 ) due to node availability".to_string()));
    let got = labels(&s);
    assert!(got.iter().any(|l| l == "d notify on node1"), "{got:#?}");
    assert!(!got.iter().any(|l| l == "d notify on node2"), "{got:#?}");
    assert!(after(&s, "d notify on node1", "d_notified_0"));
}

#[test]
fn without_notify_nothing_is_announced() {
    let quiet = FENCE.replace(
        r#"name="notify" value="true""#,
        r#"name="notify" value="false""#,
    );
    let s = run(&quiet);
    let got = labels(&s);
    assert!(!got.iter().any(|l| l.contains("notif")), "{got:#?}");
}

/// A promotable clone whose only instance failed while unpromoted on the only node.
const RECOVER: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/></nodes>
<resources>
<clone id="ms"><meta_attributes id="msm"><nvpair id="msm1" name="promotable" value="true"/></meta_attributes>
<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></clone>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="1"><instance_attributes id="ta"><nvpair id="ta1" name="master-s" value="10"/></instance_attributes></transient_attributes><lrm id="1"><lrm_resources>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
<lrm_rsc_op id="s1m" operation="monitor" transition-key="1:1:0:x" transition-magic="0:1;1:1:0:x" call-id="3" rc-code="1" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

#[test]
fn a_recovery_that_also_promotes_shows_both_roles() {
    let s = run(RECOVER);
    assert_eq!(
        summary(&s),
        vec!["Recover s:0 ( Unpromoted -> Promoted node1 )"]
    );
    assert!(after(&s, "s start on node1", "s promote on node1"));
}
