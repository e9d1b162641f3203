//! Fencing decisions and unclean nodes: failure-driven fencing, quorum, nodes never seen,
//! failures on nodes that are fenced anyway, and deadman tickets.

mod common;
use common::{run, summary};

/// The sorted summary without the lines about rsc2 (a bystander in most tests).
fn about_rsc1(s: &scheduler::Schedule) -> Vec<String> {
    summary(s)
        .into_iter()
        .filter(|l| !l.contains("rsc2"))
        .collect()
}

const ONLINE: &str = r#"in_ccm="true" crmd="online" join="member" expected="member""#;
const LOST: &str = r#"in_ccm="false" crmd="offline" join="member" expected="member""#;

fn started(id: &str, call: i64) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="heartbeat" type="Dummy">
<lrm_rsc_op id="{id}_start_0" operation="start" interval="0" call-id="{call}" rc-code="0" op-status="0" transition-key="1:1:0:x"/>"#
    )
}

fn failed_stop(id: &str, call: i64) -> String {
    format!(
        r#"{}<lrm_rsc_op id="{id}_stop_0" operation="stop" interval="0" call-id="{}" rc-code="1" op-status="4" transition-key="1:2:0:x"/></lrm_resource>"#,
        started(id, call),
        call + 1
    )
}

/// n1 online; n2 in `n2_state` with `n2_lrm` history; rsc1 and rsc2 plus a fencing device.
fn cib(quorum: &str, policy: &str, n2_state: &str, n2_lrm: &str, extra: &str) -> String {
    format!(
        r##"<cib have-quorum="{quorum}" dc-uuid="n1"><configuration>
<crm_config><cluster_property_set id="o">
<nvpair id="o1" name="stonith-enabled" value="true"/>
<nvpair id="o2" name="no-quorum-policy" value="{policy}"/>
</cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
<resources>
<primitive id="st" class="stonith" type="fence_dummy"/>
<primitive id="rsc1" class="ocf" provider="heartbeat" type="Dummy"/>
<primitive id="rsc2" class="ocf" provider="heartbeat" type="Dummy"/>
</resources><constraints>{extra}</constraints></configuration>
<status>
<node_state id="n1" uname="n1" {ONLINE}><lrm id="n1"><lrm_resources>
<lrm_resource id="st" class="stonith" type="fence_dummy">
<lrm_rsc_op id="st_start_0" operation="start" interval="0" call-id="1" rc-code="0" op-status="0" transition-key="1:1:0:x"/>
</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="n2" uname="n2" {n2_state}><lrm id="n2"><lrm_resources>{n2_lrm}</lrm_resources></lrm></node_state>
<node_state id="n3" uname="n3" {ONLINE}/>
</status></cib>"##
    )
}

#[test]
fn a_failed_stop_fences_its_node_even_without_quorum() {
    // rsc1's stop failed first; rsc2's later failed stop no longer matters.
    let lrm = format!("{}{}", failed_stop("rsc1", 2), failed_stop("rsc2", 4));
    let s = run(&cib("0", "stop", ONLINE, &lrm, ""));
    assert_eq!(
        summary(&s),
        vec![
            "Fence (reboot) n2 'rsc1 failed there'",
            "Stop rsc1 ( n2 ) due to no quorum",
            "Stop rsc2 ( n2 ) due to no quorum",
            "Stop st ( n1 ) due to no quorum",
        ]
    );
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Node n2: UNCLEAN (online)"), "{text}");
    assert!(
        text.contains("rsc1\t(ocf:heartbeat:Dummy):\t FAILED n2\n"),
        "{text}"
    );
    assert!(
        text.contains("rsc2\t(ocf:heartbeat:Dummy):\t Started n2\n"),
        "{text}"
    );
}

#[test]
fn failures_on_a_lost_node_that_is_fenced_do_not_block() {
    // on-fail=block for the stop is moot: the node is fenced anyway.
    let lrm = failed_stop("rsc1", 2);
    let xml = cib("1", "stop", LOST, &lrm, "").replace(
        r#"<primitive id="rsc1" class="ocf" provider="heartbeat" type="Dummy"/>"#,
        r#"<primitive id="rsc1" class="ocf" provider="heartbeat" type="Dummy"><operations>
<op id="rsc1-stop" name="stop" interval="0" on-fail="block"/></operations></primitive>"#,
    );
    let s = run(&xml);
    assert_eq!(
        about_rsc1(&s),
        vec![
            "Fence (reboot) n2 'peer is no longer part of the cluster'",
            "Move rsc1 ( n2 -> n3 )",
        ]
    );
}

