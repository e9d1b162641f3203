//! The reason given for stopping what is ordered after a resource that stops: what would
//! stay where it runs stops because that resource is "required"; what would move or start
//! elsewhere stops because that resource's start is "unrunnable".

mod common;
use common::{run, summary};

/// `b` (disabled) runs on node1, and so do clone `c` (`d`) and `e`, both ordered after `b`.
const CIB: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/></nodes>
<resources>
<primitive id="b" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="bm"><nvpair id="bm1" name="target-role" value="Stopped"/></meta_attributes></primitive>
<clone id="c"><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone>
<primitive id="e" class="ocf" provider="pacemaker" type="Dummy"/>
</resources><constraints>
<rsc_order id="ord1" first="b" then="c"/>
<rsc_order id="ord2" first="b" then="e"/>
</constraints></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="b" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="b1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="1" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="d" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="d1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="e" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="e1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

#[test]
fn what_stays_in_place_names_the_stopping_resource_required() {
    assert_eq!(
        summary(&run(CIB)),
        vec![
            "Stop b ( node1 ) due to node availability",
            "Stop d:0 ( node1 ) due to required b start",
            "Stop e ( node1 ) due to required b start",
        ]
    );
}

#[test]
fn what_would_move_names_the_start_unrunnable() {
    let xml = CIB
        .replace(
            r#"<nodes><node id="1" uname="node1"/></nodes>"#,
            r#"<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>"#,
        )
        .replace(
            "</constraints>",
            r#"<rsc_location id="le" rsc="e" node="node2" score="INFINITY"/><rsc_location id="ld" rsc="c" node="node2" score="-INFINITY"/></constraints>"#,
        )
        .replace(
            "</status>",
            r#"<node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/></status>"#,
        );
    assert_eq!(
        summary(&run(&xml)),
        vec![
            "Stop b ( node1 ) due to node availability",
            "Stop d:0 ( node1 ) due to required b start",
            "Stop e ( node1 ) due to unrunnable b start",
        ]
    );
}
