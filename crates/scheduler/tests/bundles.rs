//! Bundles: implicit container, address and connection resources per replica, replica
//! placement, the primitive's instances on the replicas' guest nodes, and their display.

mod common;
use common::{run, summary};

/// A CIB with members `n1`..`nN`, the given resources, constraints, options and status.
fn cib(nodes: usize, options: &str, resources: &str, constraints: &str, status: &str) -> String {
    let mut defs = String::new();
    let mut states = String::new();
    for i in 1..=nodes {
        defs.push_str(&format!(r#"<node id="{i}" uname="n{i}"/>"#));
        if !status.contains(&format!(r#"uname="n{i}""#)) {
            states.push_str(&format!(
                r#"<node_state id="{i}" uname="n{i}" in_ccm="true" crmd="online" join="member" expected="member"/>"#
            ));
        }
    }
    format!(
        r#"<cib have-quorum="1" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/>{options}</cluster_property_set></crm_config>
<nodes>{defs}</nodes>
<resources>{resources}</resources><constraints>{constraints}</constraints></configuration>
<status>{states}{status}</status></cib>"#
    )
}

const WEB: &str = r#"<bundle id="web">
  <docker image="pcmk:http" replicas="2"/>
  <network ip-range-start="192.168.122.131" host-netmask="24" host-interface="eth0"/>
  <primitive id="httpd" class="ocf" provider="heartbeat" type="apache"><operations><op id="h-m" name="monitor" interval="10s"/></operations></primitive>
</bundle>"#;

const PLAIN: &str =
    r#"<bundle id="plain"><podman image="img:1" replicas="3" replicas-per-host="2"/></bundle>"#;

fn lines(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// A member's node_state with lrm entries (id, class:provider:type, op, rc).
fn member(i: usize, lrms: &[(&str, &str, &str, i32)]) -> String {
    let mut out = format!(
        r#"<node_state id="{i}" uname="n{i}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{i}"><lrm_resources>"#
    );
    out.push_str(&lrm_entries(lrms));
    out.push_str("</lrm_resources></lrm></node_state>");
    out
}

fn lrm_entries(lrms: &[(&str, &str, &str, i32)]) -> String {
    let mut out = String::new();
    for (k, &(id, agent, op, rc)) in lrms.iter().enumerate() {
        let parts: Vec<&str> = agent.split(':').collect();
        out.push_str(&format!(
            r#"<lrm_resource id="{id}" class="{}" provider="{}" type="{}"><lrm_rsc_op id="{id}_last_0" operation="{op}" interval="0" call-id="{}" rc-code="{rc}" op-status="0" transition-key="1:1:0:x" transition-magic="0:{rc};1:1:0:x"/></lrm_resource>"#,
            parts[0],
            parts[1],
            parts[2],
            k + 2
        ));
    }
    out
}

fn guest(name: &str, lrms: &[(&str, &str, &str, i32)]) -> String {
    format!(
        r#"<node_state id="{name}" uname="{name}" remote_node="true"><lrm id="{name}"><lrm_resources>{}</lrm_resources></lrm></node_state>"#,
        lrm_entries(lrms)
    )
}

/// The status of replica 0 of bundle `b` running on n1 (container and connection started),
/// with `inner`'s history on its guest node `b-0`.
fn running_replica(inner: (&str, &str, &str, i32)) -> String {
    format!(
        "{}{}",
        member(
            1,
            &[
                ("b-docker-0", "ocf:heartbeat:docker", "start", 0),
                ("b-0", "ocf:pacemaker:remote", "start", 0),
            ]
        ),
        guest("b-0", &[inner])
    )
}

#[test]
fn replicas_start_their_address_container_connection_and_instance() {
    let s = run(&cib(3, "", &format!("{WEB}{PLAIN}"), "", ""));
    assert_eq!(
        summary(&s),
        lines(&[
            "Start web-ip-192.168.122.131 ( n1 )",
            "Start web-docker-0 ( n1 )",
            "Start web-0 ( n1 )",
            "Start httpd:0 ( web-0 )",
            "Start web-ip-192.168.122.132 ( n2 )",
            "Start web-docker-1 ( n2 )",
            "Start web-1 ( n2 )",
            "Start httpd:1 ( web-1 )",
            // replicas-per-host=2 lets two replicas share the least loaded node.
            "Start plain-podman-0 ( n3 )",
            "Start plain-podman-1 ( n3 )",
            "Start plain-podman-2 ( n1 )",
        ])
    );
}

#[test]
fn status_shows_one_line_per_replica() {
    let s = run(&cib(3, "", &format!("{WEB}{PLAIN}"), "", ""));
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("* Container bundle set: web [pcmk:http]:\n"));
    assert!(text.contains("* web-0 (192.168.122.131)\t(ocf:heartbeat:apache):\t Stopped\n"));
    assert!(text.contains("* Container bundle set: plain [img:1] (unique):\n"));
    assert!(text.contains("* plain-podman-2\t(ocf:heartbeat:podman):\t Stopped\n"));
    let after = scheduler::report::status_text(&s.after);
    assert!(after.contains("* GuestOnline: [ web-0 web-1 ]"));
    // The instance shows the node its container runs on.
    assert!(after.contains("* web-1 (192.168.122.132)\t(ocf:heartbeat:apache):\t Started n2\n"));
}

#[test]
fn a_single_replica_is_a_container_bundle() {
    let one = r#"<bundle id="b"><docker image="i" replicas="1"/></bundle>"#;
    let s = run(&cib(1, "", one, "", ""));
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("* Container bundle: b [i]:\n"), "{text}");
    assert_eq!(summary(&s), lines(&["Start b-docker-0 ( n1 )"]));
}

#[test]
fn running_replicas_stay_and_the_instance_history_maps_to_its_guest() {
    let status = format!(
        "{}{}",
        member(
            1,
            &[
                (
                    "web-ip-192.168.122.131",
                    "ocf:heartbeat:IPaddr2",
                    "start",
                    0
                ),
                ("web-docker-0", "ocf:heartbeat:docker", "start", 0),
                ("web-0", "ocf:pacemaker:remote", "start", 0),
            ]
        ),
        guest("web-0", &[("httpd", "ocf:heartbeat:apache", "start", 0)])
    );
    let s = run(&cib(3, "", WEB, "", &status));
    assert_eq!(
        summary(&s),
        lines(&[
            "Start web-ip-192.168.122.132 ( n2 )",
            "Start web-docker-1 ( n2 )",
            "Start web-1 ( n2 )",
            "Start httpd:1 ( web-1 )",
        ])
    );
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("* web-0 (192.168.122.131)\t(ocf:heartbeat:apache):\t Started n1\n"));
}

#[test]
fn clones_wait_for_a_bundle_guest_node_to_be_up() {
    let res = format!(
        r#"{WEB}<clone id="cl"><primitive id="cd" class="ocf" provider="pacemaker" type="Dummy"/></clone>
<primitive id="x" class="ocf" provider="pacemaker" type="Dummy"/>"#
    );
    let loc = r#"<rsc_location id="l" rsc="x" node="web-0" score="INFINITY"/>"#;
    let s = run(&cib(1, "", &res, loc, ""));
    let got = summary(&s);
    // The clone's instances stay off the starting guests; a primitive may go there.
    assert!(got.contains(&"Start cd:0 ( n1 )".to_string()), "{got:?}");
    assert!(!got
        .iter()
        .any(|l| l.starts_with("Start cd:") && l.contains("web-")));
    assert!(got.contains(&"Start x ( web-0 )".to_string()), "{got:?}");
}

#[test]
fn guest_nodes_count_for_clones_configured_after_the_bundle() {
    let before = r#"<clone id="c1"><primitive id="p1" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#;
    let after = r#"<clone id="c2"><primitive id="p2" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#;
    let s = run(&cib(2, "", &format!("{before}{WEB}{after}"), "", ""));
    let count = |id: &str| s.before.rscs.iter().filter(|r| r.config_id == id).count();
    assert_eq!(count("p1"), 2);
    assert_eq!(count("p2"), 4);
}

#[test]
fn stop_all_resources_stops_bundles_too() {
    let status = member(1, &[("b-docker-0", "ocf:heartbeat:docker", "start", 0)]);
    let res = r#"<bundle id="b"><docker image="i" replicas="1"/></bundle>"#;
    let opt = r#"<nvpair id="o2" name="stop-all-resources" value="true"/>"#;
    let s = run(&cib(1, opt, res, "", &status));
    assert_eq!(
        summary(&s),
        lines(&["Stop b-docker-0 ( n1 ) due to node availability"])
    );
}

#[test]
fn promotion_scores_can_come_from_the_container_host() {
    let status = running_replica(("s", "ocf:pacemaker:Stateful", "start", 0))
    .replace(
        r#"<lrm id="1">"#,
        r#"<transient_attributes id="1"><instance_attributes id="t1"><nvpair id="t1m" name="master-s" value="10"/></instance_attributes></transient_attributes><lrm id="1">"#,
    );
    let res = r#"<bundle id="b"><docker image="i" replicas="1" promoted-max="1"/><network control-port="3121"/><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"><meta_attributes id="sm"><nvpair id="sm1" name="container-attribute-target" value="host"/></meta_attributes></primitive></bundle>"#;
    let s = run(&cib(1, "", res, "", &status));
    assert_eq!(
        summary(&s),
        lines(&["Promote s:0 ( Unpromoted -> Promoted b-0 )"])
    );
}

#[test]
fn a_notifying_primitive_is_notified_on_its_starting_guest() {
    let res = r#"<bundle id="b"><docker image="i" replicas="1"/><network control-port="3121"/><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="dm"><nvpair id="dm1" name="notify" value="true"/></meta_attributes></primitive></bundle>"#;
    let s = run(&cib(1, "", res, "", ""));
    let labels = common::labels(&s);
    assert!(
        labels.contains(&"b-clone_post_notify_running_0".to_string()),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"d:0 notify on b-0".to_string()),
        "{labels:?}"
    );
}

