//! What both real-process harnesses here ([`e2e`](../e2e/mod.rs) for whole nodes,
//! [`harness`](../harness/mod.rs) for messaging-only clusters) share: the gate on
//! `TANDEM_SLOW_TESTS` and root, and the removal of a lab's leftover namespaces. Each
//! includes it with `#[path = "../common/mod.rs"]`.

#![allow(dead_code)]

use std::process::{Command, Stdio};

/// Whether real-process tests may run here; prints why not.
pub fn enabled(test: &str) -> bool {
    if std::env::var("TANDEM_SLOW_TESTS").as_deref() != Ok("1") {
        eprintln!("{test}: skipped (set TANDEM_SLOW_TESTS=1 to run real-process tests)");
        return false;
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("{test}: skipped (needs root for network namespaces)");
        return false;
    }
    true
}

/// Deletes every network namespace whose name starts with `prefix` (a test's leftovers).
pub fn delete_namespaces(prefix: &str) {
    let Ok(out) = Command::new("ip")
        .args(["netns", "list"])
        .stdin(Stdio::null())
        .output()
    else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        if name.starts_with(prefix) {
            let _ = Command::new("ip")
                .args(["netns", "del", name])
                .stdin(Stdio::null())
                .output();
        }
    }
}
