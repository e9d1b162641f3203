//! Real sockets on loopback addresses (127.0.0.0/8 all route to `lo`):
//! udpu delivery, crypto with a wrong key, hostile packets, two rings in
//! active and passive mode, ring fault and recovery (issue 2 parts 3 and 4).

use std::collections::BTreeSet;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use transport::packet::{cluster_tag, Kind, PacketKey, Sealer};
use transport::{Dest, Received, Transport, TransportConfig};

const KEY: [u8; 256] = [0x5a; 256];

/// A corosync.conf for `n` nodes on 127.<net>.0.x (ring 0) and, with two
/// rings, 127.<net>.1.x (ring 1), base port `port`.
fn conf(net: u8, n: u8, port: u16, rings: u8, mode: &str, secure: bool) -> String {
    let mut text = format!(
        "totem {{\n version: 2\n transport: udpu\n cluster_name: t{net}\n token: 400\n token_coefficient: 0\n secauth: {}\n rrp_mode: {mode}\n interface {{\n  linknumber: 0\n  mcastport: {port}\n }}\n interface {{\n  linknumber: 1\n  mcastport: {}\n }}\n}}\nnodelist {{\n",
        if secure { "on" } else { "off" },
        port + 1
    );
    for i in 1..=n {
        text.push_str(&format!(
            " node {{\n  nodeid: {i}\n  ring0_addr: 127.{net}.0.{i}\n"
        ));
        if rings == 2 {
            text.push_str(&format!("  ring1_addr: 127.{net}.1.{i}\n"));
        }
        text.push_str(" }\n");
    }
    text.push_str("}\n");
    text
}

fn setup(text: &str, node: u32) -> TransportConfig {
    let config = corosync_conf::parse(text, "test.conf")
        .expect("valid config")
        .config;
    TransportConfig::from_config(&config, node, &[]).expect("setup")
}

fn start(text: &str, node: u32, key: &[u8]) -> Transport {
    Transport::new(setup(text, node), Some(key), transport::epoch_now()).expect("bind")
}

