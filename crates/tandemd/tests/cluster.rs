//! Real-process tests: `tandemd` nodes in network namespaces, checked through the IPC API and the
//! `tandem` CLI. Run only with TANDEM_SLOW_TESTS=1, as root.

mod harness;

use std::collections::BTreeMap;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use harness::{Cluster, Options};
use messaging::ipc::{Client, ConfchgReason, CpgChange, Event};

/// One delivered message as a test sees it: sender node, sender pid, sequence, payload.
type Delivered = (u32, u32, u64, Vec<u8>);

/// Joins `group` on node `n`, waits until `members` processes are in it, multicasts `count`
/// messages, and collects deliveries until `expected` arrived (or the timeout passes).
fn member_thread(
    socket: std::path::PathBuf,
    group: &'static str,
    members: usize,
    count: u64,
    expected: usize,
    timeout: Duration,
) -> JoinHandle<Result<Vec<Delivered>, String>> {
    std::thread::spawn(move || {
        let mut client = Client::connect(&socket).map_err(|e| e.to_string())?;
        client
            .cpg_join(group.as_bytes())
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + timeout;
        loop {
            let joined = client.cpg_membership().map_err(|e| e.to_string())?;
            if joined.len() >= members {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("only {} of {members} members joined", joined.len()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        for number in 1..=count {
            let text = format!("node {} message {number}", client.nodeid());
            client
                .cpg_mcast(text.as_bytes())
                .map_err(|e| e.to_string())?;
        }
        let mut delivered = Vec::new();
        while delivered.len() < expected {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "node {}: {} of {expected} deliveries before the timeout",
                    client.nodeid(),
                    delivered.len()
                ));
            }
            if let Some(Event::CpgDeliver {
                sender,
                sequence,
                data,
                ..
            }) = client.next_event(Some(left)).map_err(|e| e.to_string())?
            {
                delivered.push((sender.nodeid, sender.pid, sequence, data));
            }
        }
        Ok(delivered)
    })
}

/// Every node of an `nodes`-node cluster sends `count` messages at once; all streams must be
/// identical, complete, without duplicates, and FIFO per sender (brief §1 G1, G3; §8.1).
fn all_send_one_order(nodes: usize, count: u64) {
    let cluster = Cluster::start(Options::new(nodes));
    let all: Vec<usize> = (1..=nodes).collect();
    cluster.wait_for_ring(&all, Duration::from_secs(20));
    let expected = nodes * count as usize;
    let threads: Vec<_> = all
        .iter()
        .map(|n| {
            member_thread(
                cluster.socket(*n),
                "order",
                nodes,
                count,
                expected,
                Duration::from_secs(60),
            )
        })
        .collect();
    let streams: Vec<Vec<Delivered>> = threads
        .into_iter()
        .map(|t| t.join().expect("member thread").expect("member stream"))
        .collect();
    for (index, stream) in streams.iter().enumerate() {
        assert_eq!(stream.len(), expected, "node {} stream length", index + 1);
        assert!(
            *stream == streams[0],
            "node {} delivered a different order than node 1",
            index + 1
        );
    }
    let mut next: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for (node, pid, sequence, data) in &streams[0] {
        let expected_sequence = next.entry((*node, *pid)).or_insert(1);
        assert_eq!(*sequence, *expected_sequence, "FIFO from {node}/{pid}");
        assert_eq!(
            String::from_utf8_lossy(data),
            format!("node {node} message {sequence}")
        );
        *expected_sequence += 1;
    }
    assert_eq!(next.len(), nodes, "one sender per node");
}

#[test]
fn two_nodes_sending_concurrently_see_one_order() {
    if !harness::enabled("two_nodes_sending_concurrently_see_one_order") {
        return;
    }
    all_send_one_order(2, 300);
}

#[test]
fn three_nodes_sending_concurrently_see_one_order() {
    if !harness::enabled("three_nodes_sending_concurrently_see_one_order") {
        return;
    }
    all_send_one_order(3, 300);
}

