//! Two nodes in network namespaces `tdt-*` joined by two veth pairs
//! (10.202.0.0/24 = ring 0, 10.202.1.0/24 = ring 1): multicast (`udp`) and
//! unicast (`udpu`) delivery, and a ring link going down and back up while
//! the other ring keeps the nodes talking. Root only; runs when
//! TANDEM_SLOW_TESTS=1.

use std::net::IpAddr;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use transport::{Dest, Received, Transport, TransportConfig};

const KEY: [u8; 128] = [0x42; 128];

fn slow_tests_enabled(test: &str) -> bool {
    if std::env::var("TANDEM_SLOW_TESTS").as_deref() != Ok("1") {
        println!("{test}: skipped, set TANDEM_SLOW_TESTS=1 to run");
        return false;
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        println!("{test}: skipped, needs root for network namespaces");
        return false;
    }
    true
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two namespaces and their links; removed on drop, even when a test fails.
struct Net {
    a: String,
    b: String,
    veth: [String; 2],
}

impl Net {
    fn new(tag: &str) -> Net {
        let id = std::process::id() % 100_000;
        let net = Net {
            a: format!("tdt-{tag}{id}a"),
            b: format!("tdt-{tag}{id}b"),
            veth: [format!("tdt{tag}{id}r0"), format!("tdt{tag}{id}r1")],
        };
        let _ = Command::new("ip").args(["netns", "del", &net.a]).output();
        let _ = Command::new("ip").args(["netns", "del", &net.b]).output();
        ip(&["netns", "add", &net.a]);
        ip(&["netns", "add", &net.b]);
        for (ring, veth) in net.veth.iter().enumerate() {
            let (va, vb) = (format!("{veth}a"), format!("{veth}b"));
            ip(&[
                "link", "add", &va, "netns", &net.a, "type", "veth", "peer", "name", &vb, "netns",
                &net.b,
            ]);
            for (ns, dev, host) in [(&net.a, &va, 1), (&net.b, &vb, 2)] {
                let addr = format!("10.202.{ring}.{host}/24");
                ip(&["-n", ns, "addr", "add", &addr, "dev", dev]);
                ip(&["-n", ns, "link", "set", dev, "up"]);
                ip(&["-n", ns, "link", "set", "lo", "up"]);
            }
        }
        net
    }

    /// Sets ring `ring`'s link in namespace A down or up.
    fn ring_link(&self, ring: usize, up: bool) {
        let dev = format!("{}a", self.veth[ring]);
        ip(&[
            "-n",
            &self.a,
            "link",
            "set",
            &dev,
            if up { "up" } else { "down" },
        ]);
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.a]).output();
        let _ = Command::new("ip").args(["netns", "del", &self.b]).output();
    }
}

/// Creates a transport whose sockets live in namespace `ns`.
fn start_in(ns: &str, config: TransportConfig) -> Transport {
    let path = format!("/run/netns/{ns}");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).expect("open netns");
        use std::os::fd::AsRawFd;
        // SAFETY: setns on a valid namespace fd only changes this thread's namespace.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns {path}");
        let t = Transport::new(config, Some(&KEY), transport::epoch_now());
        tx.send(t.map_err(|e| e.to_string())).expect("send back");
    });
    rx.recv().expect("thread result").expect("transport")
}

