//! How status shows resources held by a failure: the flags of a resource active on several
//! nodes come before the node list, an ignored failure is shown, and a resource with nothing
//! to do (its stop blocked) stays as it was in the revised status.

mod common;

/// A `lrm_rsc_op` of `task` with exit code `rc` (operation status `status`).
fn op(id: &str, task: &str, rc: i32, status: i32, call: u32) -> String {
    format!(
        r#"<lrm_rsc_op id="{id}_{task}_0" operation="{task}" call-id="{call}" rc-code="{rc}" op-status="{status}" interval="0" transition-key="1:1:0:x" transition-magic="{status}:{rc};1:1:0:x" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>"#
    )
}

/// A CIB of online nodes `nodes`, resources `resources`, constraints `constraints` and,
/// per node, its histories (`lrm_resource` elements).
fn cib(nodes: &[&str], resources: &str, constraints: &str, histories: &[&str]) -> String {
    let conf: String = nodes
        .iter()
        .map(|n| format!(r#"<node id="{n}" uname="{n}"/>"#))
        .collect();
    let status: String = nodes
        .iter()
        .zip(histories)
        .map(|(n, h)| {
            format!(
                r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources>{h}</lrm_resources></lrm></node_state>"#
            )
        })
        .collect();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes>{conf}</nodes><resources>{resources}</resources><constraints>{constraints}</constraints></configuration>
<status>{status}</status></cib>"#
    )
}

fn dummy(id: &str, body: &str) -> String {
    format!(
        r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy">{body}</primitive>"#
    )
}

fn history(id: &str, ops: &[String]) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>"#,
        ops.concat()
    )
}

/// The resource lines of the current and of the revised status.
fn resource_lines(s: &scheduler::Schedule) -> (Vec<String>, Vec<String>) {
    let text = scheduler::simulation_text(s, true);
    let (before, after) = text
        .split_once("Revised Cluster Status:")
        .expect("a revised status");
    let pick = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains("(ocf:"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    (pick(before), pick(after))
}

#[test]
fn a_blocked_multiply_active_resource_shows_its_flags_before_its_nodes_and_stays() {
    let started = history("rsc1", &[op("rsc1", "start", 0, 0, 1)]);
    let xml = cib(
        &["node1", "node2"],
        &dummy(
            "rsc1",
            r#"<meta_attributes id="m"><nvpair id="m1" name="multiple-active" value="block"/></meta_attributes>"#,
        ),
        "",
        &[&started, &started],
    );
    let s = common::run(&xml);
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    let line = "* rsc1 (ocf:pacemaker:Dummy): Started (blocked) [ node1 node2 ]".to_string();
    assert_eq!(resource_lines(&s), (vec![line.clone()], vec![line]));
}

#[test]
fn an_ignored_failure_is_shown() {
    // The stop failed, and on-fail=ignore counts it as done: the resource starts again.
    let xml = cib(
        &["node1"],
        &dummy(
            "rsc1",
            r#"<operations><op id="rsc1-stop" name="stop" interval="0" on-fail="ignore"/></operations>"#,
        ),
        "",
        &[&history("rsc1", &[op("rsc1", "stop", 1, 4, 1)])],
    );
    let s = common::run(&xml);
    assert_eq!(common::summary(&s), vec!["Start rsc1 ( node1 )"]);
    assert_eq!(
        resource_lines(&s),
        (
            vec!["* rsc1 (ocf:pacemaker:Dummy): Stopped (failure ignored)".to_string()],
            vec!["* rsc1 (ocf:pacemaker:Dummy): Started node1 (failure ignored)".to_string()]
        )
    );
}

#[test]
fn a_resource_whose_stop_is_blocked_stays_started() {
    // rsc2's stop failed (no fencing): it is blocked, and rsc1, which must stop before it
    // stops, cannot stop either.
    let xml = cib(
        &["node1"],
        &[
            dummy(
                "rsc1",
                r#"<meta_attributes id="m"><nvpair id="m1" name="target-role" value="Stopped"/></meta_attributes>"#,
            ),
            dummy("rsc2", ""),
        ]
        .concat(),
        r#"<rsc_order id="o12" first="rsc1" then="rsc2" kind="Mandatory"/>"#,
        &[&[
            history("rsc1", &[op("rsc1", "start", 0, 0, 1)]),
            history("rsc2", &[op("rsc2", "stop", 1, 0, 2)]),
        ]
        .concat()],
    );
    let s = common::run(&xml);
    assert_eq!(
        common::summary(&s),
        vec!["Stop rsc1 ( node1 ) due to node availability (blocked)"]
    );
    assert!(common::labels(&s).is_empty(), "{:?}", common::labels(&s));
    let (_, after) = resource_lines(&s);
    assert_eq!(
        after,
        vec![
            "* rsc1 (ocf:pacemaker:Dummy): Started node1 (disabled)",
            "* rsc2 (ocf:pacemaker:Dummy): FAILED node1 (blocked)"
        ]
    );
}
