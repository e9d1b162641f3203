//! `tandem crm_verify` names a location constraint whose `rsc-pattern` is not a valid regular
//! expression, and exits with CRM_EX_CONFIG (78).

use std::process::Command;

fn cib(pattern: &str) -> String {
    format!(
        r#"<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/></nodes>
    <resources><primitive id="web-1" class="ocf" provider="heartbeat" type="Dummy"/></resources>
    <constraints><rsc_location id="loc-web" rsc-pattern="{pattern}" node="n1" score="10"/></constraints>
  </configuration>
  <status/>
</cib>"#
    )
}

fn verify(pattern: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!(
        "tandem-verify-pattern-{}-{}",
        std::process::id(),
        pattern.len()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("cib.xml");
    std::fs::write(&path, cib(pattern)).expect("write CIB");
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("crm_verify")
        .arg("-x")
        .arg(&path)
        .output()
        .expect("run tandem");
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn invalid_rsc_pattern_is_a_config_error_naming_the_constraint() {
    let (code, stderr) = verify("web-(");
    assert_eq!(code, Some(78), "{stderr}");
    assert!(
        stderr.contains("rsc_location loc-web: invalid rsc-pattern"),
        "{stderr}"
    );
}

#[test]
fn valid_rsc_pattern_passes() {
    let (code, stderr) = verify("^web-[0-9]+$");
    assert_eq!(code, Some(0), "{stderr}");
}