/// `cfgtool -s`, `quorumtool -s` and `cmapctl` against a healthy `nodes`-node cluster (brief §7).
fn tools_show_the_ring(nodes: usize) {
    let cluster = Cluster::start(Options::new(nodes));
    let all: Vec<usize> = (1..=nodes).collect();
    cluster.wait_for_ring(&all, Duration::from_secs(20));
    let Some((code, text)) = cluster.tandem(2, &["cfgtool", "-s"]) else {
        eprintln!("tandem CLI not built next to tandemd: tool checks skipped");
        return;
    };
    assert_eq!(code, 0);
    assert!(
        text.starts_with("Local node ID 2, transport udpu\nLINK ID 0 udp\n\taddr\t= 10.203.0.2\n"),
        "{text}"
    );
    assert!(
        text.contains("\t\tnodeid:          2:\tlocalhost\n"),
        "{text}"
    );
    assert!(
        text.contains("\t\tnodeid:          1:\tconnected\n"),
        "{text}"
    );
    let (code, text) = cluster.tandem(1, &["quorumtool", "-s"]).expect("tandem");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Quorate:          Yes\n"), "{text}");
    assert!(
        text.contains(&format!("Quorum:           {}  \n", nodes / 2 + 1)),
        "{text}"
    );
    assert!(
        text.contains("         1          1 node1 (local)\n"),
        "{text}"
    );
    let (code, text) = cluster
        .tandem(nodes, &["cmapctl", "runtime"])
        .expect("tandem");
    assert_eq!(code, 0);
    // token 1000 + (N - 2) * 650 from 3 nodes on; consensus 1.2 × that (brief §4.2).
    let token = if nodes >= 3 {
        1000 + (nodes - 2) * 650
    } else {
        1000
    };
    assert!(
        text.contains(&format!("runtime.config.totem.token (u32) = {token}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "runtime.config.totem.consensus (u32) = {}\n",
            token * 12 / 10
        )),
        "{text}"
    );
    for n in 1..=nodes {
        assert!(
            text.contains(&format!(
                "runtime.members.{n}.ip (str) = r(0) ip(10.203.0.{n}) \n"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!("runtime.members.{n}.status (str) = joined\n")),
            "{text}"
        );
    }
}

#[test]
fn tools_show_the_ring_of_two_nodes() {
    if !harness::enabled("tools_show_the_ring_of_two_nodes") {
        return;
    }
    tools_show_the_ring(2);
}

#[test]
fn tools_show_the_ring_of_three_nodes() {
    if !harness::enabled("tools_show_the_ring_of_three_nodes") {
        return;
    }
    tools_show_the_ring(3);
}

/// Waits for the next confchg on `client` and returns its (left, joined) lists.
fn next_confchg(client: &mut Client, timeout: Duration) -> (Vec<CpgChange>, Vec<CpgChange>) {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no confchg within {timeout:?}");
        if let Some(Event::CpgConfchg { left, joined, .. }) =
            client.next_event(Some(left)).expect("event")
        {
            return (left, joined);
        }
    }
}

fn reasons(changes: &[CpgChange]) -> Vec<(u32, ConfchgReason)> {
    changes
        .iter()
        .map(|c| (c.process.nodeid, c.reason))
        .collect()
}

