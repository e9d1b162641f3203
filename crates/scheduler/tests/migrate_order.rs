//! Ordering into a live migration: what must precede a resource's start precedes its
//! migrate_to when it migrates.

const CIB: &str = r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>
<primitive id="b" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="bm"><nvpair id="bm1" name="allow-migrate" value="true"/></meta_attributes></primitive>
</resources><constraints>
<rsc_location id="l1" rsc="b" node="n2" score="100"/>
<rsc_location id="l2" rsc="a" node="n1" score="100"/>
<rsc_order id="o1" first="a" then="b" kind="Mandatory"/>
</constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="a1" operation="monitor" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x" call-id="1" rc-code="7" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="b" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="b1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources>
<lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="a2" operation="monitor" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x" call-id="1" rc-code="7" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="b" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="b2" operation="monitor" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x" call-id="1" rc-code="7" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"#;

#[test]
fn order_then_start_holds_back_migrate_to() {
    let cib = cib::Cib::parse(CIB).expect("test CIB parses");
    let s = scheduler::schedule(&cib, 0);
    assert_eq!(
        s.transition.summary,
        vec![
            "Start a ( n1 )".to_string(),
            "Migrate b ( n1 -> n2 )".to_string()
        ]
    );
    // As Pacemaker 2.1.5's crm_simulate runs it.
    let got: Vec<String> = scheduler::actions::execution_order(&s.transition)
        .into_iter()
        .map(|i| s.transition.actions[i].label.clone())
        .collect();
    assert_eq!(
        got,
        [
            "a start on n1",
            "b migrate_to on n1",
            "b migrate_from on n2",
            "b stop on n1",
            "b_start_0"
        ]
    );
    let acts = &s.transition.actions;
    let find = |l: &str| acts.iter().position(|a| a.label == l).expect(l);
    assert!(acts[find("b migrate_to on n1")]
        .after
        .contains(&find("a start on n1")));
}
