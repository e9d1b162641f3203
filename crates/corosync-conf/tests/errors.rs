//! Rejected configurations name the file, the line and the key (totem brief §4.1).

use corosync_conf::{parse, ConfError, TieBreaker};

const NODES: &str = "nodelist {\n node {\n  ring0_addr: 10.0.0.1\n  nodeid: 1\n }\n}\n";

fn err(text: &str) -> String {
    match parse(text, "c.conf") {
        Ok(p) => panic!("expected an error, got {:?}", p.config),
        Err(e) => e.to_string(),
    }
}

#[test]
fn trailing_comment_makes_integer_invalid() {
    let e = err(&format!(
        "totem {{\n version: 2 # trailing comment\n}}\n{NODES}"
    ));
    assert_eq!(
        e,
        "c.conf:2: value of key \"totem.version\" is expected to be integer in 0..=4294967295, but \"2 # trailing comment\" was given"
    );
}

#[test]
fn version_must_be_two_and_present() {
    let e = err(&format!("totem {{\n version: 1\n}}\n{NODES}"));
    assert_eq!(
        e,
        "c.conf:2: totem.version: This totem parser can only parse version 2 configurations."
    );
    let e = err(&format!("totem {{\n token: 1000\n}}\n{NODES}"));
    assert_eq!(e, "c.conf: missing required key \"totem.version\"");
}

#[test]
fn cipher_without_hash_is_rejected() {
    let e = err(&format!(
        "totem {{\n version: 2\n crypto_hash: none\n crypto_cipher: aes256\n}}\n{NODES}"
    ));
    assert_eq!(e, "c.conf:4: totem.crypto_cipher: crypto_cipher requires crypto_hash with value other than none");
}

#[test]
fn too_small_token_retransmit_is_rejected() {
    let e = err(&format!("totem {{\n version: 2\n token: 100\n}}\n{NODES}"));
    assert!(e.contains("c.conf:3: totem.token_retransmit: The token retransmit timeout parameter (23 ms) may not be less than (30 ms)"), "{e}");
}

#[test]
fn bad_values_name_line_and_key() {
    let e = err(&format!(
        "totem {{\n version: 2\n transport: tcp\n}}\n{NODES}"
    ));
    assert!(
        e.starts_with("c.conf:3: value of key \"totem.transport\""),
        "{e}"
    );
    let e = err("totem {\n version: 2\n}\nnodelist {\n node {\n  ring0_addr: 10.0.0.1\n  nodeid: 0\n }\n}\n");
    assert!(
        e.starts_with("c.conf:7: value of key \"nodelist.node.nodeid\""),
        "{e}"
    );
    let e = err(&format!(
        "totem {{\n version: 2\n}}\nquorum {{\n two_node: maybe\n}}\n{NODES}"
    ));
    assert!(
        e.starts_with("c.conf:5: value of key \"quorum.two_node\""),
        "{e}"
    );
    let e = err(&format!(
        "totem {{\n version: 2\n interface {{\n  ttl: 300\n }}\n}}\n{NODES}"
    ));
    assert!(
        e.starts_with("c.conf:4: value of key \"totem.interface.ttl\""),
        "{e}"
    );
}

#[test]
fn nodelist_consistency_is_checked() {
    let e = err("totem {\n version: 2\n}\nnodelist {\n node {\n  ring0_addr: a\n  nodeid: 1\n }\n node {\n  ring0_addr: b\n  nodeid: 1\n }\n}\n");
    assert_eq!(e, "c.conf:9: nodelist.node.nodeid: nodeid 1 is used twice");
    let e = err("totem {\n version: 2\n}\nnodelist {\n node {\n  ring0_addr: a\n }\n node {\n  ring0_addr: a\n }\n}\n");
    assert!(e.contains("address a is used by two nodes"), "{e}");
    let e = err("totem {\n version: 2\n}\nnodelist {\n node {\n  ring1_addr: a\n }\n}\n");
    assert!(e.contains("every node needs ring0_addr"), "{e}");
    let e = err("totem {\n version: 2\n transport: udpu\n}\n");
    assert_eq!(e, "c.conf: missing required key \"nodelist.node\"");
}

#[test]
fn udp_needs_a_multicast_group() {
    let e = err(
        "totem {\n version: 2\n transport: udp\n interface {\n  bindnetaddr: 10.0.0.0\n }\n}\n",
    );
    assert_eq!(e, "c.conf:4: totem.interface.mcastaddr: No multicast address specified for interface 0 (set mcastaddr or cluster_name)");
    let e =
        err("totem {\n version: 2\n transport: udp\n interface {\n  mcastaddr: 10.0.0.1\n }\n}\n");
    assert!(e.contains("is not a multicast address"), "{e}");
}

/// corosync -t accepts udp with only a cluster_name: the group is derived.
#[test]
fn udp_group_derived_from_cluster_name() {
    let p = parse(
        &format!("totem {{\n version: 2\n transport: udp\n cluster_name: abc\n}}\n{NODES}"),
        "c.conf",
    )
    .expect("valid");
    let iface = &p.config.totem.interfaces[0];
    let group = iface.mcastaddr.expect("derived");
    assert!(
        group.is_multicast() && group.to_string().starts_with("239.192."),
        "{group}"
    );
    assert_eq!((iface.linknumber, iface.mcastport), (0, 5405));
}

