//! no-quorum-policy=freeze: active resources keep running and may still move within the
//! partition; stopped ones may not start.

mod common;
use common::{run, summary};

#[test]
fn freeze_lets_active_resources_move_but_blocks_new_starts() {
    let lrm = |id: &str| {
        format!(
            r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="{id}_last_0" operation="start" interval="0" call-id="1" rc-code="0" op-status="0" transition-key="1:-1:0:x" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>"#
        )
    };
    let prim = |id: &str| {
        format!(r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy"/>"#)
    };
    let xml = format!(
        r#"<cib have-quorum="0"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="no-quorum-policy" value="freeze"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>{}{}{}</resources><constraints/></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>{}{}</lrm_resources></lrm></node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources/></lrm></node_state>
</status></cib>"#,
        prim("rsc1"),
        prim("rsc2"),
        prim("rsc3"),
        lrm("rsc1"),
        lrm("rsc2")
    );
    let s = run(&xml);
    assert_eq!(
        summary(&s),
        vec![
            "Move rsc2 ( n1 -> n2 )".to_string(),
            "Start rsc3 ( n1 ) due to quorum freeze (blocked)".to_string()
        ]
    );
}
