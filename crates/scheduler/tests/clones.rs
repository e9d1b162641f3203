//! Clones: clone-min, orderings on clones and blocked starts.

mod common;
use common::{op, run};

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

/// A unique clone of two instances, both running on n1, with the given stickiness.
fn two_instances_on_n1(stickiness: Option<&str>) -> String {
    let sticky = stickiness
        .map(|v| format!(r#"<nvpair id="cm4" name="resource-stickiness" value="{v}"/>"#))
        .unwrap_or_default();
    let res = format!(
        r#"<clone id="C"><meta_attributes id="cm"><nvpair id="cm1" name="globally-unique" value="true"/>
<nvpair id="cm2" name="clone-max" value="2"/><nvpair id="cm3" name="clone-node-max" value="2"/>{sticky}</meta_attributes>
<primitive id="P" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#
    );
    let lrm: String = ["P:0", "P:1"]
        .iter()
        .map(|id| {
            format!(
                r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{}{}</lrm_resource>"#,
                op(id, "monitor", 7, 1),
                op(id, "start", 0, 2)
            )
        })
        .collect();
    let probed: String = ["P:0", "P:1"]
        .iter()
        .map(|id| {
            format!(
                r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>"#,
                op(id, "monitor", 7, 1)
            )
        })
        .collect();
    cib(&res, "")
        .replace(
            r#"expected="member"/>
<node_state id="2""#,
            &format!(
                r#"expected="member"><lrm id="1"><lrm_resources>{lrm}</lrm_resources></lrm></node_state>
<node_state id="2""#
            ),
        )
        .replace(
            r#"uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>"#,
            &format!(
                r#"uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources>{probed}</lrm_resources></lrm></node_state>"#
            ),
        )
}

#[test]
fn without_stickiness_unique_instances_spread_over_the_nodes() {
    let s = run(&two_instances_on_n1(Some("0")));
    assert_eq!(
        s.transition.summary,
        vec!["Move P:1 ( n1 -> n2 )".to_string()]
    );
}

#[test]
fn clone_stickiness_keeps_instances_together() {
    // Clones default to a stickiness of 1, which outweighs an even spread.
    let s = run(&two_instances_on_n1(None));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn an_instance_follows_a_stronger_preference_without_stickiness() {
    let res = r#"<clone id="C"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="1"/></meta_attributes>
<primitive id="P" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#;
    let k = r#"<rsc_location id="pref" rsc="C" node="n2" score="INFINITY"/>"#;
    let lrm = format!(
        r#"<lrm id="1"><lrm_resources><lrm_resource id="P" class="ocf" provider="pacemaker" type="Dummy">{}{}</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="2""#,
        op("P", "monitor", 7, 1),
        op("P", "start", 0, 2)
    );
    let xml = cib(res, k).replace(
        r#"expected="member"/>
<node_state id="2""#,
        &format!(r#"expected="member">{lrm}"#),
    );
    let s = run(&xml);
    assert_eq!(
        s.transition.summary,
        vec!["Move P:0 ( n1 -> n2 )".to_string()]
    );
}

#[test]
fn actions_are_named_after_the_active_history() {
    // n1 holds a stopped record numbered :1 and the running record numbered :0.
    let res = r#"<clone id="C"><primitive id="A" class="ocf" provider="pacemaker" type="Dummy">
<operations><op id="am" name="monitor" interval="10"/></operations></primitive></clone>"#;
    let lrm = format!(
        r#"<lrm id="1"><lrm_resources><lrm_resource id="A:1" class="ocf" provider="pacemaker" type="Dummy">{}{}</lrm_resource><lrm_resource id="A:0" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="2""#,
        op("A:1", "start", 0, 2),
        op("A:1", "stop", 0, 3),
        op("A:0", "start", 0, 9)
    );
    let xml = cib(
        res,
        r#"<rsc_location id="ban" rsc="C" node="n2" score="-INFINITY"/>"#,
    )
    .replace(
        r#"expected="member"/>
<node_state id="2""#,
        &format!(r#"expected="member">{lrm}"#),
    );
    let s = run(&xml);
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    let labels: Vec<&str> = s
        .transition
        .actions
        .iter()
        .filter(|a| a.interval_ms > 0)
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(labels, vec!["A:0 monitor=10000 on n1"]);
}
