//! Location rules comparing node attributes with the resource's own parameters or
//! meta-attributes (value-source), and location constraints naming resources by pattern.

mod common;
use common::{run, summary};

fn cib(constraint: &str) -> String {
    format!(
        r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes>
<node id="n1" uname="n1"><instance_attributes id="n1a"><nvpair id="n1a1" name="fake" value="100"/><nvpair id="n1a2" name="rack" value="1"/></instance_attributes></node>
<node id="n2" uname="n2"><instance_attributes id="n2a"><nvpair id="n2a1" name="fake" value="200"/><nvpair id="n2a2" name="rack" value="2"/></instance_attributes></node>
</nodes>
<resources>
<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<instance_attributes id="r1i"><nvpair id="r1i1" name="fake" value="200"/></instance_attributes></primitive>
<primitive id="other" class="ocf" provider="pacemaker" type="Dummy">
<meta_attributes id="om"><nvpair id="om1" name="rack" value="2"/></meta_attributes>
<instance_attributes id="oi"><nvpair id="oi1" name="fake" value="100"/></instance_attributes></primitive>
</resources>
<constraints>{constraint}</constraints></configuration>
<status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"##
    )
}

#[test]
fn a_rule_compares_with_the_resource_parameter() {
    let c = r#"<rsc_location id="l" rsc="rsc1"><rule id="r" score="INFINITY">
<expression id="e" attribute="fake" operation="eq" value="fake" value-source="param"/></rule></rsc_location>"#;
    let s = run(&cib(c));
    assert!(
        summary(&s).contains(&"Start rsc1 ( n2 )".to_string()),
        "{:?}",
        summary(&s)
    );
}

#[test]
fn a_rule_compares_with_the_resource_meta_attribute() {
    let c = r#"<rsc_location id="l" rsc="other"><rule id="r" score="INFINITY">
<expression id="e" attribute="rack" operation="eq" value="rack" value-source="meta"/></rule></rsc_location>"#;
    let s = run(&cib(c));
    assert!(
        summary(&s).contains(&"Start other ( n2 )".to_string()),
        "{:?}",
        summary(&s)
    );
}

#[test]
fn a_pattern_selects_matching_resources_or_with_bang_the_others() {
    let c = r#"<rsc_location id="l" rsc-pattern="^rsc[0-9]$" node="n2" score="INFINITY"/>
<rsc_location id="l2" rsc-pattern="!rsc" node="n1" score="INFINITY"/>"#;
    let s = run(&cib(c));
    assert_eq!(summary(&s), vec!["Start other ( n1 )", "Start rsc1 ( n2 )"]);
}

#[test]
fn a_parameter_set_by_a_node_rule_is_compared_per_node() {
    let xml = cib(
        r#"<rsc_location id="l" rsc="rsc1"><rule id="r" score="INFINITY">
<expression id="e" attribute="fake" operation="eq" value="fake" value-source="param"/></rule></rsc_location>"#,
    )
    .replace(
        r#"<nvpair id="r1i1" name="fake" value="200"/></instance_attributes>"#,
        r##"<nvpair id="r1i1" name="fake" value="300"/></instance_attributes>
<instance_attributes id="r1j" score="20"><rule id="r1jr" score="INFINITY"><expression id="r1je" attribute="#uname" operation="eq" value="n2"/></rule>
<nvpair id="r1j1" name="fake" value="200"/></instance_attributes>"##,
    );
    let s = run(&xml);
    assert!(
        summary(&s).contains(&"Start rsc1 ( n2 )".to_string()),
        "{:?}",
        summary(&s)
    );
}
