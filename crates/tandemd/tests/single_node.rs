//! Real-process tests of one or two `tandemd`s: the IPC protocol's errors and bounds (slow
//! clients), quorum of a lone node, ring-seq persistence across a SIGTERM and restart.
//! Run only with TANDEM_SLOW_TESTS=1, as root.

mod harness;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use harness::{Cluster, Options};
use messaging::ipc::codec::Writer;
use messaging::ipc::{frame, ClientError, ErrorCode, Event, Request, ServerMessage};

fn lone_node(nodes: usize) -> Cluster {
    let mut options = Options::new(nodes);
    options.started = Some(vec![1]);
    let cluster = Cluster::start(options);
    cluster.wait_for_ring(&[1], Duration::from_secs(10));
    cluster
}

fn refused_code(result: Result<(), ClientError>) -> ErrorCode {
    match result {
        Err(ClientError::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn ipc_refuses_bad_requests_without_harm() {
    if !harness::enabled("ipc_refuses_bad_requests_without_harm") {
        return;
    }
    let cluster = lone_node(3);
    let mut client = cluster.client(1);
    assert_eq!(refused_code(client.cpg_mcast(b"x")), ErrorCode::BadHandle);
    assert_eq!(refused_code(client.cpg_leave()), ErrorCode::BadHandle);
    assert_eq!(refused_code(client.cpg_join(b"")), ErrorCode::InvalidParam);
    assert_eq!(
        refused_code(client.cpg_join(&[b'g'; 129])),
        ErrorCode::InvalidParam
    );
    client.cpg_join(b"g").expect("join");
    assert_eq!(refused_code(client.cpg_join(b"h")), ErrorCode::Exist);
    // A second connection of the same process may not join the same group.
    let mut twin = cluster.client(1);
    assert_eq!(refused_code(twin.cpg_join(b"g")), ErrorCode::Exist);

    // Wrong version: refused, connection stays usable for nothing else.
    let mut raw = UnixStream::connect(cluster.socket(1)).expect("connect");
    raw.write_all(&frame(&Request::Hello { version: 99 }.encode()))
        .expect("write");
    let reply = read_frame(&mut raw);
    assert!(matches!(
        ServerMessage::decode(&reply),
        Ok(ServerMessage::Reply(messaging::ipc::Reply::Error {
            code: ErrorCode::Version,
            ..
        }))
    ));
    // Garbage and an oversized length prefix: the daemon drops the connection and goes on.
    let mut raw = UnixStream::connect(cluster.socket(1)).expect("connect");
    let mut garbage = Writer::new(250);
    garbage.u32(7);
    raw.write_all(&frame(&garbage.finish())).expect("write");
    assert_eof(&mut raw);
    let mut raw = UnixStream::connect(cluster.socket(1)).expect("connect");
    raw.write_all(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3])
        .expect("write");
    assert_eof(&mut raw);
    // Still serving.
    assert_eq!(cluster.status(1).nodeid, 1);
    assert!(client.cpg_membership().is_ok());
}

fn read_frame(stream: &mut UnixStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut length = [0u8; 4];
    stream.read_exact(&mut length).expect("length");
    let mut body = vec![0u8; u32::from_be_bytes(length) as usize];
    stream.read_exact(&mut body).expect("body");
    body
}

fn assert_eof(stream: &mut UnixStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut buffer = [0u8; 64];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return,
            Ok(_) => continue,
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return,
            Err(error) => panic!("expected the daemon to close the connection: {error}"),
        }
    }
}