#[test]
fn other_resources_are_not_probed_on_bundle_guests() {
    let status = running_replica(("d", "ocf:pacemaker:Dummy", "start", 0));
    let res = r#"<bundle id="b"><docker image="i" replicas="1"/><network control-port="3121"/><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></bundle>
<primitive id="x" class="ocf" provider="pacemaker" type="Dummy"/>"#;
    let s = run(&cib(1, "", res, "", &status));
    let labels = common::labels(&s);
    assert!(
        labels.contains(&"x monitor on n1".to_string()),
        "{labels:?}"
    );
    assert!(!labels
        .iter()
        .any(|l| l.contains("on b-0") && l.starts_with("x ")));
}

#[test]
fn an_unmanaged_bundle_starts_nothing_and_probes_only_containers() {
    let res = r#"<bundle id="b"><meta_attributes id="bm"><nvpair id="bm1" name="is-managed" value="false"/></meta_attributes><docker image="i" replicas="2"/><network control-port="3121"/><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></bundle>"#;
    let s = run(&cib(2, "", res, "", ""));
    assert!(summary(&s).is_empty(), "{:?}", summary(&s));
    let labels = common::labels(&s);
    assert!(
        labels.contains(&"b-docker-1 monitor on n2".to_string()),
        "{labels:?}"
    );
    assert!(!labels
        .iter()
        .any(|l| l.starts_with("b-0 ") || l.starts_with("b-1 ")));
}

