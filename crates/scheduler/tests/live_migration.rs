//! Live migrations and what surrounds them: a migrating resource does not restart what is
//! ordered after it; a completed migration whose source still ends in migrate_to is
//! stopped there and cannot migrate again; a resource active only as a half-migrated
//! target moves by stop and start. Checked against crm_simulate 2.1.5.

mod common;
use common::{labels, run, summary};

const DIGEST: &str = "f2317cad3d54cec5d7d7aa7d0bf35cf8";

/// A record of `task` on A (call `call`, changed at `at`) with `extra` attributes.
fn op(key: &str, task: &str, call: u32, at: u32, extra: &str) -> String {
    let (rc, expected) = if task == "monitor" { (7, 7) } else { (0, 0) };
    format!(
        r#"<lrm_rsc_op id="A_{key}" operation="{task}" interval="0" call-id="{call}" rc-code="{rc}" op-status="0" transition-key="1:1:{expected}:x" transition-magic="0:{rc};1:1:{expected}:x" last-rc-change="{at}" op-digest="{DIGEST}" {extra}/>"#
    )
}

fn node_state(n: &str, records: &str) -> String {
    format!(
        r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources>{records}</lrm_resources></lrm></node_state>"#
    )
}

fn lrm(id: &str, ops: &str) -> String {
    format!(
        r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{ops}</lrm_resource>"#
    )
}

/// Nodes n1..n3; A (allow-migrate) with `constraints`; `a_history` per node.
fn cib(extra_rscs: &str, constraints: &str, status: [&str; 3]) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
<resources><primitive id="A" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="m"><nvpair id="m1" name="allow-migrate" value="true"/></meta_attributes></primitive>{extra_rscs}</resources>
<constraints>{constraints}</constraints></configuration>
<status>{}{}{}</status></cib>"#,
        node_state("n1", status[0]),
        node_state("n2", status[1]),
        node_state("n3", status[2]),
    )
}

fn started(id: &str) -> String {
    format!(
        r#"<lrm_rsc_op id="{id}_last_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" op-digest="{DIGEST}"/>"#
    )
}

#[test]
fn a_migrating_resource_does_not_restart_what_is_ordered_after_it() {
    let b = r#"<primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/>"#;
    let constraints = r#"<rsc_location id="l" rsc="A" node="n1" score="-INFINITY"/><rsc_location id="l2" rsc="A" node="n2" score="100"/>
<rsc_location id="l3" rsc="B" node="n3" score="100"/><rsc_order id="o" first="A" then="B"/>"#;
    let s = run(&cib(
        b,
        constraints,
        [&lrm("A", &started("A")), "", &lrm("B", &started("B"))],
    ));
    assert_eq!(summary(&s), vec!["Migrate A ( n1 -> n2 )".to_string()]);
}

#[test]
fn a_completed_migration_ending_in_migrate_to_on_its_source_is_stopped_there() {
    let mig = r#"migrate_source="n1" migrate_target="n2""#;
    let n1 = lrm("A", &op("last_0", "migrate_to", 5, 100, mig));
    let n2 = lrm("A", &op("last_0", "migrate_from", 6, 101, mig));
    let s = run(&cib("", "", [&n1, &n2, ""]));
    assert!(summary(&s).is_empty(), "{:?}", summary(&s));
    assert!(
        labels(&s).contains(&"A stop on n1".to_string()),
        "{:?}",
        labels(&s)
    );
    // Moving on, it stops and starts: no second migration.
    let away = r#"<rsc_location id="l" rsc="A" node="n3" score="100"/>"#;
    let s = run(&cib("", away, [&n1, &n2, ""]));
    assert_eq!(summary(&s), vec!["Move A ( n2 -> n3 )".to_string()]);
    let l = labels(&s);
    for want in ["A stop on n1", "A stop on n2", "A start on n3"] {
        assert!(l.contains(&want.to_string()), "{want}: {l:?}");
    }
}

#[test]
fn a_half_migrated_target_moves_by_stop_and_start() {
    let mig = r#"migrate_source="n1" migrate_target="n2""#;
    let n1 = lrm(
        "A",
        &(op("mt", "migrate_to", 5, 100, mig) + &op("last_0", "stop", 6, 101, "")),
    );
    let n2 = lrm("A", &op("last_0", "monitor", 3, 50, ""));
    let away = r#"<rsc_location id="l" rsc="A" node="n3" score="100"/>"#;
    let s = run(&cib("", away, [&n1, &n2, ""]));
    assert_eq!(summary(&s), vec!["Move A ( n2 -> n3 )".to_string()]);
}

#[test]
fn a_resource_after_a_clone_both_stopping_and_starting_moves_instead_of_migrating() {
    // n1 goes to standby: the clone's instance moves to n2, and A (after and with the
    // clone) follows by stop and start.
    let clone = r#"<clone id="C"><primitive id="c" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#;
    let constraints = r#"<rsc_location id="l3" rsc="C" node="n3" score="-INFINITY"/>
<rsc_order id="o" first="C" then="A"/><rsc_colocation id="co" rsc="A" with-rsc="C" score="INFINITY"/>"#;
    let n1 = lrm("A", &started("A")) + &lrm("c", &started("c"));
    let xml = cib(clone, constraints, [&n1, "", ""]).replace(
        r#"<node id="n1" uname="n1"/>"#,
        r#"<node id="n1" uname="n1"><instance_attributes id="n1a"><nvpair id="n1a1" name="standby" value="on"/></instance_attributes></node>"#,
    );
    let s = run(&xml);
    assert_eq!(
        summary(&s),
        vec![
            "Move A ( n1 -> n2 ) due to unrunnable C stop".to_string(),
            "Move c:0 ( n1 -> n2 )".to_string(),
        ]
    );
}
