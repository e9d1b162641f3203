//! A primitive found active on several nodes: every instance stops and one starts again
//! (a restart where it stays, a move when it goes elsewhere), or with
//! `multiple-active="stop_unexpected"` only the unexpected instances stop.

mod common;
use common::run;

/// rsc1 started on n1 and n2 (call ids 1 and 2); `meta` inside the primitive, `cons` as
/// constraints.
fn cib(meta: &str, cons: &str) -> String {
    let start = |call: u32| {
        format!(
            r#"<lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="rsc1_last_0" operation="start" interval="0" call-id="{call}" rc-code="0" op-status="0" transition-key="{call}:1:0:00000000-0000-0000-0000-000000000000"/></lrm_resource>"#
        )
    };
    let state = |id: u32, res: String| {
        format!(
            r#"<node_state id="{id}" uname="n{id}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{id}"><lrm_resources>{res}</lrm_resources></lrm></node_state>"#
        )
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{meta}</primitive></resources>
<constraints>{cons}</constraints></configuration>
<status>{}{}{}</status></cib>"#,
        state(1, start(1)),
        state(2, start(2)),
        state(3, String::new())
    )
}

fn actions(s: &scheduler::Schedule) -> Vec<String> {
    let mut out: Vec<String> = s
        .transition
        .actions
        .iter()
        .map(|a| a.label.clone())
        .collect();
    out.sort();
    out
}

#[test]
fn staying_on_an_active_node_is_a_restart() {
    let s = run(&cib(
        "",
        r#"<rsc_location id="l" rsc="rsc1" node="n1" score="100"/>"#,
    ));
    assert_eq!(
        s.transition.summary,
        vec!["Restart rsc1 ( n1 )".to_string()]
    );
    let a = actions(&s);
    assert!(a.contains(&"rsc1 stop on n1".to_string()), "{a:?}");
    assert!(a.contains(&"rsc1 stop on n2".to_string()), "{a:?}");
    assert!(a.contains(&"rsc1 start on n1".to_string()), "{a:?}");
}

#[test]
fn going_elsewhere_is_a_move_from_the_first_active_node() {
    let s = run(&cib(
        "",
        r#"<rsc_location id="l" rsc="rsc1" node="n3" score="100"/>"#,
    ));
    assert_eq!(
        s.transition.summary,
        vec!["Move rsc1 ( n1 -> n3 )".to_string()]
    );
}

#[test]
fn stop_unexpected_stops_only_the_other_instances() {
    let meta = r#"<meta_attributes id="m"><nvpair id="m1" name="multiple-active" value="stop_unexpected"/></meta_attributes>"#;
    let s = run(&cib(
        meta,
        r#"<rsc_location id="l" rsc="rsc1" node="n1" score="100"/>"#,
    ));
    assert_eq!(
        s.transition.summary,
        vec!["Restart rsc1 ( n1 )".to_string()]
    );
    let a = actions(&s);
    assert!(a.contains(&"rsc1 stop on n2".to_string()), "{a:?}");
    assert!(!a.contains(&"rsc1 stop on n1".to_string()), "{a:?}");
    assert!(!a.contains(&"rsc1 start on n1".to_string()), "{a:?}");
}
