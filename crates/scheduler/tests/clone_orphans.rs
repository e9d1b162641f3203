//! Histories of resources beyond the configuration: instances of a configured clone beyond
//! its clone-max, and stopped histories of resources no longer configured.

mod common;
use common::op;

fn node_state(id: u32, name: &str, rsc: &str) -> String {
    format!(
        r#"<node_state id="{id}" uname="{name}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{id}"><lrm_resources><lrm_resource id="{rsc}" class="ocf" provider="pacemaker" type="Dummy">{}{}</lrm_resource></lrm_resources></lrm></node_state>"#,
        op(rsc, "monitor", 7, 1),
        op(rsc, "start", 0, 2)
    )
}

#[test]
fn instance_beyond_clone_max_stops_for_node_availability() {
    let xml = format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources><clone id="C"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="1"/></meta_attributes>
<primitive id="P" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>
<constraints/></configuration>
<status>{}{}</status></cib>"#,
        node_state(1, "n1", "P:0"),
        node_state(2, "n2", "P:1")
    );
    let cib = cib::Cib::parse(&xml).expect("test CIB parses");
    let s = scheduler::schedule(&cib, 0);
    // (Pacemaker also restarts P:0 here for its missing operation digest.)
    assert!(
        s.transition
            .summary
            .contains(&"Stop P:1 ( n2 ) due to node availability".to_string()),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn stopped_history_of_an_unconfigured_resource_is_deleted() {
    let xml = format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/></nodes>
<resources/><constraints/></configuration>
<status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources><lrm_resource id="gone:0" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource></lrm_resources></lrm></node_state></status></cib>"#,
        op("gone:0", "monitor", 7, 1)
    );
    let cib = cib::Cib::parse(&xml).expect("test CIB parses");
    let s = scheduler::schedule(&cib, 0);
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    let labels: Vec<&str> = s
        .transition
        .actions
        .iter()
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(labels, vec!["gone:0 delete on n1"]);
}
