//! An ordering from a clone to a resource outside any clone restarts that resource only
//! when an instance of the clone starts (or stops) on its node.

mod common;
use common::{op, run, summary};

/// Clone C (of D) and B (prefers n1, running there, ordered after C); `d_on` lists the
/// nodes D already runs on (as D:0, D:1 ...); `clone_max` limits the instances.
fn cib(d_on: &[&str], clone_max: u32) -> String {
    let mut hist: Vec<(String, String)> = vec![("n1".into(), lrm("B"))];
    for (i, n) in d_on.iter().enumerate() {
        hist.push((n.to_string(), lrm(&format!("D:{i}"))));
    }
    let state = |n: &str| {
        let h: String = hist
            .iter()
            .filter(|(on, _)| on == n)
            .map(|(_, h)| h.as_str())
            .collect();
        format!(
            r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources>{h}</lrm_resources></lrm></node_state>"#
        )
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
<resources><primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/>
<clone id="C"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="{clone_max}"/></meta_attributes><primitive id="D" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>
<constraints><rsc_order id="o" first="C" then="B"/><rsc_location id="l" rsc="B" node="n1" score="100"/></constraints>
</configuration><status>{}{}</status></cib>"#,
        state("n1"),
        state("n2")
    )
}

fn lrm(id: &str) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>"#,
        op(id, "start", 0, 2)
    )
}

#[test]
fn an_instance_starting_on_another_node_leaves_it_alone() {
    let s = run(&cib(&["n1"], 2));
    assert_eq!(summary(&s), vec!["Start D:1 ( n2 )"]);
}

#[test]
fn an_instance_starting_on_its_node_restarts_it() {
    let s = run(&cib(&["n2"], 2));
    assert_eq!(
        summary(&s),
        vec![
            "Restart B ( n1 ) due to required C running",
            "Start D:1 ( n1 )"
        ]
    );
}

#[test]
fn an_instance_stopping_on_another_node_leaves_it_alone() {
    let s = run(&cib(&["n1", "n2"], 1));
    assert_eq!(
        summary(&s),
        vec!["Stop D:1 ( n2 ) due to node availability"]
    );
}
