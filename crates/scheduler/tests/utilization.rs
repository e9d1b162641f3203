//! placement-strategy and utilization: capacity checks, load-based node choice, assignment
//! order and the load_stopped milestones.

mod common;
use common::{run, summary};

/// A CIB with `strategy`, nodes `(name, cpu)` all online, and primitives
/// `(id, cpu, priority, running on)`.
fn cib(strategy: &str, nodes: &[(&str, i64)], rscs: &[(&str, i64, i64, Option<&str>)]) -> String {
    let mut x = format!(
        r#"<cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o">
<nvpair id="o1" name="stonith-enabled" value="false"/>
<nvpair id="o2" name="placement-strategy" value="{strategy}"/>
</cluster_property_set></crm_config><nodes>"#
    );
    for (n, cpu) in nodes {
        x += &format!(
            r#"<node id="{n}" uname="{n}"><utilization id="{n}-u"><nvpair id="{n}-u1" name="cpu" value="{cpu}"/></utilization></node>"#
        );
    }
    x += "</nodes><resources>";
    for (r, cpu, prio, _) in rscs {
        x += &format!(
            r#"<primitive id="{r}" class="ocf" provider="pacemaker" type="Dummy">
<meta_attributes id="{r}-m"><nvpair id="{r}-m1" name="priority" value="{prio}"/></meta_attributes>
<utilization id="{r}-u"><nvpair id="{r}-u1" name="cpu" value="{cpu}"/></utilization></primitive>"#
        );
    }
    x += "</resources><constraints/></configuration><status>";
    for (n, _) in nodes {
        x += &format!(
            r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources>"#
        );
        for (r, _, _, on) in rscs {
            if *on == Some(*n) {
                x += &format!(
                    r#"<lrm_resource id="{r}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="{r}_start_0" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0"/></lrm_resource>"#
                );
            }
        }
        x += "</lrm_resources></lrm></node_state>";
    }
    x + "</status></cib>"
}

#[test]
fn higher_priority_takes_the_only_node_with_room() {
    // r2 (priority 1) is placed first and takes n2, the only node with 2 cpu; r1 then fits
    // nowhere and stays stopped.
    let s = run(&cib(
        "utilization",
        &[("n1", 1), ("n2", 2)],
        &[("r1", 2, 0, None), ("r2", 2, 1, None)],
    ));
    assert_eq!(summary(&s), vec!["Start r2 ( n2 )".to_string()]);
}

#[test]
fn default_strategy_ignores_capacity() {
    let s = run(&cib(
        "default",
        &[("n1", 1), ("n2", 2)],
        &[("r1", 2, 0, None), ("r2", 2, 1, None)],
    ));
    assert_eq!(
        summary(&s),
        vec!["Start r1 ( n2 )".to_string(), "Start r2 ( n1 )".to_string()]
    );
    assert!(!s
        .transition
        .actions
        .iter()
        .any(|a| a.label.starts_with("load_stopped")));
}

#[test]
fn balanced_prefers_the_node_with_most_free_capacity() {
    // n2 has more free cpu, so r1 goes there although n1 comes first; r2 then finds both
    // nodes equally free and takes the one with fewer resources.
    let s = run(&cib(
        "balanced",
        &[("n1", 2), ("n2", 4)],
        &[("r1", 2, 0, None), ("r2", 1, 0, None)],
    ));
    assert_eq!(
        summary(&s),
        vec!["Start r1 ( n2 )".to_string(), "Start r2 ( n1 )".to_string()]
    );
}

#[test]
fn minimal_concentrates_on_the_first_node() {
    let s = run(&cib(
        "minimal",
        &[("n1", 4), ("n2", 4)],
        &[("r1", 1, 0, None), ("r2", 1, 0, None)],
    ));
    assert_eq!(
        summary(&s),
        vec!["Start r1 ( n1 )".to_string(), "Start r2 ( n1 )".to_string()]
    );
}

#[test]
fn without_stickiness_the_first_resource_takes_the_room() {
    // Both run with equal scores where they run; n1 offers no cpu at all. r1 comes first in
    // the configuration, so it takes n2 and r2 has nowhere left to go.
    let s = run(&cib(
        "balanced",
        &[("n1", 0), ("n2", 1)],
        &[("r1", 1, 0, Some("n1")), ("r2", 1, 0, Some("n2"))],
    ));
    assert_eq!(
        summary(&s),
        vec![
            "Move r1 ( n1 -> n2 )".to_string(),
            "Stop r2 ( n2 ) due to node availability".to_string()
        ]
    );
}

#[test]
fn load_stopped_orders_stops_before_starts_on_each_node() {
    let s = run(&cib(
        "utilization",
        &[("n1", 0), ("n2", 1), ("n3", 1)],
        &[("r1", 1, 0, Some("n1"))],
    ));
    let acts = &s.transition.actions;
    let find = |label: &str| {
        acts.iter()
            .position(|a| a.label == label)
            .unwrap_or_else(|| panic!("no action {label}: {acts:#?}"))
    };
    for n in ["n1", "n2", "n3"] {
        find(&format!("load_stopped_{n}"));
    }
    let stop = find("r1 stop on n1");
    let start = acts
        .iter()
        .position(|a| a.task == "start" && a.label.starts_with("r1 start"))
        .expect("r1 starts elsewhere");
    let target = acts[start].node.expect("start has a node");
    let ls_n1 = find("load_stopped_n1");
    let ls_target = find(&format!("load_stopped_{}", s.before.nodes[target].name));
    assert!(acts[ls_n1].after.contains(&stop));
    assert!(acts[start].after.contains(&ls_target));
}

#[test]
fn colocated_dependents_count_towards_the_capacity_check() {
    // r2 must run with r1: together they need 4 cpu, which only n2 has, though r1 alone
    // would fit n1 first.
    let mut x = cib(
        "utilization",
        &[("n1", 3), ("n2", 4)],
        &[("r1", 2, 0, None), ("r2", 2, 0, None)],
    );
    x = x.replace(
        "<constraints/>",
        r#"<constraints><rsc_colocation id="c1" rsc="r2" with-rsc="r1" score="INFINITY"/></constraints>"#,
    );
    let s = run(&x);
    assert_eq!(
        summary(&s),
        vec!["Start r1 ( n2 )".to_string(), "Start r2 ( n2 )".to_string()]
    );
}
