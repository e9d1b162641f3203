//! Differential test against real crmsh (Debian's `crm`), run only when
//! TANDEM_SLOW_TESTS=1 and `crm` and `cibadmin` are installed: every fixture is loaded
//! by crmsh now (not from the recorded files) and by us, and the configurations must
//! agree. This catches fixtures that no longer match the installed crmsh.

use std::path::Path;
use std::process::Command;

mod common;
use common::canonical;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn fixtures_agree_with_installed_crmsh() {
    if std::env::var("TANDEM_SLOW_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: set TANDEM_SLOW_TESTS=1 to compare with real crmsh");
        return;
    }
    if !have("crm") || !have("cibadmin") {
        eprintln!("skipped: crmsh (crm) or cibadmin is not installed");
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let tmp = std::env::temp_dir().join(format!("crm-syntax-diff-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut failures = Vec::new();
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "crm") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let out = tmp.join(&name);
        std::fs::create_dir_all(&out).expect("out dir");
        // Reuse the recording script, pointed at a copy, so the logic is in one place.
        std::fs::copy(&path, out.join(format!("{name}.crm"))).expect("copy");
        std::fs::copy(dir.join("regen.sh"), out.join("regen.sh")).expect("copy script");
        let status = Command::new("sh")
            .arg(out.join("regen.sh"))
            .arg(format!("{name}.crm"))
            .output()
            .expect("run regen.sh");
        assert!(status.status.success(), "regen.sh failed for {name}");
        let crmsh_xml =
            std::fs::read_to_string(out.join(format!("{name}.xml"))).expect("crmsh xml");
        let want = cib::xml::parse(&crmsh_xml).expect("crmsh output parses");
        let text = std::fs::read_to_string(&path).expect("fixture");
        let got = common::ours(&text, &name).unwrap_or_else(|e| panic!("{e}"));
        if canonical(&got) != canonical(&want) {
            failures.push(format!(
                "{name}:\n--- crmsh\n{crmsh_xml}--- ours\n{}",
                got.to_xml()
            ));
        }
        compared += 1;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(compared >= 20, "compared only {compared} fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
