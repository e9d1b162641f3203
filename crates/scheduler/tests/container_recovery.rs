//! Resources inside a container (`container` meta-attribute): a failed one restarts its
//! container and everything else it holds; they start after the container and stop before
//! it.

mod common;
use common::{labels, op, run, summary};

/// container1 with rsc1 and rsc2 inside, all on n1 (rsc1's monitor failed when `failed`);
/// `running` false leaves everything stopped.
fn cib(running: bool, failed: bool) -> String {
    let prim = |id: &str, inside: bool| {
        let meta = if inside {
            format!(
                r#"<meta_attributes id="{id}-m"><nvpair id="{id}-m1" name="container" value="container1"/></meta_attributes>"#
            )
        } else {
            String::new()
        };
        format!(
            r#"<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy">{meta}<operations><op id="{id}-mon" name="monitor" interval="10s"/></operations></primitive>"#
        )
    };
    let hist = |id: &str| {
        let mut ops = op(id, "start", 0, 2);
        if failed && id == "rsc1" {
            ops.push_str(&format!(
                r#"<lrm_rsc_op id="{id}_monitor_10000" operation="monitor" call-id="3" rc-code="7" op-status="0" interval="10000" transition-key="1:1:0:x"/>"#
            ));
        }
        format!(
            r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{ops}</lrm_resource>"#
        )
    };
    let lrm: String = if running {
        ["container1", "rsc1", "rsc2"]
            .iter()
            .map(|id| hist(id))
            .collect()
    } else {
        String::new()
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/></nodes>
<resources>{}{}{}</resources><constraints/></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>{lrm}</lrm_resources></lrm></node_state></status></cib>"#,
        prim("container1", false),
        prim("rsc1", true),
        prim("rsc2", true)
    )
}

fn inputs(s: &scheduler::Schedule, label: &str) -> Vec<String> {
    let a = s
        .transition
        .actions
        .iter()
        .find(|a| a.label == label)
        .unwrap_or_else(|| panic!("no action {label}: {:?}", labels(s)));
    a.after
        .iter()
        .map(|&i| s.transition.actions[i].label.clone())
        .collect()
}

#[test]
fn a_failed_contained_resource_restarts_its_container_and_the_rest_inside() {
    let s = run(&cib(true, true));
    assert_eq!(
        summary(&s),
        vec![
            "Recover rsc1 ( n1 )",
            "Restart container1 ( n1 )",
            "Restart rsc2 ( n1 ) due to required container1 start",
        ]
    );
    assert!(inputs(&s, "container1 stop on n1").contains(&"rsc2 stop on n1".to_string()));
    assert!(inputs(&s, "rsc1 start on n1").contains(&"container1 start on n1".to_string()));
}

#[test]
fn healthy_containers_stay() {
    let s = run(&cib(true, false));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn contained_resources_start_after_their_container() {
    let s = run(&cib(false, false));
    for r in ["rsc1", "rsc2"] {
        let start = format!("{r} start on n1");
        assert!(inputs(&s, &start).contains(&"container1 start on n1".to_string()));
    }
}
