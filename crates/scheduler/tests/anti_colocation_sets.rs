//! A sequential colocation set with a negative score keeps every member away from every
//! earlier member (not only from its neighbour): with more members than nodes, the last
//! ones stay stopped.

mod common;
use common::{run, summary};

fn cib(score: &str) -> String {
    r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="C" class="ocf" provider="pacemaker" type="Dummy"/></resources>
<constraints><rsc_colocation id="only" score="{score}"><resource_set id="s" sequential="true"><resource_ref id="A"/><resource_ref id="B"/><resource_ref id="C"/></resource_set></rsc_colocation></constraints></configuration>
<status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources/></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n2"><lrm_resources/></lrm></node_state>
</status></cib>"##
        .replace("{score}", score)
}

#[test]
fn every_member_avoids_every_earlier_member() {
    let s = run(&cib("-INFINITY"));
    assert_eq!(
        summary(&s),
        vec!["Start A ( n1 )".to_string(), "Start B ( n2 )".to_string()]
    );
}

#[test]
fn a_positive_set_still_chains_members_together() {
    let s = run(&cib("INFINITY"));
    assert_eq!(
        summary(&s),
        vec![
            "Start A ( n1 )".to_string(),
            "Start B ( n1 )".to_string(),
            "Start C ( n1 )".to_string(),
        ]
    );
}
