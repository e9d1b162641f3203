//! A resource stopped by an ordering (what it needs cannot run) takes down the resources
//! colocated with it.

mod common;
use common::{op, run, summary};

/// Clone C (disabled when `c_disabled`), A ordered after C, B colocated with A: all active
/// on n1.
fn cib(c_disabled: bool) -> String {
    let role = if c_disabled { "Stopped" } else { "Started" };
    let lrm = |id: &str| {
        format!(
            r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>"#,
            op(id, "start", 0, 2)
        )
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/></nodes>
<resources><primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/>
<clone id="C"><meta_attributes id="cm"><nvpair id="cm1" name="target-role" value="{role}"/></meta_attributes><primitive id="D" class="ocf" provider="pacemaker" type="Dummy"/></clone>
<primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/></resources>
<constraints><rsc_order id="o" first="C" then="A"/><rsc_colocation id="co" rsc="B" with-rsc="A" score="INFINITY"/></constraints>
</configuration><status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>{}{}{}</lrm_resources></lrm></node_state></status></cib>"#,
        lrm("A"),
        lrm("B"),
        lrm("D:0")
    )
}

#[test]
fn the_colocated_resource_stops_with_the_one_its_ordering_stops() {
    let s = run(&cib(true));
    assert_eq!(
        summary(&s),
        vec![
            "Stop A ( n1 ) due to unrunnable C running",
            "Stop B ( n1 ) due to colocation with A",
            "Stop D:0 ( n1 ) due to node availability",
        ]
    );
}

#[test]
fn nothing_stops_while_the_ordering_holds() {
    let s = run(&cib(false));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}
