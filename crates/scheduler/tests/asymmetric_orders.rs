//! An asymmetric mandatory ordering (`symmetrical="false"`) holds back only the `then`
//! start: a `then` resource already started where it stays keeps running when `first`
//! cannot start, while a failed one, which needs a new start, stops.

mod common;

/// `a` (disabled) ordered before `b` with `symmetrical="false"`, both started on node1;
/// `b_monitor_rc` is the result of b's last recurring monitor.
fn cib(b_monitor_rc: i32) -> String {
    let dummy = |id: &str, meta: &str| {
        format!(
            r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy">{meta}</primitive>"#
        )
    };
    let ops = |id: &str, monitor_rc: i32| {
        format!(
            r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="{id}_start_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="2:1:0:x" transition-magic="0:0;2:1:0:x" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="{id}_monitor_10000" operation="monitor" call-id="3" rc-code="{monitor_rc}" op-status="0" interval="10000" transition-key="3:1:0:x" transition-magic="0:{monitor_rc};3:1:0:x"/></lrm_resource>"#
        )
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="node1" uname="node1"/></nodes>
<resources>{}{}</resources>
<constraints><rsc_order id="ab" first="a" then="b" first-action="start" then-action="start" symmetrical="false"/></constraints></configuration>
<status><node_state id="node1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="node1"><lrm_resources>{}{}</lrm_resources></lrm></node_state></status></cib>"#,
        dummy(
            "a",
            r#"<meta_attributes id="am"><nvpair id="am1" name="target-role" value="Stopped"/></meta_attributes>"#
        ),
        dummy("b", ""),
        ops("a", 0),
        ops("b", b_monitor_rc),
    )
}

#[test]
fn a_started_dependent_stays_when_first_stops() {
    let s = common::run(&cib(0));
    assert_eq!(
        common::summary(&s),
        vec!["Stop a ( node1 ) due to node availability"]
    );
}

#[test]
fn a_failed_dependent_cannot_be_recovered_without_first() {
    let s = common::run(&cib(1));
    assert_eq!(
        common::summary(&s),
        vec![
            "Stop a ( node1 ) due to node availability",
            "Stop b ( node1 ) due to unrunnable a start"
        ]
    );
}
