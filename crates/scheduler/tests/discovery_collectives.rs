//! `resource-discovery="never"` on a location constraint naming a clone or a group: none of
//! its members is probed on that node (checked against Debian's crm_simulate 2.1.5).

mod common;
use common::{labels, run, summary};

const CIB: &str = r#"<cib have-quorum="1" dc-uuid="n1">
<configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><clone id="c"><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone>
<group id="g"><primitive id="g1" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="g2" class="ocf" provider="pacemaker" type="Dummy"/></group></resources>
<constraints><rsc_location id="l1" rsc="c" node="n2" score="0" resource-discovery="never"/><rsc_location id="l2" rsc="g" node="n1" score="0" resource-discovery="never"/></constraints></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#;

#[test]
fn members_of_a_collective_are_not_probed_where_its_constraint_says_never() {
    let s = run(CIB);
    let probes: Vec<String> = labels(&s)
        .into_iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| l.ends_with("monitor on n1") || l.ends_with("monitor on n2"))
        .collect();
    assert_eq!(
        probes,
        vec![
            "d:0 monitor on n1".to_string(),
            "g1 monitor on n2".to_string(),
            "g2 monitor on n2".to_string()
        ]
    );
    // Discovery does not limit placement: the clone still runs on both nodes.
    let lines: Vec<String> = summary(&s)
        .into_iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(lines.contains(&"Start d:1 ( n2 )".to_string()), "{lines:?}");
    assert!(lines.contains(&"Start g1 ( n1 )".to_string()), "{lines:?}");
}
