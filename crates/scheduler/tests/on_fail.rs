//! `on-fail` of a failed recurring monitor: restart (default), stop, block and ignore.

mod common;
use common::run;

/// r1 runs on n1 and its 10 s monitor failed (rc 1); the monitor has `on_fail` if given.
fn failed_monitor_cib(on_fail: Option<&str>) -> String {
    let attr = on_fail
        .map(|v| format!(r#" on-fail="{v}""#))
        .unwrap_or_default();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o">
<nvpair id="o1" name="stonith-enabled" value="false"/>
</cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<primitive id="r1" class="ocf" provider="pacemaker" type="Dummy">
<operations><op id="r1-mon" name="monitor" interval="10s"{attr}/></operations>
</primitive>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="1"><lrm_resources><lrm_resource id="r1" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="r1_start_0" operation="start" interval="0" op-status="0" rc-code="0" call-id="1"/>
<lrm_rsc_op id="r1_monitor_10000" operation="monitor" interval="10000" op-status="0" rc-code="1" call-id="2"/>
</lrm_resource></lrm_resources></lrm>
</node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#
    )
}

#[test]
fn default_and_restart_recover_in_place() {
    for on_fail in [None, Some("restart")] {
        let s = run(&failed_monitor_cib(on_fail));
        assert_eq!(
            s.transition.summary,
            vec!["Recover r1 ( n1 )".to_string()],
            "{on_fail:?}"
        );
    }
}

#[test]
fn stop_keeps_the_resource_stopped_without_disabling_it() {
    let s = run(&failed_monitor_cib(Some("stop")));
    assert_eq!(
        s.transition.summary,
        vec!["Stop r1 ( n1 ) due to node availability".to_string()]
    );
    let text = scheduler::report::status_text(&s.before);
    assert!(!text.contains("disabled"), "{text}");
}

#[test]
fn block_leaves_it_alone() {
    let s = run(&failed_monitor_cib(Some("block")));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("FAILED n1 (blocked)"), "{text}");
}

#[test]
fn ignore_recovers_a_monitor_whose_latest_result_failed() {
    let s = run(&failed_monitor_cib(Some("ignore")));
    assert_eq!(s.transition.summary, vec!["Recover r1 ( n1 )".to_string()]);
}

#[test]
fn ignore_keeps_running_when_only_the_last_failure_record_failed() {
    // The monitor's own record (call 2) succeeded; the last_failure copy of call 2 failed.
    let xml = failed_monitor_cib(Some("ignore")).replace(
        r#"<lrm_rsc_op id="r1_monitor_10000" operation="monitor" interval="10000" op-status="0" rc-code="1" call-id="2"/>"#,
        r#"<lrm_rsc_op id="r1_monitor_10000" operation="monitor" interval="10000" op-status="0" rc-code="0" call-id="2"/>
<lrm_rsc_op id="r1_last_failure_0" operation="monitor" interval="10000" op-status="0" rc-code="7" call-id="2"/>"#,
    );
    let s = run(&xml);
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Started n1"), "{text}");
}
