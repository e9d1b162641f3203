//! `restart-type=restart` on the `then` side of an optional ordering: `then` restarts
//! whenever `first` starts, moves or is recovered (as with a mandatory ordering); without
//! it an optional ordering restarts nothing. After a stop-to-stop ordering, `then` restarts
//! (with no reason given) when `first` stops.

mod common;
use common::{op, run, summary};

/// A (monitor 10s) and B both on n1 (A's monitor failed when `a_failed`; A not yet started
/// when `a_stopped`), A preferring `a_pref`, B preferring n1, "A then B" optional;
/// `restart_type` sets B's meta-attribute.
fn cib(a_failed: bool, a_stopped: bool, a_pref: &str, restart_type: bool) -> String {
    let mut a_hist = op("A", "start", 0, 2);
    if a_failed {
        a_hist.push_str(
            r#"<lrm_rsc_op id="A_monitor_10000" operation="monitor" interval="10000" call-id="3" rc-code="1" op-status="0" transition-key="1:1:0:x"/>"#,
        );
    }
    let a_lrm = if a_stopped {
        String::new()
    } else {
        format!(
            r#"<lrm_resource id="A" class="ocf" provider="pacemaker" type="Dummy">{a_hist}</lrm_resource>"#
        )
    };
    let meta = if restart_type {
        r#"<meta_attributes id="bm"><nvpair id="bm1" name="restart-type" value="restart"/></meta_attributes>"#
    } else {
        ""
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"><operations><op id="am" name="monitor" interval="10s"/></operations></primitive>
<primitive id="B" class="ocf" provider="pacemaker" type="Dummy">{meta}</primitive></resources>
<constraints><rsc_order id="o" first="A" then="B" kind="Optional"/><rsc_location id="l1" rsc="B" node="n1" score="100"/><rsc_location id="l2" rsc="A" node="{a_pref}" score="200"/></constraints>
</configuration><status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources><lrm_resource id="B" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>{a_lrm}</lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#,
        op("B", "start", 0, 2)
    )
}

const RESTART_B: &str = "Restart B ( n1 ) due to required A start";

#[test]
fn a_recovery_move_or_start_of_first_restarts_then() {
    let recovered = run(&cib(true, false, "n1", true));
    assert_eq!(summary(&recovered), vec!["Recover A ( n1 )", RESTART_B]);
    let moved = run(&cib(false, false, "n2", true));
    assert_eq!(summary(&moved), vec!["Move A ( n1 -> n2 )", RESTART_B]);
    let started = run(&cib(false, true, "n1", true));
    assert_eq!(summary(&started), vec![RESTART_B, "Start A ( n1 )"]);
}

#[test]
fn without_restart_type_an_optional_ordering_restarts_nothing() {
    let recovered = run(&cib(true, false, "n1", false));
    assert_eq!(summary(&recovered), vec!["Recover A ( n1 )"]);
    let moved = run(&cib(false, false, "n2", false));
    assert_eq!(summary(&moved), vec!["Move A ( n1 -> n2 )"]);
}

#[test]
fn after_a_stop_ordering_then_restarts_with_no_reason() {
    let stop_order = |restart_type: bool| {
        cib(false, false, "n2", restart_type).replace(
            r#"kind="Optional""#,
            r#"kind="Optional" first-action="stop" then-action="stop""#,
        )
    };
    let s = run(&stop_order(true));
    assert_eq!(summary(&s), vec!["Move A ( n1 -> n2 )", "Restart B ( n1 )"]);
    let s = run(&stop_order(false));
    assert_eq!(summary(&s), vec!["Move A ( n1 -> n2 )"]);
}
