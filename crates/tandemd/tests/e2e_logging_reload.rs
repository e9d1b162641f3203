//! End-to-end: `tandem cfgtool -R` applies corosync.conf's `logging {}` to a running node,
//! without a restart: `debug: on` raises its log to debug, `to_logfile` + `logfile` copy
//! the log to that file; taking them out again brings the level back to info and stops
//! the file. One node (started without RUST_LOG, which would fix the level), namespaces
//! `tdx-*`, 10.204.6.0/24. Run only with TANDEM_SLOW_TESTS=1, as root.

mod e2e;

use std::time::Duration;

use e2e::{Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tdx",
    octet: 6,
};

fn cib(resources: &str) -> String {
    e2e::bare_cib(&[("stonith-enabled", "false")], resources)
}

/// The log text past byte `from`.
fn since(text: &str, from: usize) -> &str {
    text.get(from..).unwrap_or("")
}

#[test]
fn a_reload_applies_logging_debug_and_logfile() {
    if !e2e::enabled("a_reload_applies_logging_debug_and_logfile") {
        return;
    }
    let mut c = Cluster::start_in(LAB, 1);
    // Restart the node without RUST_LOG, so the configuration sets the level.
    c.terminate(1, Duration::from_secs(30));
    c.rust_log = None;
    c.start_node(1);
    c.wait_joined(&[1]);
    let conf_path = c.dir.join("corosync.conf");
    let base = std::fs::read_to_string(&conf_path).expect("read corosync.conf");
    let logfile = c.dir.join("reload.log");
    assert!(!c.log(1).contains(" DEBUG "), "debug before any reload");

    // debug on, and a log file.
    std::fs::write(
        &conf_path,
        format!(
            "{base}logging {{\n  debug: on\n  to_logfile: yes\n  logfile: {}\n}}\n",
            logfile.display()
        ),
    )
    .expect("write corosync.conf");
    let out = c.tandem(1, &["cfgtool", "-R"]);
    assert!(out.status.success(), "cfgtool -R: {out:?}");
    c.wait("the logging reload", Duration::from_secs(20), || {
        c.log(1)
            .contains(&format!(
                "logging reload: also logging to {}",
                logfile.display()
            ))
            .then_some(())
    });
    let dummy = r#"<primitive id="d1" class="ocf" provider="heartbeat" type="Dummy"/>"#;
    c.configure(&cib(dummy));
    c.wait(
        "debug lines on stderr and in the file",
        Duration::from_secs(30),
        || {
            let file = std::fs::read_to_string(&logfile).unwrap_or_default();
            let debug_dispatch = |t: &str| {
                t.lines()
                    .any(|l| l.contains(" DEBUG ") && l.contains("action dispatched"))
            };
            (debug_dispatch(&c.log(1)) && debug_dispatch(&file)).then_some(())
        },
    );

    // Back to the plain configuration: info, stderr only.
    std::fs::write(&conf_path, &base).expect("write corosync.conf");
    let out = c.tandem(1, &["cfgtool", "-R"]);
    assert!(out.status.success(), "cfgtool -R: {out:?}");
    c.wait("the second logging reload", Duration::from_secs(20), || {
        c.log(1)
            .contains("logging reload: logging to stderr only")
            .then_some(())
    });
    let mark = c.log(1).len();
    let file_len = std::fs::read_to_string(&logfile)
        .expect("the log file")
        .len();
    c.configure(&cib(""));
    c.wait("the removal's transition", Duration::from_secs(30), || {
        let log = c.log(1);
        let after = since(&log, mark);
        (after.contains("transition computed") && after.contains("transition finished"))
            .then_some(())
    });
    let log = c.log(1);
    let after = since(&log, mark);
    assert!(
        !after.contains(" DEBUG "),
        "debug lines after debug was turned off:\n{after}"
    );
    let file = std::fs::read_to_string(&logfile).expect("the log file");
    assert_eq!(
        file.len(),
        file_len,
        "the log file grew after to_logfile was taken out:\n{}",
        since(&file, file_len)
    );
}
