//! Failures around remote and guest nodes: where a connection's fail counts count, guests
//! lost with their host, resources left on a guest that is down, the order node histories
//! are read in, when a guest is probed, and when its connection migrates with its container
//! (each expectation checked against Debian's crm_simulate 2.1.5).

mod common;
use common::{run, summary_words as summary};

const FENCE: (&str, &str, &str) = ("stonith", "", "fence_dummy");
const DUMMY: (&str, &str, &str) = ("ocf", "pacemaker", "Dummy");
const REMOTE: (&str, &str, &str) = ("ocf", "pacemaker", "remote");
const VM: (&str, &str, &str) = ("ocf", "heartbeat", "VirtualDomain");

/// One history record: (operation, interval ms, rc, call id, op-status).
type Op = (&'static str, u64, i32, i64, i32);

fn ops_xml(id: &str, ops: &[Op]) -> String {
    ops.iter()
        .map(|&(task, interval, rc, call, status)| {
            let expect = if task == "monitor" && interval == 0 { 7 } else { 0 };
            // The digest of a definition without parameters (and default timeouts).
            let digest = scheduler::digest::op_digest(&Default::default(), interval, 20000);
            format!(
                r#"<lrm_rsc_op id="{id}_{task}_{interval}_{call}" operation_key="{id}_{task}_{interval}" operation="{task}" interval="{interval}" call-id="{call}" rc-code="{rc}" op-status="{status}" transition-key="1:1:{expect}:x" transition-magic="{status}:{rc};1:1:{expect}:x" last-rc-change="100" exec-time="0" queue-time="0" op-digest="{digest}"/>"#
            )
        })
        .collect()
}

/// An `lrm_resource` with its records (and the container of a guest connection).
fn lrm(id: &str, agent: (&str, &str, &str), container: Option<&str>, ops: &[Op]) -> String {
    let provider = if agent.1.is_empty() {
        String::new()
    } else {
        format!(r#" provider="{}""#, agent.1)
    };
    let container = container
        .map(|k| format!(r#" container="{k}""#))
        .unwrap_or_default();
    format!(
        r#"<lrm_resource id="{id}" class="{}"{provider} type="{}"{container}>{}</lrm_resource>"#,
        agent.0,
        agent.2,
        ops_xml(id, ops)
    )
}

fn attrs_xml(node: &str, attrs: &[(&str, &str)]) -> String {
    if attrs.is_empty() {
        return String::new();
    }
    let pairs: String = attrs
        .iter()
        .map(|(k, v)| format!(r#"<nvpair id="st-{node}-{k}" name="{k}" value="{v}"/>"#))
        .collect();
    format!(
        r#"<transient_attributes id="{node}"><instance_attributes id="st-{node}">{pairs}</instance_attributes></transient_attributes>"#
    )
}

/// A cluster member's state (online, or lost: out of the membership while expected).
fn member(name: &str, online: bool, attrs: &[(&str, &str)], lrms: &[String]) -> String {
    let state = if online {
        r#"in_ccm="true" crmd="online" join="member" expected="member""#
    } else {
        r#"in_ccm="false" crmd="offline" join="down" expected="member""#
    };
    format!(
        r#"<node_state id="{name}" uname="{name}" {state}>{}<lrm id="{name}"><lrm_resources>{}</lrm_resources></lrm></node_state>"#,
        attrs_xml(name, attrs),
        lrms.concat()
    )
}

/// A remote or guest node's state.
fn remote(name: &str, lrms: &[String]) -> String {
    format!(
        r#"<node_state id="{name}" uname="{name}" remote_node="true"><lrm id="{name}"><lrm_resources>{}</lrm_resources></lrm></node_state>"#,
        lrms.concat()
    )
}

fn prim(id: &str, agent: (&str, &str, &str), meta: &[(&str, &str)]) -> String {
    let provider = if agent.1.is_empty() {
        String::new()
    } else {
        format!(r#" provider="{}""#, agent.1)
    };
    let meta: String = if meta.is_empty() {
        String::new()
    } else {
        let pairs: String = meta
            .iter()
            .map(|(k, v)| format!(r#"<nvpair id="{id}-m-{k}" name="{k}" value="{v}"/>"#))
            .collect();
        format!(r#"<meta_attributes id="{id}-meta">{pairs}</meta_attributes>"#)
    };
    format!(
        r#"<primitive id="{id}" class="{}"{provider} type="{}">{meta}<operations><op id="{id}-mon" name="monitor" interval="10s"/></operations></primitive>"#,
        agent.0, agent.2
    )
}

fn cib(
    feature_set: &str,
    resources: &str,
    constraints: &str,
    defaults: &str,
    status: &str,
) -> String {
    format!(
        r#"<cib crm_feature_set="{feature_set}" validate-with="pacemaker-3.7" epoch="1" num_updates="1" admin_epoch="0" have-quorum="1" dc-uuid="n1">
<configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="true"/><nvpair id="o2" name="startup-fencing" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources>{resources}</resources><constraints>{constraints}</constraints>{defaults}</configuration>
<status>{status}</status></cib>"#
    )
}

fn has(s: &scheduler::Schedule, line: &str) -> bool {
    summary(s).iter().any(|l| l == line)
}

fn status_lines(s: &scheduler::Schedule) -> Vec<String> {
    scheduler::report::status_text(&s.before)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// A guest g1 (container vm on n1, barred from n2) whose connection failed once, with
/// `migration-threshold=1`: the connection's failure counts against the container.
#[test]
fn guest_connection_failures_count_against_its_container() {
    let resources = format!(
        "{}{}{}",
        prim("fence", FENCE, &[]),
        prim("vm", VM, &[("remote-node", "g1")]),
        prim("d1", DUMMY, &[])
    );
    let constraints = r#"<rsc_location id="l1" rsc="vm" node="n2" score="-INFINITY"/><rsc_location id="l2" rsc="d1" node="g1" score="100"/>"#;
    let defaults = r#"<rsc_defaults><meta_attributes id="rd"><nvpair id="rd1" name="migration-threshold" value="1"/></meta_attributes></rsc_defaults>"#;
    let status = format!(
        "{}{}{}",
        member(
            "n1",
            true,
            &[
                ("fail-count-g1#monitor_30000", "1"),
                ("last-failure-g1#monitor_30000", "100")
            ],
            &[
                lrm("fence", FENCE, None, &[("start", 0, 0, 1, 0)]),
                lrm(
                    "vm",
                    VM,
                    None,
                    &[("start", 0, 0, 2, 0), ("monitor", 10000, 0, 3, 0)]
                ),
                lrm(
                    "g1",
                    REMOTE,
                    Some("vm"),
                    &[("start", 0, 0, 4, 0), ("monitor", 30000, 1, 5, 0)]
                ),
            ]
        ),
        member("n2", true, &[], &[]),
        remote("g1", &[lrm("d1", DUMMY, None, &[("start", 0, 0, 6, 0)])])
    );
    let s = run(&cib("3.0.14", &resources, constraints, defaults, &status));
    assert!(has(
        &s,
        "Fence (reboot) g1 (resource: vm) 'guest is unclean'"
    ));
    assert!(has(&s, "Stop vm ( n1 ) due to node availability"));
    assert!(has(&s, "Stop g1 ( n1 ) due to node availability"));
    assert!(has(&s, "Recover d1 ( g1 -> n2 )"));
}

/// A remote node's connection whose start failed, with a recorded fail count of INFINITY.
fn failed_remote_start(feature_set: &str) -> scheduler::Schedule {
    let resources = format!(
        "{}{}{}",
        prim("fence", FENCE, &[]),
        prim("r1", REMOTE, &[]),
        prim("d1", DUMMY, &[])
    );
    let constraints = r#"<rsc_location id="l" rsc="d1" node="r1" score="100"/>"#;
    let status = format!(
        "{}{}{}",
        member(
            "n1",
            true,
            &[("fail-count-r1", "INFINITY"), ("last-failure-r1", "100")],
            &[
                lrm("fence", FENCE, None, &[("start", 0, 0, 1, 0)]),
                lrm("r1", REMOTE, None, &[("start", 0, 1, 2, 2)]),
            ]
        ),
        member("n2", true, &[], &[]),
        remote("r1", &[])
    );
    run(&cib(feature_set, &resources, constraints, "", &status))
}

#[test]
fn remote_connection_fail_counts_ban_it_only_in_old_cibs() {
    // Since feature set 3.0.13 the connection is recovered where it is.
    let s = failed_remote_start("3.0.13");
    assert!(has(&s, "Recover r1 ( n1 )"), "{:?}", summary(&s));
    assert!(has(&s, "Start d1 ( r1 )"));
    // Before, its recorded fail count keeps it off the node.
    let s = failed_remote_start("3.0.9");
    assert!(has(&s, "Recover r1 ( n1 -> n2 )"), "{:?}", summary(&s));
}

#[test]
fn a_failed_remote_start_without_a_recorded_fail_count_does_not_ban_the_connection() {
    let resources = format!("{}{}", prim("fence", FENCE, &[]), prim("r1", REMOTE, &[]));
    let status = format!(
        "{}{}{}",
        member(
            "n1",
            true,
            &[],
            &[
                lrm("fence", FENCE, None, &[("start", 0, 0, 1, 0)]),
                lrm("r1", REMOTE, None, &[("start", 0, 1, 2, 2)]),
            ]
        ),
        member("n2", true, &[], &[]),
        remote("r1", &[])
    );
    let s = run(&cib("3.0.9", &resources, "", "", &status));
    assert!(has(&s, "Recover r1 ( n1 )"), "{:?}", summary(&s));
}

#[test]
fn a_failed_remote_connection_fences_a_known_remote_node() {
    let resources = format!(
        "{}{}{}",
        prim("fence", FENCE, &[]),
        prim("r1", REMOTE, &[]),
        prim("d1", DUMMY, &[])
    );
    let constraints = r#"<rsc_location id="l" rsc="d1" node="r1" score="100"/>"#;
    let status = format!(
        "{}{}{}",
        member(
            "n1",
            true,
            &[],
            &[
                lrm("fence", FENCE, None, &[("start", 0, 0, 1, 0)]),
                lrm(
                    "r1",
                    REMOTE,
                    None,
                    &[("start", 0, 0, 2, 0), ("monitor", 10000, 1, 3, 0)]
                ),
            ]
        ),
        member("n2", true, &[], &[]),
        // The node has a state entry, though nothing ran there.
        remote("r1", &[])
    );
    let s = run(&cib("3.0.14", &resources, constraints, "", &status));
    assert!(has(
        &s,
        "Fence (reboot) r1 'remote connection is unrecoverable'"
    ));
    assert!(has(&s, "Recover r1 ( n1 )"));
    // Nothing is placed on a node being fenced.
    assert!(has(&s, "Start d1 ( n1 )"), "{:?}", summary(&s));
    assert!(status_lines(&s).contains(&"* RemoteNode r1: UNCLEAN (offline)".to_string()));
}

/// Two guests on n1, which is lost: g1 with d1 active on it, g2 with nothing.
#[test]
fn guests_are_lost_with_their_host_and_what_ran_there_fails_its_container() {
    let resources = format!(
        "{}{}{}{}",
        prim("fence", FENCE, &[]),
        prim("vm1", VM, &[("remote-node", "g1")]),
        prim("vm2", VM, &[("remote-node", "g2")]),
        prim("d1", DUMMY, &[])
    );
    let constraints = r#"<rsc_location id="l1" rsc="d1" node="g1" score="100"/>"#;
    let status = format!(
        "{}{}{}{}",
        member(
            "n1",
            false,
            &[],
            &[
                lrm("vm1", VM, None, &[("start", 0, 0, 2, 0)]),
                lrm("vm2", VM, None, &[("start", 0, 0, 3, 0)]),
                lrm("g1", REMOTE, Some("vm1"), &[("start", 0, 0, 4, 0)]),
                lrm("g2", REMOTE, Some("vm2"), &[("start", 0, 0, 5, 0)]),
            ]
        ),
        member(
            "n2",
            true,
            &[],
            &[lrm("fence", FENCE, None, &[("start", 0, 0, 1, 0)])]
        ),
        remote("g1", &[lrm("d1", DUMMY, None, &[("start", 0, 0, 6, 0)])]),
        remote("g2", &[])
    );
    let s = run(&cib("3.0.14", &resources, constraints, "", &status));
    let st = status_lines(&s);
    // Neither guest is up; what ran on g1 failed there, and so did g1's container.
    assert!(!st.iter().any(|l| l.starts_with("* GuestOnline")), "{st:?}");
    assert!(st.contains(&"* d1 (ocf:pacemaker:Dummy): FAILED g1".to_string()));
    assert!(st.contains(&"* vm1 (ocf:heartbeat:VirtualDomain): FAILED n1 (UNCLEAN)".to_string()));
    assert!(st.contains(&"* vm2 (ocf:heartbeat:VirtualDomain): Started n1 (UNCLEAN)".to_string()));
    for line in [
        "Fence (reboot) n1 'peer is no longer part of the cluster'",
        "Fence (reboot) g1 (resource: vm1) 'guest is unclean'",
        "Fence (reboot) g2 (resource: vm2) 'guest is unclean'",
        "Recover vm1 ( n1 -> n2 )",
        "Move vm2 ( n1 -> n2 )",
        "Recover d1 ( g1 )",
        "Move g1 ( n1 -> n2 )",
        "Move g2 ( n1 -> n2 )",
    ] {
        assert!(has(&s, line), "{line}: {:?}", summary(&s));
    }
}

/// Guest g1's container is stopped while a clone instance is still recorded on g1; g2 is up
/// with the other instance (g1's history comes first in the status section).
#[test]
fn instances_left_on_a_down_guest_are_numbered_last_and_not_listed() {
    let resources = format!(
        r#"{}{}{}<clone id="dc"><meta_attributes id="dc-m"><nvpair id="dc-m1" name="clone-max" value="2"/></meta_attributes>{}</clone>"#,
        prim("fence", FENCE, &[]),
        prim("vm1", VM, &[("remote-node", "g1")]),
        prim("vm2", VM, &[("remote-node", "g2")]),
        prim("d", DUMMY, &[])
    );
    let constraints = r#"<rsc_location id="l1" rsc="dc" node="g1" score="INFINITY"/><rsc_location id="l2" rsc="dc" node="g2" score="INFINITY"/><rsc_location id="l3" rsc="vm1" node="n1" score="INFINITY"/>"#;
    let status = format!(
        "{}{}{}{}",
        member(
            "n1",
            true,
            &[],
            &[
                lrm("fence", FENCE, None, &[("start", 0, 0, 1, 0)]),
                lrm("vm1", VM, None, &[("stop", 0, 0, 2, 0)]),
                lrm("vm2", VM, None, &[("start", 0, 0, 3, 0)]),
                lrm("g1", REMOTE, Some("vm1"), &[("start", 0, 0, 4, 0)]),
                lrm("g2", REMOTE, Some("vm2"), &[("start", 0, 0, 5, 0)]),
            ]
        ),
        member("n2", true, &[], &[]),
        remote("g1", &[lrm("d", DUMMY, None, &[("start", 0, 0, 6, 0)])]),
        remote("g2", &[lrm("d", DUMMY, None, &[("start", 0, 0, 6, 0)])])
    );
    let s = run(&cib("3.0.14", &resources, constraints, "", &status));
    assert!(has(
        &s,
        "Fence (reboot) g1 (resource: vm1) 'guest is unclean'"
    ));
    assert!(has(&s, "Start vm1 ( n1 )"));
    assert!(has(&s, "Recover d:1 ( g1 )"), "{:?}", summary(&s));
    let st = status_lines(&s);
    // The stopped container shows as failed; the instance on g1 is not listed, nor is g1
    // among the nodes where the clone is stopped.
    assert!(
        st.contains(&"* vm1 (ocf:heartbeat:VirtualDomain): FAILED".to_string()),
        "{st:?}"
    );
    assert!(st.contains(&"* Started: [ g2 ]".to_string()), "{st:?}");
    assert!(st.contains(&"* Stopped: [ n1 n2 ]".to_string()), "{st:?}");
    assert!(st.contains(&"* GuestOnline: [ g2 ]".to_string()), "{st:?}");
}

/// Guest g1 whose connection is down: its container either runs already or is stopped.
fn guest_coming_up(container_runs: bool) -> scheduler::Schedule {
    let resources = format!(
        "{}{}{}{}",
        prim("fence", FENCE, &[]),
        prim("vm", VM, &[("remote-node", "g1")]),
        prim("d1", DUMMY, &[]),
        prim("d2", DUMMY, &[])
    );
    let constraints = r#"<rsc_location id="l1" rsc="d1" node="g1" score="100"/>"#;
    let vm_op: Op = if container_runs {
        ("start", 0, 0, 2, 0)
    } else {
        ("monitor", 0, 7, 2, 0)
    };
    let status = format!(
        "{}{}",
        member(
            "n1",
            true,
            &[],
            &[
                lrm("fence", FENCE, None, &[("start", 0, 0, 1, 0)]),
                lrm("vm", VM, None, &[vm_op]),
                lrm("g1", REMOTE, Some("vm"), &[("monitor", 0, 7, 3, 0)]),
            ]
        ),
        member("n2", true, &[], &[])
    );
    run(&cib("3.0.14", &resources, constraints, "", &status))
}

fn probes_on_g1(s: &scheduler::Schedule) -> Vec<String> {
    let mut v: Vec<String> = s
        .transition
        .actions
        .iter()
        .map(|a| a.label.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| l.ends_with("monitor on g1"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_guest_connecting_to_a_running_container_is_probed() {
    let s = guest_coming_up(true);
    assert!(has(&s, "Start g1 ( n1 )"), "{:?}", summary(&s));
    assert_eq!(
        probes_on_g1(&s),
        vec![
            "d1 monitor on g1".to_string(),
            "d2 monitor on g1".to_string()
        ]
    );
}

#[test]
fn a_guest_whose_container_starts_is_not_probed() {
    let s = guest_coming_up(false);
    assert!(has(&s, "Start vm ( n1 )"), "{:?}", summary(&s));
    assert!(has(&s, "Start d1 ( g1 )"), "{:?}", summary(&s));
    assert!(probes_on_g1(&s).is_empty(), "{:?}", probes_on_g1(&s));
}

/// Guest g1 in container vm (allow-migrate) on n1, which vm must leave; d1 runs on g1, d2
/// (on n2) was never probed on g1.
fn migrating_guest(remote_allow_migrate: bool) -> scheduler::Schedule {
    let mut meta = vec![("remote-node", "g1"), ("allow-migrate", "true")];
    if remote_allow_migrate {
        meta.push(("remote-allow-migrate", "true"));
    }
    let resources = format!(
        "{}{}{}{}",
        prim("fence", FENCE, &[]),
        prim("vm", VM, &meta),
        prim("d1", DUMMY, &[]),
        prim("d2", DUMMY, &[])
    );
    let constraints = r#"<rsc_location id="l1" rsc="d1" node="g1" score="100"/><rsc_location id="l2" rsc="vm" node="n1" score="-INFINITY"/><rsc_location id="l3" rsc="d2" node="n2" score="100"/>"#;
    let status = format!(
        "{}{}{}",
        member(
            "n1",
            true,
            &[],
            &[
                lrm("fence", FENCE, None, &[("start", 0, 0, 1, 0)]),
                lrm("vm", VM, None, &[("start", 0, 0, 2, 0)]),
                lrm("g1", REMOTE, Some("vm"), &[("start", 0, 0, 3, 0)]),
            ]
        ),
        member(
            "n2",
            true,
            &[],
            &[lrm("d2", DUMMY, None, &[("start", 0, 0, 1, 0)])]
        ),
        remote("g1", &[lrm("d1", DUMMY, None, &[("start", 0, 0, 4, 0)])])
    );
    run(&cib("3.0.14", &resources, constraints, "", &status))
}

#[test]
fn a_guest_connection_migrates_only_when_its_container_allows_it() {
    let s = migrating_guest(false);
    assert_eq!(
        summary(&s),
        vec![
            "Migrate vm ( n1 -> n2 )".to_string(),
            "Move g1 ( n1 -> n2 )".to_string()
        ]
    );
    let s = migrating_guest(true);
    assert_eq!(
        summary(&s),
        vec![
            "Migrate g1 ( n1 -> n2 )".to_string(),
            "Migrate vm ( n1 -> n2 )".to_string()
        ]
    );
    // A guest migrating with its container is not probed on the way.
    assert!(probes_on_g1(&s).is_empty(), "{:?}", probes_on_g1(&s));
}
