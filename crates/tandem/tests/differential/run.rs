//! Runs one generated CIB through both tools and compares their decisions.

use super::summary::decisions;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The reference scheduler.
pub const REFERENCE: &str = "/usr/sbin/crm_simulate";
/// Largest output kept from one run (bytes); generated CIBs are small.
const MAX_OUTPUT: usize = 1 << 20;

/// Both tools' outputs for one CIB.
pub struct Outcome {
    /// Reference's exit status and output.
    pub reference: (Option<i32>, String),
    /// Ours.
    pub ours: (Option<i32>, String),
    /// Whether the Transition Summaries agree (and both tools succeeded).
    pub agree: bool,
    /// Whether the reference accepted the CIB at all.
    pub valid: bool,
}

fn run(cmd: &mut Command, dir: &Path) -> (Option<i32>, String) {
    match cmd.current_dir(dir).env("CIB_shadow_dir", dir).output() {
        Ok(o) => {
            let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&o.stderr));
            text.truncate(MAX_OUTPUT);
            (o.status.code(), text)
        }
        Err(e) => (None, format!("could not run: {e}")),
    }
}

/// A scratch directory for one worker, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// Writes `cib` into `dir` and runs `crm_simulate -x cib.xml -S` with both tools.
pub fn compare(tandem: &str, cib: &str, dir: &Path) -> Outcome {
    let file = dir.join("cib.xml");
    std::fs::write(&file, cib).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
    let reference = run(Command::new(REFERENCE).arg("-x").arg(&file).arg("-S"), dir);
    let ours = run(
        Command::new(tandem)
            .arg("crm_simulate")
            .arg("-x")
            .arg(&file)
            .arg("-S"),
        dir,
    );
    let valid = reference.0 == Some(0) && decisions(&reference.1).is_some();
    let agree = valid && ours.0 == Some(0) && decisions(&reference.1) == decisions(&ours.1);
    Outcome {
        reference,
        ours,
        agree,
        valid,
    }
}
