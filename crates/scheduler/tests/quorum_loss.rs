//! A partition without quorum: `no-quorum-policy=demote` demotes promoted instances in place
//! and stops the rest; `suicide` fences only the partition's own members (the lost peers'
//! resources stay, their stops blocked). Also: how status shows a resource whose history
//! holds only a stop or migration still in progress.

mod common;
use common::{run, summary};

const DIGEST: &str = "f2317cad3d54cec5d7d7aa7d0bf35cf8";

/// An `lrm_resource` of resource `id` whose last operation is `task` with exit code `rc`
/// (`pending`: still in progress, op-status -1).
fn lrm(id: &str, agent: &str, task: &str, rc: i32, pending: bool) -> String {
    let (rc, status, call) = if pending { (193, -1, -1) } else { (rc, 0, 1) };
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="{agent}"><lrm_rsc_op id="{id}_last_0" operation_key="{id}_{task}_0" operation="{task}" interval="0" call-id="{call}" rc-code="{rc}" op-status="{status}" transition-key="1:1:0:x" migrate_source="n1" migrate_target="n2" op-digest="{DIGEST}"/></lrm_resource>"#
    )
}

/// Node state of member `id` (`n{id}`), online or lost, with `lrm` as its history.
fn node_state(id: u32, online: bool, lrm: &str) -> String {
    let (ccm, crmd) = if online {
        ("true", "online")
    } else {
        ("false", "offline")
    };
    format!(
        r#"<node_state id="{id}" uname="n{id}" in_ccm="{ccm}" crmd="{crmd}" join="member" expected="member"><lrm id="{id}"><lrm_resources>{lrm}</lrm_resources></lrm></node_state>"#
    )
}

/// A three-node CIB, without quorum under `policy` (fencing enabled when `stonith`), with a
/// primitive `a`, a fencing device and a promotable clone `st-clone` of `st` (one instance);
/// `status` holds the node states.
fn cib(policy: &str, stonith: bool, panic: bool, status: &str) -> String {
    let panic = if panic { r#" no-quorum-panic="1""# } else { "" };
    format!(
        r#"<cib have-quorum="0"{panic}><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="{stonith}"/><nvpair id="o2" name="no-quorum-policy" value="{policy}"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
<resources>
<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>
<primitive id="fence" class="stonith" type="fence_dummy"/>
<clone id="st-clone"><meta_attributes id="stm"><nvpair id="stm1" name="promotable" value="true"/><nvpair id="stm2" name="clone-max" value="1"/></meta_attributes><primitive id="st" class="ocf" provider="pacemaker" type="Stateful"/></clone>
</resources><constraints/></configuration>
<status>{status}</status></cib>"#
    )
}

#[test]
fn demote_policy_demotes_promoted_instances_in_place_and_stops_the_rest() {
    let n1 = format!(
        "{}{}",
        lrm("a", "Dummy", "start", 0, false),
        lrm("st", "Stateful", "promote", 0, false)
    );
    let status = format!(
        "{}{}{}",
        node_state(1, true, &n1),
        node_state(2, false, ""),
        node_state(3, false, "")
    );
    let s = run(&cib("demote", false, false, &status));
    assert_eq!(
        summary(&s),
        vec![
            "Demote st:0 ( Promoted -> Unpromoted n1 )".to_string(),
            "Start fence ( n1 ) due to no quorum (blocked)".to_string(),
            "Stop a ( n1 ) due to no quorum".to_string(),
        ]
    );
    // The revised status: `a` stopped, `st` still running, unpromoted.
    let after = &s.after;
    let find = |id: &str| after.rscs.iter().find(|r| r.id == id).expect("resource");
    assert!(find("a").running.is_empty());
    let st = find("st:0");
    assert_eq!(
        st.running.values().copied().collect::<Vec<_>>(),
        vec![scheduler::cluster::Role::Unpromoted]
    );
}

#[test]
fn suicide_fences_only_the_partition_and_blocks_the_lost_peers_stops() {
    let status = format!(
        "{}{}{}",
        node_state(1, true, &lrm("a", "Dummy", "start", 0, false)),
        node_state(2, false, &lrm("st", "Stateful", "start", 0, false)),
        node_state(3, false, "")
    );
    for panic in [false, true] {
        let s = run(&cib("suicide", true, panic, &status));
        let fenced: Vec<&str> = s
            .transition
            .summary
            .iter()
            .filter(|l| l.starts_with("Fence"))
            .map(String::as_str)
            .collect();
        if panic {
            assert_eq!(
                fenced,
                vec!["Fence (reboot) n1 'cluster does not have quorum'"]
            );
        } else {
            assert!(fenced.is_empty(), "{fenced:?}");
        }
        // The instance could run on n1 unless n1 fences itself: its blocked stop is then
        // for lack of a node, not of quorum.
        let why = if panic {
            "node availability"
        } else {
            "no quorum"
        };
        let stop = format!("Stop st:0 ( Unpromoted n2 ) due to {why} (blocked)");
        assert!(summary(&s).contains(&stop), "{:?}", summary(&s));
        // The lost peer's resource is still there afterwards.
        let st = s.after.rscs.iter().find(|r| r.id == "st:0").expect("st:0");
        assert_eq!(st.running.keys().copied().collect::<Vec<_>>(), vec![1]);
    }
}

#[test]
fn status_shows_pending_stop_and_migration_as_leaving() {
    let n1 = format!(
        "{}{}",
        lrm("a", "Dummy", "stop", 0, true),
        lrm("b", "Dummy", "migrate_to", 0, true)
    );
    let xml = format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints/></configuration>
<status>{}{}</status></cib>"#,
        node_state(1, true, &n1),
        node_state(2, true, "")
    );
    let s = run(&xml);
    let text = scheduler::report::status_text(&s.before);
    assert!(
        text.contains("* a\t(ocf:pacemaker:Dummy):\t Stopping n1"),
        "{text}"
    );
    assert!(
        text.contains("* b\t(ocf:pacemaker:Dummy):\t Migrating n1"),
        "{text}"
    );
    // Such a history says nothing of the resource's state there: it is probed again.
    for id in ["a", "b"] {
        let r = s.before.rscs.iter().position(|r| r.id == id);
        let probed =
            s.transition.actions.iter().any(|a| {
                a.rsc == r && a.task == "monitor" && a.interval_ms == 0 && a.node == Some(0)
            });
        assert!(probed, "{id} is probed on n1: {:?}", common::labels(&s));
    }
}