/// Ticks and drains every transport for `wait`, returning what each received.
fn pump(nodes: &mut [&mut Transport], wait: Duration) -> Vec<Vec<Received>> {
    let mut got = vec![Vec::new(); nodes.len()];
    let end = Instant::now() + wait;
    while Instant::now() < end {
        for (i, t) in nodes.iter_mut().enumerate() {
            t.tick();
            while let Some(r) = t.recv() {
                got[i].push(r);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    got
}

fn texts(got: &[Received]) -> BTreeSet<(u32, String)> {
    got.iter()
        .map(|r| (r.from, String::from_utf8_lossy(&r.payload).into_owned()))
        .collect()
}

#[test]
fn three_nodes_udpu_encrypted_all_and_unicast() {
    let text = conf(11, 3, 41_100, 1, "none", true);
    let mut a = start(&text, 1, &KEY);
    let mut b = start(&text, 2, &KEY);
    let mut c = start(&text, 3, &KEY);
    a.send(Dest::All, b"from a").expect("send");
    b.send(Dest::All, b"from b").expect("send");
    c.send(Dest::Node(1), b"c to a only").expect("send");
    assert!(a.send(Dest::Node(9), b"x").is_err(), "unknown node");
    let got = pump(&mut [&mut a, &mut b, &mut c], Duration::from_millis(200));
    assert_eq!(
        texts(&got[0]),
        BTreeSet::from([(2, "from b".into()), (3, "c to a only".into())])
    );
    assert_eq!(texts(&got[1]), BTreeSet::from([(1, "from a".into())]));
    assert_eq!(
        texts(&got[2]),
        BTreeSet::from([(1, "from a".into()), (2, "from b".into())])
    );
    assert!(got.iter().flatten().all(|r| r.ring == 0));
    assert_eq!(a.stats().dropped_bad(), 0);
    assert_eq!(a.stats().rx_packets, 2);
    assert_eq!(a.my_node(), 1);
    assert_eq!(a.fds().len(), 1);
}

#[test]
fn wrong_key_node_is_never_heard_and_is_counted() {
    let text = conf(12, 3, 41_200, 1, "none", true);
    let mut a = start(&text, 1, &KEY);
    let mut b = start(&text, 2, &KEY);
    let mut intruder = start(&text, 3, &[0x11; 256]);
    for i in 0..5 {
        intruder
            .send(Dest::All, format!("bad {i}").as_bytes())
            .expect("send");
    }
    a.send(Dest::All, b"good").expect("send");
    let got = pump(
        &mut [&mut a, &mut b, &mut intruder],
        Duration::from_millis(200),
    );
    assert_eq!(texts(&got[1]), BTreeSet::from([(1, "good".into())]));
    assert!(got[0].is_empty());
    assert!(got[2].is_empty(), "the intruder cannot read us either");
    // Five data packets, plus any probes the intruder sent, failed authentication.
    assert!(a.stats().dropped_auth >= 5, "{:?}", a.stats());
    assert_eq!(a.stats().rx_packets, 0);
    assert!(intruder.stats().dropped_auth >= 1);
}

#[test]
fn hostile_datagrams_are_dropped_counted_and_harmless() {
    let text = conf(13, 3, 41_300, 1, "none", true);
    let mut a = start(&text, 1, &KEY);
    let target = "127.13.0.1:41300";
    // From node 3's listed address, claiming to be node 3.
    let raw = UdpSocket::bind("127.13.0.3:0").expect("bind raw");
    let mut sealer = Sealer::new(
        Some(PacketKey::derive(&KEY, "t13")),
        cluster_tag("t13"),
        3,
        transport::epoch_now(),
    );
    let mut good = Vec::new();
    sealer.seal(Kind::Data, b"legit", &mut good).expect("seal");
    raw.send_to(&good, target).expect("send");
    raw.send_to(&good, target).expect("replay");
    raw.send_to(&good[..20], target).expect("truncated");
    raw.send_to(b"complete garbage that is long enough to parse", target)
        .expect("garbage");
    // A fresh packet with one bit flipped (a tampered copy of `good` would be
    // refused even earlier, as a duplicate).
    let mut tampered = Vec::new();
    sealer
        .seal(Kind::Data, b"tamper me", &mut tampered)
        .expect("seal");
    tampered[35] ^= 0x40;
    raw.send_to(&tampered, target).expect("tampered");
    // From an address that is not in the nodelist.
    let stranger = UdpSocket::bind("127.13.0.77:0").expect("bind stranger");
    let mut other = Vec::new();
    sealer
        .seal(Kind::Data, b"from elsewhere", &mut other)
        .expect("seal");
    stranger.send_to(&other, target).expect("send");
    let got = pump(&mut [&mut a], Duration::from_millis(150));
    assert_eq!(texts(&got[0]), BTreeSet::from([(3, "legit".into())]));
    let s = a.stats();
    assert_eq!(s.dropped_duplicate, 1, "replay");
    assert_eq!(s.dropped_truncated, 1);
    assert_eq!(s.dropped_garbage, 1);
    assert_eq!(s.dropped_auth, 1, "tampered");
    assert_eq!(s.dropped_unlisted, 1);
    assert_eq!(s.rx_packets, 1);
}

#[test]
fn active_rings_send_twice_deliver_once() {
    let text = conf(14, 2, 41_400, 2, "active", true);
    let mut a = start(&text, 1, &KEY);
    let mut b = start(&text, 2, &KEY);
    for i in 0..20 {
        a.send(Dest::All, format!("m{i}").as_bytes()).expect("send");
    }
    let got = pump(&mut [&mut a, &mut b], Duration::from_millis(200));
    let payloads: Vec<&[u8]> = got[1].iter().map(|r| r.payload.as_slice()).collect();
    assert_eq!(payloads.len(), 20, "each message once");
    let distinct: BTreeSet<&[u8]> = payloads.iter().copied().collect();
    assert_eq!(distinct.len(), 20);
    assert!(
        b.stats().dropped_duplicate >= 20,
        "second copies dropped: {:?}",
        b.stats()
    );
    assert!(a.stats().tx_packets >= 40);
    let rings: BTreeSet<u8> = got[1].iter().map(|r| r.ring).collect();
    assert!(!rings.is_empty());
}

#[test]
fn passive_rings_alternate() {
    let text = conf(15, 2, 41_500, 2, "passive", false);
    let mut a = Transport::new(setup(&text, 1), None, 1).expect("bind");
    let mut b = Transport::new(setup(&text, 2), None, 1).expect("bind");
    for i in 0..10 {
        a.send(Dest::Node(2), format!("m{i}").as_bytes())
            .expect("send");
    }
    let got = pump(&mut [&mut a, &mut b], Duration::from_millis(150));
    assert_eq!(got[1].len(), 10);
    let on0 = got[1].iter().filter(|r| r.ring == 0).count();
    assert_eq!((on0, 10 - on0), (5, 5), "round robin over both rings");
    assert_eq!(b.stats().dropped_duplicate, 0);
}

#[test]
fn silent_ring_goes_faulty_cluster_stays_up_and_recovers() {
    let full = conf(16, 2, 41_600, 2, "passive", true);
    let mut a = start(&full, 1, &KEY);
    // Node 2 first runs with ring 1 missing: its ring-1 link is "down".
    let mut b_setup = setup(&full, 2);
    b_setup.rings.retain(|r| r.number == 0);
    let mut b = Transport::new(b_setup, Some(&KEY), transport::epoch_now()).expect("bind");
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut delivered = 0;
    while Instant::now() < deadline && !a.ring_status()[1].faulty {
        b.send(Dest::All, b"tick").expect("send");
        let got = pump(&mut [&mut a, &mut b], Duration::from_millis(20));
        delivered += got[0].len();
    }
    let status = a.ring_status();
    assert!(status[1].faulty, "ring 1 marked FAULTY: {status:?}");
    assert!(!status[0].faulty);
    assert_eq!(status[1].describe(), "FAULTY");
    assert_eq!(status[0].describe(), "active with no faults");
    assert_eq!(status[0].reachable, [2]);
    assert!(delivered > 0);
    // While ring 1 is faulty, passive mode sends everything on ring 0.
    for i in 0..6 {
        a.send(Dest::Node(2), format!("x{i}").as_bytes())
            .expect("send");
    }
    let got = pump(&mut [&mut a, &mut b], Duration::from_millis(60));
    assert_eq!(
        got[1]
            .iter()
            .filter(|r| r.payload.starts_with(b"x"))
            .count(),
        6
    );
    // The link returns: node 2 restarts with both rings.
    drop(b);
    let mut b = start(&full, 2, &KEY);
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline && a.ring_status()[1].faulty {
        b.send(Dest::All, b"tock").expect("send");
        pump(&mut [&mut a, &mut b], Duration::from_millis(20));
    }
    assert!(!a.ring_status()[1].faulty, "ring 1 recovered");
}

#[test]
fn peer_silent_on_one_ring_is_reached_on_the_other() {
    let full = conf(17, 3, 41_700, 2, "passive", true);
    let mut a = start(&full, 1, &KEY);
    let mut b = start(&full, 2, &KEY);
    // Node 3's ring-1 link is down: only ring 0 works for it.
    let mut c_setup = setup(&full, 3);
    c_setup.rings.retain(|r| r.number == 0);
    let mut c = Transport::new(c_setup, Some(&KEY), transport::epoch_now()).expect("bind");
    // Warm up past the fault bound (token 400 ms): everyone hears everyone
    // where it can, and node 3's ring 1 is found dead.
    // Keep going until node 1 sees that state (bounded), so a scheduling
    // stall on a loaded machine cannot leave it stale.
    let started = Instant::now();
    loop {
        for t in [&mut a, &mut b, &mut c] {
            t.send(Dest::All, b"hello").expect("send");
        }
        pump(&mut [&mut a, &mut b, &mut c], Duration::from_millis(20));
        let s = a.ring_status();
        let settled = started.elapsed() > Duration::from_millis(600)
            && s[1].reachable == [2]
            && s[0].reachable == [2, 3];
        if settled || started.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    let status = a.ring_status();
    assert!(
        !status[1].faulty,
        "ring 1 still works between 1 and 2: {status:?}"
    );
    assert_eq!(status[1].reachable, [2]);
    assert_eq!(status[0].reachable, [2, 3]);
    // Sent in two runs so passive alternation covers both rings for node 2.
    for i in 0..20 {
        a.send(Dest::Node(3), format!("n{i}").as_bytes())
            .expect("send");
    }
    for i in 0..20 {
        a.send(Dest::All, format!("all{i}").as_bytes())
            .expect("send");
    }
    let got = pump(&mut [&mut a, &mut b, &mut c], Duration::from_millis(150));
    let to_c = |prefix: &[u8]| {
        got[2]
            .iter()
            .filter(|r| r.payload.starts_with(prefix))
            .count()
    };
    assert_eq!(to_c(b"n"), 20, "no message to node 3 went to its dead ring");
    assert_eq!(to_c(b"all"), 20);
    let on1 = got[1]
        .iter()
        .filter(|r| r.payload.starts_with(b"all") && r.ring == 1)
        .count();
    assert!(on1 > 0, "node 2 still gets traffic on ring 1");
}

#[test]
fn second_transport_on_the_same_address_fails_to_bind() {
    let text = conf(18, 2, 41_800, 1, "none", false);
    let _first = Transport::new(setup(&text, 1), None, 1).expect("bind");
    let err = Transport::new(setup(&text, 1), None, 2).expect_err("address in use");
    assert!(
        err.to_string()
            .starts_with("cannot set up socket 127.18.0.1:41800"),
        "{err}"
    );
}

#[test]
fn epoch_state_keeps_epochs_increasing() {
    let dir = std::env::temp_dir().join(format!("tandem-epoch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let state = dir.join("epoch");
    let first = transport::next_epoch(&state).expect("first");
    let second = transport::next_epoch(&state).expect("second");
    assert!(second > first);
    // The wall clock went far back (or the file holds a future value): still increasing.
    let future = transport::epoch_now() + 3_600_000_000_000;
    std::fs::write(&state, format!("{future}\n")).expect("write");
    assert_eq!(transport::next_epoch(&state).expect("third"), future + 1);
    std::fs::write(&state, "garbage").expect("write");
    assert!(transport::next_epoch(&state).expect("recovers") >= first);
    let e = transport::next_epoch(&dir.join("missing/epoch")).expect_err("no directory");
    assert!(e.to_string().starts_with("epoch state "), "{e}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
