//! A member still joining (pending) while fencing is enabled: a resource never probed
//! there cannot start anywhere; one probed there can. Checked against crm_simulate 2.1.5.

mod common;
use common::{run, summary};

/// n1, n2 online and n3 pending; fencing device F and Dummy A stopped; `n3_history` is
/// n3's resource history.
fn cib(stonith: bool, n3_history: &str) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="{stonith}"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
<resources><primitive id="F" class="stonith" type="fence_xvm"/><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints/></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
<node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="pending" expected="down"><lrm id="n3"><lrm_resources>{n3_history}</lrm_resources></lrm></node_state></status></cib>"#
    )
}

#[test]
fn starts_wait_for_a_probe_on_a_pending_node_when_fencing_is_enabled() {
    let s = run(&cib(true, ""));
    assert_eq!(
        summary(&s),
        vec![
            "Start A ( n2 ) blocked".to_string(),
            "Start F ( n1 ) blocked".to_string()
        ]
    );
}

#[test]
fn a_resource_probed_on_the_pending_node_starts() {
    let probed = r#"<lrm_resource id="A" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="A_last_0" operation="monitor" interval="0" call-id="2" rc-code="7" op-status="0" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x"/></lrm_resource>"#;
    let s = run(&cib(true, probed));
    assert_eq!(
        summary(&s),
        vec![
            "Start A ( n2 )".to_string(),
            "Start F ( n1 ) blocked".to_string()
        ]
    );
}

#[test]
fn without_fencing_a_pending_node_blocks_nothing() {
    let s = run(&cib(false, ""));
    assert_eq!(
        summary(&s),
        vec!["Start A ( n2 )".to_string(), "Start F ( n1 )".to_string()]
    );
}
