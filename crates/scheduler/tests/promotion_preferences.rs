//! Promotion scores beyond the promotion attributes: a promotable clone's role-less location
//! scores and the preferences of resources mandatorily colocated with it (with its promoted
//! role, or pulling it with their positive preferences) count where an instance has a
//! promotion preference of its own.

mod common;
use common::{run, summary};

/// `s` (clone `ms`) is promoted on node1 and unpromoted on node2; `x` must run with the
/// promoted instance. ATTR1/ATTR2 are the promotion attributes, LOC more constraints, XDEF
/// the definition of `x` and X1 its history on node1.
const BASE: &str = r#"<cib have-quorum="1" admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
<resources>
<clone id="ms"><meta_attributes id="msm"><nvpair id="msm1" name="promotable" value="true"/></meta_attributes>
<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></clone>
XDEF
</resources><constraints>
<rsc_colocation id="c1" rsc="x" with-rsc="ms" with-rsc-role="Promoted" score="INFINITY"/>
LOC
</constraints></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="1"><instance_attributes id="ta">ATTR1</instance_attributes></transient_attributes><lrm id="1"><lrm_resources>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s1" operation="promote" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
X1
</lrm_resources></lrm></node_state>
<node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="2"><instance_attributes id="tb">ATTR2</instance_attributes></transient_attributes><lrm id="2"><lrm_resources>
<lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s2" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

fn cib(ms1: Option<i64>, ms2: Option<i64>, loc: &str) -> String {
    let attr = |id: &str, v: Option<i64>| {
        v.map(|v| format!(r#"<nvpair id="{id}" name="master-s" value="{v}"/>"#))
            .unwrap_or_default()
    };
    BASE.replace("ATTR1", &attr("ta1", ms1))
        .replace("ATTR2", &attr("tb1", ms2))
        .replace("LOC", loc)
        .replace(
            "XDEF",
            r#"<primitive id="x" class="ocf" provider="pacemaker" type="Dummy"/>"#,
        )
        .replace("X1", "")
}

const SWAP: [&str; 3] = [
    "Demote s:0 ( Promoted -> Unpromoted node1 )",
    "Promote s:1 ( Unpromoted -> Promoted node2 )",
    "Start x ( node2 )",
];

#[test]
fn a_dependent_banned_from_the_promoted_node_moves_the_promotion() {
    let s = run(&cib(
        Some(10),
        Some(5),
        r#"<rsc_location id="l" rsc="x" node="node1" score="-INFINITY"/>"#,
    ));
    assert_eq!(summary(&s), SWAP);
}

#[test]
fn a_dependent_preference_counts_twice() {
    // 5 + 2 x 3 beats 10.
    let s = run(&cib(
        Some(10),
        Some(5),
        r#"<rsc_location id="l" rsc="x" node="node2" score="3"/>"#,
    ));
    assert_eq!(summary(&s), SWAP);
    // 5 + 2 x 2 does not.
    let s = run(&cib(
        Some(10),
        Some(5),
        r#"<rsc_location id="l" rsc="x" node="node2" score="2"/>"#,
    ));
    assert_eq!(summary(&s), vec!["Start x ( node1 )"]);
}

#[test]
fn a_dependent_that_rules_out_every_instance_is_ignored() {
    let s = run(&cib(
        Some(10),
        Some(5),
        r#"<rsc_location id="l1" rsc="x" node="node1" score="-INFINITY"/><rsc_location id="l2" rsc="x" node="node2" score="-INFINITY"/>"#,
    ));
    assert_eq!(summary(&s), Vec::<String>::new());
}

#[test]
fn the_dependents_stickiness_counts() {
    let running_x = r#"<lrm_resource id="x" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="x1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>"#;
    let sticky_x = r#"<primitive id="x" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="xm"><nvpair id="xm1" name="resource-stickiness" value="30"/></meta_attributes></primitive>"#;
    let xml = BASE
        .replace("ATTR1", r#"<nvpair id="ta1" name="master-s" value="10"/>"#)
        .replace("ATTR2", r#"<nvpair id="tb1" name="master-s" value="25"/>"#)
        .replace("LOC", "")
        .replace("XDEF", sticky_x)
        .replace("X1", running_x);
    // 10 + 2 x 30 keeps the promotion where x runs.
    assert_eq!(summary(&run(&xml)), Vec::<String>::new());
}

#[test]
fn the_clones_own_location_counts_with_a_promotion_attribute() {
    let on_primitive = r#"<rsc_location id="l" rsc="s" node="node2" score="50"/>"#;
    assert_eq!(summary(&run(&cib(Some(10), Some(5), on_primitive))), SWAP);
    let on_clone = r#"<rsc_location id="l" rsc="ms" node="node2" score="50"/>"#;
    assert_eq!(summary(&run(&cib(Some(10), Some(5), on_clone))), SWAP);
    // Without any promotion preference, placement preferences promote nothing.
    let s = run(&cib(None, None, on_clone));
    assert_eq!(
        summary(&s),
        vec!["Demote s:0 ( Promoted -> Unpromoted node1 )"]
    );
}

#[test]
fn an_instance_pushed_below_zero_stays_promotable_last() {
    // promoted-max 2: both may be promoted, node1 despite x being banned there.
    let xml = cib(
        Some(10),
        Some(5),
        r#"<rsc_location id="l" rsc="x" node="node1" score="-INFINITY"/>"#,
    )
    .replace(
        r#"<nvpair id="msm1" name="promotable" value="true"/>"#,
        r#"<nvpair id="msm1" name="promotable" value="true"/><nvpair id="msm2" name="promoted-max" value="2"/>"#,
    );
    assert_eq!(
        summary(&run(&xml)),
        vec![
            "Promote s:1 ( Unpromoted -> Promoted node2 )",
            "Start x ( node2 )"
        ]
    );
}
