//! A group member that is unmanaged and stopped is never started, so the members after it
//! stop; a recurring monitor expecting "not running" that confirms it means stopped.

mod common;
use common::run;

fn op(id: &str, task: &str, interval: u32, call: u32, rc: u32, target_rc: u32) -> String {
    format!(
        r#"<lrm_rsc_op id="{id}" operation="{task}" interval="{interval}" call-id="{call}" rc-code="{rc}" op-status="0" transition-key="{call}:-1:{target_rc}:00000000-0000-0000-0000-000000000000"/>"#
    )
}

#[test]
fn members_after_an_unmanaged_stopped_member_stop() {
    let a = format!(
        "{}{}",
        op("A_start_0", "start", 0, 1, 0, 0),
        op("A_monitor_5000", "monitor", 5000, 2, 7, 7)
    );
    let b = op("B_start_0", "start", 0, 3, 0, 0);
    let xml = format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/></nodes>
<resources><group id="g"><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="A-m"><nvpair id="A-um" name="is-managed" value="false"/></meta_attributes></primitive>
<primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/></group></resources>
<constraints/></configuration>
<status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="A" class="ocf" provider="pacemaker" type="Dummy">{a}</lrm_resource>
<lrm_resource id="B" class="ocf" provider="pacemaker" type="Dummy">{b}</lrm_resource></lrm_resources></lrm></node_state></status></cib>"#
    );
    let s = run(&xml);
    assert_eq!(s.transition.summary.len(), 1, "{:?}", s.transition.summary);
    assert!(
        s.transition.summary[0].starts_with("Stop B ( n1 )"),
        "{:?}",
        s.transition.summary
    );
    assert!(s
        .transition
        .actions
        .iter()
        .any(|a| a.label == "B stop on n1"));
    assert!(!s
        .transition
        .actions
        .iter()
        .any(|a| a.label.starts_with("A ")));
}
