//! Interleaved clone orderings match instances node by node; a primitive's own target-role
//! overrides its disabled clone's.

mod common;
use common::{run, summary};

fn started(id: &str) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="{id}_last_0" operation_key="{id}_start_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x" on_node="n"/></lrm_resource>"#
    )
}

/// Two online nodes; clones A-clone (of A) and B-clone (of B, interleaved) with B after A;
/// `n1`/`n2` list what runs on each node.
fn cib(constraints: &str, n1: &[&str], n2: &[&str]) -> String {
    let lrm = |ids: &[&str]| {
        let r: String = ids.iter().map(|id| started(id)).collect();
        format!("<lrm><lrm_resources>{r}</lrm_resources></lrm>")
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<clone id="A-clone"><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/></clone>
<clone id="B-clone"><meta_attributes id="bm"><nvpair id="bm1" name="interleave" value="true"/></meta_attributes>
<primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/></clone>
</resources><constraints><rsc_order id="ord" first="A-clone" then="B-clone"/>{constraints}</constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">{}</node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">{}</node_state>
</status></cib>"#,
        lrm(n1),
        lrm(n2)
    )
}

#[test]
fn instance_without_a_first_instance_on_its_node_does_not_start() {
    let s = run(&cib(
        r#"<rsc_location id="ban" rsc="A-clone" node="n2" score="-INFINITY"/>"#,
        &[],
        &[],
    ));
    let sum = summary(&s);
    let b_starts: Vec<&String> = sum.iter().filter(|l| l.starts_with("Start B:")).collect();
    assert_eq!(b_starts.len(), 1, "{sum:?}");
    assert!(b_starts[0].ends_with("( n1 )"), "{sum:?}");
    assert!(sum.iter().all(|l| !l.contains("blocked")), "{sum:?}");
}

#[test]
fn running_instance_stops_where_the_first_clone_leaves() {
    let s = run(&cib(
        r#"<rsc_location id="ban" rsc="A-clone" node="n2" score="-INFINITY"/>"#,
        &["A", "B"],
        &["A", "B"],
    ));
    let sum = summary(&s);
    assert!(
        sum.iter()
            .any(|l| l.starts_with("Stop A:") && l.contains("( n2 )")),
        "{sum:?}"
    );
    // B's instance on n2 stops; the one on n1 is untouched.
    let b: Vec<&String> = sum.iter().filter(|l| l.contains(" B:")).collect();
    assert_eq!(b.len(), 1, "{sum:?}");
    assert!(
        b[0].starts_with("Stop B:") && b[0].contains("( n2 )"),
        "{sum:?}"
    );
}

#[test]
fn only_the_instance_on_the_node_where_first_starts_restarts() {
    // A runs on n2 only and starts on n1; B runs on both.
    let s = run(&cib("", &["B"], &["A", "B"]));
    let sum = summary(&s);
    let restarts: Vec<&String> = sum.iter().filter(|l| l.starts_with("Restart B:")).collect();
    assert_eq!(restarts.len(), 1, "{sum:?}");
    assert!(restarts[0].contains("( n1 ) due to required A:"), "{sum:?}");
    assert!(restarts[0].ends_with(" start"), "{sum:?}");
}

#[test]
fn primitive_target_role_overrides_a_disabled_clone() {
    let xml = cib("", &[], &[]).replace(
        r#"<clone id="A-clone"><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#,
        r#"<clone id="A-clone"><meta_attributes id="am"><nvpair id="am1" name="target-role" value="Stopped"/></meta_attributes>
<primitive id="A" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="pm"><nvpair id="pm1" name="target-role" value="Started"/></meta_attributes></primitive></clone>"#,
    );
    let s = run(&xml);
    let sum = summary(&s);
    assert_eq!(
        sum.iter().filter(|l| l.starts_with("Start A:")).count(),
        2,
        "{sum:?}"
    );
}
