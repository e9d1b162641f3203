//! Maintenance (node, resource) and template/tag references in constraints, on small CIBs.

fn run(xml: &str) -> scheduler::Schedule {
    let cib = cib::Cib::parse(xml).expect("test CIB parses");
    scheduler::schedule(&cib, 0)
}

fn labels(s: &scheduler::Schedule) -> Vec<String> {
    let mut v: Vec<String> = s
        .transition
        .actions
        .iter()
        .map(|a| a.label.clone())
        .collect();
    v.sort();
    v
}

const ONLINE: &str = r#"in_ccm="true" crmd="online" join="member" expected="member""#;

/// rsc1 runs on n2 with a recorded 10s monitor; `n2_attrs` and `meta` vary.
fn maintenance_cib(n2_attrs: &str, meta: &str, n2_state: &str) -> String {
    format!(
        r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2">{n2_attrs}</node></nodes>
<resources>
<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{meta}
<operations><op id="m" name="monitor" interval="10s"/></operations></primitive>
</resources><constraints/></configuration>
<status>
<node_state id="n1" uname="n1" {ONLINE}><lrm id="n1"><lrm_resources>
<lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="rsc1_monitor_0" operation="monitor" interval="0" call-id="1" rc-code="7" op-status="0" transition-key="1:1:7:x"/>
</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" {n2_state}><lrm id="n2"><lrm_resources>
<lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="rsc1_start_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x"/>
<lrm_rsc_op id="rsc1_monitor_10000" operation="monitor" interval="10000" call-id="3" rc-code="0" op-status="0" transition-key="1:1:0:x"/>
</lrm_resource></lrm_resources></lrm></node_state>
</status></cib>"##
    )
}

const N2_MAINT: &str = r#"<instance_attributes id="n2a"><nvpair id="n2m" name="maintenance" value="true"/></instance_attributes>"#;

#[test]
fn resources_on_a_node_in_maintenance_are_left_alone_and_unmonitored() {
    let s = run(&maintenance_cib(N2_MAINT, "", ONLINE));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    assert_eq!(labels(&s), vec!["rsc1 cancel=10000 on n2"]);
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Started n2 (unmanaged)"), "{text}");
}

#[test]
fn an_offline_node_in_maintenance_keeps_its_resources() {
    let down = r#"in_ccm="false" crmd="offline" join="down" expected="down""#;
    let s = run(&maintenance_cib(N2_MAINT, "", down));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    assert!(labels(&s).is_empty(), "{:?}", labels(&s));
}

#[test]
fn a_resource_in_maintenance_has_its_monitors_cancelled() {
    let meta = r#"<meta_attributes id="ma"><nvpair id="mm" name="maintenance" value="true"/></meta_attributes>"#;
    let s = run(&maintenance_cib("", meta, ONLINE));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    assert_eq!(labels(&s), vec!["rsc1 cancel=10000 on n2"]);
}

/// rsc1..rsc3 from `template1`, rsc4 plain; `constraints` vary.
fn template_cib(constraints: &str) -> String {
    format!(
        r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources>
<template id="template1" class="ocf" provider="pacemaker" type="Dummy"/>
<primitive id="rsc1" template="template1"/>
<primitive id="rsc2" template="template1"/>
<primitive id="rsc3" template="template1"/>
<primitive id="rsc4" class="ocf" provider="pacemaker" type="Dummy"/>
</resources><constraints>{constraints}</constraints></configuration>
<status>
<node_state id="n1" uname="n1" {ONLINE}/><node_state id="n2" uname="n2" {ONLINE}/>
</status></cib>"##
    )
}

#[test]
fn a_template_in_a_colocation_stands_for_its_primitives() {
    let s = run(&template_cib(
        r#"<rsc_colocation id="c" rsc="template1" with-rsc="rsc4" score="INFINITY"/>"#,
    ));
    let mut got = s.transition.summary.clone();
    got.sort();
    assert_eq!(
        got,
        vec![
            "Start rsc1 ( n1 )",
            "Start rsc2 ( n1 )",
            "Start rsc3 ( n1 )",
            "Start rsc4 ( n1 )"
        ]
    );
}

#[test]
fn a_template_in_a_ticket_stands_for_its_primitives() {
    let s = run(&template_cib(
        r#"<rsc_ticket id="t" rsc="template1" ticket="T" loss-policy="stop"/>"#,
    ));
    let mut got = s.transition.summary.clone();
    got.sort();
    assert_eq!(got, vec!["Start rsc4 ( n1 )"]);
}
