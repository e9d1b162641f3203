//! Groups that can only partly do their job: a member banned from (or disabled on) the
//! group's node stays stopped with every member after it, and the group never reaches
//! "running"; a member whose stop is blocked leaves the group's stop begun but never
//! finished, and its node cannot shut down.

mod common;
use common::{labels, run, summary};

/// Group G (A, B, C) on nodes n1, n2, nothing running; `b_extra` is B's inner XML and
/// `cons` extra constraints (A prefers n1).
fn fresh(b_extra: &str, cons: &str) -> String {
    let state = |n: &str| {
        format!(
            r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources/></lrm></node_state>"#
        )
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><group id="G"><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="B" class="ocf" provider="pacemaker" type="Dummy">{b_extra}</primitive><primitive id="C" class="ocf" provider="pacemaker" type="Dummy"/></group></resources>
<constraints><rsc_location id="la" rsc="A" node="n1" score="10"/>{cons}</constraints></configuration>
<status>{}{}</status></cib>"#,
        state("n1"),
        state("n2")
    )
}

#[test]
fn a_member_banned_everywhere_stops_the_rest_of_the_group() {
    let s = run(&fresh(
        "",
        r#"<rsc_location id="b1" rsc="B" node="n1" score="-INFINITY"/><rsc_location id="b2" rsc="B" node="n2" score="-INFINITY"/>"#,
    ));
    assert_eq!(summary(&s), vec!["Start A ( n1 )"]);
    let l = labels(&s);
    assert!(l.contains(&"G_start_0".to_string()), "{l:?}");
    assert!(!l.contains(&"G_running_0".to_string()), "{l:?}");
}

#[test]
fn a_disabled_member_keeps_the_group_from_running() {
    let s = run(&fresh(
        r#"<meta_attributes id="bm"><nvpair id="bm1" name="target-role" value="Stopped"/></meta_attributes>"#,
        "",
    ));
    assert_eq!(summary(&s), vec!["Start A ( n1 )"]);
    assert!(!labels(&s).contains(&"G_running_0".to_string()));
}

#[test]
fn a_complete_group_runs() {
    let s = run(&fresh("", ""));
    assert!(labels(&s).contains(&"G_running_0".to_string()));
}

/// Group G (A, B) active on n1, B's stop failed (blocked: no fencing); `disabled` stops the
/// group, `shutdown` has n1 shutting down.
fn stuck(disabled: bool, shutdown: bool) -> String {
    let meta = if disabled {
        r#"<meta_attributes id="gm"><nvpair id="gm1" name="target-role" value="Stopped"/></meta_attributes>"#
    } else {
        ""
    };
    let attrs = if shutdown {
        r#"<transient_attributes id="t"><instance_attributes id="ta"><nvpair id="ta1" name="shutdown" value="1234"/></instance_attributes></transient_attributes>"#
    } else {
        ""
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/></nodes>
<resources><group id="G">{meta}<primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/></group></resources><constraints/></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">{attrs}<lrm id="n1"><lrm_resources>
<lrm_resource id="A" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="A_last_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x"/></lrm_resource>
<lrm_resource id="B" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="B_last_failure_0" operation="stop" call-id="3" rc-code="1" op-status="0" interval="0" transition-key="1:1:0:x"/></lrm_resource>
</lrm_resources></lrm></node_state></status></cib>"#
    )
}

#[test]
fn a_blocked_member_stop_begins_the_group_stop_without_finishing_it() {
    let s = run(&stuck(true, false));
    assert_eq!(
        summary(&s),
        vec!["Stop A ( n1 ) due to node availability (blocked)"]
    );
    let l = labels(&s);
    assert!(l.contains(&"G_stop_0".to_string()), "{l:?}");
    assert!(!l.contains(&"G_stopped_0".to_string()), "{l:?}");
}

#[test]
fn a_node_with_blocked_stops_does_not_shut_down() {
    let s = run(&stuck(false, true));
    let l = labels(&s);
    assert!(l.contains(&"G_stop_0".to_string()), "{l:?}");
    assert!(!l.iter().any(|x| x.starts_with("do_shutdown")), "{l:?}");
}
