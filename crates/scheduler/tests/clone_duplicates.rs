//! Copies of anonymous clone instances held by orphaned instances: a second copy of a
//! group instance on one node, and what a lost node runs of a clone that does not wait for
//! fencing when the clone has fewer instances than the cluster has nodes. Checked against
//! crm_simulate 2.1.5.

mod common;
use common::{run, summary};

const DIGEST: &str = "f2317cad3d54cec5d7d7aa7d0bf35cf8";

/// A running (or, with `probe`, not running) record of `id`.
fn rec(id: &str, probe: bool) -> String {
    let (task, rc) = if probe { ("monitor", 7) } else { ("start", 0) };
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="{id}_last_0" operation="{task}" interval="0" call-id="2" rc-code="{rc}" op-status="0" transition-key="1:1:{rc}:x" transition-magic="0:{rc};1:1:{rc}:x" op-digest="{DIGEST}"/></lrm_resource>"#
    )
}

fn node_state(n: &str, lost: bool, records: &str) -> String {
    let flags = if lost {
        r#"in_ccm="false" crmd="offline" join="member" expected="member""#
    } else {
        r#"in_ccm="true" crmd="online" join="member" expected="member""#
    };
    format!(
        r#"<node_state id="{n}" uname="{n}" {flags}><lrm id="{n}"><lrm_resources>{records}</lrm_resources></lrm></node_state>"#
    )
}

fn cib(options: &str, nodes: &[&str], resources: &str, status: &str) -> String {
    let nodes: String = nodes
        .iter()
        .map(|n| format!(r#"<node id="{n}" uname="{n}"/>"#))
        .collect();
    format!(
        r#"<cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o">{options}</cluster_property_set></crm_config>
<nodes>{nodes}</nodes><resources>{resources}</resources><constraints/></configuration>
<status>{status}</status></cib>"#
    )
}

#[test]
fn a_second_copy_of_a_group_instance_on_one_node_is_an_orphan_to_stop() {
    // clone-max=2, both copies on n1 (n2 down): one keeps instance 0, the other is the
    // orphaned instance 2, stopped even with stop-orphan-resources=false.
    let resources = r#"<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="2"/></meta_attributes>
<group id="g"><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/></group></clone>"#;
    let records = [
        rec("a:1", false),
        rec("b:1", false),
        rec("a:0", false),
        rec("b:0", false),
    ]
    .concat();
    let status = node_state("n1", false, &records);
    let options = r#"<nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="stop-orphan-resources" value="false"/>"#;
    let s = run(&cib(options, &["n1", "n2"], resources, &status));
    assert_eq!(
        summary(&s),
        vec![
            "Stop a:2 ( n1 ) due to node availability".to_string(),
            "Stop b:2 ( n1 ) due to node availability".to_string(),
        ]
    );
}

/// Nodes n1 (lost, running `d`) .. n{count}; `running` of the others run it too; the
/// clone has `clone_max` instances and `d` requires `requires`.
fn lost_node_cib(count: usize, running: &[&str], clone_max: usize, requires: &str) -> String {
    let names: Vec<String> = (1..=count).map(|i| format!("n{i}")).collect();
    let mut status = node_state("n1", true, &rec("d", false));
    for n in &names[1..] {
        status += &node_state(n, false, &rec("d", !running.contains(&n.as_str())));
    }
    let resources = format!(
        r#"<primitive id="f" class="stonith" type="fence_xvm"/><clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="{clone_max}"/></meta_attributes>
<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="dm"><nvpair id="dm1" name="requires" value="{requires}"/></meta_attributes></primitive></clone>"#
    );
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    cib(
        r#"<nvpair id="o1" name="stonith-enabled" value="true"/>"#,
        &refs,
        &resources,
        &status,
    )
}

#[test]
fn a_lost_nodes_copy_is_an_orphan_when_the_clone_has_fewer_instances_than_nodes() {
    let s = run(&lost_node_cib(4, &["n2", "n3"], 3, "quorum"));
    assert_eq!(
        summary(&s),
        vec![
            "Fence (reboot) n1 'peer is no longer part of the cluster'".to_string(),
            "Start d:2 ( n4 )".to_string(),
            "Start f ( n2 )".to_string(),
            "Stop d:3 ( n1 ) due to node availability".to_string(),
        ]
    );
}

#[test]
fn a_lost_nodes_copy_keeps_its_instance_with_as_many_instances_as_nodes_or_with_fencing() {
    for (clone_max, requires) in [(4, "quorum"), (3, "fencing")] {
        let s = run(&lost_node_cib(4, &["n2", "n3"], clone_max, requires));
        assert_eq!(
            summary(&s),
            vec![
                "Fence (reboot) n1 'peer is no longer part of the cluster'".to_string(),
                "Move d:0 ( n1 -> n4 )".to_string(),
                "Start f ( n2 )".to_string(),
            ],
            "clone-max={clone_max} requires={requires}"
        );
    }
}
