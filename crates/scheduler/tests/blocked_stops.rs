//! A resource whose stop failed without fencing is blocked: it gets no actions and no summary
//! line, and what must stop before it (earlier group members, the first of a mandatory
//! ordering) cannot stop either.

mod common;
use common::run;

fn history(id: &str, failed_stop: bool) -> String {
    let stop = if failed_stop {
        format!(
            r#"<lrm_rsc_op id="{id}_last_failure_0" operation="stop" interval="0" call-id="9" rc-code="1" op-status="0" transition-key="1:2:0:x"/>"#
        )
    } else {
        String::new()
    };
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="{id}_start_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>{stop}</lrm_resource>"#
    )
}

fn cib(resources: &str, constraints: &str, lrm: &str) -> String {
    format!(
        r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/></nodes>
<resources>{resources}</resources><constraints>{constraints}</constraints></configuration>
<status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="n1"><lrm_resources>{lrm}</lrm_resources></lrm></node_state>
</status></cib>"##
    )
}

const DISABLED: &str = r#"<meta_attributes id="m"><nvpair id="m1" name="target-role" value="Stopped"/></meta_attributes>"#;

#[test]
fn the_first_of_an_order_cannot_stop_before_a_blocked_then() {
    let rscs = format!(
        r#"<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{DISABLED}</primitive>
<primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy"/>"#
    );
    let order = r#"<rsc_order id="o1" first="rsc1" then="rsc2" kind="Mandatory"/>"#;
    let lrm = format!("{}{}", history("rsc1", false), history("rsc2", true));
    let s = run(&cib(&rscs, order, &lrm));
    assert_eq!(
        s.transition.summary,
        vec!["Stop rsc1 ( n1 ) due to node availability (blocked)"]
    );
    assert!(
        s.transition.actions.iter().all(|a| a.task != "stop"),
        "no stop may run"
    );
}

#[test]
fn earlier_group_members_cannot_stop_before_a_blocked_member() {
    let rscs = format!(
        r#"<group id="g">{DISABLED}
<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"/>
<primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy"/></group>"#
    );
    let lrm = format!("{}{}", history("rsc1", false), history("rsc2", true));
    let s = run(&cib(&rscs, "", &lrm));
    assert_eq!(
        s.transition.summary,
        vec!["Stop rsc1 ( n1 ) due to node availability (blocked)"]
    );
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("FAILED n1 (disabled, blocked)"), "{text}");
}

#[test]
fn without_a_blocked_resource_the_stop_runs() {
    let rscs = format!(
        r#"<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{DISABLED}</primitive>
<primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy"/>"#
    );
    let order = r#"<rsc_order id="o1" first="rsc1" then="rsc2" kind="Mandatory"/>"#;
    let lrm = format!("{}{}", history("rsc1", false), history("rsc2", false));
    let s = run(&cib(&rscs, order, &lrm));
    let mut got = s.transition.summary.clone();
    got.sort();
    assert_eq!(
        got,
        vec![
            "Stop rsc1 ( n1 ) due to node availability",
            // rsc2 would stay where it runs: rsc1 is required (crm_simulate 2.1.5).
            "Stop rsc2 ( n1 ) due to required rsc1 start"
        ]
    );
}

/// rsc1 active on n1 and n2 with the given multiple-active policy.
fn multiply_active(policy: &str) -> scheduler::Schedule {
    let meta = format!(
        r#"<meta_attributes id="m"><nvpair id="m1" name="multiple-active" value="{policy}"/></meta_attributes>"#
    );
    let xml = format!(
        r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{meta}</primitive></resources>
<constraints/></configuration>
<status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="n1"><lrm_resources>{h}</lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="n2"><lrm_resources>{h}</lrm_resources></lrm></node_state>
</status></cib>"##,
        h = history("rsc1", false)
    );
    run(&xml)
}

#[test]
fn multiple_active_block_leaves_it_alone() {
    let s = multiply_active("block");
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    assert!(s.transition.actions.iter().all(|a| a.task != "stop"));
}

#[test]
fn multiple_active_stop_only_stops_every_copy() {
    let s = multiply_active("stop_only");
    let mut got = s.transition.summary.clone();
    got.sort();
    assert_eq!(
        got,
        vec![
            "Stop rsc1 ( n1 ) due to node availability",
            "Stop rsc1 ( n2 ) due to node availability"
        ]
    );
}

#[test]
fn multiple_active_stop_start_restarts() {
    let s = multiply_active("stop_start");
    assert_eq!(s.transition.summary, vec!["Restart rsc1 ( n1 )"]);
}

#[test]
fn multiple_active_stop_unexpected_keeps_the_expected_copy() {
    let s = multiply_active("stop_unexpected");
    assert_eq!(s.transition.summary, vec!["Restart rsc1 ( n1 )"]);
    let stops: Vec<&str> = s
        .transition
        .actions
        .iter()
        .filter(|a| a.task == "stop")
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(stops, vec!["rsc1 stop on n2"]);
    assert!(s
        .transition
        .actions
        .iter()
        .any(|a| a.label == "rsc1_start_0" && a.kind == scheduler::ActionKind::Pseudo));
}

#[test]
fn an_ignored_stop_failure_counts_as_stopped() {
    let rscs = r#"<primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy">
<operations><op id="s" name="stop" interval="0" on-fail="ignore"/></operations></primitive>"#;
    let s = run(&cib(rscs, "", &history("rsc2", true)));
    assert_eq!(s.transition.summary, vec!["Start rsc2 ( n1 )"]);
    assert!(!s.before.rscs.iter().any(|r| r.blocked));
}
