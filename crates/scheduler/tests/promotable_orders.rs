//! What an order "promote a promotable clone, then start X" restarts: X restarts when the
//! promoted instance it follows is demoted on the way (recovered, restarted, moved), not when
//! another instance merely starts or is promoted as well.

mod common;
use common::{run, summary};

/// `s` promoted on node1 (its 10s monitor failed: FAILED_MONITOR) and unpromoted on node2
/// (NODE2); `x` runs on node1, with the promoted instance and ordered after its promotion.
/// NOTIFY holds extra clone meta-attributes.
const BASE: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
<resources>
<clone id="ms"><meta_attributes id="msm"><nvpair id="msm1" name="promotable" value="true"/>NOTIFY</meta_attributes>
<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></clone>
<primitive id="x" class="ocf" provider="pacemaker" type="Dummy"/>
</resources><constraints>
<rsc_colocation id="c1" rsc="x" with-rsc="ms" with-rsc-role="Promoted" score="INFINITY"/>
<rsc_order id="oo" first="ms" first-action="promote" then="x" then-action="start"/>
</constraints></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="1"><instance_attributes id="ta"><nvpair id="ta1" name="master-s" value="100"/></instance_attributes></transient_attributes><lrm id="1"><lrm_resources>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s1" operation="promote" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
<lrm_rsc_op id="s1f" operation="monitor" transition-key="1:1:8:x" transition-magic="0:1;1:1:8:x" call-id="3" rc-code="1" op-status="0" interval="10000" op-digest="4811cef7f7f94e3a35a70be7916cb2fd"/></lrm_resource>
<lrm_resource id="x" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="x1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="2"><instance_attributes id="tb"><nvpair id="tb1" name="master-s" value="5"/></instance_attributes></transient_attributes><lrm id="2"><lrm_resources>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s2" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

const FAILED_MONITOR: &str = r#"<lrm_rsc_op id="s1f" operation="monitor" transition-key="1:1:8:x" transition-magic="0:1;1:1:8:x" call-id="3" rc-code="1" op-status="0" interval="10000" op-digest="4811cef7f7f94e3a35a70be7916cb2fd"/></lrm_resource>"#;

fn cib(failed: bool, node2_runs: bool, meta: &str) -> String {
    let mut xml = BASE.replace("NOTIFY", meta);
    if !failed {
        xml = xml.replace(FAILED_MONITOR, "</lrm_resource>");
    }
    if !node2_runs {
        let start = xml.find(r#"<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s2""#).expect("node2 history");
        let end =
            start + xml[start..].find("</lrm_resource>").expect("end") + "</lrm_resource>".len();
        xml.replace_range(start..end, "");
    }
    xml
}

#[test]
fn a_recovered_promoted_instance_restarts_what_follows_its_promotion() {
    let s = run(&cib(true, true, ""));
    assert_eq!(
        summary(&s),
        vec![
            "Recover s:0 ( Promoted node1 )",
            "Restart x ( node1 ) due to required ms promoted"
        ]
    );
}

#[test]
fn a_new_instance_starting_elsewhere_restarts_nothing() {
    let s = run(&cib(false, false, ""));
    assert_eq!(summary(&s), vec!["Start s:1 ( node2 )"]);
}

#[test]
fn a_second_promotion_restarts_nothing() {
    let s = run(&cib(
        false,
        true,
        r#"<nvpair id="msm3" name="promoted-max" value="2"/>"#,
    ));
    assert_eq!(
        summary(&s),
        vec!["Promote s:1 ( Unpromoted -> Promoted node2 )"]
    );
}

#[test]
fn after_a_notifying_clone_the_restart_waits_for_its_notification() {
    let s = run(&cib(
        true,
        true,
        r#"<nvpair id="msm2" name="notify" value="true"/>"#,
    ));
    assert_eq!(
        summary(&s),
        vec![
            "Recover s:0 ( Promoted node1 )",
            "Restart x ( node1 ) due to required ms notified"
        ]
    );
}
