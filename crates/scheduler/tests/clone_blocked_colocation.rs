//! A clone instance blocked by a failed stop (no fencing) hosts no dependents: a resource
//! colocated with the clone cannot stay on the blocked instance's node.

mod common;
use common::{run, summary};

const CIB: &str = r##"<cib have-quorum="1" validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/></nodes>
<resources><primitive id="ip" class="ocf" provider="pacemaker" type="Dummy"/>
<clone id="cl"><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>
<constraints><rsc_colocation id="co" rsc="ip" with-rsc="cl" score="INFINITY"/></constraints></configuration>
<status>
<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>
<lrm_resource id="ip" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="ip_start_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x"/></lrm_resource>
<lrm_resource id="d" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="d_last_failure_0" operation="stop" interval="0" call-id="9" rc-code="1" op-status="0" transition-key="1:2:0:x"/></lrm_resource>
</lrm_resources></lrm></node_state>
</status></cib>"##;

#[test]
fn a_dependent_of_a_blocked_instance_stops() {
    let s = run(CIB);
    assert_eq!(
        summary(&s),
        vec!["Stop ip ( n1 ) due to node availability".to_string()]
    );
}

#[test]
fn a_dependent_of_a_healthy_instance_stays() {
    let healthy = CIB.replace(
        r#"operation="stop" interval="0" call-id="9" rc-code="1""#,
        r#"operation="start" interval="0" call-id="9" rc-code="0""#,
    );
    let s = run(&healthy);
    assert!(
        !summary(&s).iter().any(|l| l.starts_with("Stop ip")),
        "{:?}",
        summary(&s)
    );
}