fn pump(a: &mut Transport, b: &mut Transport, wait: Duration) -> (Vec<Received>, Vec<Received>) {
    let (mut ga, mut gb) = (Vec::new(), Vec::new());
    let end = Instant::now() + wait;
    while Instant::now() < end {
        a.tick();
        b.tick();
        while let Some(r) = a.recv() {
            ga.push(r);
        }
        while let Some(r) = b.recv() {
            gb.push(r);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    (ga, gb)
}

fn run_two_ring_scenario(net: &Net, text: &str, multicast: bool) {
    let config = corosync_conf::parse(text, "netns.conf")
        .expect("valid")
        .config;
    let locals = |h: u8| -> Vec<IpAddr> {
        vec![
            format!("10.202.0.{h}").parse().expect("literal"),
            format!("10.202.1.{h}").parse().expect("literal"),
        ]
    };
    let ca = TransportConfig::from_config(&config, 1, &locals(1)).expect("setup a");
    let cb = TransportConfig::from_config(&config, 2, &locals(2)).expect("setup b");
    let mut a = start_in(&net.a, ca);
    let mut b = start_in(&net.b, cb);

    for i in 0..10 {
        a.send(Dest::All, format!("a{i}").as_bytes()).expect("send");
        b.send(Dest::All, format!("b{i}").as_bytes()).expect("send");
    }
    let (ga, gb) = pump(&mut a, &mut b, Duration::from_millis(300));
    assert_eq!(ga.len(), 10, "a got {ga:?} (multicast {multicast})");
    assert_eq!(gb.len(), 10, "b got {gb:?}");
    assert!(ga.iter().all(|r| r.from == 2) && gb.iter().all(|r| r.from == 1));

    // Ring 1's link fails: ring 1 goes FAULTY on both sides, ring 0 carries on.
    net.ring_link(1, false);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut delivered = 0;
    while Instant::now() < deadline && !(a.ring_status()[1].faulty && b.ring_status()[1].faulty) {
        a.send(Dest::All, b"during").expect("send");
        b.send(Dest::All, b"during").expect("send");
        let (ga, gb) = pump(&mut a, &mut b, Duration::from_millis(20));
        delivered += ga.len() + gb.len();
    }
    assert!(a.ring_status()[1].faulty, "a: {:?}", a.ring_status());
    assert!(b.ring_status()[1].faulty, "b: {:?}", b.ring_status());
    assert!(!a.ring_status()[0].faulty && !b.ring_status()[0].faulty);
    assert!(delivered > 0);
    for i in 0..10 {
        a.send(Dest::Node(2), format!("u{i}").as_bytes())
            .expect("send");
    }
    let (_, gb) = pump(&mut a, &mut b, Duration::from_millis(200));
    assert_eq!(
        gb.iter().filter(|r| r.payload.starts_with(b"u")).count(),
        10,
        "everything still arrives on ring 0"
    );

    // The link returns: ring 1 recovers on both sides.
    net.ring_link(1, true);
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline && (a.ring_status()[1].faulty || b.ring_status()[1].faulty) {
        pump(&mut a, &mut b, Duration::from_millis(50));
    }
    assert!(
        !a.ring_status()[1].faulty,
        "a recovered: {:?}",
        a.ring_status()
    );
    assert!(
        !b.ring_status()[1].faulty,
        "b recovered: {:?}",
        b.ring_status()
    );
    assert_eq!(a.stats().dropped_bad(), 0, "{:?}", a.stats());
}

#[test]
fn multicast_two_rings_survive_a_link_failure() {
    if !slow_tests_enabled("multicast_two_rings_survive_a_link_failure") {
        return;
    }
    let net = Net::new("m");
    let text = "totem {\n version: 2\n transport: udp\n cluster_name: nsm\n token: 1000\n downcheck: 200\n secauth: on\n rrp_mode: active\n interface {\n  ringnumber: 0\n  bindnetaddr: 10.202.0.0\n  mcastaddr: 239.255.202.1\n  mcastport: 5405\n  ttl: 1\n }\n interface {\n  ringnumber: 1\n  bindnetaddr: 10.202.1.0\n  mcastaddr: 239.255.202.2\n  mcastport: 5407\n }\n}\n";
    run_two_ring_scenario(&net, text, true);
}

#[test]
fn unicast_two_rings_survive_a_link_failure() {
    if !slow_tests_enabled("unicast_two_rings_survive_a_link_failure") {
        return;
    }
    let net = Net::new("u");
    let text = "totem {\n version: 2\n transport: udpu\n cluster_name: nsu\n token: 1000\n downcheck: 200\n secauth: on\n rrp_mode: passive\n}\nnodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.202.0.1\n  ring1_addr: 10.202.1.1\n }\n node {\n  nodeid: 2\n  ring0_addr: 10.202.0.2\n  ring1_addr: 10.202.1.2\n }\n}\n";
    run_two_ring_scenario(&net, text, false);
}
