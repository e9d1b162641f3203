//! `on-fail="demote"`: a failed promoted-role monitor demotes the instance in place (no
//! recovery), and another node may be promoted instead.

mod common;
use common::run;

fn op(task: &str, interval: u32, rc: i32, call: u32) -> String {
    format!(
        r#"<lrm_rsc_op id="rsc1_{task}_{interval}_{call}" operation_key="rsc1_{task}_{interval}" operation="{task}" call-id="{call}" rc-code="{rc}" op-status="0" interval="{interval}" transition-key="1:1:0:x" on_node="n"/>"#
    )
}

fn lrm(ops: &str) -> String {
    format!(
        r#"<lrm><lrm_resources><lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Stateful">{ops}</lrm_resource></lrm_resources></lrm>"#
    )
}

fn attrs(score: i32) -> String {
    format!(
        r#"<transient_attributes id="t"><instance_attributes id="ta"><nvpair id="a" name="master-rsc1" value="{score}"/></instance_attributes></transient_attributes>"#
    )
}

/// rsc1 promoted on n1 whose promoted monitor (on-fail=demote) just failed; unpromoted on n2.
fn cib() -> String {
    let n1 = format!(
        "{}{}",
        lrm(&(op("start", 0, 0, 2) + &op("promote", 0, 0, 3) + &op("monitor", 10000, 7, 4))),
        attrs(10)
    );
    let n2 = format!(
        "{}{}",
        lrm(&(op("start", 0, 0, 2) + &op("monitor", 11000, 0, 3))),
        attrs(5)
    );
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
<clone id="ms1"><meta_attributes id="m"><nvpair id="m1" name="promotable" value="true"/></meta_attributes>
<primitive id="rsc1" class="ocf" provider="pacemaker" type="Stateful"><operations>
<op id="mon-p" name="monitor" interval="10s" role="Promoted" on-fail="demote"/>
<op id="mon-u" name="monitor" interval="11s" role="Unpromoted"/>
</operations></primitive></clone>
</resources><constraints/></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">{n1}</node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">{n2}</node_state>
</status></cib>"#
    )
}

#[test]
fn failed_promoted_monitor_demotes_instead_of_recovering() {
    let s = run(&cib());
    let mut sum = s.transition.summary.clone();
    sum.sort();
    assert!(
        sum.iter()
            .any(|l| l.starts_with("Demote rsc1:") && l.ends_with("( Promoted -> Unpromoted n1 )")),
        "{sum:?}"
    );
    assert!(
        sum.iter()
            .any(|l| l.starts_with("Promote rsc1:") && l.ends_with("( Unpromoted -> Promoted n2 )")),
        "{sum:?}"
    );
    assert!(sum.iter().all(|l| !l.starts_with("Recover")), "{sum:?}");
    assert!(
        s.transition
            .actions
            .iter()
            .all(|a| !(a.task == "stop" && a.kind == scheduler::ActionKind::Resource)),
        "nothing stops"
    );
}

#[test]
fn clone_promotes_only_after_it_demoted() {
    let s = run(&cib());
    let acts = &s.transition.actions;
    let demoted = acts
        .iter()
        .position(|a| a.label == "ms1_demoted_0")
        .expect("demoted milestone");
    let promote = acts
        .iter()
        .position(|a| a.label == "ms1_promote_0")
        .expect("promote milestone");
    assert!(acts[promote].after.contains(&demoted));
}