#[test]
fn clone_instances_on_a_member_fencing_itself_are_listed_as_usual() {
    let n1 = format!(
        "{}{}",
        lrm("st", "Stateful", "start", 0, false),
        lrm("a", "Dummy", "start", 0, false)
    );
    let status = format!(
        "{}{}{}",
        node_state(1, true, &n1),
        node_state(2, false, ""),
        node_state(3, false, "")
    );
    let s = run(&cib("suicide", true, true, &status));
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("* Node n1: UNCLEAN (online)"), "{text}");
    assert!(
        text.contains("* Clone Set: st-clone [st] (promotable):\n      * Unpromoted: [ n1 ]\n"),
        "{text}"
    );
}

#[test]
fn a_group_stopped_for_lack_of_quorum_still_begins_its_start_phase() {
    let xml = format!(
        r#"<cib have-quorum="0"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="no-quorum-policy" value="stop"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
<resources><group id="g"><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/></group></resources><constraints/></configuration>
<status>{}{}{}</status></cib>"#,
        node_state(1, true, &lrm("a", "Dummy", "start", 0, false)),
        node_state(2, false, ""),
        node_state(3, false, "")
    );
    let s = run(&xml);
    assert_eq!(
        summary(&s),
        vec!["Stop a ( n1 ) due to no quorum".to_string()]
    );
    let pseudo: Vec<&str> = s
        .transition
        .actions
        .iter()
        .filter(|a| a.kind == scheduler::ActionKind::Pseudo)
        .map(|a| a.label.as_str())
        .collect();
    assert!(pseudo.contains(&"g_start_0"), "{pseudo:?}");
    assert!(!pseudo.contains(&"g_running_0"), "{pseudo:?}");
}
