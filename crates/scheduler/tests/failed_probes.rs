//! Probes that found the agent not installed, or a hard error, keep the resource off that node
//! (until a not-installed failure expires with failure-timeout).

fn run(xml: &str, now: i64) -> scheduler::Schedule {
    let cib = cib::Cib::parse(xml).expect("test CIB parses");
    scheduler::schedule(&cib, now)
}

fn cib(rc: i32, meta: &str) -> String {
    format!(
        r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{meta}</primitive></resources>
<constraints/></configuration>
<status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="n1"><lrm_resources><lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="rsc1_last_failure_0" operation="monitor" interval="0" call-id="2" rc-code="{rc}" op-status="0" transition-key="1:1:7:x" last-rc-change="1000"/>
</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"##
    )
}

#[test]
fn a_resource_not_installed_on_a_node_starts_elsewhere() {
    let s = run(&cib(5, ""), 2000);
    assert_eq!(s.transition.summary, vec!["Start rsc1 ( n2 )"]);
}

#[test]
fn a_probe_with_a_hard_error_bans_the_node() {
    let s = run(&cib(4, ""), 2000);
    let got = s.transition.summary.join("\n");
    assert!(got.contains("n2"), "{got}");
    assert!(!got.contains("( n1 )"), "{got}");
}

#[test]
fn an_expired_not_installed_failure_no_longer_bans() {
    let meta = r#"<meta_attributes id="m"><nvpair id="m1" name="failure-timeout" value="10"/></meta_attributes>"#;
    let s = run(&cib(5, meta), 2000);
    assert_eq!(s.transition.summary, vec!["Start rsc1 ( n1 )"]);
    let s = run(&cib(5, meta), 1005);
    assert_eq!(s.transition.summary, vec!["Start rsc1 ( n2 )"]);
}
