//! The transition graph as `crm_simulate -G` writes it: action names (operation keys) and
//! the ordering edges Pacemaker draws between them.

use std::collections::{BTreeMap, BTreeSet};

const OPTS: &str = r#"<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>"#;

fn probe(id: &str, n: &str, rc: u32) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="{id}-{n}" operation="monitor" transition-key="1:1:{rc}:x" transition-magic="0:{rc};1:1:{rc}:x" call-id="1" rc-code="{rc}" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>"#
    )
}

fn started(id: &str, n: &str) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="{id}-{n}" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>"#
    )
}

fn node_state(id: &str, name: &str, lrm: &str) -> String {
    format!(
        r#"<node_state id="{id}" uname="{name}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{id}"><lrm_resources>{lrm}</lrm_resources></lrm></node_state>"#
    )
}

fn cib(resources: &str, constraints: &str, status: &str) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration>{OPTS}<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes><resources>{resources}</resources><constraints>{constraints}</constraints></configuration><status>{status}</status></cib>"#
    )
}

/// The graph as {action name: the names it waits for}, names as `key@node`.
fn graph(cib_text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let cib = cib::Cib::parse(cib_text).expect("test CIB parses");
    let s = scheduler::schedule(&cib, 0);
    let xml = scheduler::report::graph_xml(&s);
    let root = cib::xml::parse(&xml).expect("graph XML parses");
    assert_eq!(root.name, "transition_graph");
    let name = |e: &cib::xml::Element| {
        format!(
            "{}@{}",
            e.attr("operation_key").unwrap_or("?"),
            e.attr("on_node").unwrap_or("")
        )
    };
    let mut out = BTreeMap::new();
    for syn in root.children_named("synapse") {
        let set = syn.child("action_set").expect("action_set");
        let action = set.children.first().expect("one action");
        let inputs: BTreeSet<String> = syn
            .child("inputs")
            .map(|i| {
                i.children_named("trigger")
                    .flat_map(|t| t.children.iter().map(name))
                    .collect()
            })
            .unwrap_or_default();
        out.insert(name(action), inputs);
    }
    out
}

fn inputs<'a>(g: &'a BTreeMap<String, BTreeSet<String>>, action: &str) -> &'a BTreeSet<String> {
    g.get(action)
        .unwrap_or_else(|| panic!("{action} missing from {:?}", g.keys()))
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const GROUP: &str = r#"<group id="g"><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="c" class="ocf" provider="pacemaker" type="Dummy"/></group>"#;

#[test]
fn group_milestones_wait_for_their_beginning_and_members_chain_to_the_previous_one() {
    let lrm = [
        probe("a", "n1", 7),
        probe("b", "n1", 7),
        probe("c", "n1", 7),
    ]
    .concat();
    let lrm2 = [
        probe("a", "n2", 7),
        probe("b", "n2", 7),
        probe("c", "n2", 7),
    ]
    .concat();
    let g = graph(&cib(
        GROUP,
        "",
        &(node_state("1", "n1", &lrm) + &node_state("2", "n2", &lrm2)),
    ));
    assert_eq!(
        inputs(&g, "g_running_0@"),
        &set(&["g_start_0@", "a_start_0@n1", "b_start_0@n1", "c_start_0@n1"])
    );
    // c waits for b only, not for a as well.
    assert_eq!(
        inputs(&g, "c_start_0@n1"),
        &set(&["g_start_0@", "b_start_0@n1"])
    );
}

#[test]
fn a_group_member_with_nothing_to_do_is_skipped_in_the_chain() {
    // b runs where it should and stays; a and c move away from n2.
    let res = GROUP.replace(
        "<group id=\"g\">",
        "<group id=\"g\"><meta_attributes id=\"gm\"><nvpair id=\"gm1\" name=\"target-role\" value=\"Stopped\"/></meta_attributes>",
    );
    let lrm = [started("a", "n1"), probe("b", "n1", 7), started("c", "n1")].concat();
    let lrm2 = [
        probe("a", "n2", 7),
        probe("b", "n2", 7),
        probe("c", "n2", 7),
    ]
    .concat();
    let g = graph(&cib(
        &res,
        "",
        &(node_state("1", "n1", &lrm) + &node_state("2", "n2", &lrm2)),
    ));
    assert_eq!(
        inputs(&g, "a_stop_0@n1"),
        &set(&["g_stop_0@", "c_stop_0@n1"])
    );
    assert_eq!(
        inputs(&g, "g_stopped_0@"),
        &set(&["g_stop_0@", "a_stop_0@n1", "c_stop_0@n1"])
    );
}

