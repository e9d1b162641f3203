//! Promotion among instances with equal promotion scores: one being recovered comes after
//! the healthy ones, unless it is the promoted instance. Checked against crm_simulate 2.1.5.

mod common;
use common::{run, summary};

const DIGEST: &str = "f2317cad3d54cec5d7d7aa7d0bf35cf8";

/// n1..n3 each run an unpromoted instance (promotion score 5); n1's (promoted first when
/// `promoted`) has a failed monitor when `failed`.
fn cib(failed: bool, promoted: bool) -> String {
    let mut status = String::new();
    for n in ["n1", "n2", "n3"] {
        let mut ops = format!(
            r#"<lrm_rsc_op id="r_last_0" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="{DIGEST}"/>"#
        );
        if n == "n1" && promoted {
            ops += r#"<lrm_rsc_op id="r_promote" operation="promote" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="0"/>"#;
        }
        if n == "n1" && failed {
            ops += r#"<lrm_rsc_op id="r_last_failure_0" operation="monitor" transition-key="2:1:0:x" transition-magic="0:1;2:1:0:x" call-id="4" rc-code="1" op-status="0" interval="10000"/>"#;
        }
        status += &format!(
            r#"<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="{n}"><instance_attributes id="{n}-a"><nvpair id="{n}-p" name="master-r" value="5"/></instance_attributes></transient_attributes><lrm id="{n}"><lrm_resources><lrm_resource id="r" class="ocf" provider="pacemaker" type="Stateful">{ops}</lrm_resource></lrm_resources></lrm></node_state>"#
        );
    }
    format!(
        r#"<cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
<resources><clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/></meta_attributes><primitive id="r" class="ocf" provider="pacemaker" type="Stateful"><operations><op id="m1" name="monitor" interval="10s"/></operations></primitive></clone></resources>
<constraints/></configuration><status>{status}</status></cib>"#
    )
}

#[test]
fn a_recovering_instance_yields_the_promotion_to_an_equal_healthy_one() {
    assert_eq!(
        summary(&run(&cib(true, false))),
        vec![
            "Promote r:1 ( Unpromoted -> Promoted n2 )".to_string(),
            "Recover r:0 ( Unpromoted n1 )".to_string(),
        ]
    );
    assert_eq!(
        summary(&run(&cib(false, false))),
        vec!["Promote r:0 ( Unpromoted -> Promoted n1 )".to_string()]
    );
}

#[test]
fn a_recovering_promoted_instance_stays_promoted() {
    assert_eq!(
        summary(&run(&cib(true, true))),
        vec!["Recover r:0 ( Promoted n1 )".to_string()]
    );
}
