//! The OpenStack HA guide's crm commands load verbatim into the CIB crmsh builds
//! (fixtures `property.xml` and `openstack-mysql.xml` were recorded from crmsh 4.4).

use crm_syntax::{load_update, parse, EMPTY_CIB};

const PROPERTY: &str = r#"property no-quorum-policy="ignore" pe-warn-series-max="1000" pe-input-series-max="1000" pe-error-series-max="1000" cluster-recheck-interval="5min""#;

fn load(text: &str) -> cib::xml::Element {
    let st = parse(text, "guide").unwrap_or_else(|e| panic!("{e}"));
    let mut cib = cib::xml::parse(EMPTY_CIB).expect("empty CIB");
    load_update(&mut cib, &st).unwrap_or_else(|e| panic!("{e}"));
    cib
}

#[test]
fn guide_property_line() {
    let cib = load(PROPERTY);
    let set = cib
        .child("configuration")
        .and_then(|c| c.child("crm_config"))
        .and_then(|c| c.child("cluster_property_set"))
        .expect("property set");
    assert_eq!(set.id(), "cib-bootstrap-options");
    let got: Vec<(&str, &str, &str)> = set
        .children
        .iter()
        .map(|n| (n.attr("name").unwrap(), n.attr("value").unwrap(), n.id()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "no-quorum-policy",
                "ignore",
                "cib-bootstrap-options-no-quorum-policy"
            ),
            (
                "pe-warn-series-max",
                "1000",
                "cib-bootstrap-options-pe-warn-series-max"
            ),
            (
                "pe-input-series-max",
                "1000",
                "cib-bootstrap-options-pe-input-series-max"
            ),
            (
                "pe-error-series-max",
                "1000",
                "cib-bootstrap-options-pe-error-series-max"
            ),
            (
                "cluster-recheck-interval",
                "5min",
                "cib-bootstrap-options-cluster-recheck-interval"
            ),
        ]
    );
}

#[test]
fn guide_mysql_snippet() {
    let text = include_str!("fixtures/openstack-mysql.crm");
    let cib = load(text);
    let xml = cib.to_xml();
    for want in [
        r#"<op name="monitor" interval="30s" role="Slave" id="p_drbd_mysql-monitor-30s"/>"#,
        r#"<op name="monitor" interval="29s" role="Master" id="p_drbd_mysql-monitor-29s"/>"#,
        r#"<op name="start" timeout="90s" interval="0" id="p_drbd_mysql-start-0"/>"#,
        r#"<nvpair name="additional_parameters" value="--bind-address=192.168.42.101" id="p_mysql-instance_attributes-additional_parameters"/>"#,
        r#"<rsc_colocation id="c_mysql_on_drbd" score="INFINITY" rsc="g_mysql" with-rsc="ms_drbd_mysql" with-rsc-role="Master"/>"#,
        r#"<rsc_order id="o_drbd_before_mysql" kind="Mandatory" first="ms_drbd_mysql" first-action="promote" then="g_mysql" then-action="start"/>"#,
        r#"<master id="ms_drbd_mysql">"#,
        r#"<nvpair name="notify" value="true" id="ms_drbd_mysql-meta_attributes-notify"/>"#,
    ] {
        assert!(xml.contains(want), "missing {want} in\n{xml}");
    }
    let resources = cib
        .child("configuration")
        .and_then(|c| c.child("resources"))
        .expect("resources");
    let top: Vec<&str> = resources.children.iter().map(|c| c.id()).collect();
    assert_eq!(top, ["g_mysql", "ms_drbd_mysql"]);
    let group: Vec<&str> = resources.children[0]
        .children
        .iter()
        .map(|c| c.id())
        .collect();
    assert_eq!(group, ["p_ip_mysql", "p_fs_mysql", "p_mysql"]);
    // The agent is recorded as written; whether it is installed is the caller's check.
    assert!(
        xml.contains(r#"<primitive id="p_drbd_mysql" class="ocf" provider="linbit" type="drbd">"#)
    );
}

#[test]
fn show_selected_objects() {
    let cib = load(include_str!("fixtures/openstack-mysql.crm"));
    let text = crm_syntax::show_ids(&cib, &["c_mysql_on_drbd", "g_mysql"]).unwrap();
    assert_eq!(
        text,
        "group g_mysql p_ip_mysql p_fs_mysql p_mysql\ncolocation c_mysql_on_drbd inf: g_mysql ms_drbd_mysql:Master\n"
    );
    let e = crm_syntax::show_ids(&cib, &["nope"]).unwrap_err();
    assert_eq!(e.to_string(), "object 'nope' does not exist");
}
