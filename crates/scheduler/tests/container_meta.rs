//! Resources inside a container (the `container` meta-attribute): placed with the container,
//! not probed on their own, and their failures count against the container.

fn run(xml: &str) -> scheduler::Schedule {
    let cib = cib::Cib::parse(xml).expect("test CIB parses");
    scheduler::schedule(&cib, 0)
}

const INSIDE: &str =
    r#"<meta_attributes id="m"><nvpair id="m1" name="container" value="box"/></meta_attributes>"#;

fn cib(status: &str) -> String {
    format!(
        r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources>
<primitive id="box" class="ocf" provider="pacemaker" type="Dummy">
<meta_attributes id="b"><nvpair id="b1" name="migration-threshold" value="3"/></meta_attributes></primitive>
<primitive id="app" class="ocf" provider="pacemaker" type="Dummy">{INSIDE}</primitive>
</resources><constraints/></configuration>
<status>{status}</status></cib>"##
    )
}

#[test]
fn a_contained_resource_starts_with_its_container_unprobed() {
    let online = r#"<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>"#;
    let s = run(&cib(online));
    assert_eq!(
        s.transition.summary,
        vec!["Start box ( n1 )", "Start app ( n1 )"]
    );
    assert!(
        s.transition
            .actions
            .iter()
            .all(|a| !a.label.starts_with("app monitor on")),
        "no probe of app"
    );
}

#[test]
fn failures_inside_count_against_the_container() {
    let ran = |id: &str| {
        format!(
            r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="{id}_start_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x"/></lrm_resource>"#
        )
    };
    let status = format!(
        r#"<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<transient_attributes id="n1"><instance_attributes id="t">
<nvpair id="f1" name="fail-count-box" value="1"/><nvpair id="f2" name="fail-count-app" value="2"/>
</instance_attributes></transient_attributes>
<lrm id="n1"><lrm_resources>{}{}</lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>"#,
        ran("box"),
        ran("app")
    );
    let s = run(&cib(&status));
    let mut got = s.transition.summary.clone();
    got.sort();
    assert_eq!(got, vec!["Move app ( n1 -> n2 )", "Move box ( n1 -> n2 )"]);
}
