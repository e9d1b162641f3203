//! Interrupted live migrations read across nodes: where the resource is taken to run.

fn run(xml: &str) -> scheduler::Schedule {
    let cib = cib::Cib::parse(xml).expect("test CIB parses");
    scheduler::schedule(&cib, 0)
}

/// One history record of vm: `task` with call id `call` and exit code `rc` (migration
/// records go from n1 to n2), recorded at time `t`.
fn op(task: &str, call: i32, rc: u32, t: u32) -> String {
    format!(
        r#"<lrm_rsc_op id="vm_{task}_{call}" operation="{task}" interval="0" call-id="{call}" rc-code="{rc}" op-status="0" transition-key="{call}:1:0:00000000-0000-0000-0000-000000000000" last-rc-change="{t}" migrate_source="n1" migrate_target="n2"/>"#
    )
}

/// vm (allow-migrate) with the records `on1` on n1 and `on2` on n2; `n2_up` says whether
/// n2 is online.
fn cib(on1: &[String], on2: &[String], n2_up: bool) -> String {
    let state = |id: u32, ops: &[String], up: bool| {
        let (crmd, ccm) = if up {
            ("online", "true")
        } else {
            ("offline", "false")
        };
        format!(
            r#"<node_state id="{id}" uname="n{id}" in_ccm="{ccm}" crmd="{crmd}" join="member" expected="member"><lrm id="{id}"><lrm_resources><lrm_resource id="vm" class="ocf" provider="heartbeat" type="Xen">{}</lrm_resource></lrm_resources></lrm></node_state>"#,
            ops.concat()
        )
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
<resources><primitive id="vm" class="ocf" provider="heartbeat" type="Xen"><meta_attributes id="m"><nvpair id="m1" name="allow-migrate" value="true"/></meta_attributes></primitive></resources>
<constraints/></configuration>
<status>{}{}<node_state id="3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#,
        state(1, on1, true),
        state(2, on2, n2_up)
    )
}

/// Node names where vm is taken to be active, and where failed.
fn state(s: &scheduler::Schedule) -> (Vec<String>, Vec<String>) {
    let c = &s.before;
    let vm = c.rscs.iter().find(|r| r.id == "vm").expect("vm unpacked");
    let names = |ns: Vec<usize>| ns.into_iter().map(|n| c.nodes[n].name.clone()).collect();
    (
        names(vm.running.keys().copied().collect()),
        names(vm.failed_on.clone()),
    )
}

/// A probe of vm on n2 that found it stopped, before the migration.
fn probe() -> String {
    op("monitor", 1, 7, 5).replace("transition-key=\"1:1:0:", "transition-key=\"1:1:7:")
}

#[test]
fn failed_migrate_to_leaves_it_possibly_active_on_the_target_too() {
    let on1 = [op("start", 1, 0, 10), op("migrate_to", 2, 1, 20)];
    let s = run(&cib(&on1, &[probe()], true));
    assert_eq!(
        state(&s),
        (vec!["n1".into(), "n2".into()], vec!["n1".into()])
    );
    // Without any history of it on the target, only the source counts.
    let s = run(&cib(&on1, &[], true));
    assert_eq!(state(&s), (vec!["n1".into()], vec!["n1".into()]));
}

#[test]
fn failed_migrate_to_then_stopped_source_restarts_it_on_the_target() {
    let on1 = [
        op("start", 1, 0, 10),
        op("migrate_to", 2, 1, 20),
        op("stop", 3, 0, 30),
    ];
    let s = run(&cib(&on1, &[probe()], true));
    assert_eq!(state(&s).0, vec!["n2".to_string()]);
    assert_eq!(
        s.transition.summary[0],
        "Restart vm ( n2 ) due to resource definition change"
    );
}

#[test]
fn failed_migrate_to_is_forgotten_once_restarted_on_the_source_or_stopped_on_the_target() {
    let again = [op("migrate_to", 2, 1, 20), op("start", 3, 0, 30)];
    assert_eq!(
        state(&run(&cib(&again, &[], true))).0,
        vec!["n1".to_string()]
    );
    let on1 = [
        op("start", 1, 0, 10),
        op("migrate_to", 2, 1, 20),
        op("stop", 3, 0, 30),
    ];
    let s = run(&cib(&on1, &[probe(), op("stop", 7, 0, 40)], true));
    assert!(state(&s).0.is_empty());
}

#[test]
fn completed_migration_leaves_nothing_on_the_source() {
    let on1 = [op("start", 1, 0, 10), op("migrate_to", 2, 0, 20)];
    let s = run(&cib(&on1, &[op("migrate_from", 5, 0, 21)], true));
    assert_eq!(state(&s), (vec!["n2".to_string()], vec![]));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn half_migration_to_a_lost_node_is_a_failure_on_the_source() {
    let on1 = [op("start", 1, 0, 10), op("migrate_to", 2, 0, 20)];
    let s = run(&cib(&on1, &[], false));
    assert_eq!(state(&s), (vec!["n1".to_string()], vec!["n1".to_string()]));
}