#[test]
fn cpg_confchg_reasons_join_leave_procdown() {
    if !harness::enabled("cpg_confchg_reasons_join_leave_procdown") {
        return;
    }
    let cluster = Cluster::start(Options::new(2));
    cluster.wait_for_ring(&[1, 2], Duration::from_secs(20));
    let wait = Duration::from_secs(10);
    let mut watcher = cluster.client(1);
    watcher.cpg_join(b"reasons").expect("join");
    let (_, joined) = next_confchg(&mut watcher, wait);
    assert_eq!(
        reasons(&joined),
        vec![(1, ConfchgReason::Join)],
        "own join first"
    );

    let mut leaver = cluster.client(2);
    leaver.cpg_join(b"reasons").expect("join");
    assert_eq!(
        reasons(&next_confchg(&mut watcher, wait).1),
        vec![(2, ConfchgReason::Join)]
    );
    leaver.cpg_leave().expect("leave");
    assert_eq!(
        reasons(&next_confchg(&mut watcher, wait).0),
        vec![(2, ConfchgReason::Leave)]
    );
    // The leaver sees its own join, then its own leave.
    assert_eq!(
        reasons(&next_confchg(&mut leaver, wait).1),
        vec![(2, ConfchgReason::Join)]
    );
    assert_eq!(
        reasons(&next_confchg(&mut leaver, wait).0),
        vec![(2, ConfchgReason::Leave)]
    );

    let mut vanisher = cluster.client(2);
    vanisher.cpg_join(b"reasons").expect("join");
    assert_eq!(
        reasons(&next_confchg(&mut watcher, wait).1),
        vec![(2, ConfchgReason::Join)]
    );
    drop(vanisher);
    assert_eq!(
        reasons(&next_confchg(&mut watcher, wait).0),
        vec![(2, ConfchgReason::ProcDown)]
    );
    assert_eq!(watcher.cpg_membership().expect("members").len(), 1);
}

#[test]
fn clean_leave_reforms_at_once_and_restart_rejoins() {
    if !harness::enabled("clean_leave_reforms_at_once_and_restart_rejoins") {
        return;
    }
    let mut cluster = Cluster::start(Options::new(3));
    let first = cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(20));
    let started = Instant::now();
    let status = cluster.stop(2).expect("node 2 was running");
    assert!(status.success(), "SIGTERM exits 0: {status}");
    // No token-loss wait: far below token_real (1650 ms) + consensus (1980 ms).
    cluster.wait_for_ring(&[1, 3], Duration::from_millis(1500));
    eprintln!("clean leave: new ring after {:?}", started.elapsed());
    let seq_before = u64::from_str_radix(first.split('.').nth(1).expect("seq"), 16).expect("hex");
    cluster.start_node(2);
    let after = cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(15));
    let seq_after = u64::from_str_radix(after.split('.').nth(1).expect("seq"), 16).expect("hex");
    assert!(
        seq_after > seq_before,
        "ring seq grows across the restart: {first} -> {after}"
    );
    let member = cluster
        .status(1)
        .members
        .into_iter()
        .find(|m| m.nodeid == 2)
        .expect("node 2 known");
    assert!(member.joined);
    assert_eq!(member.join_count, 2, "node 2 joined twice");
}

#[test]
fn five_nodes_sending_concurrently_see_one_order() {
    if !harness::enabled("five_nodes_sending_concurrently_see_one_order") {
        return;
    }
    all_send_one_order(5, 200);
}

/// Sends one message from node `from` and checks that each node of `to` delivers it.
fn assert_messages_flow(cluster: &Cluster, from: usize, to: &[usize], group: &'static str) {
    let receivers: Vec<_> = to
        .iter()
        .map(|n| {
            let mut client = cluster.client(*n);
            client.cpg_join(group.as_bytes()).expect("join");
            client
        })
        .collect();
    let mut sender = cluster.client(from);
    sender.cpg_join(group.as_bytes()).expect("join");
    let deadline = Instant::now() + Duration::from_secs(10);
    while sender.cpg_membership().expect("membership").len() < to.len() + 1 {
        assert!(Instant::now() < deadline, "receivers never joined");
        std::thread::sleep(Duration::from_millis(20));
    }
    sender.cpg_mcast(b"still flowing").expect("mcast");
    for (mut client, n) in receivers.into_iter().zip(to) {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "node {n} never delivered the message");
            if let Some(Event::CpgDeliver { data, .. }) =
                client.next_event(Some(left)).expect("event")
            {
                assert_eq!(data, b"still flowing");
                break;
            }
        }
    }
}

