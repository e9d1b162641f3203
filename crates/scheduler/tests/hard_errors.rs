//! Hard and fatal agent errors: a failed monitor of an OCF agent with a hard exit code bans
//! the node, a fatal one bans every node, an ordinary one recovers in place.

mod common;
use common::run;

/// rsc1 started on n1 (preferred), its 10 s monitor then failed with `rc` / `status`.
fn cib(on_fail: &str, rc: u32, status: u32) -> String {
    let op = |id: &str, task: &str, interval: u32, call: u32, rc: u32, status: u32| {
        format!(
            r#"<lrm_rsc_op id="{id}" operation="{task}" interval="{interval}" call-id="{call}" rc-code="{rc}" op-status="{status}" transition-key="{call}:-1:0:00000000-0000-0000-0000-000000000000"/>"#
        )
    };
    let start = op("rsc1_start_0", "start", 0, 1, 0, 0);
    let mon = op("rsc1_monitor_10000", "monitor", 10000, 2, rc, status);
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><operations>
<op id="m10" name="monitor" interval="10"{on_fail}/></operations></primitive></resources>
<constraints><rsc_location id="pref" rsc="rsc1" node="n1" score="10"/></constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{start}{mon}</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#
    )
}

fn summary(on_fail: &str, rc: u32, status: u32) -> Vec<String> {
    run(&cib(on_fail, rc, status)).transition.summary
}

#[test]
fn hard_errors_move_the_resource_off_the_node() {
    for rc in [2, 3, 4, 5] {
        assert_eq!(
            summary("", rc, 4),
            vec!["Recover rsc1 ( n1 -> n2 )".to_string()],
            "rc {rc}"
        );
    }
}

#[test]
fn not_installed_status_is_hard_even_when_failures_are_ignored() {
    assert_eq!(
        summary(r#" on-fail="ignore""#, 5, 7),
        vec!["Recover rsc1 ( n1 -> n2 )".to_string()]
    );
}

#[test]
fn fatal_error_stops_the_resource_everywhere() {
    assert_eq!(
        summary("", 6, 4),
        vec!["Stop rsc1 ( n1 ) due to node availability".to_string()]
    );
}

#[test]
fn ordinary_error_recovers_in_place() {
    assert_eq!(summary("", 1, 4), vec!["Recover rsc1 ( n1 )".to_string()]);
}
