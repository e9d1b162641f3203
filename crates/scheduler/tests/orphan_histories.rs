//! Histories of resources gone from the configuration: the scheduler plans their deletion
//! (after the orphan's stop where it is still active) on every node that can take it.

mod common;
use common::op;

use scheduler::{ActionKind, Schedule};

/// A recurring `lrm_rsc_op` record (`monitor` every `interval_ms`) with exit code `rc`.
fn recurring(id: &str, rc: i32, call: u32, interval_ms: u64) -> String {
    format!(
        r#"<lrm_rsc_op id="{id}_monitor_{interval_ms}" operation="monitor" call-id="{call}" rc-code="{rc}" op-status="0" interval="{interval_ms}" transition-key="1:1:0:x" on_node="n"/>"#
    )
}

/// A Dummy history of `id` made of `ops`.
fn history(id: &str, ops: &[String]) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>"#,
        ops.concat()
    )
}

/// A node state of an online member (`attrs`: its transient attributes).
fn member(name: &str, attrs: &str, histories: &[String]) -> String {
    let transient = if attrs.is_empty() {
        String::new()
    } else {
        format!(
            r#"<transient_attributes id="{name}"><instance_attributes id="t-{name}">{attrs}</instance_attributes></transient_attributes>"#
        )
    };
    format!(
        r#"<node_state id="{name}" uname="{name}" in_ccm="true" crmd="online" join="member" expected="member">{transient}<lrm id="{name}"><lrm_resources>{}</lrm_resources></lrm></node_state>"#,
        histories.concat()
    )
}

