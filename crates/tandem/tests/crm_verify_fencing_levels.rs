//! `tandem crm_verify` checks fencing levels: what Pacemaker's schema rejects exits with
//! CRM_EX_CONFIG (78) naming the file, line and level; what only cannot work (a device or
//! node that does not exist) is a warning shown with `-V`, exit 0, as Pacemaker 2.1.5's
//! crm_verify accepts it.

use std::process::Command;

fn cib(levels: &str) -> String {
    format!(
        r#"<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources><primitive id="f1" class="stonith" type="fence_dummy"/></resources>
    <constraints/>
    <fencing-topology>
      {levels}
    </fencing-topology>
  </configuration>
  <status/>
</cib>"#
    )
}

fn verify(name: &str, levels: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!(
        "tandem-verify-levels-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("cib.xml");
    std::fs::write(&path, cib(levels)).expect("write CIB");
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("crm_verify")
        .arg("-x")
        .arg(&path)
        .arg("-V")
        .output()
        .expect("run tandem");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr =
        String::from_utf8_lossy(&out.stderr).replace(&path.display().to_string(), "cib.xml");
    (out.status.code(), stderr)
}

#[test]
fn a_bad_index_is_a_config_error_naming_the_level() {
    let (code, stderr) = verify(
        "index",
        r#"<fencing-level id="l1" target="n1" index="0" devices="f1"/>"#,
    );
    assert_eq!(code, Some(78), "{stderr}");
    assert!(
        stderr.contains("error: cib.xml:8: fencing-level l1: index '0' is not a positive integer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Errors found during check: config not valid"),
        "{stderr}"
    );
}

#[test]
fn a_missing_device_or_node_and_a_duplicate_are_warnings() {
    let (code, stderr) = verify(
        "warn",
        r#"<fencing-level id="l1" target="n9" index="1" devices="f1,nosuch"/>
      <fencing-level id="l2" target="n9" index="1" devices="f1"/>"#,
    );
    assert_eq!(code, Some(0), "{stderr}");
    for want in [
        "warning: cib.xml:8: fencing-level l1: no fencing device named 'nosuch'",
        "warning: cib.xml:8: fencing-level l1: target 'n9' is not a node in the nodes section",
        "warning: cib.xml:9: fencing-level l2: same target 'n9' and index 1 as fencing-level l1; only one is used",
    ] {
        assert!(stderr.contains(want), "want {want}\n{stderr}");
    }
}

#[test]
fn a_sound_topology_passes_quietly() {
    let (code, stderr) = verify(
        "ok",
        r#"<fencing-level id="l1" target="n1" index="1" devices="f1"/>
      <fencing-level id="l2" target="n2" index="1" devices="f1"/>"#,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("fencing-level"), "{stderr}");
}
