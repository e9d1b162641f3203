//! Promotable clones: promotion scores, role-specific constraints and tickets.

mod common;
use common::{op, run, summary};

/// Two online nodes, one promotable clone `ms1` of `rsc1`, the given constraints, tickets
/// and per-node status (`lrm` and transient attributes) for n1 and n2.
fn cib(constraints: &str, tickets: &str, n1: &str, n2: &str) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<clone id="ms1"><meta_attributes id="m"><nvpair id="m1" name="promotable" value="true"/></meta_attributes>
<primitive id="rsc1" class="ocf" provider="pacemaker" type="Stateful"/></clone>
</resources><constraints>{constraints}</constraints></configuration>
<status><tickets>{tickets}</tickets>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">{n1}</node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">{n2}</node_state>
</status></cib>"#
    )
}

/// History of instance `id` running on a node: unpromoted, or promoted.
fn running(id: &str, promoted: bool) -> String {
    let mut ops = op(id, "start", 0, 2);
    if promoted {
        ops.push_str(&op(id, "promote", 0, 3));
    }
    format!(
        r#"<lrm><lrm_resources><lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Stateful">{ops}</lrm_resource></lrm_resources></lrm>"#
    )
}

fn attrs(pairs: &[(&str, &str)]) -> String {
    let nv: String = pairs
        .iter()
        .map(|(k, v)| format!(r#"<nvpair id="a-{k}" name="{k}" value="{v}"/>"#))
        .collect();
    format!(
        r#"<transient_attributes id="t"><instance_attributes id="ta">{nv}</instance_attributes></transient_attributes>"#
    )
}

#[test]
fn promoted_role_rule_sets_promotion_not_placement() {
    // No promotion attribute: instances start at -1, the role="Promoted" rule lifts n1 to 9.
    let k = r##"<rsc_location id="l" rsc="ms1"><rule id="r" role="Promoted" score="10">
<expression id="e" attribute="#uname" operation="eq" value="n1"/></rule></rsc_location>"##;
    let s = run(&cib(k, "", "", ""));
    let sum = summary(&s);
    assert_eq!(sum.len(), 2, "{sum:?}");
    assert!(
        sum.iter().any(|l| l.contains("Stopped -> Promoted n1")),
        "{sum:?}"
    );
    assert!(sum
        .iter()
        .any(|l| l.starts_with("Start rsc1:") && l.ends_with("( n2 )")));
}

#[test]
fn no_promotion_attribute_means_no_promotion() {
    let s = run(&cib("", "", "", ""));
    assert!(
        s.transition.summary.iter().all(|l| l.starts_with("Start ")),
        "{:?}",
        s.transition.summary
    );
    assert_eq!(s.transition.summary.len(), 2);
}

#[test]
fn revoked_ticket_with_stop_policy_stops_every_instance() {
    let k = r#"<rsc_ticket id="t" rsc="ms1" rsc-role="Promoted" ticket="tA" loss-policy="stop"/>"#;
    let n1 = format!(
        "{}{}",
        attrs(&[("master-rsc1", "10")]),
        running("rsc1:0", true)
    );
    let s = run(&cib(
        k,
        r#"<ticket_state id="tA" granted="false"/>"#,
        &n1,
        &running("rsc1:1", false),
    ));
    let sum = summary(&s);
    assert_eq!(sum.len(), 2, "{sum:?}");
    assert!(sum.iter().all(|l| l.starts_with("Stop rsc1:")), "{sum:?}");
}

#[test]
fn revoked_ticket_with_demote_policy_only_demotes() {
    let k =
        r#"<rsc_ticket id="t" rsc="ms1" rsc-role="Promoted" ticket="tA" loss-policy="demote"/>"#;
    let n1 = format!(
        "{}{}",
        attrs(&[("master-rsc1", "10")]),
        running("rsc1:0", true)
    );
    let s = run(&cib(
        k,
        r#"<ticket_state id="tA" granted="false"/>"#,
        &n1,
        &running("rsc1:1", false),
    ));
    assert_eq!(
        s.transition.summary,
        vec!["Demote rsc1:0 ( Promoted -> Unpromoted n1 )".to_string()]
    );
}

#[test]
fn standby_ticket_demotes_unless_policy_is_stop() {
    let n1 = format!(
        "{}{}",
        attrs(&[("master-rsc1", "10")]),
        running("rsc1:0", true)
    );
    let n2 = running("rsc1:1", false);
    let tickets = r#"<ticket_state id="tA" granted="true" standby="true"/>"#;
    let freeze =
        r#"<rsc_ticket id="t" rsc="ms1" rsc-role="Promoted" ticket="tA" loss-policy="freeze"/>"#;
    let s = run(&cib(freeze, tickets, &n1, &n2));
    assert_eq!(
        s.transition.summary,
        vec!["Demote rsc1:0 ( Promoted -> Unpromoted n1 )".to_string()]
    );
    let stop =
        r#"<rsc_ticket id="t" rsc="ms1" rsc-role="Promoted" ticket="tA" loss-policy="stop"/>"#;
    let s = run(&cib(stop, tickets, &n1, &n2));
    assert_eq!(s.transition.summary.len(), 2, "{:?}", s.transition.summary);
    assert!(s
        .transition
        .summary
        .iter()
        .all(|l| l.starts_with("Stop rsc1:")));
}

#[test]
fn promotion_attribute_found_under_the_history_name() {
    // n1's history knows the promoted instance as rsc1:1 and so does its attribute, while
    // the scheduler numbers it :0 (first found); it must stay promoted.
    let n1 = format!(
        "{}{}",
        attrs(&[("master-rsc1:1", "10")]),
        running("rsc1:1", true)
    );
    let n2 = format!(
        "{}{}",
        attrs(&[("master-rsc1:0", "-5")]),
        running("rsc1:0", false)
    );
    let s = run(&cib("", "", &n1, &n2));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn monitors_sharing_an_interval_are_not_scheduled() {
    let xml = cib("", "", "", "").replace(
        r#"type="Stateful"/>"#,
        r#"type="Stateful"><operations>
<op id="mp" name="monitor" interval="5" role="Promoted"/>
<op id="mu" name="monitor" interval="5" role="Unpromoted"/>
<op id="m10" name="monitor" interval="10" role="Unpromoted"/></operations></primitive>"#,
    );
    let s = run(&xml);
    let monitors: Vec<u64> = s
        .transition
        .actions
        .iter()
        .filter(|a| a.task == "monitor" && a.interval_ms > 0)
        .map(|a| a.interval_ms)
        .collect();
    // Two instances start unpromoted: only the 10 s monitor, once each.
    assert_eq!(monitors, vec![10_000, 10_000]);
}

#[test]
fn promotion_in_place_cancels_the_unpromoted_monitor() {
    let ops = r#"type="Stateful"><operations>
<op id="mp" name="monitor" interval="10" role="Promoted"/>
<op id="mu" name="monitor" interval="11" role="Unpromoted"/></operations></primitive>"#;
    let monitor = r#"<lrm_rsc_op id="rsc1_monitor_11000" operation="monitor" call-id="4" rc-code="0" op-status="0" interval="11000" transition-key="1:1:0:x" on_node="n"/>"#;
    let n1 = format!(
        "{}{}",
        attrs(&[("master-rsc1", "10")]),
        running("rsc1:0", false).replace("</lrm_resource>", &format!("{monitor}</lrm_resource>"))
    );
    let xml = cib("", "", &n1, "").replace(r#"type="Stateful"/>"#, ops);
    let s = run(&xml);
    assert!(
        s.transition
            .summary
            .contains(&"Promote rsc1:0 ( Unpromoted -> Promoted n1 )".to_string()),
        "{:?}",
        s.transition.summary
    );
    let on_n1: Vec<(String, u64)> = s
        .transition
        .actions
        .iter()
        .filter(|a| a.node == Some(0) && a.interval_ms > 0)
        .map(|a| (a.task.clone(), a.interval_ms))
        .collect();
    assert!(on_n1.contains(&("cancel".to_string(), 11_000)), "{on_n1:?}");
    assert!(
        on_n1.contains(&("monitor".to_string(), 10_000)),
        "{on_n1:?}"
    );
}

#[test]
fn a_failed_demote_leaves_the_instance_unpromoted_and_failed() {
    let lrm = format!(
        r#"<lrm><lrm_resources><lrm_resource id="rsc1:0" class="ocf" provider="pacemaker" type="Stateful">{}{}{}</lrm_resource></lrm_resources></lrm>"#,
        op("rsc1:0", "start", 0, 2),
        op("rsc1:0", "promote", 0, 3),
        op("rsc1:0", "demote", 1, 4)
    );
    let s = run(&cib("", "", &lrm, ""));
    let inst = s
        .before
        .rscs
        .iter()
        .find(|r| r.running.contains_key(&0))
        .expect("an instance runs on n1");
    assert_eq!(inst.running.get(&0), Some(&scheduler::Role::Unpromoted));
    assert!(inst.failed_on.contains(&0));
}