#[test]
fn sigkill_of_a_node_gives_survivors_a_new_ring() {
    if !harness::enabled("sigkill_of_a_node_gives_survivors_a_new_ring") {
        return;
    }
    let mut cluster = Cluster::start(Options::new(3));
    let before = cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(20));
    let mut watcher = cluster.client(1);
    watcher.cpg_join(b"victims").expect("join");
    let mut victim = cluster.client(2);
    victim.cpg_join(b"victims").expect("join");
    let wait = Duration::from_secs(10);
    assert_eq!(
        reasons(&next_confchg(&mut watcher, wait).1),
        vec![(1, ConfchgReason::Join)]
    );
    assert_eq!(
        reasons(&next_confchg(&mut watcher, wait).1),
        vec![(2, ConfchgReason::Join)]
    );
    let killed = Instant::now();
    cluster.kill(2);
    // token_real 1650 (3 nodes, token 1000) + consensus 1980, plus slack.
    let after = cluster.wait_for_ring(&[1, 3], Duration::from_secs(10));
    eprintln!("SIGKILL -> new ring {after} after {:?}", killed.elapsed());
    assert_eq!(
        reasons(&next_confchg(&mut watcher, wait).0),
        vec![(2, ConfchgReason::NodeDown)]
    );
    assert_ne!(before, after, "the survivors must install a new ring");
    let quorum = cluster.quorum(1);
    assert!(quorum.quorate, "2 of 3 votes stay quorate");
    assert_eq!(quorum.total_votes, 2);
    assert_messages_flow(&cluster, 1, &[3], "after-kill");
}

#[test]
fn sigkill_of_the_representative_of_five_moves_the_ring_to_node_two() {
    if !harness::enabled("sigkill_of_the_representative_of_five_moves_the_ring_to_node_two") {
        return;
    }
    let mut cluster = Cluster::start(Options::new(5));
    let before = cluster.wait_for_ring(&[1, 2, 3, 4, 5], Duration::from_secs(30));
    cluster.kill(1);
    let after = cluster.wait_for_ring(&[2, 3, 4, 5], Duration::from_secs(15));
    let seq =
        |ring: &str| u64::from_str_radix(ring.split('.').nth(1).unwrap_or("0"), 16).unwrap_or(0);
    assert!(
        after.starts_with("2."),
        "node 2 is the new representative: {after}"
    );
    assert!(seq(&after) > seq(&before), "{before} -> {after}");
    let quorum = cluster.quorum(2);
    assert!(quorum.quorate, "4 of 5 votes stay quorate");
    assert_eq!(quorum.total_votes, 4);
    assert_messages_flow(&cluster, 5, &[2, 3, 4], "after-rep-kill");
}

#[test]
fn partition_keeps_majority_quorate_and_heals_into_one_ring() {
    if !harness::enabled("partition_keeps_majority_quorate_and_heals_into_one_ring") {
        return;
    }
    let cluster = Cluster::start(Options::new(3));
    cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(20));
    let wait = Duration::from_secs(15);
    let mut watcher1 = cluster.client(1);
    watcher1.cpg_join(b"split").expect("join");
    let mut watcher3 = cluster.client(3);
    watcher3.cpg_join(b"split").expect("join");
    let deadline = Instant::now() + wait;
    while watcher1.cpg_membership().expect("members").len() < 2 {
        assert!(Instant::now() < deadline, "watchers never saw each other");
        std::thread::sleep(Duration::from_millis(20));
    }
    let drain = |client: &mut Client| {
        while let Ok(Some(_)) = client.next_event(Some(Duration::from_millis(50))) {}
    };
    drain(&mut watcher1);
    drain(&mut watcher3);
    cluster.set_link(3, 0, false);
    cluster.wait_for_ring(&[1, 2], Duration::from_secs(10));
    cluster.wait_for_ring(&[3], Duration::from_secs(10));
    let majority = cluster.quorum(1);
    let minority = cluster.quorum(3);
    assert!(
        majority.quorate && cluster.quorum(2).quorate,
        "{{1,2}} keeps quorum"
    );
    assert!(!minority.quorate, "{{3}} loses quorum");
    assert_eq!(minority.total_votes, 1);
    if let Some((code, text)) = cluster.tandem(3, &["quorumtool", "-s"]) {
        assert_eq!(code, 2, "quorumtool -s exits 2 when not quorate:\n{text}");
        assert!(text.contains("Activity blocked"), "{text}");
    }
    if let Some((code, _)) = cluster.tandem(1, &["quorumtool", "-s"]) {
        assert_eq!(code, 0);
    }
    assert_eq!(
        reasons(&next_confchg(&mut watcher1, wait).0),
        vec![(3, ConfchgReason::NodeDown)]
    );
    assert_eq!(
        reasons(&next_confchg(&mut watcher3, wait).0),
        vec![(1, ConfchgReason::NodeDown)]
    );
    let healed = Instant::now();
    cluster.set_link(3, 0, true);
    cluster.wait_for_ring(&[1, 2, 3], Duration::from_secs(15));
    eprintln!("heal -> merged ring after {:?}", healed.elapsed());
    assert_eq!(
        reasons(&next_confchg(&mut watcher1, wait).1),
        vec![(3, ConfchgReason::NodeUp)]
    );
    assert_eq!(
        reasons(&next_confchg(&mut watcher3, wait).1),
        vec![(1, ConfchgReason::NodeUp)]
    );
    assert!(
        cluster.quorum(3).quorate,
        "node 3 is quorate again after the heal"
    );
    assert_messages_flow(&cluster, 3, &[1, 2], "after-heal");
}

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

