//! Clones: clone-min, orderings on clones and blocked starts.

fn run(xml: &str) -> scheduler::Schedule {
    let cib = cib::Cib::parse(xml).expect("test CIB parses");
    scheduler::schedule(&cib, 0)
}

/// Two online nodes with nothing running, the given resources and constraints.
fn cib(resources: &str, constraints: &str) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>{resources}</resources><constraints>{constraints}</constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#
    )
}

const A_CLONE_MIN_2: &str = r#"<clone id="A-clone"><meta_attributes id="am"><nvpair id="am1" name="clone-min" value="2"/></meta_attributes>
<primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#;

#[test]
fn clone_min_unmet_blocks_what_is_ordered_after_the_clone() {
    let res = format!(
        r#"{A_CLONE_MIN_2}<primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/>"#
    );
    let k = r#"<rsc_location id="ban" rsc="A-clone" node="n2" score="-INFINITY"/>
<rsc_location id="pref" rsc="B" node="n2" score="10"/>
<rsc_order id="ord" first="A-clone" then="B"/>"#;
    let s = run(&cib(&res, k));
    let mut sum = s.transition.summary.clone();
    sum.sort();
    assert_eq!(
        sum,
        vec![
            "Start A:0 ( n1 )".to_string(),
            "Start B ( n2 ) due to unrunnable clone-one-or-more:ord (blocked)".to_string(),
        ]
    );
    assert!(!s
        .transition
        .actions
        .iter()
        .any(|a| a.label.starts_with("B start")));
}

#[test]
fn clone_min_met_lets_the_dependent_start() {
    let res = format!(
        r#"{A_CLONE_MIN_2}<primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/>"#
    );
    let k = r#"<rsc_order id="ord" first="A-clone" then="B"/>"#;
    let s = run(&cib(&res, k));
    assert_eq!(s.transition.summary.len(), 3, "{:?}", s.transition.summary);
    assert!(s
        .transition
        .summary
        .iter()
        .any(|l| l.starts_with("Start B (")));
}

#[test]
fn primitive_after_a_stopped_primitive_shows_a_blocked_start() {
    let res = r#"<primitive id="A" class="ocf" provider="pacemaker" type="Dummy">
<meta_attributes id="am"><nvpair id="am1" name="target-role" value="Stopped"/></meta_attributes></primitive>
<primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/>"#;
    let k = r#"<rsc_location id="pref" rsc="B" node="n1" score="10"/><rsc_order id="ord" first="A" then="B"/>"#;
    let s = run(&cib(res, k));
    assert_eq!(
        s.transition.summary,
        vec!["Start B ( n1 ) due to unrunnable A start (blocked)".to_string()]
    );
}

#[test]
fn instances_waiting_on_a_stopped_clone_are_not_listed() {
    let res = r#"<clone id="A-clone"><meta_attributes id="am"><nvpair id="am1" name="target-role" value="Stopped"/></meta_attributes>
<primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/></clone>
<clone id="B-clone"><primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#;
    let k = r#"<rsc_order id="ord" first="A-clone" then="B-clone"/>"#;
    let s = run(&cib(res, k));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}
