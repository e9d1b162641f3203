//! Colocations met while placing: a loop of mandatory colocations is broken where it closes,
//! and a dependent being placed pulls its next primaries with what its colocations already
//! made of it.

mod common;

/// `count` online nodes without history, Dummy primitives `rscs` and the constraints `constraints`.
fn cib(count: usize, rscs: &[&str], constraints: &str) -> String {
    let nodes: String = (1..=count)
        .map(|i| format!(r#"<node id="{i}" uname="node{i}"/>"#))
        .collect();
    let states: String = (1..=count)
        .map(|i| {
            format!(
                r#"<node_state id="{i}" uname="node{i}" in_ccm="true" crmd="online" join="member" expected="member"/>"#
            )
        })
        .collect();
    let rscs: String = rscs
        .iter()
        .map(|r| format!(r#"<primitive id="{r}" class="ocf" provider="pacemaker" type="Dummy"/>"#))
        .collect();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes>{nodes}</nodes><resources>{rscs}</resources><constraints>{constraints}</constraints></configuration>
<status>{states}</status></cib>"#
    )
}

#[test]
fn a_loop_of_mandatory_colocations_places_everything_together() {
    let xml = cib(
        3,
        &["rsc1", "rsc2", "rsc3"],
        r#"<rsc_colocation id="c12" rsc="rsc1" with-rsc="rsc2" score="INFINITY"/>
<rsc_colocation id="c23" rsc="rsc2" with-rsc="rsc3" score="INFINITY"/>
<rsc_colocation id="c31" rsc="rsc3" with-rsc="rsc1" score="INFINITY"/>"#,
    );
    let s = common::run(&xml);
    assert_eq!(
        common::summary(&s),
        vec![
            "Start rsc1 ( node1 )",
            "Start rsc2 ( node1 )",
            "Start rsc3 ( node1 )"
        ]
    );
}

#[test]
fn a_dependent_with_several_primaries_pulls_the_later_ones_onto_the_first_ones_node() {
    // rsc1 must be with each of rsc2, rsc3 and rsc4: once rsc2 is placed, rsc1 can only go
    // where rsc2 is, and rsc3 and rsc4 follow it there rather than spreading the load.
    let xml = cib(
        2,
        &["rsc1", "rsc2", "rsc3", "rsc4"],
        r#"<rsc_colocation id="c2" rsc="rsc1" with-rsc="rsc2" rsc-role="Started" score="INFINITY"/>
<rsc_colocation id="c3" rsc="rsc1" with-rsc="rsc3" rsc-role="Started" score="INFINITY"/>
<rsc_colocation id="c4" rsc="rsc1" with-rsc="rsc4" score="INFINITY"/>"#,
    );
    let s = common::run(&xml);
    assert_eq!(
        common::summary(&s),
        vec![
            "Start rsc1 ( node1 )",
            "Start rsc2 ( node1 )",
            "Start rsc3 ( node1 )",
            "Start rsc4 ( node1 )"
        ]
    );
}