/// A CIB with nodes `nodes` (each with its configured `<node>` body), no resource
/// configured, cluster options `options` and `status`.
fn cib(nodes: &[(&str, &str)], options: &str, status: &str) -> String {
    let nodes: String = nodes
        .iter()
        .map(|(n, body)| format!(r#"<node id="{n}" uname="{n}">{body}</node>"#))
        .collect();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/>{options}</cluster_property_set></crm_config>
<nodes>{nodes}</nodes>
<resources/>
<constraints/></configuration>
<status>{status}</status></cib>"#
    )
}

fn run(xml: &str) -> Schedule {
    common::run(xml)
}

/// The index of the action labelled `label`.
fn find(s: &Schedule, label: &str) -> usize {
    s.transition
        .actions
        .iter()
        .position(|a| a.label == label)
        .unwrap_or_else(|| panic!("no action '{label}' in {:?}", common::labels(s)))
}

/// The labels of the `delete` actions, in execution order.
fn deletes(s: &Schedule) -> Vec<String> {
    scheduler::actions::execution_order(&s.transition)
        .into_iter()
        .map(|i| &s.transition.actions[i])
        .filter(|a| a.task == "delete")
        .map(|a| a.label.clone())
        .collect()
}

#[test]
fn an_active_orphan_stops_then_its_histories_are_deleted_everywhere() {
    let status = [
        member(
            "n1",
            "",
            &[history(
                "gone",
                &[op("gone", "start", 0, 2), recurring("gone", 0, 3, 10_000)],
            )],
        ),
        member("n2", "", &[history("gone", &[op("gone", "monitor", 7, 2)])]),
        member("n3", "", &[]),
    ]
    .concat();
    let s = run(&cib(&[("n1", ""), ("n2", ""), ("n3", "")], "", &status));
    assert_eq!(
        common::summary(&s),
        vec!["Stop gone ( n1 ) due to node availability"]
    );
    let stop = find(&s, "gone stop on n1");
    for n in ["n1", "n2"] {
        let del = find(&s, &format!("gone delete on {n}"));
        let a = &s.transition.actions[del];
        assert_eq!(a.kind, ActionKind::Resource);
        assert_eq!(a.rsc.map(|p| s.before.rscs[p].id.as_str()), Some("gone"));
        assert_eq!(a.after, vec![stop], "the delete on {n} waits for the stop");
    }
    // Nodes later in the node order come first (the graph lists newer actions first).
    assert_eq!(
        deletes(&s),
        vec!["gone delete on n2", "gone delete on n1"],
        "no delete where there is no history"
    );
    // The graph names the removed resource's agent.
    let graph = scheduler::report::graph_xml(&s);
    assert!(
        graph.contains(
            r#"operation_key="gone_delete_0" on_node="n2" on_node_uuid="n2">
        <primitive id="gone" class="ocf" provider="pacemaker" type="Dummy"/>"#
        ),
        "{graph}"
    );
}

#[test]
fn inactive_orphans_are_deleted_without_waiting_even_after_a_failure() {
    let status = [
        member(
            "n1",
            "",
            &[
                history(
                    "was_stopped",
                    &[
                        op("was_stopped", "start", 0, 2),
                        op("was_stopped", "stop", 0, 3),
                    ],
                ),
                history(
                    "failed_then_stopped",
                    &[
                        op("failed_then_stopped", "start", 0, 2),
                        recurring("failed_then_stopped", 1, 3, 10_000),
                        op("failed_then_stopped", "stop", 0, 4),
                    ],
                ),
            ],
        ),
        member(
            "n2",
            "",
            &[history(
                "not_installed",
                &[op("not_installed", "monitor", 5, 2)],
            )],
        ),
    ]
    .concat();
    let s = run(&cib(&[("n1", ""), ("n2", "")], "", &status));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    let mut got = deletes(&s);
    got.sort();
    assert_eq!(
        got,
        vec![
            "failed_then_stopped delete on n1",
            "not_installed delete on n2",
            "was_stopped delete on n1",
        ]
    );
    for a in s.transition.actions.iter().filter(|a| a.task == "delete") {
        assert!(a.after.is_empty(), "{} waits for {:?}", a.label, a.after);
    }
}

#[test]
fn an_orphan_that_failed_while_active_only_stops() {
    let status = [
        member(
            "n1",
            "",
            &[history(
                "broken",
                &[
                    op("broken", "start", 0, 2),
                    recurring("broken", 1, 3, 10_000),
                ],
            )],
        ),
        member(
            "n2",
            "",
            &[history("broken", &[op("broken", "monitor", 7, 2)])],
        ),
    ]
    .concat();
    let s = run(&cib(&[("n1", ""), ("n2", "")], "", &status));
    assert_eq!(
        common::summary(&s),
        vec!["Stop broken ( n1 ) due to node availability"]
    );
    assert!(deletes(&s).is_empty(), "{:?}", deletes(&s));
}

#[test]
fn unmanaged_orphans_keep_their_histories() {
    let status = [
        member("n1", "", &[history("gone", &[op("gone", "start", 0, 2)])]),
        member(
            "n2",
            "",
            &[history(
                "idle",
                &[op("idle", "start", 0, 2), op("idle", "stop", 0, 3)],
            )],
        ),
    ]
    .concat();
    for option in [
        r#"<nvpair id="o2" name="stop-orphan-resources" value="false"/>"#,
        r#"<nvpair id="o2" name="maintenance-mode" value="true"/>"#,
    ] {
        let s = run(&cib(&[("n1", ""), ("n2", "")], option, &status));
        assert!(
            s.transition.summary.is_empty(),
            "{option}: {:?}",
            s.transition.summary
        );
        assert!(deletes(&s).is_empty(), "{option}: {:?}", deletes(&s));
    }
}

#[test]
fn only_nodes_able_to_act_delete_histories() {
    let probed = |id: &str| history(id, &[op(id, "monitor", 7, 2)]);
    let status = [
        member("n1", "", &[probed("gone")]),
        member(
            "n2",
            r#"<nvpair id="sd" name="shutdown" value="100"/>"#,
            &[probed("gone")],
        ),
        member("n3", "", &[probed("gone")]),
        member("n4", "", &[probed("gone")]),
        // Offline: its history is not acted on.
        format!(
            r#"<node_state id="n5" uname="n5" in_ccm="false" crmd="offline" join="down" expected="down"><lrm id="n5"><lrm_resources>{}</lrm_resources></lrm></node_state>"#,
            probed("gone")
        ),
    ]
    .concat();
    let nodes = [
        ("n1", ""),
        ("n2", ""),
        (
            "n3",
            r#"<instance_attributes id="n3a"><nvpair id="n3m" name="maintenance" value="true"/></instance_attributes>"#,
        ),
        (
            "n4",
            r#"<instance_attributes id="n4a"><nvpair id="n4s" name="standby" value="true"/></instance_attributes>"#,
        ),
        ("n5", ""),
    ];
    let s = run(&cib(&nodes, "", &status));
    // Neither the node shutting down nor the one in standby: a node in maintenance does.
    assert_eq!(deletes(&s), vec!["gone delete on n3", "gone delete on n1"]);
}

#[test]
fn histories_of_other_instance_numbers_are_other_orphans() {
    let status = [
        member(
            "n1",
            "",
            &[
                history("d:0", &[op("d:0", "monitor", 7, 2)]),
                history("d:1", &[op("d:1", "start", 0, 2)]),
            ],
        ),
        member("n2", "", &[history("d:1", &[op("d:1", "monitor", 7, 2)])]),
    ]
    .concat();
    let s = run(&cib(&[("n1", ""), ("n2", "")], "", &status));
    assert_eq!(
        common::summary(&s),
        vec!["Stop d:1 ( n1 ) due to node availability"]
    );
    let mut got = deletes(&s);
    got.sort();
    assert_eq!(
        got,
        vec!["d:0 delete on n1", "d:1 delete on n1", "d:1 delete on n2"]
    );
    let d0 = find(&s, "d:0 delete on n1");
    assert!(s.transition.actions[d0].after.is_empty());
}
