//! A recurring monitor whose call succeeded and later failed (its `last_failure` record
//! shares the call id but changed later): with `on-fail=block` it stays failed and blocked;
//! a failure recorded no later than the success is over.

mod common;
use common::run;

/// A (monitor every 10s, on-fail=block) started on n1; its monitor succeeded at time 100
/// and has a failure record of the same call changed at `failed_at`.
fn cib(failed_at: u32) -> String {
    let op = |id: &str, task: &str, interval: u32, rc: i32, call: u32, at: u32| {
        format!(
            r#"<lrm_rsc_op id="{id}" operation="{task}" interval="{interval}" call-id="{call}" rc-code="{rc}" op-status="0" last-rc-change="{at}" transition-key="1:1:0:x"/>"#
        )
    };
    let hist = [
        op("A_last_0", "start", 0, 0, 2, 100),
        op("A_monitor_10000", "monitor", 10000, 0, 3, 100),
        op("A_last_failure_0", "monitor", 10000, 7, 3, failed_at),
    ]
    .concat();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"><operations><op id="m" name="monitor" interval="10s" on-fail="block"/></operations></primitive></resources>
<constraints/></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources><lrm_resource id="A" class="ocf" provider="pacemaker" type="Dummy">{hist}</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#
    )
}

#[test]
fn a_later_failure_of_a_blocked_monitor_blocks() {
    let s = run(&cib(200));
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("FAILED n1 (blocked)"), "{text}");
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn a_failure_no_later_than_the_success_is_over() {
    let s = run(&cib(50));
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Started n1"), "{text}");
    assert!(!text.contains("blocked"), "{text}");
}
