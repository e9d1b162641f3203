//! An anonymous clone instance active on a node that can no longer host it is placed after
//! the inactive instances: a fresh instance takes the free node and the stranded one stops,
//! rather than the stranded instance moving.

mod common;
use common::{run, summary};

fn cib(clone_max: u32) -> String {
    r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="{clone_max}"/></meta_attributes>
<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>
<constraints><rsc_location id="l" rsc="c" node="n2" score="-INFINITY"/></constraints></configuration>
<status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="n1"><lrm_resources/></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="n2"><lrm_resources><lrm_resource id="d" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="d_start_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x"/>
</lrm_resource></lrm_resources></lrm></node_state>
</status></cib>"##
        .replace("{clone_max}", &clone_max.to_string())
}

#[test]
fn a_stranded_instance_stops_and_a_fresh_one_starts() {
    let s = run(&cib(2));
    assert_eq!(
        summary(&s),
        vec![
            "Start d:1 ( n1 )".to_string(),
            "Stop d:0 ( n2 ) due to node availability".to_string(),
        ]
    );
}

#[test]
fn a_single_instance_clone_moves_its_only_instance() {
    let s = run(&cib(1));
    assert_eq!(summary(&s), vec!["Move d:0 ( n2 -> n1 )".to_string()]);
}

#[test]
fn an_instance_on_a_standby_node_moves() {
    let xml = cib(2)
        .replace(r#"<rsc_location id="l" rsc="c" node="n2" score="-INFINITY"/>"#, "")
        .replace(
            r#"<node id="n2" uname="n2"/>"#,
            r#"<node id="n2" uname="n2"><instance_attributes id="na"><nvpair id="na1" name="standby" value="on"/></instance_attributes></node>"#,
        );
    let s = run(&xml);
    assert_eq!(summary(&s), vec!["Move d:0 ( n2 -> n1 )".to_string()]);
}