const CLONE: &str = r#"<clone id="cl"><meta_attributes id="clm"><nvpair id="clm1" name="notify" value="true"/></meta_attributes><primitive id="r" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#;

#[test]
fn clone_probes_come_before_the_clone_start_and_notifications_are_keyed_by_phase() {
    let g = graph(&cib(
        CLONE,
        "",
        &(node_state("1", "n1", "") + &node_state("2", "n2", "")),
    ));
    assert_eq!(
        inputs(&g, "cl_start_0@"),
        &set(&[
            "r:0_monitor_0@n1",
            "r:1_monitor_0@n2",
            "cl_confirmed-pre_notify_start_0@"
        ])
    );
    // Instance starts wait for the clone's start, not for their probes.
    assert_eq!(inputs(&g, "r:0_start_0@n1"), &set(&["cl_start_0@"]));
    assert_eq!(
        inputs(&g, "cl_running_0@"),
        &set(&["cl_start_0@", "r:0_start_0@n1", "r:1_start_0@n2"])
    );
    assert_eq!(
        inputs(&g, "r:0_post_notify_start_0@n1"),
        &set(&["cl_post_notify_running_0@"])
    );
    assert!(
        inputs(&g, "cl_confirmed-post_notify_running_0@").contains("r:1_post_notify_start_0@n2")
    );
}

#[test]
fn nested_milestones_stand_in_for_the_group_inside_a_clone() {
    let res = r#"<clone id="cl"><group id="g"><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/></group></clone>"#;
    let g = graph(&cib(
        res,
        "",
        &(node_state("1", "n1", "") + &node_state("2", "n2", "")),
    ));
    assert_eq!(
        inputs(&g, "cl_running_0@"),
        &set(&["cl_start_0@", "g:0_running_0@", "g:1_running_0@"])
    );
    assert_eq!(inputs(&g, "g:0_start_0@"), &set(&["cl_start_0@"]));
}

