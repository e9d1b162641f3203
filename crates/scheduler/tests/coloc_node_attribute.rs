//! Colocation by node attribute: the dependent runs on a node alike (in that attribute) the
//! primary's, and pulls the primary towards nodes alike those it can run on.

mod common;
use common::{run, summary};

/// n1, n2 in rack "a", n3, n4 in rack "b"; P cannot run on n2 or n4, D only on n4; D is
/// colocated with P by `attr` (rack, or the node itself when `None`).
fn cib(attr: Option<&str>) -> String {
    let node = |n: &str, rack: &str| {
        format!(
            r#"<node id="{n}" uname="{n}"><instance_attributes id="{n}-a"><nvpair id="{n}-r" name="rack" value="{rack}"/></instance_attributes></node>"#
        )
    };
    let state = |n: &str| {
        format!(
            r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources/></lrm></node_state>"#
        )
    };
    let by = attr
        .map(|a| format!(r#" node-attribute="{a}""#))
        .unwrap_or_default();
    let ban = |id: &str, r: &str, n: &str| {
        format!(r#"<rsc_location id="{id}" rsc="{r}" node="{n}" score="-INFINITY"/>"#)
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes>{}{}{}{}</nodes>
<resources><primitive id="P" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="D" class="ocf" provider="pacemaker" type="Dummy"/></resources>
<constraints>{}{}{}{}{}<rsc_colocation id="co" rsc="D" with-rsc="P" score="INFINITY"{by}/></constraints>
</configuration><status>{}{}{}{}</status></cib>"#,
        node("n1", "a"),
        node("n2", "a"),
        node("n3", "b"),
        node("n4", "b"),
        ban("p2", "P", "n2"),
        ban("p4", "P", "n4"),
        ban("d1", "D", "n1"),
        ban("d2", "D", "n2"),
        ban("d3", "D", "n3"),
        state("n1"),
        state("n2"),
        state("n3"),
        state("n4")
    )
}

#[test]
fn the_dependent_pulls_the_primary_into_a_rack_where_both_can_run() {
    let s = run(&cib(Some("rack")));
    assert_eq!(summary(&s), vec!["Start D ( n4 )", "Start P ( n3 )"]);
}

#[test]
fn by_node_the_dependent_cannot_follow() {
    let s = run(&cib(None));
    assert_eq!(summary(&s), vec!["Start P ( n1 )"]);
}
