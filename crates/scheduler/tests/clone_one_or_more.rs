//! Orders that need only some instances of a cloned first resource (clone-min on the clone,
//! or require-all="false" on the order): the `clone-one-or-more` pseudo action and the
//! clone's start milestones kept when an instance stops.

mod common;
use common::{op, run};

/// The lrm section of a node where the listed anonymous-clone primitives run.
fn lrm(node: u32, running: &[&str]) -> String {
    let rscs: String = running
        .iter()
        .map(|id| {
            format!(
                r#"<lrm_resource id="{id}" class="ocf" provider="pacemaker" type="Dummy">{}{}</lrm_resource>"#,
                op(id, "monitor", 7, 1),
                op(id, "start", 0, 2)
            )
        })
        .collect();
    format!(r#"<lrm id="{node}"><lrm_resources>{rscs}</lrm_resources></lrm>"#)
}

/// Two online nodes; `on_n1`/`on_n2` name the primitives running there.
fn cib(resources: &str, constraints: &str, on_n1: &[&str], on_n2: &[&str]) -> String {
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>{resources}</resources><constraints>{constraints}</constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">{}</node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">{}</node_state>
</status></cib>"#,
        lrm(1, on_n1),
        lrm(2, on_n2)
    )
}

fn clone(id: &str, prim: &str, meta: &str) -> String {
    format!(
        r#"<clone id="{id}"><meta_attributes id="{id}-m">{meta}</meta_attributes>
<primitive id="{prim}" class="ocf" provider="pacemaker" type="Dummy"/></clone>"#
    )
}

const CLONE_MIN_2: &str = r#"<nvpair id="a-min" name="clone-min" value="2"/>"#;

fn action<'a>(
    s: &'a scheduler::Schedule,
    label: &str,
) -> Option<(usize, &'a scheduler::actions::Action)> {
    s.transition
        .actions
        .iter()
        .enumerate()
        .find(|(_, a)| a.label == label)
}

#[test]
fn dependent_start_waits_on_the_instances_through_one_pseudo_action() {
    let res = format!(
        r#"{}<primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/>"#,
        clone("A-clone", "A", CLONE_MIN_2)
    );
    let k = r#"<rsc_order id="ord" first="A-clone" then="B"/>"#;
    let s = run(&cib(&res, k, &[], &[]));
    let (pseudo, p) = action(&s, "clone-one-or-more:ord").expect("pseudo action planned");
    let starts: Vec<usize> = s
        .transition
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.label.starts_with("A") && a.task == "start" && a.node.is_some())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 2);
    for st in starts {
        assert!(p.after.contains(&st), "pseudo waits on instance start {st}");
    }
    let (_, b_start) = s
        .transition
        .actions
        .iter()
        .enumerate()
        .find(|(_, a)| a.label.starts_with("B start"))
        .expect("B starts");
    assert!(b_start.after.contains(&pseudo));
    let (running, _) = action(&s, "A-clone_running_0").expect("clone runs");
    assert!(
        !b_start.after.contains(&running),
        "the pseudo action stands in for the clone's running milestone"
    );
}

#[test]
fn nothing_of_the_clone_starting_leaves_no_pseudo_action() {
    let res = format!(
        r#"{}<primitive id="B" class="ocf" provider="pacemaker" type="Dummy"/>"#,
        clone("A-clone", "A", "")
    );
    let k = r#"<rsc_order id="ord" first="A-clone" then="B" require-all="false"/>"#;
    let s = run(&cib(&res, k, &["A"], &["A"]));
    assert!(action(&s, "clone-one-or-more:ord").is_none());
    assert!(s
        .transition
        .summary
        .iter()
        .any(|l| l.starts_with("Start B")));
}

#[test]
fn require_all_false_blocks_the_dependent_only_when_no_instance_runs() {
    let res = format!(
        r#"{}{}"#,
        clone("A-clone", "A", ""),
        clone("B-clone", "B", "")
    );
    let k = r#"<rsc_location id="b1" rsc="A-clone" node="n1" score="-INFINITY"/>
<rsc_location id="b2" rsc="A-clone" node="n2" score="-INFINITY"/>
<rsc_order id="ord" first="A-clone" then="B-clone" require-all="false"/>"#;
    let s = run(&cib(&res, k, &["A", "B"], &["A", "B"]));
    let stops: Vec<&String> = s
        .transition
        .summary
        .iter()
        .filter(|l| l.starts_with("Stop B"))
        .collect();
    assert_eq!(stops.len(), 2, "{:?}", s.transition.summary);
    for l in stops {
        assert!(
            l.ends_with("due to unrunnable clone-one-or-more:ord"),
            "{l}"
        );
    }
}

#[test]
fn partly_needed_clone_stopping_an_instance_keeps_its_start_milestones() {
    let plan = |meta: &str| {
        let res = format!(
            "{}{}",
            clone("A-clone", "A", meta),
            clone("B-clone", "B", "")
        );
        let k = r#"<rsc_location id="ban" rsc="A-clone" node="n2" score="-INFINITY"/>
<rsc_order id="ord" first="A-clone" then="B-clone"/>"#;
        run(&cib(&res, k, &["A", "B"], &["A", "B"]))
    };
    let with_min = plan(r#"<nvpair id="a-min" name="clone-min" value="1"/>"#);
    let (stopped, _) = action(&with_min, "A-clone_stopped_0").expect("instance stops");
    let (start, st) = action(&with_min, "A-clone_start_0").expect("start milestone kept");
    let (_, running) = action(&with_min, "A-clone_running_0").expect("running milestone kept");
    assert!(st.after.contains(&stopped));
    assert!(running.after.contains(&start));
    // An order that needs every instance leaves the start phase out.
    let plain = plan("");
    assert!(action(&plain, "A-clone_stopped_0").is_some());
    assert!(action(&plain, "A-clone_start_0").is_none());
}

#[test]
fn partly_needed_clone_stopping_every_instance_has_no_start_phase() {
    let res = format!("{}{}", clone("A-clone", "A", ""), clone("B-clone", "B", ""));
    let k = r#"<rsc_location id="b1" rsc="A-clone" node="n1" score="-INFINITY"/>
<rsc_location id="b2" rsc="A-clone" node="n2" score="-INFINITY"/>
<rsc_order id="ord" first="A-clone" then="B-clone" require-all="false"/>"#;
    let s = run(&cib(&res, k, &["A", "B"], &["A", "B"]));
    assert!(action(&s, "A-clone_stopped_0").is_some());
    assert!(action(&s, "A-clone_start_0").is_none());
    assert!(action(&s, "A-clone_running_0").is_none());
}