#[test]
fn anonymous_instances_recorded_under_the_bare_id_keep_that_name_in_keys() {
    let text = cib(
        &CLONE.replace("value=\"true\"", "value=\"false\""),
        "",
        &(node_state("1", "n1", &started("r", "n1"))
            + &node_state("2", "n2", &probe("r", "n2", 7))),
    );
    // As crm_simulate 2.1.5 names it: the history's bare name, the instance inside.
    let g = graph(&text);
    assert_eq!(inputs(&g, "r_start_0@n2"), &set(&["cl_start_0@"]));
    let s = scheduler::schedule(&cib::Cib::parse(&text).expect("parses"), 0);
    let xml = scheduler::report::graph_xml(&s);
    assert!(xml.contains(r#"operation_key="r_start_0" internal_operation_key="r:1_start_0""#));
    assert!(xml.contains(r#"<primitive id="r" long-id="r:1""#));
}

#[test]
fn graph_xml_is_well_formed_and_shutdown_is_keyed_by_node() {
    let lrm = started("a", "n1");
    let status = node_state("1", "n1", &lrm).replace(
        "</lrm></node_state>",
        r#"</lrm><transient_attributes id="1"><instance_attributes id="t1"><nvpair id="t1s" name="shutdown" value="1000"/></instance_attributes></transient_attributes></node_state>"#,
    ) + &node_state("2", "n2", &probe("a", "n2", 7));
    let g = graph(&cib(
        r#"<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>"#,
        "",
        &status,
    ));
    assert_eq!(inputs(&g, "do_shutdown-n1@n1"), &set(&["a_stop_0@n1"]));
    assert_eq!(inputs(&g, "a_start_0@n2"), &set(&["a_stop_0@n1"]));
}

fn migratable(id: &str) -> String {
    format!(
        r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="{id}m"><nvpair id="{id}m1" name="allow-migrate" value="true"/></meta_attributes></primitive>"#
    )
}

#[test]
fn migrations_chain_through_migrate_from_and_the_start_waits_for_the_stop() {
    // a then b, both move from n1 to n2 by live migration.
    let res = migratable("a") + &migratable("b");
    let cons = r#"<rsc_location id="la" rsc="a" node="n2" score="INFINITY"/><rsc_location id="lb" rsc="b" node="n2" score="INFINITY"/><rsc_order id="ord" first="a" then="b" kind="Mandatory"/>"#;
    let lrm = [started("a", "n1"), started("b", "n1")].concat();
    let lrm2 = [probe("a", "n2", 7), probe("b", "n2", 7)].concat();
    let g = graph(&cib(
        &res,
        cons,
        &(node_state("1", "n1", &lrm) + &node_state("2", "n2", &lrm2)),
    ));
    assert_eq!(
        inputs(&g, "a_start_0@"),
        &set(&["a_migrate_from_0@n2", "a_stop_0@n1"])
    );
    assert_eq!(
        inputs(&g, "b_start_0@"),
        &set(&["a_start_0@", "b_migrate_from_0@n2", "b_stop_0@n1"])
    );
    assert_eq!(
        inputs(&g, "b_migrate_to_0@n1"),
        &set(&["a_migrate_from_0@n2"])
    );
    // Both migrate: a's migrate_to does not wait for b's stop (that would be a loop).
    assert!(inputs(&g, "a_migrate_to_0@n1").is_empty());
    assert_eq!(
        inputs(&g, "a_stop_0@n1"),
        &set(&["a_migrate_from_0@n2", "b_stop_0@n1"])
    );
}

#[test]
fn recovery_from_a_fenced_node_waits_for_the_fencing() {
    // x (standalone) and the group g (a b c) all ran on n2, which is lost.
    let ids = ["x", "a", "b", "c"];
    let on_n1: String = ids.iter().map(|id| probe(id, "n1", 7)).collect();
    let on_n2: String = ids.iter().map(|id| started(id, "n2")).collect();
    let lost = node_state("2", "n2", &on_n2).replace(
        r#"in_ccm="true" crmd="online" join="member""#,
        r#"in_ccm="false" crmd="offline" join="down""#,
    );
    let text = cib(
        &(r#"<primitive id="x" class="ocf" provider="pacemaker" type="Dummy"/>"#.to_string()
            + GROUP),
        "",
        &(node_state("1", "n1", &on_n1) + &lost),
    )
    .replace(
        r#"name="stonith-enabled" value="false""#,
        r#"name="stonith-enabled" value="true""#,
    );
    let g = graph(&text);
    let fence = "stonith-n2-reboot@n2";
    assert!(g.contains_key(fence), "{:?}", g.keys());
    for implied in ["x_stop_0@", "a_stop_0@", "g_stop_0@"] {
        assert!(inputs(&g, implied).contains(fence), "{implied}");
    }
    for start in ["x_start_0@n1", "a_start_0@n1", "c_start_0@n1"] {
        assert!(inputs(&g, start).contains(fence), "{start}");
    }
}

#[test]
fn stops_in_a_group_wait_for_the_probes_that_decide_them() {
    // g runs on n1 and must move to n2, where nothing was probed yet.
    let on_n1: String = ["a", "b", "c"].iter().map(|id| started(id, "n1")).collect();
    let g = graph(&cib(
        GROUP,
        r#"<rsc_location id="l" rsc="g" node="n2" score="INFINITY"/>"#,
        &(node_state("1", "n1", &on_n1) + &node_state("2", "n2", "")),
    ));
    // Each member's stop waits for the probes of the members before it and of the next.
    assert_eq!(
        inputs(&g, "b_stop_0@n1"),
        &set(&[
            "g_stop_0@",
            "c_stop_0@n1",
            "a_monitor_0@n2",
            "c_monitor_0@n2"
        ])
    );
    assert_eq!(
        inputs(&g, "c_stop_0@n1"),
        &set(&["g_stop_0@", "a_monitor_0@n2", "b_monitor_0@n2"])
    );
    assert_eq!(
        inputs(&g, "g_stopped_0@"),
        &set(&[
            "g_stop_0@",
            "a_stop_0@n1",
            "b_stop_0@n1",
            "c_stop_0@n1",
            "a_monitor_0@n2",
            "b_monitor_0@n2",
            "c_monitor_0@n2"
        ])
    );
}

/// A promotable clone `ms` whose instance on n1 (recorded as plain `s`, with its
/// unpromoted-role monitor running) is promoted; n2 is banned.
const PROMOTE_IN_PLACE: &str = r#"<cib have-quorum="1" validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes><resources><clone id="ms"><meta_attributes id="msm"><nvpair id="msm1" name="promotable" value="true"/><nvpair id="msm2" name="promoted-max" value="1"/></meta_attributes><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"><operations><op id="m1" name="monitor" interval="10s" role="Promoted"/><op id="m2" name="monitor" interval="11s" role="Unpromoted"/></operations></primitive></clone></resources><constraints><rsc_location id="l" rsc="ms" node="n2" score="-INFINITY"/></constraints></configuration><status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources><lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s_last_0" operation_key="s_start_0" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="s_monitor_11000" operation_key="s_monitor_11000" operation="monitor" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="11000" op-digest="4811cef7f7f94e3a35a70be7916cb2fd"/></lrm_resource></lrm_resources></lrm><transient_attributes id="1"><instance_attributes id="t1"><nvpair id="t1m" name="master-s" value="10"/></instance_attributes></transient_attributes></node_state><node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources><lrm_resource id="s" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s-n2-monitor-0" operation_key="s_monitor_0" operation="monitor" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x" call-id="1" rc-code="7" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state></status></cib>"#;

#[test]
fn a_promotion_in_place_waits_for_the_cancelled_monitor() {
    // As crm_simulate 2.1.5 draws it.
    let g = graph(PROMOTE_IN_PLACE);
    assert_eq!(
        inputs(&g, "s_promote_0@n1"),
        &set(&["ms_promote_0@", "s_monitor_11000@n1"])
    );
    assert!(inputs(&g, "s_monitor_11000@n1").is_empty());
    assert_eq!(inputs(&g, "ms_promoted_0@"), &set(&["s_promote_0@n1"]));
    assert_eq!(inputs(&g, "s_monitor_10000@n1"), &set(&["s_promote_0@n1"]));
}

#[test]
fn instances_of_an_ordered_clone_start_one_after_another() {
    let res = r#"<clone id="cl"><meta_attributes id="clm"><nvpair id="clm1" name="ordered" value="true"/><nvpair id="clm2" name="globally-unique" value="true"/></meta_attributes><primitive id="r" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#;
    let probes = |n: &str| probe("r:0", n, 7) + &probe("r:1", n, 7);
    let g = graph(&cib(
        res,
        "",
        &(node_state("1", "n1", &probes("n1")) + &node_state("2", "n2", &probes("n2"))),
    ));
    let first = if g.contains_key("r:0_start_0@n1") {
        "r:0_start_0@n1"
    } else {
        "r:0_start_0@n2"
    };
    let second = g
        .keys()
        .find(|k| k.starts_with("r:1_start_0@"))
        .expect("r:1 starts")
        .clone();
    assert_eq!(inputs(&g, &second), &set(&["cl_start_0@", first]));
    assert_eq!(inputs(&g, first), &set(&["cl_start_0@"]));
}

#[test]
fn an_optional_order_lets_a_migration_leave_before_what_it_followed_stops() {
    // b follows a optionally; b migrates from n1 to n2 while a stops on n1.
    let res = r#"<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>"#.to_string()
        + &migratable("b");
    let cons = r#"<rsc_location id="la" rsc="a" node="n1" score="-INFINITY"/><rsc_location id="la2" rsc="a" node="n2" score="-INFINITY"/><rsc_location id="lb" rsc="b" node="n2" score="INFINITY"/><rsc_order id="ord" first="a" then="b" kind="Optional"/>"#;
    let lrm = [started("a", "n1"), started("b", "n1")].concat();
    let lrm2 = [probe("a", "n2", 7), probe("b", "n2", 7)].concat();
    let text = cib(
        &res,
        cons,
        &(node_state("1", "n1", &lrm) + &node_state("2", "n2", &lrm2)),
    );
    let g = graph(&text);
    assert!(inputs(&g, "a_stop_0@n1").is_empty(), "{g:?}");
    // Mandatory, the stop of a waits for b's stop.
    let g = graph(&text.replace(r#"kind="Optional""#, r#"kind="Mandatory""#));
    assert_eq!(inputs(&g, "a_stop_0@n1"), &set(&["b_stop_0@n1"]));
}

#[test]
fn a_start_needing_only_quorum_waits_for_fencing_where_it_was_never_seen() {
    // q (requires=quorum) was probed on the lost n2, u (requires=quorum) never was.
    let res = ["q", "u"]
        .iter()
        .map(|id| {
            format!(
                r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="{id}m"><nvpair id="{id}m1" name="requires" value="quorum"/></meta_attributes></primitive>"#
            )
        })
        .collect::<String>();
    let on_n1 = probe("q", "n1", 7) + &probe("u", "n1", 7);
    let lost = node_state("2", "n2", &probe("q", "n2", 7)).replace(
        r#"in_ccm="true" crmd="online" join="member""#,
        r#"in_ccm="false" crmd="offline" join="down""#,
    );
    let text = cib(&res, "", &(node_state("1", "n1", &on_n1) + &lost)).replace(
        r#"name="stonith-enabled" value="false""#,
        r#"name="stonith-enabled" value="true""#,
    );
    let g = graph(&text);
    let fence = "stonith-n2-reboot@n2";
    assert!(inputs(&g, "u_start_0@n1").contains(fence), "{g:?}");
    assert!(!inputs(&g, "q_start_0@n1").contains(fence), "{g:?}");
}

#[test]
fn dot_output_names_actions_as_crm_simulate_does() {
    let s = scheduler::schedule(&cib::Cib::parse(PROMOTE_IN_PLACE).expect("parses"), 0);
    let dot = scheduler::report::graph_dot(&s);
    let mut lines: Vec<&str> = dot.lines().collect();
    assert_eq!(lines.first(), Some(&r#" digraph "g" {"#));
    assert_eq!(lines.last(), Some(&"}"));
    lines.sort_unstable();
    // As crm_simulate 2.1.5 -D writes it, in sorted order.
    let want = [
        r#" digraph "g" {"#,
        r#""Cancel s_monitor_11000 n1" -> "s_promote_0 n1" [ style = bold]"#,
        r#""Cancel s_monitor_11000 n1" [ style=bold color="green" fontcolor="black"]"#,
        r#""ms_promote_0" -> "s_promote_0 n1" [ style = bold]"#,
        r#""ms_promote_0" [ style=bold color="green" fontcolor="orange"]"#,
        r#""ms_promoted_0" [ style=bold color="green" fontcolor="orange"]"#,
        r#""s_monitor_10000 n1" [ style=bold color="green" fontcolor="black"]"#,
        r#""s_promote_0 n1" -> "ms_promoted_0" [ style = bold]"#,
        r#""s_promote_0 n1" -> "s_monitor_10000 n1" [ style = bold]"#,
        r#""s_promote_0 n1" [ style=bold color="green" fontcolor="black"]"#,
        "}",
    ];
    assert_eq!(lines, want);
}

/// The `attributes` of the action keyed `key` in the graph of `cib_text`.
fn attributes(cib_text: &str, key: &str) -> BTreeMap<String, String> {
    let s = scheduler::schedule(&cib::Cib::parse(cib_text).expect("parses"), 0);
    let root = cib::xml::parse(&scheduler::report::graph_xml(&s)).expect("graph XML parses");
    let found: Option<BTreeMap<String, String>> = root
        .children_named("synapse")
        .filter_map(|syn| syn.child("action_set")?.children.first())
        .find(|a| a.attr("operation_key") == Some(key))
        .and_then(|a| a.child("attributes"))
        .map(|at| at.attrs.iter().cloned().collect());
    found.unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn graph_attributes_carry_op_defaults_clone_meta_and_notification_keys() {
    let text = cib(
        CLONE,
        "",
        &(node_state("1", "n1", "") + &node_state("2", "n2", "")),
    )
    .replace(
        "<resources>",
        r#"<op_defaults><meta_attributes id="od"><nvpair id="od1" name="timeout" value="15s"/></meta_attributes></op_defaults><resources>"#,
    );
    let confirmed = attributes(&text, "cl_confirmed-post_notify_running_0");
    for (k, v) in [
        ("CRM_meta_clone_max", "2"),
        ("CRM_meta_globally_unique", "false"),
        ("CRM_meta_notify", "true"),
        ("CRM_meta_notify_type", "post"),
        ("CRM_meta_notify_key_type", "confirmed-post"),
        ("CRM_meta_notify_operation", "start"),
        ("CRM_meta_notify_key_operation", "running"),
        ("CRM_meta_timeout", "15000"),
    ] {
        assert_eq!(confirmed.get(k).map(String::as_str), Some(v), "{k}");
    }
    let probe = attributes(&text, "r:0_monitor_0");
    assert_eq!(
        probe.get("CRM_meta_op_target_rc").map(String::as_str),
        Some("7")
    );
    assert_eq!(probe.get("CRM_meta_clone").map(String::as_str), Some("0"));
    assert_eq!(
        probe.get("CRM_meta_on_node").map(String::as_str),
        Some("n1")
    );
    assert_eq!(
        probe.get("CRM_meta_timeout").map(String::as_str),
        Some("15000")
    );
}

#[test]
fn a_sequential_set_is_entered_through_its_first_member() {
    let ids = ["a", "b", "c", "d"];
    let res: String = ids
        .iter()
        .map(|id| {
            format!(r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy"/>"#)
        })
        .collect();
    let cons = r#"<rsc_location id="l" rsc="a" node="n1" score="100"/><rsc_order id="ord"><resource_set id="s1" sequential="true"><resource_ref id="a"/></resource_set><resource_set id="s2" sequential="true"><resource_ref id="b"/><resource_ref id="c"/><resource_ref id="d"/></resource_set></rsc_order><rsc_colocation id="col" score="INFINITY"><resource_set id="cs" sequential="true"><resource_ref id="d"/><resource_ref id="c"/><resource_ref id="b"/><resource_ref id="a"/></resource_set></rsc_colocation>"#;
    let probes = |n: &str| ids.iter().map(|id| probe(id, n, 7)).collect::<String>();
    let g = graph(&cib(
        &res,
        cons,
        &(node_state("1", "n1", &probes("n1")) + &node_state("2", "n2", &probes("n2"))),
    ));
    assert_eq!(inputs(&g, "b_start_0@n1"), &set(&["a_start_0@n1"]));
    // c and d follow the set's order, not a directly.
    assert_eq!(inputs(&g, "c_start_0@n1"), &set(&["b_start_0@n1"]));
    assert_eq!(inputs(&g, "d_start_0@n1"), &set(&["c_start_0@n1"]));
}

/// a must leave n1 for n2 while b, never on a's node, starts on n1.
const ANTI_COLOCATED: &str = r#"<cib have-quorum="1" validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes><resources><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints><rsc_location id="la" rsc="a" node="n2" score="100"/><rsc_location id="lb" rsc="b" node="n1" score="200"/><rsc_colocation id="anti" rsc="a" with-rsc="b" score="-INFINITY"/></constraints></configuration><status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources><lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="a-n1" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources></lrm_resources></lrm></node_state></status></cib>"#;

#[test]
fn a_start_waits_for_what_an_anti_colocation_must_clear_first() {
    // As crm_simulate 2.1.5 draws it.
    let g = graph(ANTI_COLOCATED);
    assert_eq!(
        inputs(&g, "b_start_0@n1"),
        &set(&["a_stop_0@n1", "b_monitor_0@n1", "b_monitor_0@n2"])
    );
    assert_eq!(
        inputs(&g, "a_start_0@n2"),
        &set(&["a_stop_0@n1", "a_monitor_0@n2", "b_monitor_0@n2"])
    );
}
