//! Without quorum, an instance that would start in the promoted role shows its blocked
//! promotion (`Promote ... ( Stopped -> Promoted n ) blocked`), the others their blocked
//! start. Checked against crm_simulate 2.1.5.

mod common;
use common::{run, summary};

#[test]
fn a_blocked_start_to_the_promoted_role_is_shown_as_a_blocked_promotion() {
    let xml = r#"<cib have-quorum="0"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="no-quorum-policy" value="stop"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/></meta_attributes><primitive id="r" class="ocf" provider="pacemaker" type="Stateful"/></clone></resources>
<constraints><rsc_location id="l" rsc="c" role="Promoted" node="n1" score="10"/></constraints></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#;
    let s = run(xml);
    assert_eq!(
        summary(&s),
        vec![
            "Promote r:0 ( Stopped -> Promoted n1 ) blocked".to_string(),
            "Start r:1 ( n2 ) due to no quorum (blocked)".to_string(),
        ]
    );
}
