//! Clone notifications: pre/post notify pseudo actions around each clone phase, the notify
//! operations on the instances active at that moment, and their ordering.

mod common;
use common::{labels, run};

/// Two unique clones of two instances on node1 (node2 offline): `a` runs one instance and
/// starts the second, `b` runs one instance that is banned and stops.
const CIB: &str = r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
<resources>
<clone id="a"><meta_attributes id="am"><nvpair id="am1" name="notify" value="true"/>
<nvpair id="am2" name="clone-max" value="2"/><nvpair id="am3" name="clone-node-max" value="2"/>
<nvpair id="am4" name="globally-unique" value="true"/></meta_attributes>
<primitive id="ca" class="ocf" provider="pacemaker" type="Dummy"/></clone>
<clone id="b"><meta_attributes id="bm"><nvpair id="bm1" name="notify" value="true"/>
<nvpair id="bm2" name="clone-max" value="2"/><nvpair id="bm3" name="clone-node-max" value="2"/>
<nvpair id="bm4" name="globally-unique" value="true"/></meta_attributes>
<primitive id="cb" class="ocf" provider="pacemaker" type="Dummy"/></clone>
</resources><constraints>
<rsc_location id="l1" rsc="b" node="node1" score="-INFINITY"/>
</constraints></configuration>
<status>
<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="ca:0" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="ca0" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="1" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="ca:1" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="ca1" operation="monitor" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x" call-id="2" rc-code="7" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="cb:0" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="cb0" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
<lrm_resource id="cb:1" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="cb1" operation="monitor" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x" call-id="4" rc-code="7" op-status="0" interval="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="2" uname="node2" in_ccm="false" crmd="offline" join="down" expected="down"/>
</status></cib>"#;

fn index(s: &scheduler::Schedule, label: &str) -> Vec<usize> {
    s.transition
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.label == label)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn start_and_stop_are_wrapped_in_notifications() {
    let s = run(CIB);
    let mut summary = s.transition.summary.clone();
    summary.sort();
    assert_eq!(
        summary,
        vec![
            "Start ca:1 ( node1 )",
            "Stop cb:0 ( node1 ) due to node availability"
        ]
    );
    let got = labels(&s);
    for want in [
        "a_pre_notify_start_0",
        "a_confirmed-pre_notify_start_0",
        "a_post_notify_running_0",
        "a_confirmed-post_notify_running_0",
        "b_pre_notify_stop_0",
        "b_confirmed-pre_notify_stop_0",
        "b_post_notify_stopped_0",
        "b_confirmed-post_notify_stopped_0",
    ] {
        assert!(got.iter().any(|l| l == want), "missing {want}: {got:#?}");
    }
    // Pre-start goes to the instance already running; post-start to both.
    assert_eq!(index(&s, "ca:0 notify on node1").len(), 2);
    assert_eq!(index(&s, "ca:1 notify on node1").len(), 1);
    // Pre-stop reaches the stopping instance; after the stop nothing is left to notify.
    assert_eq!(index(&s, "cb:0 notify on node1").len(), 1);
    assert!(!got.iter().any(|l| l.starts_with("cb:1 notify")));
}

#[test]
fn notifications_are_ordered_around_the_phase() {
    let s = run(CIB);
    let acts = &s.transition.actions;
    let one = |label: &str| {
        let v = index(&s, label);
        assert_eq!(v.len(), 1, "{label}: {v:?}");
        v[0]
    };
    let pre = one("a_pre_notify_start_0");
    let confirmed_pre = one("a_confirmed-pre_notify_start_0");
    let start = one("a_start_0");
    let running = one("a_running_0");
    let post = one("a_post_notify_running_0");
    let confirmed_post = one("a_confirmed-post_notify_running_0");
    assert!(acts[confirmed_pre].after.contains(&pre));
    assert!(acts[start].after.contains(&confirmed_pre));
    assert!(acts[post].after.contains(&running));
    assert!(acts[confirmed_post].after.contains(&post));
    // The execution order honours the chain.
    let order = scheduler::actions::execution_order(&s.transition);
    let pos = |i: usize| order.iter().position(|&x| x == i).expect("executed");
    assert!(pos(pre) < pos(confirmed_pre));
    assert!(pos(confirmed_pre) < pos(start));
    assert!(pos(running) < pos(post));
    assert!(pos(post) < pos(confirmed_post));
    for n in index(&s, "ca:1 notify on node1") {
        assert!(pos(post) < pos(n) && pos(n) < pos(confirmed_post));
    }
}

#[test]
fn no_notifications_without_notify_meta() {
    let s = run(&CIB.replace(
        r#"name="notify" value="true""#,
        r#"name="notify" value="false""#,
    ));
    assert!(!labels(&s).iter().any(|l| l.contains("notify")));
}

#[test]
fn execution_matches_pacemaker() {
    // As Pacemaker 2.1.5's crm_simulate runs this transition.
    let want = [
        "a_pre_notify_start_0",
        "b_pre_notify_stop_0",
        "ca:0 notify on node1",
        "a_confirmed-pre_notify_start_0",
        "a_start_0",
        "cb:0 notify on node1",
        "b_confirmed-pre_notify_stop_0",
        "b_stop_0",
        "ca:1 start on node1",
        "a_running_0",
        "cb:0 stop on node1",
        "b_stopped_0",
        "a_post_notify_running_0",
        "b_post_notify_stopped_0",
        "ca:0 notify on node1",
        "ca:1 notify on node1",
        "a_confirmed-post_notify_running_0",
        "b_confirmed-post_notify_stopped_0",
    ];
    let s = run(CIB);
    let got: Vec<String> = scheduler::actions::execution_order(&s.transition)
        .into_iter()
        .map(|i| s.transition.actions[i].label.clone())
        .collect();
    assert_eq!(got, want);
}
