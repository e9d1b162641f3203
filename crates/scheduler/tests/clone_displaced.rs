//! Clone instances active on a lost node are placed before the inactive instances (while
//! the nodes are least loaded), and a promotable instance moving in its role shows the
//! role at its destination only. Checked against crm_simulate 2.1.5.

mod common;
use common::{run, summary};

const DIGEST: &str = "f2317cad3d54cec5d7d7aa7d0bf35cf8";

fn started(id: &str, class: &str) -> String {
    let agent = if class == "stonith" {
        r#"class="stonith" type="fence_xvm""#
    } else {
        r#"class="ocf" provider="pacemaker" type="Dummy""#
    };
    format!(
        r#"<lrm_resource id="{id}" {agent}><lrm_rsc_op id="{id}_last_0" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="{DIGEST}"/></lrm_resource>"#
    )
}

#[test]
fn an_instance_on_a_lost_node_takes_the_least_loaded_node_first() {
    // d:1 ran on lost n1; n2 runs F. d:1 is placed first (on empty n3), d:0 then on n2.
    let xml = format!(
        r#"<cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
<resources><primitive id="F" class="stonith" type="fence_xvm"/><clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="globally-unique" value="true"/><nvpair id="cm2" name="clone-max" value="2"/></meta_attributes><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>
<constraints><rsc_location id="l" rsc="F" node="n2" score="100"/></constraints></configuration>
<status><node_state id="n1" uname="n1" in_ccm="false" crmd="offline" join="member" expected="member"><lrm id="n1"><lrm_resources>{}</lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n2"><lrm_resources>{}</lrm_resources></lrm></node_state>
<node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#,
        started("d:1", "ocf"),
        started("F", "stonith")
    );
    assert_eq!(
        summary(&run(&xml)),
        vec![
            "Fence (reboot) n1 'peer is no longer part of the cluster'".to_string(),
            "Move d:1 ( n1 -> n3 )".to_string(),
            "Start d:0 ( n2 )".to_string(),
        ]
    );
}

#[test]
fn a_promotable_instance_moving_in_its_role_shows_the_role_at_the_destination() {
    let xml = format!(
        r#"<cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/><nvpair id="cm2" name="clone-max" value="1"/><nvpair id="cm3" name="promoted-max" value="0"/></meta_attributes><primitive id="r" class="ocf" provider="pacemaker" type="Stateful"/></clone></resources>
<constraints><rsc_location id="l" rsc="c" node="n1" score="-INFINITY"/></constraints></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>{}</lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#,
        started("r", "ocf").replace("Dummy", "Stateful")
    );
    assert_eq!(
        summary(&run(&xml)),
        vec!["Move r:0 ( n1 -> n2 Unpromoted )".to_string()]
    );
}