/// Calibrated with `corosync -t`: these load (with a warning where something is ignored).
#[test]
fn lenient_where_corosync_is() {
    let p = parse(
        &format!("totem {{\n version: 2\n}}\nlogging {{\n to_logfile: yes\n}}\nquorum {{\n provider: corosync_votequorum\n expected_votes: 0\n wait_for_all: 2\n}}\n{NODES}"),
        "c.conf",
    )
    .expect("valid");
    assert_eq!(p.config.quorum.expected_votes, None);
    assert_eq!(p.config.expected_votes(), Some(1), "nodelist sum");
    assert!(p.config.quorum.wait_for_all, "non-zero integer is on");
    assert!(!p.config.logging.to_logfile);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].key, "logging.logfile");
    let p = parse(
        &format!("totem {{\n version: 2\n}}\nquorum {{\n provider: foo\n}}\n{NODES}"),
        "c.conf",
    )
    .expect("valid");
    assert!(!p.config.quorum.votequorum_enabled());
    assert_eq!(
        p.warnings[0].to_string(),
        "c.conf:5: quorum.provider: unknown quorum provider \"foo\": quorum is disabled"
    );
}

#[test]
fn syntax_errors_are_syntax_variant() {
    let r = parse("totem {\n token = 3000\n}\n", "c.conf");
    assert!(matches!(r, Err(ConfError::Syntax { line: 2, .. })), "{r:?}");
}

#[test]
fn defaults_follow_corosync_3_1() {
    let p = parse(&format!("totem{{\nversion:2\n}}\n{NODES}"), "c.conf").expect("valid");
    let t = &p.config.totem;
    assert_eq!(
        (
            t.token,
            t.token_coefficient,
            t.join,
            t.merge,
            t.downcheck,
            t.fail_recv_const
        ),
        (3000, 650, 50, 200, 1000, 2500)
    );
    assert_eq!(
        (
            t.seqno_unchanged_const,
            t.window_size,
            t.max_messages,
            t.send_join
        ),
        (2, 50, 17, 0),
        "corosync's defaults, but seqno_unchanged_const (Tandem's own, see its constant)"
    );
    assert_eq!(p.config.timers().consensus, 3600);
    assert_eq!(p.config.expected_votes(), Some(1));
    assert!(p.warnings.is_empty());
    assert_eq!(p.config.ring_port(0), 5405);
    assert_eq!(p.config.ring_port(1), 5406);
}

#[test]
fn quorum_options_decode() {
    let p = parse(
        &format!("totem {{\n version: 2\n}}\nquorum {{\n provider: corosync_votequorum\n two_node: 1\n auto_tie_breaker: 1\n auto_tie_breaker_node: 3 1 2\n}}\n{NODES}"),
        "c.conf",
    )
    .expect("valid");
    let q = &p.config.quorum;
    assert!(
        q.two_node && q.wait_for_all,
        "two_node implies wait_for_all"
    );
    assert_eq!(q.auto_tie_breaker_node, TieBreaker::List(vec![3, 1, 2]));
    let p = parse(
        &format!(
            "totem {{\n version: 2\n}}\nquorum {{\n two_node: 1\n wait_for_all: 0\n}}\n{NODES}"
        ),
        "c.conf",
    )
    .expect("valid");
    assert!(
        !p.config.quorum.wait_for_all,
        "explicit wait_for_all: 0 wins"
    );
}

#[test]
fn unknown_keys_warn_and_repeated_sections_merge() {
    let p = parse(
        &format!("totem {{\n version: 2\n frobnicate: 1\n}}\ntotem {{\n token: 1000\n}}\nweird {{\n}}\n{NODES}"),
        "c.conf",
    )
    .expect("valid");
    assert_eq!(p.config.totem.token, 1000);
    let w: Vec<String> = p.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        w,
        [
            "c.conf:3: totem.frobnicate: unknown key ignored",
            "c.conf:8: weird: unknown section ignored"
        ]
    );
}

#[test]
fn secauth_keeps_explicit_cipher() {
    let p = parse(
        &format!("totem {{\n version: 2\n secauth: on\n crypto_cipher: aes128\n}}\n{NODES}"),
        "c.conf",
    )
    .expect("valid");
    assert_eq!(p.config.totem.crypto_cipher, corosync_conf::Cipher::Aes128);
    assert_eq!(p.config.totem.crypto_hash, corosync_conf::Hash::Sha256);
}

#[test]
fn garbage_never_panics() {
    let samples = [
        "",
        "{",
        "}",
        ":",
        "a:",
        ":b",
        "a {\n}\n}",
        "totem {\nversion: 2\ninterface {\nringnumber: 99\n}\n}",
        "\u{0}\u{1}{{{",
        "totem {\n version: 2\n}\nnodelist {\n node {\n ring9_addr: x\n }\n}\n",
    ];
    for s in samples {
        let _ = parse(s, "g");
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let alphabet = b"{}:# \nabtokenversion2totemnodelist0123456789";
    for _ in 0..2000 {
        let len = (seed % 80) as usize;
        let mut s = String::new();
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize] as char);
        }
        let _ = parse(&s, "g");
    }
}
