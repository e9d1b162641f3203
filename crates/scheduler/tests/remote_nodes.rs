//! Pacemaker Remote and guest nodes: connections, availability, orderings and fencing.

mod common;
use common::{run, summary_words as summary};

/// An lrm_resource entry with one operation.
fn lrm(id: &str, agent: (&str, &str), op: &str, interval: u64, rc: i32, call: i64) -> String {
    lrm_ops(id, agent, &[(op, interval, rc, call)])
}

/// An lrm_resource entry with operations (name, interval, rc, call id).
fn lrm_ops(id: &str, agent: (&str, &str), ops: &[(&str, u64, i32, i64)]) -> String {
    let class = if agent.0.is_empty() { "stonith" } else { "ocf" };
    let provider = if agent.0.is_empty() {
        String::new()
    } else {
        format!(r#" provider="{}""#, agent.0)
    };
    let mut out = format!(
        r#"<lrm_resource id="{id}" class="{class}"{provider} type="{}">"#,
        agent.1
    );
    for &(op, interval, rc, call) in ops {
        let status = if rc == 0 || op == "monitor" && interval == 0 {
            0
        } else {
            4
        };
        let expect = if op == "monitor" && interval == 0 {
            7
        } else {
            0
        };
        out.push_str(&format!(
            r#"<lrm_rsc_op id="{id}_{op}_{interval}" operation="{op}" interval="{interval}" call-id="{call}" rc-code="{rc}" op-status="{status}" transition-key="1:1:{expect}:x" transition-magic="0:{rc};1:1:{expect}:x"/>"#
        ));
    }
    out.push_str("</lrm_resource>");
    out
}

const DUMMY: (&str, &str) = ("pacemaker", "Dummy");
const REMOTE: (&str, &str) = ("pacemaker", "remote");

fn member(id: &str, name: &str, lrms: &[String]) -> String {
    format!(
        r#"<node_state id="{id}" uname="{name}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{id}"><lrm_resources>{}</lrm_resources></lrm></node_state>"#,
        lrms.concat()
    )
}

fn remote_state(name: &str, lrms: &[String]) -> String {
    format!(
        r#"<node_state id="{name}" uname="{name}" remote_node="true"><lrm id="{name}"><lrm_resources>{}</lrm_resources></lrm></node_state>"#,
        lrms.concat()
    )
}

fn cib(resources: &str, constraints: &str, status: &str) -> String {
    format!(
        r#"<cib have-quorum="1" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>{resources}</resources><constraints>{constraints}</constraints></configuration>
<status>{status}</status></cib>"#
    )
}

const FENCE: &str = r#"<primitive id="fence" class="stonith" type="fence_xvm"/>"#;
const CONN: &str = r#"<primitive id="r1" class="ocf" provider="pacemaker" type="remote"><operations><op id="r1-mon" name="monitor" interval="60s"/></operations></primitive>"#;

fn action(s: &scheduler::Schedule, label: &str) -> usize {
    s.transition
        .actions
        .iter()
        .position(|a| a.label.split_whitespace().collect::<Vec<_>>().join(" ") == label)
        .unwrap_or_else(|| panic!("no action {label}"))
}

fn before(s: &scheduler::Schedule, first: &str, then: &str) -> bool {
    let (f, t) = (action(s, first), action(s, then));
    s.transition.actions[t].after.contains(&f)
}

#[test]
fn connection_is_placed_first_and_the_remote_node_is_probed_after_it_starts() {
    let xml = cib(
        &format!(
            r#"{FENCE}<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>{CONN}"#
        ),
        "",
        &format!("{}{}", member("1", "n1", &[]), member("2", "n2", &[])),
    );
    let s = run(&xml);
    // The connection takes the first node; the fencing device and d spread over the rest
    // (d may not run on the remote node before its connection is placed).
    assert_eq!(
        summary(&s),
        vec![
            "Start d ( r1 )".to_string(),
            "Start fence ( n2 )".to_string(),
            "Start r1 ( n1 )".to_string()
        ]
    );
    assert!(before(&s, "r1 start on n1", "d monitor on r1"));
    // Neither the fencing device nor the connection itself is probed on the remote node.
    assert!(!s
        .transition
        .actions
        .iter()
        .any(|a| a.label.starts_with("fence monitor on r1")));
    assert!(!s
        .transition
        .actions
        .iter()
        .any(|a| a.label.starts_with("r1 monitor on r1")));
    let fence_scores = &s.before.rscs[0].scores;
    let r1 = s.before.node_index("r1").expect("remote node exists");
    assert!(fence_scores[r1].is_neg_inf());
}

#[test]
fn disabled_connection_stops_what_runs_on_the_remote_node_first() {
    let xml = cib(
        &format!(
            r#"{FENCE}<primitive id="r1" class="ocf" provider="pacemaker" type="remote"><meta_attributes id="m"><nvpair id="m1" name="target-role" value="Stopped"/></meta_attributes></primitive>
<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>"#
        ),
        r#"<rsc_location id="l" rsc="d" node="r1" score="100"/>"#,
        &format!(
            "{}{}{}",
            member("1", "n1", &[lrm("r1", REMOTE, "start", 0, 0, 5)]),
            member("2", "n2", &[lrm("d", DUMMY, "monitor", 0, 7, 2)]),
            remote_state("r1", &[lrm("d", DUMMY, "start", 0, 0, 3)])
        ),
    );
    let s = run(&xml);
    assert_eq!(
        summary(&s),
        vec![
            "Move d ( r1 -> n2 )".to_string(),
            "Start fence ( n1 )".to_string(),
            "Stop r1 ( n1 ) due to node availability".to_string()
        ]
    );
    assert!(before(&s, "d stop on r1", "r1 stop on n1"));
}

#[test]
fn failed_connection_with_resources_fences_the_remote_node() {
    let xml = cib(
        &format!(
            r#"{FENCE}{CONN}<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>"#
        ),
        "",
        &format!(
            "{}{}{}",
            member(
                "1",
                "n1",
                &[
                    lrm("fence", ("", "fence_xvm"), "start", 0, 0, 1),
                    lrm_ops(
                        "r1",
                        REMOTE,
                        &[("start", 0, 0, 4), ("monitor", 60000, 1, 5)]
                    )
                ]
            ),
            member("2", "n2", &[lrm("d", DUMMY, "monitor", 0, 7, 2)]),
            remote_state("r1", &[lrm("d", DUMMY, "start", 0, 0, 3)])
        ),
    );
    let s = run(&xml);
    let lines = summary(&s);
    assert!(
        lines.contains(&"Fence (reboot) r1 'remote connection is unrecoverable'".to_string()),
        "{lines:?}"
    );
    // d moves off the fenced remote node; its stop there is implied by the fencing.
    assert!(
        lines.iter().any(|l| l.starts_with("Move d ( r1 ->")),
        "{lines:?}"
    );
    assert!(before(&s, "r1 (reboot)", "d_stop_0"));
    assert!(before(&s, "d_stop_0", "r1 stop on n1"));
}

#[test]
fn exclusive_discovery_limits_placement_and_probes() {
    let xml = cib(
        &format!(r#"{FENCE}<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>"#),
        r#"<rsc_location id="l" rsc="d" node="n2" score="0" resource-discovery="exclusive"/>
<rsc_location id="l2" rsc="d" node="n1" score="10"/>"#,
        &format!("{}{}", member("1", "n1", &[]), member("2", "n2", &[])),
    );
    let s = run(&xml);
    assert!(
        summary(&s).contains(&"Start d ( n2 )".to_string()),
        "{:?}",
        summary(&s)
    );
    assert!(!s
        .transition
        .actions
        .iter()
        .any(|a| a.label == "d monitor on n1"));
}

const CONTAINER: &str = r#"<primitive id="vm" class="ocf" provider="heartbeat" type="VirtualDomain"><meta_attributes id="vm-m"><nvpair id="vm-m1" name="remote-node" value="g1"/></meta_attributes></primitive>"#;
const VM: (&str, &str) = ("heartbeat", "VirtualDomain");

#[test]
fn guest_node_starts_with_its_container() {
    let xml = cib(
        &format!(
            r#"{FENCE}{CONTAINER}<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>"#
        ),
        r#"<rsc_location id="l" rsc="d" node="g1" score="100"/>
<rsc_location id="l2" rsc="vm" node="n2" score="50"/>"#,
        &format!(
            "{}{}",
            member(
                "1",
                "n1",
                &[lrm("fence", ("", "fence_xvm"), "start", 0, 0, 1)]
            ),
            member("2", "n2", &[])
        ),
    );
    let s = run(&xml);
    assert_eq!(
        summary(&s),
        vec![
            "Start d ( g1 )".to_string(),
            "Start g1 ( n2 )".to_string(),
            "Start vm ( n2 )".to_string()
        ]
    );
    assert!(before(&s, "vm start on n2", "g1 start on n2"));
    assert!(before(&s, "g1 start on n2", "d start on g1"));
    // The implicit connection is not listed among the resources.
    let text = scheduler::report::status_text(&s.after);
    assert!(!text.contains("* g1\t"), "{text}");
    assert!(text.contains("GuestOnline: [ g1 ]"), "{text}");
}

#[test]
fn failed_container_fences_its_guest_and_recovers_what_ran_there() {
    let xml = cib(
        &format!(
            r#"{FENCE}{CONTAINER}<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>"#
        ),
        r#"<rsc_location id="l" rsc="d" node="g1" score="100"/>
<rsc_location id="l2" rsc="vm" node="n2" score="50"/>"#,
        &format!(
            "{}{}{}",
            member(
                "1",
                "n1",
                &[lrm("fence", ("", "fence_xvm"), "start", 0, 0, 1)]
            ),
            member(
                "2",
                "n2",
                &[
                    lrm_ops("vm", VM, &[("start", 0, 0, 2), ("monitor", 10000, 1, 3)]),
                    lrm("g1", REMOTE, "start", 0, 0, 4)
                ]
            ),
            remote_state("g1", &[lrm("d", DUMMY, "start", 0, 0, 5)])
        ),
    );
    let s = run(&xml);
    assert_eq!(
        summary(&s),
        vec![
            "Fence (reboot) g1 (resource: vm) 'guest is unclean'".to_string(),
            "Recover d ( g1 )".to_string(),
            "Recover vm ( n2 )".to_string(),
            "Restart g1 ( n2 ) due to required vm start".to_string(),
        ]
    );
    assert!(before(&s, "vm stop on n2", "stonith-g1-reboot on g1"));
    assert!(before(&s, "g1 start on n2", "d start on g1"));
}

#[test]
fn remote_node_may_opt_out_of_discovery() {
    let xml = cib(
        &format!(
            r#"{FENCE}{CONN}<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>"#
        ),
        "",
        &format!(
            r#"{}{}<node_state id="r1" uname="r1" remote_node="true"><transient_attributes id="r1"><instance_attributes id="s-r1"><nvpair id="s-r1-1" name="resource-discovery-enabled" value="false"/></instance_attributes></transient_attributes></node_state>"#,
            member("1", "n1", &[lrm("r1", REMOTE, "start", 0, 0, 1)]),
            member("2", "n2", &[])
        ),
    );
    let s = run(&xml);
    assert!(!s
        .transition
        .actions
        .iter()
        .any(|a| a.label == "d monitor on r1"));
    assert!(s
        .transition
        .actions
        .iter()
        .any(|a| a.label == "d monitor on n2"));
}

#[test]
fn guest_connection_follows_its_container_in_an_asymmetric_cluster() {
    let xml = cib(
        &format!(r#"{FENCE}{CONTAINER}"#),
        r#"<rsc_location id="l2" rsc="vm" node="n2" score="50"/>
<rsc_location id="l3" rsc="fence" node="n1" score="0"/>"#,
        &format!("{}{}", member("1", "n1", &[]), member("2", "n2", &[])),
    )
    .replace(
        r#"<nvpair id="o1" name="stonith-enabled" value="true"/>"#,
        r#"<nvpair id="o1" name="stonith-enabled" value="true"/><nvpair id="o2" name="symmetric-cluster" value="false"/>"#,
    );
    let s = run(&xml);
    let lines = summary(&s);
    assert!(lines.contains(&"Start g1 ( n2 )".to_string()), "{lines:?}");
    assert!(lines.contains(&"Start vm ( n2 )".to_string()), "{lines:?}");
}

#[test]
fn lost_connection_with_reconnect_interval_stays_down_and_the_node_is_fenced() {
    let conn = r#"<primitive id="r1" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="r1-i"><nvpair id="r1-i1" name="reconnect_interval" value="1m"/></instance_attributes><operations><op id="r1-mon" name="monitor" interval="60s"/></operations></primitive>"#;
    let xml = cib(
        &format!(
            r#"{FENCE}{conn}<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>"#
        ),
        "",
        &format!(
            "{}{}{}",
            member(
                "1",
                "n1",
                &[
                    lrm("fence", ("", "fence_xvm"), "start", 0, 0, 1),
                    lrm_ops(
                        "r1",
                        REMOTE,
                        &[("start", 0, 0, 4), ("monitor", 60000, 1, 5)]
                    )
                ]
            ),
            member("2", "n2", &[lrm("d", DUMMY, "monitor", 0, 7, 2)]),
            remote_state("r1", &[lrm("d", DUMMY, "start", 0, 0, 3)])
        ),
    );
    let s = run(&xml);
    let lines = summary(&s);
    assert!(
        lines.contains(&"Fence (reboot) r1 'remote connection is unrecoverable'".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Stop r1 ( n1 ) due to node availability".to_string()),
        "{lines:?}"
    );
}
