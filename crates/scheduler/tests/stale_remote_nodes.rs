//! A remote node still listed in the configuration (`<node type="remote">`) without a
//! connection resource: it is a remote node that is down, and counts among the nodes a
//! clone lists as stopped (checked against Debian's crm_simulate 2.1.5).

mod common;
use common::{run, summary};

const CIB: &str = r#"<cib have-quorum="1" dc-uuid="n1">
<configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node type="remote" id="r9" uname="r9"/></nodes>
<resources><clone id="c"><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>
<constraints/></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#;

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn a_stale_remote_node_entry_is_an_offline_remote_node() {
    let s = run(CIB);
    let before = lines(&scheduler::report::status_text(&s.before));
    assert!(
        before.contains(&"* RemoteOFFLINE: [ r9 ]".to_string()),
        "{before:?}"
    );
    assert!(
        before.contains(&"* Stopped: [ n1 n2 r9 ]".to_string()),
        "{before:?}"
    );
    let after = lines(&scheduler::report::status_text(&s.after));
    assert!(
        after.contains(&"* Started: [ n1 n2 ]".to_string()),
        "{after:?}"
    );
    assert!(
        after.contains(&"* Stopped: [ r9 ]".to_string()),
        "{after:?}"
    );
    // Nothing can run there.
    let decisions: Vec<String> = summary(&s)
        .into_iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        decisions,
        vec![
            "Start d:0 ( n1 )".to_string(),
            "Start d:1 ( n2 )".to_string()
        ]
    );
}
