//! The OCF "degraded" exit codes (190 running, 191 promoted) count as successes: a monitor
//! reporting them does not make the resource failed.

mod common;
use common::run;

fn cib(monitor_rc: i32) -> String {
    format!(
        r##"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<operations><op id="rsc1-mon" name="monitor" interval="10s"/></operations></primitive></resources>
<constraints/></configuration>
<status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="n1"><lrm_resources><lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="rsc1_last_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x"/>
<lrm_rsc_op id="rsc1_monitor_10000" operation="monitor" interval="10000" call-id="3" rc-code="0" op-status="0" transition-key="2:1:0:x"/>
<lrm_rsc_op id="rsc1_last_failure_0" operation="monitor" interval="10000" call-id="3" rc-code="{monitor_rc}" op-status="0" transition-key="2:1:0:x"/>
</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"##
    )
}

#[test]
fn a_degraded_monitor_result_leaves_the_resource_alone() {
    let s = run(&cib(190));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn a_failed_monitor_result_recovers_the_resource() {
    let s = run(&cib(1));
    assert_eq!(s.transition.summary, vec!["Recover rsc1 ( n1 )"]);
}