/// Cuts every node's ring-0 link of a two-ring cluster: membership and messages go on over
/// ring 1, and ring 0 is reported faulty.
fn losing_one_of_two_rings(nodes: usize) {
    let mut options = Options::new(nodes);
    options.two_rings = true;
    let cluster = Cluster::start(options);
    let all: Vec<usize> = (1..=nodes).collect();
    let before = cluster.wait_for_ring(&all, Duration::from_secs(20));
    for n in 1..=nodes {
        cluster.set_link(n, 0, false);
    }
    // Several token timeouts with ring 0 gone.
    std::thread::sleep(Duration::from_secs(5));
    let after = cluster.wait_for_ring(&all, Duration::from_secs(10));
    assert_eq!(before, after, "the ring survives without reforming");
    assert!(cluster.quorum(1).quorate);
    let rings = cluster.status(1).rings;
    assert_eq!(rings.len(), 2);
    assert!(rings[0].faulty, "ring 0 is reported faulty: {rings:?}");
    assert!(!rings[1].faulty, "ring 1 is healthy: {rings:?}");
    let others: Vec<usize> = (2..=nodes).collect();
    assert_messages_flow(&cluster, 1, &others, "one-ring");
}

#[test]
fn losing_one_of_two_rings_keeps_two_nodes_up() {
    if !harness::enabled("losing_one_of_two_rings_keeps_two_nodes_up") {
        return;
    }
    losing_one_of_two_rings(2);
}

#[test]
fn losing_one_of_two_rings_keeps_three_nodes_up() {
    if !harness::enabled("losing_one_of_two_rings_keeps_three_nodes_up") {
        return;
    }
    losing_one_of_two_rings(3);
}

#[test]
fn large_messages_are_fragmented_and_delivered_intact() {
    if !harness::enabled("large_messages_are_fragmented_and_delivered_intact") {
        return;
    }
    let cluster = Cluster::start(Options::new(2));
    cluster.wait_for_ring(&[1, 2], Duration::from_secs(20));
    let mut receiver = cluster.client(2);
    receiver.cpg_join(b"large").expect("join");
    let mut sender = cluster.client(1);
    sender.cpg_join(b"large").expect("join");
    let deadline = Instant::now() + Duration::from_secs(10);
    while sender.cpg_membership().expect("members").len() < 2 {
        assert!(Instant::now() < deadline, "receiver never joined");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sizes = [1usize, 65_536, 1 << 20, 4 << 20];
    for size in sizes {
        let payload: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        sender.cpg_mcast(&payload).expect("mcast");
    }
    for size in sizes {
        loop {
            let left = deadline.saturating_duration_since(Instant::now()) + Duration::from_secs(20);
            if let Some(Event::CpgDeliver { data, .. }) =
                receiver.next_event(Some(left)).expect("event")
            {
                assert_eq!(data.len(), size);
                assert!(data.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8));
                break;
            }
        }
    }
}
