//! Fuzz target: the scheduler returns a transition for every CIB the parser accepts, never
//! panics, and prints the crm_simulate report. Seed the corpus with the shared regression cases
//! (`cp ../../../../shared/scheduler-cases/*.xml corpus/schedule/`), then
//! `cargo +nightly fuzz run schedule` from crates/scheduler.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// A fixed "now" so runs replay (2026-01-01T00:00:00Z).
const NOW: i64 = 1_767_225_600;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(root) = cib::xml::parse(text) else {
        return;
    };
    let Ok(doc) = cib::Cib::from_element(root) else {
        return;
    };
    let schedule = scheduler::schedule(&doc, NOW);
    let _ = scheduler::report::status_text(&schedule.before);
    let _ = scheduler::report::graph_xml(&schedule);
    let _ = scheduler::report::graph_dot(&schedule);
});
