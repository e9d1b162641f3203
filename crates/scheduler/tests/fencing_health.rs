//! Node health strategies and fencing order, on small CIBs with asserted decisions.

mod common;
use common::run;

/// Two online nodes, n1 carrying `#health-test` = `colour`; r1 prefers n1 by 100.
fn health_cib(strategy: &str, colour: &str, extra_options: &str, r1_meta: &str) -> String {
    format!(
        r##"<cib have-quorum="1" dc-uuid="2"><configuration>
<crm_config><cluster_property_set id="o">
<nvpair id="o1" name="stonith-enabled" value="false"/>
<nvpair id="o2" name="node-health-strategy" value="{strategy}"/>
{extra_options}
</cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<primitive id="r1" class="ocf" provider="pacemaker" type="Dummy">{r1_meta}</primitive>
</resources><constraints>
<rsc_location id="l1" rsc="r1" node="n1" score="100"/>
</constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<transient_attributes id="1"><instance_attributes id="t1">
<nvpair id="t1h" name="#health-test" value="{colour}"/>
</instance_attributes></transient_attributes>
</node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"##
    )
}

#[test]
fn migrate_on_red_bans_red_nodes_but_not_yellow_ones() {
    let s = run(&health_cib("migrate-on-red", "red", "", ""));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n2 )".to_string()]);
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Node n1: online (health is RED)"), "{text}");

    let s = run(&health_cib("migrate-on-red", "yellow", "", ""));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n1 )".to_string()]);
}

#[test]
fn only_green_bans_yellow_nodes() {
    let s = run(&health_cib("only-green", "yellow", "", ""));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n2 )".to_string()]);
    let text = scheduler::report::status_text(&s.before);
    assert!(
        text.contains("Node n1: online (health is YELLOW)"),
        "{text}"
    );
}

#[test]
fn progressive_adds_the_configured_colour_scores() {
    // yellow = -50: 100 - 50 still prefers n1.
    let opts = r#"<nvpair id="o3" name="node-health-yellow" value="-50"/>"#;
    let s = run(&health_cib("progressive", "yellow", opts, ""));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n1 )".to_string()]);
    // yellow = -150: n1 scores -50 and is not eligible.
    let opts = r#"<nvpair id="o3" name="node-health-yellow" value="-150"/>"#;
    let s = run(&health_cib("progressive", "yellow", opts, ""));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n2 )".to_string()]);
}

#[test]
fn strategy_none_and_exempt_resources_ignore_health() {
    let s = run(&health_cib("none", "red", "", ""));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n1 )".to_string()]);
    let text = scheduler::report::status_text(&s.before);
    assert!(!text.contains("health is"), "{text}");

    let meta = r#"<meta_attributes id="m"><nvpair id="m1" name="allow-unhealthy-nodes" value="true"/></meta_attributes>"#;
    let s = run(&health_cib("migrate-on-red", "red", "", meta));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n1 )".to_string()]);
}

#[test]
fn the_dc_is_fenced_last() {
    // Both nodes unclean (never seen, startup fencing); n1 is the DC.
    let xml = r#"<cib have-quorum="1" dc-uuid="1"><configuration>
<crm_config><cluster_property_set id="o"/></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
<resources/><constraints/></configuration>
<status>
<node_state id="3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#;
    let s = run(xml);
    assert_eq!(
        s.transition.summary,
        vec![
            "Fence (reboot) n2 'node is unclean'".to_string(),
            "Fence (reboot) n1 'node is unclean'".to_string(),
        ]
    );
}

/// n1 in the state `n1_state` (node_state attributes) with r1's start recorded there.
fn down_node_cib(stonith: bool, n1_state: &str) -> String {
    let device = if stonith {
        r#"<primitive id="st" class="stonith" type="fence_dummy"/>"#
    } else {
        ""
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o">
<nvpair id="o1" name="stonith-enabled" value="{stonith}"/>
</cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<primitive id="r1" class="ocf" provider="pacemaker" type="Dummy"/>
{device}
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="n1" {n1_state}>
<lrm id="1"><lrm_resources><lrm_resource id="r1" class="ocf" provider="pacemaker" type="Dummy">
<lrm_rsc_op id="r1_start_0" operation="start" interval="0" op-status="0" rc-code="0" call-id="1"/>
</lrm_resource></lrm_resources></lrm>
</node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
</status></cib>"#
    )
}

#[test]
fn history_of_a_down_node_is_ignored_without_fencing() {
    // Left the membership, no fencing: what ran there is taken as stopped.
    let s = run(&down_node_cib(
        false,
        r#"in_ccm="false" join="member" expected="member""#,
    ));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n2 )".to_string()]);
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("OFFLINE: [ n1 ]"), "{text}");

    // In the membership but its controller is gone: shown unclean, still not fenced.
    let s = run(&down_node_cib(
        false,
        r#"in_ccm="true" join="member" expected="member""#,
    ));
    assert_eq!(s.transition.summary, vec!["Start r1 ( n2 )".to_string()]);
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Node n1: UNCLEAN (offline)"), "{text}");
}

#[test]
fn history_of_a_lost_node_counts_when_it_is_fenced() {
    let s = run(&down_node_cib(
        true,
        r#"in_ccm="false" join="member" expected="member""#,
    ));
    assert_eq!(
        s.transition.summary,
        vec![
            "Fence (reboot) n1 'peer is no longer part of the cluster'".to_string(),
            "Move r1 ( n1 -> n2 )".to_string(),
            "Start st ( n2 )".to_string(),
        ]
    );
}
