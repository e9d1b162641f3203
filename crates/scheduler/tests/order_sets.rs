//! Ordered resource sets with `require-all="false"`: what follows such a set needs only
//! one of its members.

mod common;
use common::run;

fn prim(id: &str, stopped: bool) -> String {
    let meta = if stopped {
        format!(
            r#"<meta_attributes id="{id}-m"><nvpair id="{id}-tr" name="target-role" value="Stopped"/></meta_attributes>"#
        )
    } else {
        String::new()
    };
    format!(
        r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy">{meta}</primitive>"#
    )
}

/// One online node; B and C (the one-or-more set) then D; `stopped` lists disabled ones.
fn cib(stopped: &[&str]) -> String {
    let res: String = ["B", "C", "D"]
        .iter()
        .map(|id| prim(id, stopped.contains(id)))
        .collect();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/></nodes>
<resources>{res}</resources>
<constraints><rsc_order id="ord">
<resource_set id="any" sequential="false" require-all="false"><resource_ref id="B"/><resource_ref id="C"/></resource_set>
<resource_set id="after"><resource_ref id="D"/></resource_set>
</rsc_order></constraints></configuration>
<status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#
    )
}

fn sorted_summary(s: &scheduler::Schedule) -> Vec<String> {
    let mut v = s.transition.summary.clone();
    v.sort();
    v
}

#[test]
fn one_member_is_enough_for_what_follows() {
    let s = run(&cib(&["B"]));
    assert_eq!(
        sorted_summary(&s),
        vec!["Start C ( n1 )".to_string(), "Start D ( n1 )".to_string()]
    );
    let labels: Vec<&str> = s
        .transition
        .actions
        .iter()
        .map(|a| a.label.as_str())
        .collect();
    let pseudo = labels
        .iter()
        .position(|l| *l == "one-or-more:any")
        .expect("one-or-more pseudo action");
    let d_start = labels
        .iter()
        .position(|l| *l == "D start on n1")
        .expect("D starts");
    assert!(s.transition.actions[d_start].after.contains(&pseudo));
}

#[test]
fn no_member_blocks_what_follows() {
    let s = run(&cib(&["B", "C"]));
    assert_eq!(
        sorted_summary(&s),
        vec!["Start D ( n1 ) due to unrunnable one-or-more:any (blocked)".to_string()]
    );
    assert!(!s
        .transition
        .actions
        .iter()
        .any(|a| a.label == "one-or-more:any"));
}
