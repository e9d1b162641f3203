//! Resource templates in constraints stand for every primitive derived from them: in place in
//! a resource set, as a non-sequential set in a simple constraint.

mod common;
use common::run;

/// Two online nodes; template T with primitives t1..t3; plain primitives a, b.
fn cib(constraints: &str) -> String {
    let nodes = r#"<node id="1" uname="n1"/><node id="2" uname="n2"/>"#;
    let states: String = ["n1", "n2"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                r#"<node_state id="{}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"/>"#,
                i + 1
            )
        })
        .collect();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes>{nodes}</nodes>
<resources>
<template id="T" class="ocf" provider="pacemaker" type="Dummy"/>
<primitive id="t1" template="T"/><primitive id="t2" template="T"/><primitive id="t3" template="T"/>
<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>
<primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/>
</resources>
<constraints>{constraints}</constraints></configuration>
<status>{states}</status></cib>"#
    )
}

fn node_of(s: &scheduler::Schedule, id: &str) -> Option<String> {
    let c = &s.before;
    let r = c.rsc_index(id).expect("resource exists");
    c.rscs[r].next.map(|n| c.nodes[n].name.clone())
}

#[test]
fn template_in_a_colocated_set_stands_for_its_primitives() {
    let s = run(&cib(
        r#"<rsc_colocation id="c" score="INFINITY"><resource_set id="c-0">
<resource_ref id="a"/><resource_ref id="T"/><resource_ref id="b"/></resource_set></rsc_colocation>"#,
    ));
    let a = node_of(&s, "a");
    assert!(a.is_some());
    for id in ["t1", "t2", "t3", "b"] {
        assert_eq!(node_of(&s, id), a, "{id} follows a");
    }
}

#[test]
fn template_in_a_location_applies_to_its_primitives() {
    let s = run(&cib(
        r#"<rsc_location id="l" rsc="T" node="n2" score="1000"/>"#,
    ));
    for id in ["t1", "t2", "t3"] {
        assert_eq!(node_of(&s, id).as_deref(), Some("n2"), "{id}");
    }
}

#[test]
fn simple_colocation_with_a_template_colocates_each_primitive() {
    let s = run(&cib(
        r#"<rsc_location id="l" rsc="a" node="n2" score="100"/>
<rsc_colocation id="c" rsc="T" with-rsc="a" score="INFINITY"/>"#,
    ));
    for id in ["t1", "t2", "t3"] {
        assert_eq!(node_of(&s, id).as_deref(), Some("n2"), "{id}");
    }
}

#[test]
fn colocation_between_two_templates_is_ignored() {
    let s = run(&cib(
        r#"<rsc_colocation id="c" rsc="T" with-rsc="T" score="INFINITY"/>"#,
    ));
    let placed: Vec<Option<String>> = ["t1", "t2", "t3"]
        .iter()
        .map(|id| node_of(&s, id))
        .collect();
    assert!(placed.contains(&Some("n1".into())) && placed.contains(&Some("n2".into())));
}

#[test]
fn order_after_a_template_waits_for_every_primitive() {
    let s = run(&cib(r#"<rsc_order id="o" first="T" then="a"/>"#));
    let acts = &s.transition.actions;
    let a_start = acts
        .iter()
        .position(|x| x.label.starts_with("a start on"))
        .expect("a starts");
    for id in ["t1", "t2", "t3"] {
        let t = acts
            .iter()
            .position(|x| x.label.starts_with(&format!("{id} start on")))
            .expect("template primitive starts");
        assert!(acts[a_start].after.contains(&t), "a waits for {id}");
    }
}