#[test]
fn a_client_that_stops_reading_is_disconnected_not_buffered_forever() {
    if !harness::enabled("a_client_that_stops_reading_is_disconnected_not_buffered_forever") {
        return;
    }
    let cluster = Cluster::start(Options::new(2));
    cluster.wait_for_ring(&[1, 2], Duration::from_secs(20));
    // A client of node 1 that joins and then never reads.
    let mut stalled = UnixStream::connect(cluster.socket(1)).expect("connect");
    stalled
        .write_all(&frame(&Request::Hello { version: 1 }.encode()))
        .expect("hello");
    stalled
        .write_all(&frame(
            &Request::CpgJoin {
                group: b"flood".to_vec(),
            }
            .encode(),
        ))
        .expect("join");
    // A sender on node 2 floods the group with 1 MiB messages.
    let mut sender = cluster.client(2);
    sender.cpg_join(b"flood").expect("join");
    let deadline = Instant::now() + Duration::from_secs(10);
    while sender.cpg_membership().expect("members").len() < 2 {
        assert!(Instant::now() < deadline, "the stalled client never joined");
        std::thread::sleep(Duration::from_millis(20));
    }
    let payload = vec![7u8; 1 << 20];
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut sent = 0;
    while !cluster.log_text(1).contains("client too slow") {
        assert!(
            Instant::now() < deadline,
            "no disconnection after {sent} MiB; log:\n{}",
            cluster.log_text(1)
        );
        match sender.cpg_mcast(&payload) {
            Ok(()) => sent += 1,
            Err(ClientError::Refused {
                code: ErrorCode::TryAgain,
                ..
            }) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => panic!("sender failed: {error}"),
        }
        if sent % 16 == 0 {
            // Let the ring catch up (the sender's own deliveries are buffered by its client).
            while let Ok(Some(_)) = sender.next_event(Some(Duration::from_millis(1))) {}
        }
    }
    assert_eof(&mut stalled);
    assert_eq!(cluster.status(1).nodeid, 1, "the daemon keeps serving");
}

#[test]
fn a_lone_node_of_three_is_not_quorate() {
    if !harness::enabled("a_lone_node_of_three_is_not_quorate") {
        return;
    }
    let cluster = lone_node(3);
    let quorum = cluster.quorum(1);
    assert!(!quorum.quorate);
    assert_eq!(
        (quorum.expected_votes, quorum.total_votes, quorum.quorum),
        (3, 1, 2)
    );
    if let Some((code, text)) = cluster.tandem(1, &["quorumtool", "-s"]) {
        assert_eq!(code, 2, "{text}");
        assert!(text.contains("Quorate:          No\n"), "{text}");
        assert!(
            text.contains("Quorum:           2 Activity blocked\n"),
            "{text}"
        );
        assert!(text.contains("Flags:            \n"), "{text}");
    }
    let mut tracker = cluster.client(1);
    tracker.quorum_track(true).expect("track");
    match tracker
        .next_event(Some(Duration::from_secs(5)))
        .expect("event")
    {
        Some(Event::Quorum(status)) => assert!(!status.quorate),
        other => panic!("expected the initial quorum event, got {other:?}"),
    }
}

#[test]
fn two_node_alone_waits_for_all() {
    if !harness::enabled("two_node_alone_waits_for_all") {
        return;
    }
    let mut options = Options::new(2);
    options.started = Some(vec![1]);
    options.quorum_extra = "    two_node: 1\n".to_string();
    let cluster = Cluster::start(options);
    cluster.wait_for_ring(&[1], Duration::from_secs(10));
    let quorum = cluster.quorum(1);
    assert!(!quorum.quorate);
    assert_eq!(quorum.flags, vec!["2Node", "WaitForAll"]);
    assert_eq!(quorum.quorum, 1);
}

#[test]
fn ring_seq_is_persisted_and_grows_across_restarts() {
    if !harness::enabled("ring_seq_is_persisted_and_grows_across_restarts") {
        return;
    }
    let mut cluster = Cluster::start(Options::new(2));
    cluster.wait_for_ring(&[1, 2], Duration::from_secs(20));
    let file = cluster.state_dir(1).join("ringid_1");
    let first = std::fs::read(&file).expect("ringid file");
    assert_eq!(first.len(), 8);
    let mode = std::fs::metadata(&file)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let stored = u64::from_le_bytes(first.as_slice().try_into().expect("8 bytes"));
    assert_eq!(cluster.status(1).ring_id.seq, stored);
    let status = cluster.stop(1).expect("running");
    assert!(status.success(), "SIGTERM exits 0: {status}");
    assert!(!cluster.socket(1).exists(), "the socket is removed on exit");
    cluster.start_node(1);
    cluster.wait_for_ring(&[1, 2], Duration::from_secs(20));
    let again = cluster.status(1).ring_id.seq;
    assert!(
        again > stored,
        "seq {again} after restart must exceed {stored}"
    );
}
