//! Which recorded monitors a transition cancels: those no longer configured, once the
//! resource's stops are done when it moves or recovers (not when it stops for good), and,
//! for an unmanaged resource, the `role="Stopped"` monitors recorded where it stays (where it
//! also gets its missing monitors, on that node only).

mod common;

use scheduler::Schedule;

/// A `lrm_rsc_op` of `task` every `interval_ms` (0: one-shot) with exit code `rc`.
fn op(id: &str, task: &str, interval_ms: u64, rc: i32, call: u32) -> String {
    format!(
        r#"<lrm_rsc_op id="{id}_{task}_{interval_ms}" operation="{task}" call-id="{call}" rc-code="{rc}" op-status="0" interval="{interval_ms}" transition-key="1:1:0:x" transition-magic="0:{rc};1:1:0:x" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>"#
    )
}

/// Two online nodes, the Dummy primitive `r` (`body` inside it) and per node its history.
fn cib(body: &str, extra: &str, n1: &[String], n2: &[String]) -> String {
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
<resources><primitive id="r" class="ocf" provider="pacemaker" type="Dummy">{body}</primitive></resources>
<constraints>{extra}</constraints></configuration>
<status>{}{}</status></cib>"#,
        state("n1", n1),
        state("n2", n2)
    )
}

/// The executed actions, in order.
fn executed(s: &Schedule) -> Vec<String> {
    scheduler::actions::execution_order(&s.transition)
        .into_iter()
        .map(|i| s.transition.actions[i].label.clone())
        .collect()
}

fn probed() -> Vec<String> {
    vec![op("r", "monitor", 0, 7, 1)]
}

#[test]
fn a_moving_resource_cancels_its_unconfigured_monitor_after_the_stop() {
    let xml = cib(
        "",
        r#"<rsc_location id="ban" rsc="r" node="n1" score="-INFINITY"/>"#,
        &[op("r", "start", 0, 0, 2), op("r", "monitor", 5000, 0, 3)],
        &probed(),
    );
    let s = common::run(&xml);
    assert_eq!(common::summary(&s), vec!["Move r ( n1 -> n2 )"]);
    assert_eq!(
        executed(&s),
        vec!["r stop on n1", "r cancel=5000 on n1", "r start on n2"]
    );
}

#[test]
fn a_recovered_resource_cancels_its_failed_unconfigured_monitor_after_the_stop() {
    let xml = cib(
        "",
        "",
        &[op("r", "start", 0, 0, 2), op("r", "monitor", 5000, 1, 3)],
        &probed(),
    );
    let s = common::run(&xml);
    assert_eq!(common::summary(&s), vec!["Recover r ( n1 )"]);
    assert_eq!(
        executed(&s),
        vec!["r stop on n1", "r cancel=5000 on n1", "r start on n1"]
    );
}

#[test]
fn a_resource_stopping_for_good_cancels_nothing() {
    let xml = cib(
        r#"<meta_attributes id="m"><nvpair id="m1" name="target-role" value="Stopped"/></meta_attributes>"#,
        "",
        &[op("r", "start", 0, 0, 2), op("r", "monitor", 5000, 0, 3)],
        &probed(),
    );
    let s = common::run(&xml);
    assert_eq!(
        common::summary(&s),
        vec!["Stop r ( n1 ) due to node availability"]
    );
    assert_eq!(executed(&s), vec!["r stop on n1"]);
}

#[test]
fn an_unmanaged_resource_active_twice_is_watched_where_it_stays_only() {
    // Its stopped-role monitor found it running on both nodes.
    let body = r#"<meta_attributes id="m"><nvpair id="m1" name="is-managed" value="false"/></meta_attributes>
<operations><op id="r-mon" name="monitor" interval="10s"/><op id="r-mon-stopped" name="monitor" interval="20s" role="Stopped"/></operations>"#;
    let history = [
        op("r", "monitor", 0, 7, 1),
        op("r", "monitor", 20_000, 0, 2),
    ];
    let xml = cib(body, "", &history, &history);
    let s = common::run(&xml);
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    assert_eq!(
        executed(&s),
        vec!["r monitor=10000 on n1", "r cancel=20000 on n1"]
    );
}

#[test]
fn a_resource_staying_put_gets_its_new_monitor_first_and_cancels_the_old_one_last() {
    // The monitor's interval changed from 5s to 6s; n2 has an empty history of it (never
    // probed there).
    let xml = cib(
        r#"<operations><op id="r-mon" name="monitor" interval="6s"/></operations>"#,
        "",
        &[op("r", "start", 0, 0, 2), op("r", "monitor", 5000, 0, 3)],
        &[],
    );
    let s = common::run(&xml);
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    assert_eq!(
        executed(&s),
        vec![
            "r monitor=6000 on n1",
            "r monitor on n2",
            "r cancel=5000 on n1"
        ]
    );
}
