//! Operations recorded as still in progress: a start where the resource stays is asked for
//! again (followed by its monitor), and a probe in progress has not probed yet.

mod common;

use scheduler::Schedule;

/// A one-shot `lrm_rsc_op` of `task` with exit code `rc` and operation status `status`
/// (`-1`, rc 193: still in progress).
fn op(task: &str, rc: i32, status: i32, call: u32) -> String {
    format!(
        r#"<lrm_rsc_op id="r_{task}_0" operation="{task}" call-id="{call}" rc-code="{rc}" op-status="{status}" interval="0" transition-key="{call}:1:0:x" transition-magic="{status}:{rc};{call}:1:0:x" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>"#
    )
}

/// Two online nodes and the Dummy primitive `r` (monitored every 10s), with the histories
/// `n1` and `n2` of it.
fn cib(n1: &[String], n2: &[String]) -> String {
    let state = |n: &str, ops: &[String]| {
        format!(
            r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources><lrm_resource id="r" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource></lrm_resources></lrm></node_state>"#,
            ops.concat()
        )
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><primitive id="r" class="ocf" provider="pacemaker" type="Dummy"><operations><op id="r-mon" name="monitor" interval="10s"/></operations></primitive></resources>
<constraints/></configuration>
<status>{}{}</status></cib>"#,
        state("n1", n1),
        state("n2", n2)
    )
}

fn executed(s: &Schedule) -> Vec<String> {
    scheduler::actions::execution_order(&s.transition)
        .into_iter()
        .map(|i| s.transition.actions[i].label.clone())
        .collect()
}

#[test]
fn a_start_in_progress_is_asked_for_again_without_a_summary_line() {
    let s = common::run(&cib(
        &[op("monitor", 7, 0, 1), op("start", 193, -1, 2)],
        &[op("monitor", 7, 0, 1)],
    ));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    assert_eq!(executed(&s), vec!["r start on n1", "r monitor=10000 on n1"]);
    let monitor = &s.transition.actions[s
        .transition
        .actions
        .iter()
        .position(|a| a.label == "r monitor=10000 on n1")
        .expect("the monitor")];
    assert_eq!(monitor.after.len(), 1, "the monitor waits for the start");
}

#[test]
fn a_probe_in_progress_is_asked_for_again() {
    let s = common::run(&cib(
        &[op("monitor", 193, -1, 1)],
        &[op("monitor", 7, 0, 1)],
    ));
    assert_eq!(common::summary(&s), vec!["Start r ( n1 )"]);
    assert_eq!(
        executed(&s),
        vec!["r monitor on n1", "r start on n1", "r monitor=10000 on n1"]
    );
}
