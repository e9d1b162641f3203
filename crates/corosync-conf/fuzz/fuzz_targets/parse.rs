//! Fuzz target: `corosync_conf::parse` never panics on any text, and a
//! configuration it accepts yields timers and a cmap view without panicking.
//! Run with `cargo fuzz run parse` from crates/corosync-conf.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(parsed) = corosync_conf::parse(text, "fuzz.conf") {
            let _ = parsed.config.timers();
            let _ = parsed.config.expected_votes();
        }
        if let Ok(tree) = corosync_conf::parse_tree(text, "fuzz.conf") {
            let _ = corosync_conf::cmap_keys(&tree);
        }
    }
});
