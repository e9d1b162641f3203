//! A CIB replica that differs from the DC's is found by the DC's check once the cluster is
//! idle, and every member resynchronises: the replicas end identical.

mod harness;

use controller::{CibOp, Input, Message};
use harness::Sim;

#[test]
fn a_replica_that_differs_from_the_dcs_is_resynchronised() {
    let mut sim = Sim::three_running(&harness::three_dummies_unfenced());
    sim.settle(60_000);
    assert_eq!(sim.cib_xml(1), sim.cib_xml(3));
    // A message that only node 3 applies (as if delivered outside the group's order).
    let stray = Message::Admin {
        req: 0,
        op: CibOp::SetAttr {
            node: sim.name(2),
            name: "stray".into(),
            value: Some("1".into()),
        },
    };
    sim.input(
        3,
        Input::Message {
            from: 1,
            bytes: stray.encode(),
        },
    );
    assert_ne!(sim.cib_xml(1), sim.cib_xml(3), "node 3 now differs");
    // The DC checks once idle (at most every 10 s): node 3 asks for a resync.
    sim.run_for(12_000);
    sim.settle(60_000);
    let one = sim.cib_xml(1);
    assert_eq!(one, sim.cib_xml(2), "node 2 equals the DC");
    assert_eq!(one, sim.cib_xml(3), "node 3 equals the DC");
    assert!(sim.double_active.is_empty(), "{:?}", sim.double_active);
    // And it stays quiet: no further resync while nothing changes.
    let transitions = sim.ctrl(1).transitions();
    sim.run_for(30_000);
    assert!(sim.ctrl(1).transitions() <= transitions + 1);
    assert_eq!(sim.cib_xml(1), sim.cib_xml(3));
}
