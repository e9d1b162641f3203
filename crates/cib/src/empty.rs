//! Empty CIBs: what a cluster with no stored configuration starts from, what a new shadow
//! copy holds, and what an erase leaves.

use crate::xml::Element;

/// The configuration's sections, in Pacemaker's order.
pub const CONFIGURATION_SECTIONS: [&str; 4] = ["crm_config", "nodes", "resources", "constraints"];

/// A `<cib>` with root attributes `attrs`, empty configuration sections and an empty
/// status section.
pub fn cib_with(attrs: Vec<(String, String)>) -> Element {
    let mut config = Element::new("configuration");
    for section in CONFIGURATION_SECTIONS {
        config.children.push(Element::new(section));
    }
    let mut root = Element::new("cib");
    root.attrs = attrs;
    root.children.push(config);
    root.children.push(Element::new("status"));
    root
}

/// The empty CIB a cluster with no stored configuration starts from (what Debian's
/// `cibadmin --empty` prints, at epoch 1).
pub fn first_start() -> Element {
    cib_with(
        [
            ("crm_feature_set", "3.16.1"),
            ("validate-with", "pacemaker-3.9"),
            ("epoch", "1"),
            ("num_updates", "0"),
            ("admin_epoch", "0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_start_cib_is_pacemakers_empty_one() {
        assert_eq!(
            first_start().to_xml(),
            "<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"1\" \
             num_updates=\"0\" admin_epoch=\"0\">\n  <configuration>\n    <crm_config/>\n    \
             <nodes/>\n    <resources/>\n    <constraints/>\n  </configuration>\n  <status/>\n</cib>\n"
        );
    }
}
