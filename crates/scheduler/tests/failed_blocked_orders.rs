//! A resource blocked by a failure where it runs can never start: what must start after it
//! stays stopped, while what must only follow it optionally starts anyway.

mod common;

#[test]
fn a_failed_blocked_resource_holds_back_its_mandatory_dependents() {
    let dummy = |id: &str| {
        format!(r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy"/>"#)
    };
    let xml = format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="node1" uname="node1"/></nodes>
<resources>{}{}{}</resources>
<constraints><rsc_order id="ab" first="rscA" then="rscB" first-action="start" then-action="start" kind="Optional"/>
<rsc_order id="ac" first="rscA" then="rscC" first-action="start" then-action="start"/></constraints></configuration>
<status><node_state id="node1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="node1"><lrm_resources>
<lrm_resource id="rscA" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="rscA_stop_0" operation="stop" call-id="3" rc-code="1" op-status="0" interval="0" transition-key="3:1:0:x" transition-magic="0:1;3:1:0:x" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="rscB" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>
<lrm_resource id="rscC" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>
</lrm_resources></lrm></node_state></status></cib>"#,
        dummy("rscA"),
        dummy("rscB"),
        dummy("rscC"),
        common::op("rscB", "monitor", 7, 1),
        common::op("rscC", "monitor", 7, 1),
    );
    let s = common::run(&xml);
    assert_eq!(
        common::summary(&s),
        vec![
            "Start rscB ( node1 )",
            "Start rscC ( node1 ) due to unrunnable rscA start (blocked)"
        ]
    );
}
