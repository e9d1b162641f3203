//! Bulk removal of resources (`cibadmin --replace` of a configuration without them): the
//! removed resources stop and every node forgets their histories, so a later bulk add of
//! the same names probes them on every node again.

mod harness;

use cib::xml::{self, Element};
use controller::CibOp;
use harness::{cib_with, dummy_primitive, Sim};

const COUNT: usize = 12;

fn names() -> Vec<String> {
    (1..=COUNT).map(|i| format!("r{i}")).collect()
}

fn with_resources(epoch: u64, present: bool) -> Element {
    let rscs: String = if present {
        names().iter().map(|n| dummy_primitive(n)).collect()
    } else {
        String::new()
    };
    let mut root =
        xml::parse(&cib_with(&[("stonith-enabled", "false")], &rscs, "")).expect("test CIB parses");
    root.set_attr("epoch", &epoch.to_string());
    root
}

/// `(node, history id)` of every `lrm_resource` in node `id`'s replica whose id is one of
/// the test's resources.
fn histories(sim: &Sim, id: u32) -> Vec<(String, String)> {
    let names = names();
    let cib = sim.ctrl(id).cib().expect("cib");
    cib.child("status")
        .into_iter()
        .flat_map(|s| s.children_named("node_state"))
        .flat_map(|ns| {
            let uname = ns.attr("uname").unwrap_or("").to_string();
            ns.child("lrm")
                .and_then(|l| l.child("lrm_resources"))
                .into_iter()
                .flat_map(|l| l.children_named("lrm_resource"))
                .map(move |r| (uname.clone(), r.id().to_string()))
        })
        .filter(|(_, r)| names.contains(r))
        .collect()
}

#[test]
fn bulk_removal_forgets_every_history_and_a_bulk_add_probes_everywhere() {
    let mut sim = Sim::new(3);
    for id in 1..=3 {
        sim.boot_with(id, None);
    }
    sim.set_parts(vec![vec![1, 2, 3]]);
    sim.settle(60_000);
    sim.admin(2, 1, CibOp::Replace(with_resources(10, true)));
    sim.settle(120_000);
    for n in names() {
        assert_eq!(sim.running_on(&n).len(), 1, "{n} runs once");
    }
    // Remove them all; nothing else happens afterwards (no other change would make the
    // DC schedule again).
    sim.admin(2, 2, CibOp::Replace(with_resources(20, false)));
    sim.settle(120_000);
    for n in names() {
        assert!(sim.running_on(&n).is_empty(), "{n} still runs");
    }
    for id in 1..=3 {
        let left = histories(&sim, id);
        assert!(
            left.is_empty(),
            "node{id}'s replica keeps removed histories: {left:?}"
        );
    }
    // Add them again: each is probed on all three nodes.
    for n in &mut sim.nodes {
        n.exec.log.clear();
    }
    sim.admin(2, 3, CibOp::Replace(with_resources(30, true)));
    sim.settle(120_000);
    for n in names() {
        let probed: Vec<&str> = sim
            .nodes
            .iter()
            .filter(|node| {
                node.exec
                    .log
                    .iter()
                    .any(|(r, a, i)| *r == n && a == "monitor" && *i == 0)
            })
            .map(|node| node.name.as_str())
            .collect();
        assert_eq!(probed.len(), 3, "{n} probed on {probed:?} only");
        assert_eq!(sim.running_on(&n).len(), 1, "{n} runs once");
    }
}
