//! Which history records are compared with the definition (every start, promote,
//! migrate_from and running probe since the last stop; not notifications, demotes or
//! reloads), parameters inherited from the enclosing clone, and role="Started" monitors of
//! promotable clones. Checked against crm_simulate 2.1.5.

mod common;
use common::{labels, run, summary};

use std::collections::HashMap;

use scheduler::digest::op_digest;

/// The digest of `pairs` as a non-recurring record carries it.
fn digest(pairs: &[(&str, &str)]) -> String {
    let p: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    op_digest(&p, 0, 0)
}

/// A record of `task` (call `call`, exit code `rc` where `expected` was wanted) digested `d`.
fn rec(task: &str, call: u32, rc: i32, expected: i32, d: &str) -> String {
    format!(
        r#"<lrm_rsc_op id="r_{task}_{call}" operation="{task}" interval="0" call-id="{call}" rc-code="{rc}" op-status="0" transition-key="1:1:{expected}:x" transition-magic="0:{rc};1:1:{expected}:x" op-digest="{d}"/>"#
    )
}

/// Primitive `r` (parameter fake=1, inside `wrap` = (opening, closing) elements) on n1
/// with `history`.
fn cib(wrap: (&str, &str), ops: &str, history: &[String]) -> String {
    let agent = if wrap.0.contains("promotable") {
        "Stateful"
    } else {
        "Dummy"
    };
    format!(
        r#"<cib have-quorum="1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/></nodes>
<resources>{}<primitive id="r" class="ocf" provider="pacemaker" type="{agent}">
<instance_attributes id="ri"><nvpair id="ri1" name="fake" value="1"/></instance_attributes>
<operations>{ops}</operations></primitive>{}</resources>
<constraints/></configuration>
<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>
<lrm_resource id="r" class="ocf" provider="pacemaker" type="{agent}">{}</lrm_resource>
</lrm_resources></lrm></node_state></status></cib>"#,
        wrap.0,
        wrap.1,
        history.concat()
    )
}

const PLAIN: (&str, &str) = ("", "");
const PROMOTABLE: (&str, &str) = (
    r#"<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/><nvpair id="cm2" name="clone-max" value="1"/></meta_attributes>"#,
    "</clone>",
);

fn good() -> String {
    digest(&[("fake", "1")])
}

const BAD: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn a_changed_notification_digest_is_ignored_but_an_earlier_start_is_compared() {
    let s = run(&cib(
        PLAIN,
        "",
        &[rec("start", 2, 0, 0, &good()), rec("notify", 3, 0, 0, BAD)],
    ));
    assert!(summary(&s).is_empty(), "{:?}", summary(&s));
    let s = run(&cib(
        PLAIN,
        "",
        &[rec("start", 2, 0, 0, BAD), rec("notify", 3, 0, 0, &good())],
    ));
    assert_eq!(
        summary(&s),
        vec!["Restart r ( n1 ) due to resource definition change".to_string()]
    );
}

#[test]
fn promote_is_compared_demote_is_not() {
    let s = run(&cib(
        PROMOTABLE,
        "",
        &[
            rec("start", 2, 0, 0, &good()),
            rec("promote", 3, 0, 0, &good()),
            rec("demote", 4, 0, 0, BAD),
        ],
    ));
    assert!(summary(&s).is_empty(), "{:?}", summary(&s));
    let s = run(&cib(
        PROMOTABLE,
        "",
        &[
            rec("start", 2, 0, 0, &good()),
            rec("promote", 3, 0, 0, BAD),
            rec("demote", 4, 0, 0, &good()),
        ],
    ));
    assert_eq!(
        summary(&s),
        vec!["Restart r:0 ( Unpromoted n1 ) due to resource definition change".to_string()]
    );
}

#[test]
fn records_before_the_last_stop_and_not_running_probes_are_not_compared() {
    let s = run(&cib(
        PLAIN,
        "",
        &[
            rec("start", 2, 0, 0, BAD),
            rec("stop", 3, 0, 0, BAD),
            rec("start", 4, 0, 0, &good()),
        ],
    ));
    assert!(summary(&s).is_empty(), "{:?}", summary(&s));
    let s = run(&cib(
        PLAIN,
        "",
        &[rec("monitor", 2, 7, 7, BAD), rec("start", 3, 0, 0, &good())],
    ));
    assert!(summary(&s).is_empty(), "{:?}", summary(&s));
}

#[test]
fn a_probe_that_found_it_running_is_compared() {
    let s = run(&cib(
        PLAIN,
        "",
        &[rec("start", 2, 0, 0, &good()), rec("monitor", 3, 0, 7, BAD)],
    ));
    assert_eq!(
        summary(&s),
        vec!["Restart r ( n1 ) due to resource definition change".to_string()]
    );
}

#[test]
fn clone_instance_attributes_are_digested_with_the_members() {
    let wrap = (
        r#"<clone id="c"><instance_attributes id="ci"><nvpair id="ci1" name="extra" value="x"/></instance_attributes>"#,
        "</clone>",
    );
    let inherited = digest(&[("extra", "x"), ("fake", "1")]);
    let s = run(&cib(wrap, "", &[rec("start", 2, 0, 0, &inherited)]));
    assert!(summary(&s).is_empty(), "{:?}", summary(&s));
    let s = run(&cib(wrap, "", &[rec("start", 2, 0, 0, &good())]));
    assert_eq!(
        summary(&s),
        vec!["Restart r:0 ( n1 ) due to resource definition change".to_string()]
    );
}

#[test]
fn started_role_monitors_of_a_promotable_clone_are_not_scheduled() {
    let started = r#"<op id="m" name="monitor" interval="10s" role="Started"/>"#;
    let plain = r#"<op id="m" name="monitor" interval="10s"/>"#;
    let history = [rec("start", 2, 0, 0, &good())];
    let s = run(&cib(PROMOTABLE, started, &history));
    assert!(
        !labels(&s).iter().any(|l| l.contains("monitor=10000")),
        "{:?}",
        labels(&s)
    );
    let s = run(&cib(PROMOTABLE, plain, &history));
    assert!(
        labels(&s).iter().any(|l| l.contains("monitor=10000")),
        "{:?}",
        labels(&s)
    );
}

#[test]
fn a_restart_digest_without_its_parameter_list_covers_every_parameter() {
    let record = |restart: &str| {
        format!(
            r#"<lrm_rsc_op id="r_last_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" op-digest="{BAD}" op-restart-digest="{restart}"/>"#
        )
    };
    let s = run(&cib(PLAIN, "", &[record(&good())]));
    assert_eq!(summary(&s), vec!["Reload r ( n1 )".to_string()]);
    let s = run(&cib(PLAIN, "", &[record(&digest(&[("fake", "2")]))]));
    assert_eq!(
        summary(&s),
        vec!["Restart r ( n1 ) due to resource definition change".to_string()]
    );
}
