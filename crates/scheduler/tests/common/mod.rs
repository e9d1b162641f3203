//! Helpers the scheduler's integration tests share: run a CIB, read its decisions.
#![allow(dead_code)] // each test file uses its own subset

/// Schedules the CIB text at time 0.
pub fn run(xml: &str) -> scheduler::Schedule {
    let cib = cib::Cib::parse(xml).expect("test CIB parses");
    scheduler::schedule(&cib, 0)
}

/// The Transition Summary lines, sorted.
pub fn summary(s: &scheduler::Schedule) -> Vec<String> {
    let mut v = s.transition.summary.clone();
    v.sort();
    v
}

/// The Transition Summary lines with their padding collapsed to single spaces, sorted.
pub fn summary_words(s: &scheduler::Schedule) -> Vec<String> {
    let mut v: Vec<String> = s
        .transition
        .summary
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    v.sort();
    v
}

/// The labels of every action of the transition, sorted.
pub fn labels(s: &scheduler::Schedule) -> Vec<String> {
    let mut v: Vec<String> = s
        .transition
        .actions
        .iter()
        .map(|a| a.label.clone())
        .collect();
    v.sort();
    v
}

/// A non-recurring `lrm_rsc_op` history record of `task` with exit code `rc`.
pub fn op(id: &str, task: &str, rc: i32, call: u32) -> String {
    format!(
        r#"<lrm_rsc_op id="{id}_{task}_{call}" operation="{task}" call-id="{call}" rc-code="{rc}" op-status="0" interval="0" transition-key="1:1:0:x" on_node="n"/>"#
    )
}
