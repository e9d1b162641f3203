//! Membership timers on a single node fed hand-made packets: the `send_join` delay
//! (corosync.conf(5)), the partition probe every `merge / 4` while nodelist members are
//! missing, and the answer to an older ring's probe.

use totem::{encode, Config, Destination, Join, Message, Node, NodeId, Output, RingId, TimerKind};

const NODES: [NodeId; 3] = [NodeId(1), NodeId(2), NodeId(3)];

fn drain(node: &mut Node) -> Vec<Output> {
    std::iter::from_fn(|| node.poll_output()).collect()
}

fn sent(outputs: &[Output]) -> Vec<(Destination, Message)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Transmit { dest, bytes } => totem::decode(bytes)
                .ok()
                .map(|(_, message)| (*dest, message)),
            _ => None,
        })
        .collect()
}

fn join_timer(outputs: &[Output]) -> Option<u64> {
    outputs.iter().rev().find_map(|o| match o {
        Output::SetTimer {
            kind: TimerKind::Join,
            at_ms,
        } => Some(*at_ms),
        _ => None,
    })
}

fn join_from_2(ring_seq: u64) -> Vec<u8> {
    let join = Join {
        proc_set: NODES.to_vec(),
        fail_set: vec![],
        ring_seq,
    };
    encode(NodeId(2), &Message::Join(join))
}

/// corosync.conf(5) send_join: each JOIN waits a random 0..=send_join ms; the join timer
/// sends it with the sets of that moment, and the delays differ from JOIN to JOIN.
#[test]
fn send_join_delays_each_join_by_a_random_amount_up_to_the_bound() {
    let mut delays = Vec::new();
    for seed in 0..12 {
        let config = Config {
            send_join_ms: 80,
            jitter_seed: seed,
            ..Config::for_token(1000)
        };
        let mut node = Node::new(config, NodeId(1), &NODES, 0, 0).expect("valid");
        drain(&mut node);
        let now = 1_000;
        // A JOIN from node 2 (naming node 3, who stays silent) makes node 1 gather: its own
        // JOIN must not go out at once.
        node.handle_packet(now, NodeId(2), &join_from_2(0));
        let outputs = drain(&mut node);
        let joins_now = sent(&outputs)
            .iter()
            .filter(|(_, m)| matches!(m, Message::Join(_)))
            .count();
        assert_eq!(joins_now, 0, "the first JOIN waits for its send_join delay");
        let at = join_timer(&outputs).expect("join timer armed for the delayed JOIN");
        assert!(at >= now && at <= now + 80, "delay {} ms", at - now);
        delays.push(at - now);
        node.handle_timer(at, TimerKind::Join);
        let outputs = drain(&mut node);
        let joins: Vec<Join> = sent(&outputs)
            .into_iter()
            .filter_map(|(_, m)| match m {
                Message::Join(j) => Some(j),
                _ => None,
            })
            .collect();
        assert_eq!(joins.len(), 1, "the timer sends the delayed JOIN");
        assert_eq!(joins[0].proc_set, NODES.to_vec());
        // The next one waits a join interval, then a new delay.
        let next = join_timer(&outputs).expect("re-armed");
        assert_eq!(next, at + 50);
        node.handle_timer(next, TimerKind::Join);
        let outputs = drain(&mut node);
        assert!(sent(&outputs).is_empty());
        let again = join_timer(&outputs).expect("delayed again");
        assert!(again >= next && again <= next + 80);
    }
    let distinct: std::collections::BTreeSet<u64> = delays.iter().copied().collect();
    assert!(distinct.len() >= 4, "delays vary: {delays:?}");
}

/// Without send_join (the default), the JOIN goes out at once.
#[test]
fn without_send_join_the_join_goes_at_once() {
    let mut node = Node::new(Config::for_token(1000), NodeId(1), &NODES, 0, 0).expect("valid");
    drain(&mut node);
    node.handle_packet(10, NodeId(2), &join_from_2(0));
    let outputs = drain(&mut node);
    assert!(sent(&outputs)
        .iter()
        .any(|(d, m)| *d == Destination::All && matches!(m, Message::Join(_))));
}

/// A singleton ring whose nodelist has two more nodes probes them, unicast, every merge / 4
/// (50 ms by default), so that a healed partition is noticed within 50 ms.
#[test]
fn partitioned_representative_probes_missing_nodes_every_quarter_merge() {
    let mut node = Node::new(Config::for_token(1000), NodeId(1), &NODES, 0, 0).expect("valid");
    let outputs = drain(&mut node);
    let probe_at = outputs
        .iter()
        .rev()
        .find_map(|o| match o {
            Output::SetTimer {
                kind: TimerKind::MergeDetect,
                at_ms,
            } => Some(*at_ms),
            _ => None,
        })
        .expect("probe armed at install");
    assert_eq!(probe_at, 50);
    node.handle_timer(probe_at, TimerKind::MergeDetect);
    let probes: Vec<Destination> = sent(&drain(&mut node))
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::MergeDetect { .. }))
        .map(|(d, _)| d)
        .collect();
    assert_eq!(
        probes,
        vec![Destination::Node(NodeId(2)), Destination::Node(NodeId(3))]
    );
}

/// An older ring's probe does not make me gather (it may be stale), but as representative I
/// answer it, unicast and at most once per half merge interval, so the older side merges.
#[test]
fn an_older_rings_probe_is_answered_not_obeyed() {
    let mut node = Node::new(Config::for_token(1000), NodeId(1), &NODES, 100, 0).expect("valid");
    drain(&mut node);
    let mine = node.ring_id();
    let older = RingId {
        rep: NodeId(2),
        seq: mine.seq - 4,
    };
    let probe = encode(NodeId(2), &Message::MergeDetect { ring_id: older });
    node.handle_packet(10, NodeId(2), &probe);
    let answers = sent(&drain(&mut node));
    assert_eq!(node.state(), totem::State::Operational);
    assert_eq!(
        answers,
        vec![(
            Destination::Node(NodeId(2)),
            Message::MergeDetect { ring_id: mine }
        )]
    );
    node.handle_packet(20, NodeId(2), &probe);
    assert!(sent(&drain(&mut node)).is_empty(), "rate-limited");
    node.handle_packet(120, NodeId(2), &probe);
    assert_eq!(sent(&drain(&mut node)).len(), 1);
}
