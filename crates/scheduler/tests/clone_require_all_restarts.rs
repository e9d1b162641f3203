//! An ordering between clones with `require-all="false"` needs only one instance of the
//! first clone: an instance moving restarts nothing after it (with require-all, every
//! instance of the non-interleaved then-clone restarts).

mod common;
use common::{op, run, summary};

/// BC (one instance, on n1, preferring n2) then CC (on n1..n3).
fn cib(require_all: bool) -> String {
    let lrm = |id: &str| {
        format!(
            r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>"#,
            op(id, "start", 0, 2)
        )
    };
    let hist = [
        ("n1", lrm("B:0") + &lrm("C:0")),
        ("n2", lrm("C:1")),
        ("n3", lrm("C:2")),
    ];
    let status: String = hist
        .iter()
        .map(|(n, h)| {
            format!(
                r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{n}"><lrm_resources>{h}</lrm_resources></lrm></node_state>"#
            )
        })
        .collect();
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
<resources><clone id="BC"><meta_attributes id="bm"><nvpair id="bm1" name="clone-max" value="1"/></meta_attributes><primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/></clone>
<clone id="CC"><primitive id="C" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>
<constraints><rsc_order id="ord" first="BC" then="CC" require-all="{require_all}"/><rsc_location id="l" rsc="BC" node="n2" score="100"/></constraints>
</configuration><status>{status}</status></cib>"#
    )
}

#[test]
fn moving_an_instance_restarts_nothing_when_one_suffices() {
    let s = run(&cib(false));
    assert_eq!(summary(&s), vec!["Move B:0 ( n1 -> n2 )"]);
}

#[test]
fn moving_an_instance_restarts_the_then_clone_when_all_are_required() {
    let s = run(&cib(true));
    assert_eq!(
        summary(&s),
        vec![
            "Move B:0 ( n1 -> n2 )",
            "Restart C:0 ( n1 ) due to required BC running",
            "Restart C:1 ( n2 ) due to required BC running",
            "Restart C:2 ( n3 ) due to required BC running",
        ]
    );
}
