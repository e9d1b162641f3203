//! A clone configured with no instances (`clone-max=0`): what still runs of it is an
//! orphaned instance of the clone, stopped within the clone and keeping its history.

mod common;
use common::{labels, op, run, summary};

/// Clone C of D with clone-max=0; D ran on n1 (`running`) or nowhere.
fn cib(running: bool) -> String {
    let hist = if running {
        format!(
            r#"<lrm_resource id="D:0" class="ocf" provider="pacemaker" type="Dummy">{}</lrm_resource>"#,
            op("D:0", "start", 0, 2)
        )
    } else {
        String::new()
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/></nodes>
<resources><clone id="C"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="0"/></meta_attributes><primitive id="D" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>
<constraints/></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>{hist}</lrm_resources></lrm></node_state></status></cib>"#
    )
}

#[test]
fn what_ran_stops_as_an_orphaned_instance_of_the_clone() {
    let s = run(&cib(true));
    assert_eq!(
        summary(&s),
        vec!["Stop D:0 ( n1 ) due to node availability"]
    );
    let l = labels(&s);
    assert!(l.contains(&"C_stop_0".to_string()), "{l:?}");
    assert!(!l.iter().any(|x| x.contains("delete")), "{l:?}");
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Clone Set: C [D]"), "{text}");
    assert!(text.contains("ORPHANED Started n1"), "{text}");
}

#[test]
fn an_idle_empty_clone_still_names_its_primitive() {
    let s = run(&cib(false));
    assert!(s.transition.summary.is_empty());
    let text = scheduler::report::status_text(&s.before);
    assert!(text.contains("Clone Set: C [D]"), "{text}");
}
