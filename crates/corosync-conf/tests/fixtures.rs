//! The two corosync.conf examples of the OpenStack HA guide load, with
//! warnings (not errors) for their legacy keys and sections.

use corosync_conf::{
    parse, Cipher, DebugLevel, Hash, NodeAddr, RingMode, Timestamp, TransportKind,
};
use std::net::IpAddr;

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().expect("test literal"))
}

#[test]
fn openstack_two_ring_multicast_example_loads() {
    let text = include_str!("fixtures/openstack-multicast.conf");
    let parsed = parse(text, "openstack-multicast.conf").expect("fixture must load");
    let t = &parsed.config.totem;
    assert_eq!(t.version, 2);
    assert_eq!(t.token, 10000);
    assert_eq!(t.token_retransmits_before_loss_const, 10);
    assert!(t.secauth);
    assert_eq!(
        (t.crypto_cipher, t.crypto_hash),
        (Cipher::Aes256, Hash::Sha256)
    );
    assert!(t.crypto_enabled());
    assert_eq!(t.ring_mode, RingMode::Active);
    assert_eq!(
        t.transport,
        TransportKind::Udp,
        "no transport, no nodelist: corosync 2's udp"
    );
    assert_eq!(t.interfaces.len(), 2);
    let r0 = &t.interfaces[0];
    assert_eq!(
        (
            r0.linknumber,
            r0.bindnetaddr,
            r0.mcastaddr,
            r0.mcastport,
            r0.ttl
        ),
        (0, ip("10.0.0.0"), ip("239.255.42.1"), 5405, 1)
    );
    let r1 = &t.interfaces[1];
    assert_eq!(
        (r1.linknumber, r1.bindnetaddr, r1.mcastaddr, r1.mcastport),
        (1, ip("10.0.42.0"), ip("239.255.42.2"), 5405)
    );
    let l = &parsed.config.logging;
    assert!(l.to_stderr && !l.to_logfile && l.to_syslog && !l.fileline);
    assert_eq!((l.debug, l.timestamp), (DebugLevel::Off, Timestamp::On));
    assert_eq!(l.subsystems.len(), 1);
    assert_eq!(l.subsystems[0].subsys, "AMF");
    assert_eq!(l.subsystems[0].debug, Some(DebugLevel::Off));

    let warned: Vec<(&str, usize)> = parsed
        .warnings
        .iter()
        .map(|w| (w.key.as_str(), w.line))
        .collect();
    assert_eq!(
        warned,
        [
            ("totem.transport", 1),
            ("totem.vsftype", 12),
            ("totem.threads", 18),
            ("amf", 40),
            ("service", 44),
            ("aisexec", 50),
            ("logging.logger_subsys.tags", 66),
        ]
    );
    assert!(parsed.warnings[1]
        .to_string()
        .starts_with("openstack-multicast.conf:12: totem.vsftype: obsolete"));

    let timers = parsed.config.timers();
    assert_eq!(
        (timers.token, timers.consensus, timers.token_retransmit),
        (10000, 12000, 980)
    );
}

#[test]
fn openstack_udpu_votequorum_example_loads() {
    let text = include_str!("fixtures/openstack-unicast.conf");
    let parsed = parse(text, "openstack-unicast.conf").expect("fixture must load");
    let c = &parsed.config;
    assert_eq!(c.totem.transport, TransportKind::Udpu);
    assert_eq!(c.totem.join, 60);
    assert_eq!(c.totem.consensus, Some(3600));
    assert_eq!(c.totem.max_messages, 20);
    assert!(c.totem.clear_node_high_bit);
    assert_eq!(c.totem.ring_mode, RingMode::None);
    assert!(!c.totem.crypto_enabled());
    assert_eq!(c.nodelist.len(), 3);
    for (i, node) in c.nodelist.iter().enumerate() {
        assert_eq!(node.nodeid, Some(i as u32 + 1));
        assert_eq!(
            node.ring_addr(0),
            Some(&NodeAddr::Host(format!("controller{}", i + 1)))
        );
        assert_eq!(node.quorum_votes, 1);
    }
    let q = &c.quorum;
    assert!(q.votequorum_enabled());
    assert_eq!(q.expected_votes, Some(7));
    assert!(q.wait_for_all && q.last_man_standing && !q.two_node && !q.auto_tie_breaker);
    assert_eq!(q.last_man_standing_window, 10000);
    assert_eq!(
        c.expected_votes(),
        Some(7),
        "quorum.expected_votes overrides the nodelist sum"
    );

    // token 3000 with 3 nodes: token_real 3650; consensus is explicit.
    let t = c.timers();
    assert_eq!((t.token, t.consensus), (3650, 3600));
    assert_eq!(t.token_retransmit, 3650 * 10 / 102);

    let keys: Vec<&str> = parsed.warnings.iter().map(|w| w.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "totem.vsftype",
            "totem.threads",
            "totem.interface.bindnetaddr",
            "logging.logger_subsys.tags",
            "amf"
        ]
    );
}

#[test]
fn cmap_view_of_fixture_uses_corosync_key_names() {
    let text = include_str!("fixtures/openstack-unicast.conf");
    let tree = corosync_conf::parse_tree(text, "f").expect("fixture must parse");
    let keys = corosync_conf::cmap_keys(&tree);
    let get = |k: &str| {
        keys.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("totem.token"), Some("3000"));
    assert_eq!(get("totem.interface.0.bindnetaddr"), Some("192.168.1.0"));
    assert_eq!(get("nodelist.node.2.ring0_addr"), Some("controller3"));
    assert_eq!(get("logging.logger_subsys.AMF.debug"), Some("off"));
    assert_eq!(get("quorum.expected_votes"), Some("7"));
}

#[test]
fn load_reads_a_file_and_names_it_in_errors() {
    let dir = std::env::temp_dir().join(format!("tandem-conf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("good.conf");
    std::fs::write(&good, include_str!("fixtures/openstack-unicast.conf")).expect("write");
    let parsed = corosync_conf::load(&good).expect("loads");
    assert_eq!(parsed.config.nodelist.len(), 3);
    let bad = dir.join("bad.conf");
    std::fs::write(&bad, "totem {\n").expect("write");
    let e = corosync_conf::load(&bad).expect_err("unbalanced");
    assert_eq!(
        e.to_string(),
        format!("parser error: {}:1: Missing closing brace", bad.display())
    );
    let e = corosync_conf::load(&dir.join("missing.conf")).expect_err("missing");
    assert!(e.to_string().starts_with("cannot read "), "{e}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
