//! The packaged systemd unit (`packaging/tandemd.service`): its keys, and
//! `systemd-analyze verify` when systemd is installed.

use std::collections::BTreeMap;

/// The unit file as shipped.
const UNIT: &str = include_str!("../../../packaging/tandemd.service");

/// `section -> key -> values` (a key may repeat), with a parse error naming the line.
fn parse_unit(text: &str) -> Result<BTreeMap<String, BTreeMap<String, Vec<String>>>, String> {
    let mut sections: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.to_string());
            sections.entry(name.to_string()).or_default();
            continue;
        }
        let section = current
            .as_ref()
            .ok_or_else(|| format!("line {}: key outside a section", index + 1))?;
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: not KEY=VALUE: {line}", index + 1))?;
        sections
            .entry(section.clone())
            .or_default()
            .entry(key.trim().to_string())
            .or_default()
            .push(value.trim().to_string());
    }
    Ok(sections)
}

fn one<'a>(
    unit: &'a BTreeMap<String, BTreeMap<String, Vec<String>>>,
    section: &str,
    key: &str,
) -> &'a str {
    match unit
        .get(section)
        .and_then(|s| s.get(key))
        .map(Vec::as_slice)
    {
        Some([value]) => value,
        other => panic!("[{section}] {key}: expected one value, found {other:?}"),
    }
}

#[test]
fn unit_has_the_keys_the_package_relies_on() {
    let unit = parse_unit(UNIT).expect("unit parses");
    assert_eq!(one(&unit, "Service", "Type"), "simple");
    let exec: Vec<&str> = one(&unit, "Service", "ExecStart").split(' ').collect();
    assert_eq!(
        exec,
        [
            "/usr/sbin/tandemd",
            "-c",
            "/etc/corosync/corosync.conf",
            "--state-dir",
            "/var/lib/tandem",
            "--socket",
            "/run/tandem/tandem.sock"
        ]
    );
    // The directories systemd creates are the ones ExecStart names.
    assert_eq!(one(&unit, "Service", "RuntimeDirectory"), "tandem");
    assert_eq!(one(&unit, "Service", "StateDirectory"), "tandem");
    assert_eq!(one(&unit, "Service", "Restart"), "on-failure");
    // Clean stop: SIGTERM to tandemd first (it leaves the ring), leftovers killed after.
    assert_eq!(one(&unit, "Service", "KillMode"), "mixed");
    assert_eq!(one(&unit, "Service", "KillSignal"), "SIGTERM");
    // tandemd ignores SIGHUP: advertising a reload would be a lie.
    assert!(!unit["Service"].contains_key("ExecReload"));
    assert_eq!(one(&unit, "Install", "WantedBy"), "multi-user.target");
    assert!(one(&unit, "Unit", "Conflicts").contains("corosync.service"));
}

#[test]
fn unit_parser_names_the_bad_line() {
    assert_eq!(
        parse_unit("Type=simple\n").unwrap_err(),
        "line 1: key outside a section"
    );
    assert_eq!(
        parse_unit("[Service]\n\nExecStart\n").unwrap_err(),
        "line 3: not KEY=VALUE: ExecStart"
    );
}

/// Black box: systemd's own checker accepts the unit (with ExecStart pointed at an
/// existing program, since tandemd is not installed where the unit expects it).
#[test]
fn systemd_analyze_verify_accepts_the_unit() {
    let Ok(version) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        eprintln!("systemd-analyze is not installed; the key test above still ran");
        return;
    };
    assert!(version.status.success());
    let dir = std::env::temp_dir().join(format!("tandem-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("tandemd.service");
    std::fs::write(&path, UNIT.replace("/usr/sbin/tandemd ", "/bin/true ")).expect("write");
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("run systemd-analyze");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    // Complaints about other units on this host are not ours; ours are named by file.
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("tandemd.service"))
        .collect();
    assert!(out.status.success() && ours.is_empty(), "{stderr}");
}