/// A running one-replica bundle on n1 whose connection's monitor failed.
fn failed_connection_status() -> String {
    let mut s = running_replica(("d", "ocf:pacemaker:Dummy", "start", 0));
    s = s.replace(
        r#"</lrm_resource></lrm_resources></lrm></node_state><node_state id="b-0""#,
        r#"<lrm_rsc_op id="b-0_monitor_30000" operation="monitor" interval="30000" call-id="9" rc-code="1" op-status="0" transition-key="1:1:0:x" transition-magic="0:1;1:1:0:x"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="b-0""#,
    );
    s
}

const ONE_REPLICA: &str = r#"<bundle id="b"><docker image="i" replicas="1"/><network control-port="3121"/><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></bundle>"#;

#[test]
fn a_failed_connection_recovers_the_container_rebooting_the_guest() {
    let opt = r#"<nvpair id="o2" name="stonith-enabled" value="true"/>"#;
    let s = run(
        &cib(1, opt, ONE_REPLICA, "", &failed_connection_status()).replace(
            r#"<nvpair id="o1" name="stonith-enabled" value="false"/>"#,
            "",
        ),
    );
    let got = summary(&s);
    assert!(
        got.contains(&"Fence (reboot) b-0 (resource: b-docker-0) 'guest is unclean'".to_string()),
        "{got:?}"
    );
    assert!(
        got.contains(&"Recover b-docker-0 ( n1 )".to_string()),
        "{got:?}"
    );
    // The guest is fenced by stopping its container; everything can run (no ordering loop
    // through the bundle's stop).
    let order = scheduler::actions::execution_order(&s.transition);
    assert_eq!(order.len(), s.transition.actions.len());
    let labels = common::labels(&s);
    assert!(
        labels.contains(&"stonith-b-0-reboot on b-0".to_string()),
        "{labels:?}"
    );
}

