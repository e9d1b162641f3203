//! Real-process tests of the cluster-wide admin tools against three `tandemd` nodes:
//! `tandem quorumtool -e` (expected votes) and `-v [-n]` (a node's votes) change votequorum on
//! every node (votequorum(5): both may change at runtime; expected votes below the total of
//! votes are refused), and `tandem cfgtool -k` makes another
//! node leave the cluster and stop (corosync-cfgtool(8)).
//! Slow: runs only with TANDEM_SLOW_TESTS=1, as root.

mod harness;

use std::time::{Duration, Instant};

use harness::{Cluster, Options};

/// Polls until `check` holds on every node of `nodes` (the change travels in agreed order, so
/// every node applies it, but not at the same instant).
fn wait_all(cluster: &Cluster, nodes: &[usize], what: &str, check: impl Fn(usize) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !nodes.iter().all(|n| check(*n)) {
        assert!(
            Instant::now() < deadline,
            "{what}: not seen on every node within 10 s; quorum of node 1: {:?}",
            cluster.quorum(1)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn quorumtool_sets_expected_votes_and_votes_cluster_wide() {
    if !harness::enabled("quorumtool_sets_expected_votes_and_votes_cluster_wide") {
        return;
    }
    let cluster = Cluster::start(Options::new(3));
    cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(20));
    let before = cluster.quorum(2);
    assert_eq!(
        (before.expected_votes, before.total_votes, before.quorum),
        (3, 3, 2)
    );
    let Some((code, text)) = cluster.tandem(1, &["quorumtool", "-e", "5"]) else {
        eprintln!("tandem CLI not built next to tandemd: tool checks skipped");
        return;
    };
    assert_eq!(code, 0, "quorumtool -e 5: {text}");
    wait_all(&cluster, &[1, 2, 3], "expected votes 5", |n| {
        let q = cluster.quorum(n);
        q.expected_votes == 5 && q.quorum == 3 && q.quorate
    });
    // Node 3 gets 2 votes (asked on node 1): total 4 everywhere, node 3 listed with 2.
    let (code, text) = cluster
        .tandem(1, &["quorumtool", "-v", "2", "-n", "3"])
        .expect("tandem");
    assert_eq!(code, 0, "quorumtool -v 2 -n 3: {text}");
    wait_all(&cluster, &[1, 2, 3], "node 3 with 2 votes", |n| {
        let q = cluster.quorum(n);
        q.total_votes == 4 && q.members.iter().any(|m| m.nodeid == 3 && m.votes == 2)
    });
    let (code, text) = cluster.tandem(3, &["quorumtool", "-s"]).expect("tandem");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Total votes:      4\n"), "{text}");
    // Expected votes below the total of votes are refused, and nothing changes.
    let (code, _) = cluster
        .tandem(2, &["quorumtool", "-e", "3"])
        .expect("tandem");
    assert_ne!(code, 0, "expected votes 3 below the total of 4 is refused");
    assert_eq!(cluster.quorum(1).expected_votes, 5);
    let (code, text) = cluster
        .tandem(2, &["quorumtool", "-e", "4"])
        .expect("tandem");
    assert_eq!(code, 0, "quorumtool -e 4: {text}");
    wait_all(&cluster, &[1, 2, 3], "expected votes 4", |n| {
        cluster.quorum(n).expected_votes == 4
    });
    // A malformed value is refused without reaching the daemon.
    let (code, _) = cluster
        .tandem(1, &["quorumtool", "-e", "many"])
        .expect("tandem");
    assert_ne!(code, 0);
}

#[test]
fn cfgtool_k_makes_another_node_leave_and_stop() {
    if !harness::enabled("cfgtool_k_makes_another_node_leave_and_stop") {
        return;
    }
    let mut cluster = Cluster::start(Options::new(3));
    cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(20));
    let Some((code, text)) = cluster.tandem(1, &["cfgtool", "-k", "3"]) else {
        eprintln!("tandem CLI not built next to tandemd: tool checks skipped");
        return;
    };
    assert_eq!(code, 0, "cfgtool -k 3: {text}");
    // Node 3 leaves cleanly (no token-loss wait) and its daemon exits.
    let asked = Instant::now();
    cluster.wait_for_ring(&[1, 2], Duration::from_secs(10));
    let deadline = Instant::now() + Duration::from_secs(10);
    while cluster.running(3) {
        assert!(Instant::now() < deadline, "node 3's tandemd still runs");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "the leave was not clean: {:?}",
        asked.elapsed()
    );
    // A node that is not a member is refused.
    let (code, _) = cluster.tandem(1, &["cfgtool", "-k", "3"]).expect("tandem");
    assert_ne!(code, 0, "killing a node that is gone fails");
    let (code, _) = cluster.tandem(1, &["cfgtool", "-k", "x"]).expect("tandem");
    assert_ne!(code, 0, "a malformed node id is refused");
}

/// `cfgtool -R` (corosync-cfgtool(8)): every node re-reads its corosync.conf; totem timers and
/// votequorum's expected votes change at once, a change that needs a restart (the cluster
/// name) is only logged, and the ring stays up.
#[test]
fn cfgtool_r_reloads_timers_and_expected_votes_everywhere() {
    if !harness::enabled("cfgtool_r_reloads_timers_and_expected_votes_everywhere") {
        return;
    }
    let cluster = Cluster::start(Options::new(3));
    let ring = cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(20));
    for n in 1..=3 {
        let path = cluster.dir().join(format!("node{n}")).join("corosync.conf");
        let text = std::fs::read_to_string(&path).expect("config");
        let text = text
            .replace("    token: 1000\n", "    token: 2000\n")
            .replace("cluster_name: tddtest", "cluster_name: tddother")
            .replace(
                "    provider: corosync_votequorum\n",
                "    provider: corosync_votequorum\n    expected_votes: 5\n",
            );
        std::fs::write(&path, text).expect("rewrite config");
    }
    let Some((code, text)) = cluster.tandem(2, &["cfgtool", "-R"]) else {
        eprintln!("tandem CLI not built next to tandemd: tool checks skipped");
        return;
    };
    assert_eq!(code, 0, "cfgtool -R: {text}");
    assert_eq!(text, "Reloading corosync.conf...\nDone\n");
    wait_all(
        &cluster,
        &[1, 2, 3],
        "expected votes 5 from the file",
        |n| {
            let q = cluster.quorum(n);
            q.expected_votes == 5 && q.quorum == 3
        },
    );
    // token 2000 + (3 - 2) × 650 (token_coefficient) = 2650 ms, as runtime.config shows.
    for n in 1..=3 {
        let (code, text) = cluster.tandem(n, &["cmapctl", "runtime"]).expect("tandem");
        assert_eq!(code, 0);
        assert!(
            text.contains("runtime.config.totem.token (u32) = 2650\n"),
            "node {n}:\n{text}"
        );
        assert!(
            text.contains("runtime.config.totem.consensus (u32) = 3180\n"),
            "node {n}:\n{text}"
        );
    }
    assert!(
        cluster
            .log_text(1)
            .contains("totem.cluster_name changed in"),
        "the cluster name change is reported as needing a restart:\n{}",
        cluster.log_text(1)
    );
    assert_eq!(
        cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(5)),
        ring,
        "the reload does not re-form the ring"
    );
    // A file that no longer parses is refused and changes nothing.
    let path = cluster.dir().join("node3").join("corosync.conf");
    std::fs::write(&path, "totem {\n").expect("break config");
    let (code, _) = cluster.tandem(1, &["cfgtool", "-R"]).expect("tandem");
    assert_eq!(code, 0, "the request itself is accepted");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cluster
        .log_text(3)
        .contains("configuration reload asked by node 1 refused")
    {
        assert!(
            Instant::now() < deadline,
            "node 3 did not report the bad file"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(cluster.quorum(3).expected_votes, 5);
}
