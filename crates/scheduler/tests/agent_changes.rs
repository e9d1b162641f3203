//! Histories recorded under another agent than the configured one: deleted on their node
//! (after the stop there, before the start there), the resource restarted in place with no
//! reason given; nothing deleted on a node shutting down.

mod common;
use common::{labels, run, summary};

/// Nodes n1..n3 (`shutdown` marks n1 shutting down), rsc1 configured as lsb:apache with
/// the given location score on n1 and `lrm` as its histories, per node.
fn cib(n1_score: &str, shutdown: bool, lrm: &[(&str, &str)]) -> String {
    let mut status = String::new();
    for n in ["n1", "n2", "n3"] {
        let attrs = if shutdown && n == "n1" {
            r#"<transient_attributes id="t1"><instance_attributes id="ta1"><nvpair id="ta1s" name="shutdown" value="1234"/></instance_attributes></transient_attributes>"#
        } else {
            ""
        };
        let hist = lrm
            .iter()
            .find(|(on, _)| *on == n)
            .map(|(_, h)| h.to_string())
            .unwrap_or_default();
        status.push_str(&format!(
            r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member">{attrs}<lrm id="{n}"><lrm_resources>{hist}</lrm_resources></lrm></node_state>"#
        ));
    }
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
<resources><primitive id="rsc1" class="lsb" type="apache"/></resources>
<constraints><rsc_location id="l1" rsc="rsc1" node="n1" score="{n1_score}"/></constraints>
</configuration><status>{status}</status></cib>"#
    )
}

/// A history of rsc1 under agent `class`/`provider`/`type` with one `task` record.
fn history(agent: &str, task: &str, rc: i32) -> String {
    format!(
        r#"<lrm_resource id="rsc1" {agent}><lrm_rsc_op id="rsc1_last_0" operation="{task}" interval="0" call-id="3" rc-code="{rc}" op-status="0" transition-key="1:1:0:x"/></lrm_resource>"#
    )
}

const OCF: &str = r#"class="ocf" provider="heartbeat" type="apache""#;
const LSB: &str = r#"class="lsb" type="apache""#;

/// The position of the action labelled `label`, and the labels of its inputs.
fn inputs(s: &scheduler::Schedule, label: &str) -> Vec<String> {
    let a = s
        .transition
        .actions
        .iter()
        .find(|a| a.label == label)
        .unwrap_or_else(|| panic!("no action {label}: {:?}", labels(s)));
    a.after
        .iter()
        .map(|&i| s.transition.actions[i].label.clone())
        .collect()
}

#[test]
fn active_under_another_agent_restarts_with_its_history_deleted_in_between() {
    let s = run(&cib("10", false, &[("n1", &history(OCF, "start", 0))]));
    assert_eq!(summary(&s), vec!["Restart rsc1 ( n1 )"]);
    assert!(inputs(&s, "rsc1 delete on n1").contains(&"rsc1 stop on n1".to_string()));
    assert!(inputs(&s, "rsc1 start on n1").contains(&"rsc1 delete on n1".to_string()));
}

#[test]
fn same_agent_needs_nothing() {
    let s = run(&cib("10", false, &[("n1", &history(LSB, "start", 0))]));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    assert!(!labels(&s).iter().any(|l| l.contains("delete")));
}

#[test]
fn a_provider_alone_differing_counts_as_another_agent() {
    let other = r#"class="ocf" provider="pacemaker" type="apache""#;
    let config = cib("10", false, &[("n1", &history(other, "start", 0))]).replace(
        r#"class="lsb" type="apache"/>"#,
        r#"class="ocf" provider="heartbeat" type="apache"/>"#,
    );
    let s = run(&config);
    assert_eq!(summary(&s), vec!["Restart rsc1 ( n1 )"]);
}

#[test]
fn stopped_history_under_another_agent_is_deleted_before_the_start_there() {
    let s = run(&cib("10", false, &[("n1", &history(OCF, "stop", 0))]));
    assert_eq!(summary(&s), vec!["Start rsc1 ( n1 )"]);
    assert!(inputs(&s, "rsc1 start on n1").contains(&"rsc1 delete on n1".to_string()));
}

#[test]
fn stopping_for_good_deletes_after_the_stop_but_not_on_a_node_shutting_down() {
    let banned = run(&cib(
        "-INFINITY",
        false,
        &[("n1", &history(OCF, "start", 0))],
    ));
    assert!(inputs(&banned, "rsc1 delete on n1").contains(&"rsc1 stop on n1".to_string()));
    let leaving = run(&cib("10", true, &[("n1", &history(OCF, "start", 0))]));
    let l = labels(&leaving);
    assert!(l.contains(&"rsc1 stop on n1".to_string()), "{l:?}");
    assert!(!l.iter().any(|x| x.contains("delete")), "{l:?}");
}