#[test]
fn a_guest_whose_container_stops_on_a_healthy_host_is_rebooted() {
    let opt = r#"<nvpair id="o2" name="stonith-enabled" value="true"/>"#;
    let ban = r#"<rsc_location id="ban" rsc="b" node="n1" score="-INFINITY"/>"#;
    let s = run(
        &cib(1, opt, ONE_REPLICA, ban, &failed_connection_status()).replace(
            r#"<nvpair id="o1" name="stonith-enabled" value="false"/>"#,
            "",
        ),
    );
    let got = summary(&s);
    assert!(
        got.contains(&"Fence (reboot) b-0 (resource: b-docker-0) 'guest is unclean'".to_string()),
        "{got:?}"
    );
    assert!(
        got.contains(&"Stop b-docker-0 ( n1 ) due to node availability".to_string()),
        "{got:?}"
    );
}

#[test]
fn a_container_on_a_remote_node_has_its_connection_on_a_member() {
    let res = format!(
        r#"<primitive id="r1" class="ocf" provider="pacemaker" type="remote"/>{ONE_REPLICA}"#
    );
    // The bundle's constraints place its containers, not their connections.
    let loc = r#"<rsc_location id="l" rsc="b" node="n1" score="-INFINITY"/>"#;
    let status = format!(
        "{}{}",
        member(1, &[("r1", "ocf:pacemaker:remote", "start", 0)]),
        r#"<node_state id="r1" uname="r1" remote_node="true"/>"#
    );
    let s = run(&cib(1, "", &res, loc, &status));
    assert_eq!(
        summary(&s),
        lines(&[
            "Start b-docker-0 ( r1 )",
            "Start b-0 ( n1 )",
            "Start d:0 ( b-0 )",
        ])
    );
}

#[test]
fn a_promoted_instance_on_a_guest_going_away_cancels_its_promoted_monitor_first() {
    let status = running_replica(("s", "ocf:pacemaker:Stateful", "promote", 0))
    .replace(
        r#"operation="promote" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>"#,
        r#"operation="promote" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/><lrm_rsc_op id="s_monitor_10000" operation="monitor" interval="10000" call-id="3" rc-code="8" op-status="0" transition-key="1:1:8:x" transition-magic="0:8;1:1:8:x"/>"#,
    );
    let res = r#"<bundle id="b"><docker image="i" replicas="1" promoted-max="1"/><network control-port="3121"/><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"><operations><op id="s-m" name="monitor" interval="10s" role="Promoted"/></operations></primitive></bundle>"#;
    let ban = r#"<rsc_location id="ban" rsc="b" node="n1" score="-INFINITY"/>"#;
    let s = run(&cib(1, "", res, ban, &status));
    let labels = common::labels(&s);
    assert!(
        labels.contains(&"s cancel=10000 on b-0".to_string()),
        "{labels:?}"
    );
    let t = &s.transition;
    let cancel = t
        .actions
        .iter()
        .position(|a| a.task == "cancel")
        .unwrap_or(usize::MAX);
    let demote = t
        .actions
        .iter()
        .position(|a| a.task == "demote")
        .unwrap_or(usize::MAX);
    let order = scheduler::actions::execution_order(t);
    let at = |i: usize| order.iter().position(|&x| x == i);
    assert!(at(cancel) < at(demote), "cancel runs before the demote");
}

#[test]
fn a_replica_starts_address_then_container_then_probes_its_connection() {
    let s = run(&cib(
        1,
        "",
        WEB.replace("replicas=\"2\"", "replicas=\"1\"").as_str(),
        "",
        "",
    ));
    let t = &s.transition;
    let find = |label: &str| {
        t.actions
            .iter()
            .position(|a| a.label == label)
            .unwrap_or_else(|| panic!("no action {label}"))
    };
    let ip = find("web-ip-192.168.122.131 start on n1");
    let docker = find("web-docker-0 start on n1");
    let probe = find("web-0 monitor on n1");
    let child = find("httpd:0 start on web-0");
    assert!(t.actions[docker].after.contains(&ip));
    assert!(t.actions[probe].after.contains(&docker));
    assert!(t.actions[child].after.contains(&docker));
    let clone_start = find("web-clone_start_0");
    let docker_probe = find("web-docker-0 monitor on n1");
    assert!(t.actions[clone_start].after.contains(&docker_probe));
}
