//! Operation digests in the history against the configuration: pending starts, an
//! operation's own parameters, secure parameters (compared as crm_simulate does, hidden).

mod common;
use common::run;

use std::collections::HashMap;

use scheduler::digest::op_digest;

fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// rsc1 (params `fake`, `passwd`; `start_op` inside <operations>) with one start record on
/// n1 carrying `record_attrs`; `pending` makes the start still in flight.
fn cib(fake: &str, passwd: &str, start_op: &str, record_attrs: &str, pending: bool) -> String {
    let (call, status, rc) = if pending { (-1, -1, -1) } else { (5, 0, 0) };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<instance_attributes id="i"><nvpair id="i1" name="fake" value="{fake}"/><nvpair id="i2" name="passwd" value="{passwd}"/></instance_attributes>
<operations>{start_op}</operations></primitive></resources>
<constraints/></configuration>
<status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
<lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="rsc1_last_0" operation="start" interval="0" call-id="{call}" rc-code="{rc}" op-status="{status}" transition-key="5:1:0:00000000-0000-0000-0000-000000000000" {record_attrs}/></lrm_resource>
</lrm_resources></lrm></node_state></status></cib>"#
    )
}

/// The record attributes of a start digested over fake=foo, passwd=secret (with a restart
/// digest over `passwd`, and the secure digest without it).
fn recorded(with_secure: bool) -> String {
    let all = op_digest(&params(&[("fake", "foo"), ("passwd", "secret")]), 0, 0);
    let restart = op_digest(&params(&[("passwd", "secret")]), 0, 0);
    let mut out =
        format!(r#"op-digest="{all}" op-force-restart=" passwd " op-restart-digest="{restart}""#);
    if with_secure {
        let secure = op_digest(&params(&[("fake", "foo")]), 0, 0);
        out.push_str(&format!(
            r#" op-secure-params=" passwd " op-secure-digest="{secure}""#
        ));
    }
    out
}

#[test]
fn unchanged_definition_does_nothing() {
    let s = run(&cib("foo", "secret", "", &recorded(false), false));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn reloadable_change_reloads_a_completed_start_but_plainly_restarts_a_pending_one() {
    let done = run(&cib("bar", "secret", "", &recorded(false), false));
    assert_eq!(
        done.transition.summary,
        vec!["Reload rsc1 ( n1 )".to_string()]
    );
    let pending = run(&cib("bar", "secret", "", &recorded(false), true));
    assert_eq!(
        pending.transition.summary,
        vec!["Restart rsc1 ( n1 )".to_string()]
    );
}

#[test]
fn new_operation_parameters_restart_even_when_the_restart_digest_matches() {
    let op = r#"<op id="s" name="start" interval="0"><instance_attributes id="si"><nvpair id="si1" name="trace_ra" value="1"/></instance_attributes></op>"#;
    let s = run(&cib("foo", "secret", op, &recorded(false), false));
    assert_eq!(
        s.transition.summary,
        vec!["Restart rsc1 ( n1 ) due to resource definition change".to_string()]
    );
}

#[test]
fn a_change_of_secure_parameters_alone_is_hidden() {
    let s = run(&cib("foo", "changed", "", &recorded(true), false));
    assert!(
        s.transition.summary.is_empty(),
        "{:?}",
        s.transition.summary
    );
    // A non-secure parameter still counts (and passwd is unchanged: reload).
    let s = run(&cib("bar", "secret", "", &recorded(true), false));
    assert_eq!(s.transition.summary, vec!["Reload rsc1 ( n1 )".to_string()]);
}