#[test]
fn lost_nodes_are_not_fenced_without_quorum() {
    let lrm = format!("{}</lrm_resource>", started("rsc1", 2));
    let s = run(&cib("0", "stop", LOST, &lrm, ""));
    assert_eq!(
        about_rsc1(&s),
        vec![
            "Stop rsc1 ( n2 ) due to no quorum (blocked)",
            "Stop st ( n1 ) due to no quorum",
        ]
    );
    let s = run(&cib("0", "freeze", LOST, &lrm, ""));
    assert_eq!(about_rsc1(&s), vec!["Stop rsc1 ( n2 ) blocked"]);
    let s = run(&cib("0", "ignore", LOST, &lrm, ""));
    assert_eq!(
        about_rsc1(&s),
        vec![
            "Fence (reboot) n2 'peer is no longer part of the cluster'",
            "Move rsc1 ( n2 -> n3 )",
        ]
    );
}

#[test]
fn a_node_without_membership_record_is_unclean() {
    let s = run(&cib("1", "stop", r#"crmd="offline" join="down""#, "", ""));
    assert_eq!(
        about_rsc1(&s),
        vec![
            "Fence (reboot) n2 'peer has not been seen by the cluster'",
            "Start rsc1 ( n3 )",
        ]
    );
}

#[test]
fn an_error_status_with_the_expected_exit_code_is_a_success() {
    let lrm = r#"<lrm_resource id="rsc1" class="ocf" provider="heartbeat" type="Dummy">
<lrm_rsc_op id="rsc1_start_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="4" transition-key="1:1:0:x"/>
</lrm_resource>"#;
    let s = run(&cib("1", "stop", ONLINE, lrm, ""));
    assert!(
        about_rsc1(&s).iter().all(|l| !l.contains("rsc1")),
        "{:?}",
        about_rsc1(&s)
    );
}

#[test]
fn a_revoked_ticket_applies_its_loss_policy_even_in_standby() {
    let lrm = format!("{}</lrm_resource>", started("rsc1", 2));
    let ticket = r#"<rsc_ticket id="t" rsc="rsc1" ticket="T" loss-policy="fence"/>"#;
    let xml = cib("1", "stop", ONLINE, &lrm, ticket).replace(
        "<status>",
        r#"<status><tickets><ticket_state id="T" granted="false" standby="true"/></tickets>"#,
    );
    let s = run(&xml);
    assert_eq!(
        about_rsc1(&s),
        vec![
            "Fence (reboot) n2 'deadman ticket was lost'",
            "Stop rsc1 ( n2 ) due to node availability",
        ]
    );
}

#[test]
fn an_inquorate_partition_with_suicide_fences_itself() {
    // Without the cluster layer's no-quorum-panic flag, it only stops what runs.
    let s = run(&cib("0", "suicide", ONLINE, "", ""));
    assert_eq!(
        summary(&s),
        vec![
            "Start rsc1 ( n2 ) due to no quorum (blocked)",
            "Start rsc2 ( n3 ) due to no quorum (blocked)",
            "Stop st ( n1 ) due to no quorum",
        ]
    );
    let xml = cib("0", "suicide", ONLINE, "", "").replace(
        r#"<cib have-quorum="0""#,
        r#"<cib no-quorum-panic="1" have-quorum="0""#,
    );
    let s = run(&xml);
    assert_eq!(
        summary(&s),
        vec![
            "Fence (reboot) n1 'cluster does not have quorum'",
            "Fence (reboot) n2 'cluster does not have quorum'",
            "Fence (reboot) n3 'cluster does not have quorum'",
            "Stop st ( n1 ) due to node availability",
        ]
    );
    // Highest node first in the summary.
    assert!(
        s.transition.summary[0].contains(" n3 "),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn fencing_devices_need_quorum_to_start() {
    let xml = cib("0", "stop", ONLINE, "", "").replace(
        r#"<lrm_resource id="st" class="stonith" type="fence_dummy">
<lrm_rsc_op id="st_start_0" operation="start" interval="0" call-id="1" rc-code="0" op-status="0" transition-key="1:1:0:x"/>
</lrm_resource>"#,
        "",
    );
    let s = run(&xml);
    assert!(
        summary(&s).contains(&"Start st ( n1 ) due to no quorum (blocked)".to_string()),
        "{:?}",
        summary(&s)
    );
}

#[test]
fn starts_wait_for_fencing_and_fences_run_one_at_a_time() {
    // n2 is lost with rsc1; rsc2 starts elsewhere, after the fencing (it requires fencing).
    let lrm = format!("{}</lrm_resource>", started("rsc1", 2));
    let s = run(&cib("1", "stop", LOST, &lrm, ""));
    let t = &s.transition;
    let fence = t
        .actions
        .iter()
        .position(|a| a.kind == scheduler::ActionKind::Fence)
        .expect("a fence action");
    for (i, a) in t.actions.iter().enumerate() {
        if a.task == "start" && a.kind == scheduler::ActionKind::Resource {
            assert!(
                a.after.contains(&fence),
                "start {i} does not wait for fencing"
            );
        }
        // The implied stop of rsc1 follows the fencing.
        if a.kind == scheduler::ActionKind::Pseudo && a.label == "rsc1_stop_0" {
            assert!(a.after.contains(&fence));
        }
    }
}
