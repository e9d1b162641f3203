//! Real-process tests: `tandemd` nodes in network namespaces, checked through the IPC API and the
//! `tandem` CLI. Run only with TANDEM_SLOW_TESTS=1, as root.

mod harness;

use std::time::Duration;

use harness::{Cluster, Options};

#[test]
fn node_with_wrong_authkey_never_joins() {
    if !harness::enabled("node_with_wrong_authkey_never_joins") {
        return;
    }
    let mut options = Options::new(3);
    options.crypto = true;
    options.wrong_key_node = Some(3);
    let mut cluster = Cluster::start(options);
    cluster.wait_for_ring(&[1, 2], Duration::from_secs(20));
    // Give node 3 several merge and join intervals to (wrongly) get in.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(cluster.status(3).ring_members, vec![3]);
    assert_eq!(cluster.status(1).ring_members, vec![1, 2]);
    assert!(
        cluster.running(3),
        "the wrong-key node keeps running on its own"
    );
    let dropped: u64 = cluster
        .status(1)
        .stats
        .iter()
        .filter(|(key, _)| key == "transport.dropped_auth")
        .map(|(_, value)| *value)
        .sum();
    assert!(
        dropped > 0,
        "node 1 counted node 3's packets as unauthenticated"
    );
}
