//! Monitors with `role="Stopped"`: scheduled where the resource will not run, and their
//! "running" result read as an active (failed) resource.

mod common;
use common::run;

/// Two online nodes, rsc1 preferring n1 with a 10 s monitor and a 20 s stopped-role monitor,
/// and the given lrm history for n1 and n2.
fn cib(n1_history: &str, n2_history: &str) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><operations>
<op id="m10" name="monitor" interval="10"/><op id="m20" name="monitor" interval="20" role="Stopped"/>
</operations></primitive></resources>
<constraints><rsc_location id="pref" rsc="rsc1" node="n1" score="10"/></constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>{n1_history}</lrm_resources></lrm></node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources>{n2_history}</lrm_resources></lrm></node_state>
</status></cib>"#
    )
}

fn op(id: &str, task: &str, interval: u32, call: u32, rc: u32, target_rc: u32) -> String {
    format!(
        r#"<lrm_rsc_op id="{id}" operation="{task}" interval="{interval}" call-id="{call}" rc-code="{rc}" op-status="0" transition-key="{call}:-1:{target_rc}:00000000-0000-0000-0000-000000000000"/>"#
    )
}

fn history(ops: &[String]) -> String {
    format!(
        r#"<lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>"#,
        ops.concat()
    )
}

fn labels(s: &scheduler::Schedule) -> Vec<String> {
    s.transition
        .actions
        .iter()
        .map(|a| a.label.clone())
        .collect()
}

#[test]
fn stopped_monitor_runs_where_the_resource_does_not() {
    let s = run(&cib("", ""));
    let l = labels(&s);
    assert!(l.contains(&"rsc1 start on n1".to_string()), "{l:?}");
    assert!(l.contains(&"rsc1 monitor=20000 on n2".to_string()), "{l:?}");
    assert!(
        !l.contains(&"rsc1 monitor=20000 on n1".to_string()),
        "{l:?}"
    );
}

#[test]
fn active_stopped_monitor_is_kept_and_cancelled_where_the_resource_starts() {
    let probe = op("rsc1_monitor_0", "monitor", 0, 1, 7, 7);
    let watching = op("rsc1_monitor_20000", "monitor", 20000, 2, 7, 7);
    let s = run(&cib(
        &history(&[probe.clone(), watching.clone()]),
        &history(&[probe, watching]),
    ));
    let l = labels(&s);
    assert!(l.contains(&"rsc1 cancel=20000 on n1".to_string()), "{l:?}");
    assert!(
        !l.contains(&"rsc1 monitor=20000 on n2".to_string()),
        "{l:?}"
    );
}

#[test]
fn stopped_monitor_finding_it_running_means_active_and_failed() {
    let probe = op("rsc1_monitor_0", "monitor", 0, 1, 7, 7);
    let found = op("rsc1_monitor_20000", "monitor", 20000, 2, 0, 7);
    let s = run(&cib(
        &history(std::slice::from_ref(&probe)),
        &history(&[probe, found]),
    ));
    assert_eq!(
        s.transition.summary,
        vec!["Recover rsc1 ( n2 -> n1 )".to_string()]
    );
    let l = labels(&s);
    assert!(l.contains(&"rsc1 stop on n2".to_string()), "{l:?}");
    assert!(l.contains(&"rsc1 monitor=20000 on n2".to_string()), "{l:?}");
}
