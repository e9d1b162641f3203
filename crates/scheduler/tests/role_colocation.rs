//! Colocations naming the Unpromoted role: with an Unpromoted primary only the unpromoted
//! instances count; an Unpromoted dependent clone is placed freely and the colocation decides
//! which instance is promoted.

mod common;
use common::run;

fn attrs(score: i32) -> String {
    format!(
        r#"<transient_attributes id="t"><instance_attributes id="ta"><nvpair id="a" name="master-rsc1" value="{score}"/></instance_attributes></transient_attributes>"#
    )
}

/// Two nodes, promotable `ms1` (promotion preference n1 10, n2 5), primitive `d`.
fn cib(constraints: &str) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<clone id="ms1"><meta_attributes id="m"><nvpair id="m1" name="promotable" value="true"/></meta_attributes>
<primitive id="rsc1" class="ocf" provider="pacemaker" type="Stateful"/></clone>
<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>
</resources><constraints>{constraints}</constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">{}</node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">{}</node_state>
</status></cib>"#,
        attrs(10),
        attrs(5)
    )
}

fn node_of(s: &scheduler::Schedule, id: &str) -> Option<String> {
    let c = &s.before;
    let r = c.rsc_index(id).expect("resource exists");
    c.rscs[r].next.map(|n| c.nodes[n].name.clone())
}

fn promoted_on(s: &scheduler::Schedule) -> Vec<String> {
    let c = &s.before;
    c.rscs
        .iter()
        .filter(|r| r.config_id == "rsc1" && r.next_role == scheduler::Role::Promoted)
        .filter_map(|r| r.next.map(|n| c.nodes[n].name.clone()))
        .collect()
}

#[test]
fn with_unpromoted_primary_follows_the_unpromoted_instance() {
    let s = run(&cib(
        r#"<rsc_colocation id="c" rsc="d" with-rsc="ms1" with-rsc-role="Unpromoted" score="INFINITY"/>"#,
    ));
    assert_eq!(promoted_on(&s), vec!["n1".to_string()]);
    assert_eq!(node_of(&s, "d").as_deref(), Some("n2"));
}

#[test]
fn never_with_unpromoted_primary_avoids_only_the_unpromoted_instance() {
    let s = run(&cib(
        r#"<rsc_colocation id="c" rsc="d" with-rsc="ms1" with-rsc-role="Unpromoted" score="-INFINITY"/>"#,
    ));
    assert_eq!(promoted_on(&s), vec!["n1".to_string()]);
    assert_eq!(node_of(&s, "d").as_deref(), Some("n1"));
}

#[test]
fn unpromoted_dependent_decides_promotion_not_placement() {
    // d prefers n1, and ms1's unpromoted instance must be with d: n1's instance stays
    // unpromoted, so n2's is promoted despite the lower preference; both instances run.
    let s = run(&cib(
        r#"<rsc_location id="l" rsc="d" node="n1" score="5000"/>
<rsc_colocation id="c" rsc="ms1" rsc-role="Unpromoted" with-rsc="d" score="INFINITY"/>"#,
    ));
    assert_eq!(node_of(&s, "d").as_deref(), Some("n1"));
    assert_eq!(promoted_on(&s), vec!["n2".to_string()]);
    let running = s
        .before
        .rscs
        .iter()
        .filter(|r| r.config_id == "rsc1" && r.next.is_some())
        .count();
    assert_eq!(running, 2);
}

#[test]
fn promoted_dependent_waits_for_its_primary_placed_later() {
    // d is configured after ms1 but prefers n2: the promoted instance follows d there.
    let s = run(&cib(
        r#"<rsc_location id="l" rsc="d" node="n2" score="5000"/>
<rsc_colocation id="c" rsc="ms1" rsc-role="Promoted" with-rsc="d" score="INFINITY"/>"#,
    ));
    assert_eq!(node_of(&s, "d").as_deref(), Some("n2"));
    assert_eq!(promoted_on(&s), vec!["n2".to_string()]);
}
