//! An ignored monitor failure overrides the agent's own hard exit code (but not an executor
//! that found no agent), and an unmanaged stopped resource takes no node's share of the load.

mod common;
use common::{run, summary};

/// rsc1 runs on n1 (preferred); its 10 s monitor later failed with `rc` / `status`, recorded
/// as a `last_failure` of the same call as the successful monitor record.
fn ignored_failure_cib(rc: u32, status: u32) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><operations>
<op id="m10" name="monitor" interval="10" on-fail="ignore"/></operations></primitive></resources>
<constraints><rsc_location id="pref" rsc="rsc1" node="n1" score="10"/></constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="rsc1_last_0" operation="start" interval="0" call-id="1" rc-code="0" op-status="0" transition-key="1:-1:0:x"/>
<lrm_rsc_op id="rsc1_monitor_10000" operation="monitor" interval="10000" call-id="2" rc-code="0" op-status="0" transition-key="2:-1:0:x"/>
<lrm_rsc_op id="rsc1_last_failure_0" operation="monitor" interval="10000" call-id="2" rc-code="{rc}" op-status="{status}" transition-key="2:-1:0:x"/>
</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#
    )
}

#[test]
fn ignored_hard_and_fatal_agent_errors_leave_the_resource_in_place() {
    for rc in [1, 2, 3, 4, 5, 6] {
        let s = run(&ignored_failure_cib(rc, 0));
        assert!(
            summary(&s).is_empty(),
            "rc {rc}: {:?}",
            s.transition.summary
        );
    }
}

#[test]
fn executor_not_installed_is_not_ignored() {
    let s = run(&ignored_failure_cib(5, 7));
    assert_eq!(summary(&s), vec!["Recover rsc1 ( n1 -> n2 )".to_string()]);
}

#[test]
fn unmanaged_stopped_resource_does_not_count_towards_node_load() {
    // fence1 goes to n1; the unmanaged, stopped dummy would otherwise be placed on n2 and
    // push rsc2 back to n1.
    let xml = r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"/>
<primitive id="dummy" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="d-m"><nvpair id="d-m1" name="is-managed" value="false"/></meta_attributes></primitive>
<primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy"/>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#;
    let s = run(xml);
    assert_eq!(
        summary(&s),
        vec![
            "Start rsc1 ( n1 )".to_string(),
            "Start rsc2 ( n2 )".to_string()
        ]
    );
}
