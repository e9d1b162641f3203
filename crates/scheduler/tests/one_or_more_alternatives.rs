//! A `require-all="false"` set's members are alternatives: no ordering among them even when
//! the set is sequential, and its one-or-more pseudo action exists only when something after
//! the set starts.

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

fn started(id: &str) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="{id}_last_0" operation_key="{id}_start_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x" on_node="n1"/></lrm_resource>"#
    )
}

/// One node running A, B and C; (B, C) a sequential require-all="false" set before A;
/// `stopped` lists the disabled ones.
fn cib(stopped: &[&str]) -> String {
    let res: String = ["A", "B", "C"]
        .iter()
        .map(|id| prim(id, stopped.contains(id)))
        .collect();
    let lrm: String = ["A", "B", "C"].iter().map(|id| started(id)).collect();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/></nodes>
<resources>{res}</resources>
<constraints><rsc_order id="ord" symmetrical="false">
<resource_set id="any" require-all="false"><resource_ref id="B"/><resource_ref id="C"/></resource_set>
<resource_set id="after"><resource_ref id="A"/></resource_set>
</rsc_order></constraints></configuration>
<status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm><lrm_resources>{lrm}</lrm_resources></lrm></node_state></status></cib>"#
    )
}

#[test]
fn members_of_an_alternative_set_are_not_ordered_among_themselves() {
    let s = run(&cib(&["B"]));
    assert_eq!(
        s.transition.summary,
        vec!["Stop B ( n1 ) due to node availability".to_string()]
    );
}

#[test]
fn no_one_or_more_pseudo_action_when_nothing_after_the_set_starts() {
    let s = run(&cib(&["C"]));
    assert!(s
        .transition
        .actions
        .iter()
        .all(|a| !a.label.starts_with("one-or-more:")));
}
