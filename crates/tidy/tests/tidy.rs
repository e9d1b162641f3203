//! Hygiene rules for the whole workspace. Each rule names what it protects.

use std::path::Path;
use tidy::{code_lines, crate_dirs, rust_files, workspace_root};

/// Crates that must stay pure: no sockets, files, clocks, threads or randomness in `src/`.
/// Each entry may allow some files that are the crate's IO edge.
const PURE_CRATES: &[(&str, &[&str])] = &[
    ("totem", &[]),
    ("quorum", &[]),
    ("scheduler", &[]),
    ("cib", &["storage.rs"]),
    ("corosync-conf", &["load.rs"]),
    ("controller", &[]),
    ("crm-syntax", &[]),
];

/// Words that mean IO, a clock, a thread or an RNG.
const IO_WORDS: &[&str] = &[
    "std::net",
    "std::fs",
    "std::thread",
    "std::process",
    "Instant::now",
    "SystemTime",
    "rand::",
    "getrandom",
    "tokio",
    "std::env::var",
];

#[test]
fn pure_crates_do_no_io() {
    let root = workspace_root();
    let mut violations = Vec::new();
    for (krate, allowed_files) in PURE_CRATES {
        let src = root.join("crates").join(krate).join("src");
        assert!(
            src.is_dir(),
            "pure crate {krate} has no src/ at {}",
            src.display()
        );
        for file in rust_files(&src) {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if allowed_files.contains(&name) {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            // Unit tests inside a `#[cfg(test)]` module may use the file system for fixtures.
            let body = text.split("#[cfg(test)]").next().unwrap_or("");
            for (line_number, line) in code_lines(body) {
                for word in IO_WORDS {
                    if line.contains(word) {
                        violations.push(format!(
                            "{}:{line_number}: `{word}` in pure crate {krate}",
                            rel(&file)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "IO in pure crates:\n{}",
        violations.join("\n")
    );
}

#[test]
fn no_ignored_or_should_panic_tests() {
    let mut violations = Vec::new();
    for dir in crate_dirs() {
        for file in rust_files(&dir) {
            if file.ends_with("tidy.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (line_number, line) in code_lines(&text) {
                let line = line.trim();
                if line.starts_with("#[ignore") || line.starts_with("#[should_panic") {
                    violations.push(format!("{}:{line_number}: {line}", rel(&file)));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "assert today's behaviour with a FIXME instead of ignoring a test:\n{}",
        violations.join("\n")
    );
}

#[test]
fn every_crate_says_what_it_is_for() {
    let architecture =
        std::fs::read_to_string(workspace_root().join("ARCHITECTURE.md")).unwrap_or_default();
    let mut violations = Vec::new();
    for dir in crate_dirs() {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let root_file = ["src/lib.rs", "src/main.rs"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.exists());
        match root_file {
            Some(file) => {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                if !text.trim_start().starts_with("//!") {
                    violations.push(format!(
                        "{}: no `//!` crate doc comment at the top",
                        rel(&file)
                    ));
                }
            }
            None => violations.push(format!("{}: no src/lib.rs or src/main.rs", rel(&dir))),
        }
        if !architecture.contains(&format!("### `{name}`")) {
            violations.push(format!(
                "ARCHITECTURE.md: no section `### `{name}`` for crate {name}"
            ));
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn readme_test_command_is_what_ci_runs() {
    let root = workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap_or_default();
    assert!(
        readme.contains("scripts/test.sh"),
        "README.md must give scripts/test.sh as the test command"
    );
    assert!(
        ci.contains("scripts/test.sh"),
        ".ci/run must run scripts/test.sh"
    );
}

fn rel(path: &Path) -> String {
    path.strip_prefix(workspace_root())
        .unwrap_or(path)
        .display()
        .to_string()
}
