//! `tandem crm_simulate -Q`: quiet mode prints the allocation scores and nothing else, as
//! crm_simulate 2.1.5 does (checked against Debian's crm_simulate).

use std::process::Command;

const CIB: &str = r#"<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources><primitive id="r1" class="ocf" provider="heartbeat" type="Dummy"/></resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>"#;

fn simulate(flags: &[&str]) -> String {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tandem-quiet-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("cib.xml");
    std::fs::write(&path, CIB).expect("write CIB");
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("crm_simulate")
        .arg("-x")
        .arg(&path)
        .args(flags)
        .output()
        .expect("run tandem");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "exit {:?}", out.status);
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn quiet_scores_print_only_score_lines() {
    let text = simulate(&["-s", "-S", "-Q"]);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no scores printed");
    for line in &lines {
        assert!(
            line.contains(" allocation score on "),
            "unexpected line: {line}"
        );
    }
    assert!(lines
        .iter()
        .any(|l| l.contains("r1 allocation score on n1")));
}

#[test]
fn quiet_without_scores_prints_nothing() {
    assert_eq!(simulate(&["-S", "-Q"]).trim(), "");
    let verbose = simulate(&["-S"]);
    assert!(verbose.contains("Transition Summary:"));
    assert!(
        verbose
            .lines()
            .any(|l| l.trim_start().starts_with("* Start") && l.contains("r1") && l.contains("n1")),
        "{verbose}"
    );
}
