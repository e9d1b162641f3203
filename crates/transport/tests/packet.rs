//! The pure packet layer: encryption, authentication, replay protection and
//! hostile input (issue 2 part 4).

use transport::packet::{cluster_tag, DropReason, Kind, Opener, PacketKey, Sealer};

fn key(byte: u8) -> Option<PacketKey> {
    Some(PacketKey::derive(&[byte; 128], "prod"))
}

fn pair() -> (Sealer, Opener) {
    let tag = cluster_tag("prod");
    (
        Sealer::new(key(7), tag, 1, 1000),
        Opener::new(key(7), tag, 2),
    )
}

fn seal(s: &mut Sealer, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    s.seal(Kind::Data, payload, &mut out).expect("seal");
    out
}

#[test]
fn round_trip_hides_plaintext() {
    let (mut s, mut o) = pair();
    let p = seal(&mut s, b"hello totem hello totem");
    assert!(!p.windows(5).any(|w| w == b"hello"), "payload is encrypted");
    let opened = o.open(&p).expect("authentic");
    assert_eq!((opened.sender, opened.kind), (1, Kind::Data));
    assert_eq!(opened.payload, b"hello totem hello totem");
    assert_eq!(s.next_counter(), 1);
}

#[test]
fn wrong_key_is_rejected() {
    let tag = cluster_tag("prod");
    let mut s = Sealer::new(key(8), tag, 1, 1000);
    let (_, mut o) = pair();
    assert_eq!(o.open(&seal(&mut s, b"x")), Err(DropReason::AuthFailed));
    // Same authkey, other cluster name: a different derived key and tag.
    let mut other = Sealer::new(
        Some(PacketKey::derive(&[7; 128], "test")),
        cluster_tag("test"),
        1,
        1,
    );
    assert_eq!(
        o.open(&seal(&mut other, b"x")),
        Err(DropReason::WrongCluster)
    );
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let (mut s, _) = pair();
    let p = seal(&mut s, b"payload-under-test");
    for i in 0..p.len() {
        for bit in 0..8 {
            let (_, mut o) = pair();
            let mut bad = p.clone();
            bad[i] ^= 1 << bit;
            let r = o.open(&bad);
            assert!(r.is_err(), "flip of byte {i} bit {bit} accepted");
        }
    }
}

#[test]
fn every_truncation_is_rejected() {
    let (mut s, _) = pair();
    let p = seal(&mut s, b"0123456789");
    for len in 0..p.len() {
        let (_, mut o) = pair();
        let r = o.open(&p[..len]);
        assert!(
            matches!(r, Err(DropReason::Truncated) | Err(DropReason::AuthFailed)),
            "length {len}: {r:?}"
        );
    }
}

#[test]
fn replays_and_old_packets_are_rejected() {
    let (mut s, mut o) = pair();
    let first = seal(&mut s, b"a");
    assert!(o.open(&first).is_ok());
    assert_eq!(o.open(&first), Err(DropReason::Duplicate));
    let mut later = Vec::new();
    for _ in 0..2000 {
        later = seal(&mut s, b"b");
    }
    assert!(o.open(&later).is_ok());
    // `first` is now far below the window.
    assert_eq!(o.open(&first), Err(DropReason::TooOld));
    // A restart (greater epoch) is accepted from counter 0; the old epoch is then refused.
    let mut restarted = Sealer::new(key(7), cluster_tag("prod"), 1, 2000);
    assert!(o.open(&seal(&mut restarted, b"c")).is_ok());
    assert_eq!(o.open(&seal(&mut s, b"d")), Err(DropReason::TooOld));
}

#[test]
fn tampered_packet_does_not_poison_the_window() {
    let (mut s, mut o) = pair();
    let p = seal(&mut s, b"a");
    let mut bad = p.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0xff;
    assert_eq!(o.open(&bad), Err(DropReason::AuthFailed));
    assert!(o.open(&p).is_ok(), "the authentic copy still gets through");
}

#[test]
fn plaintext_and_encrypted_do_not_mix() {
    let tag = cluster_tag("prod");
    let mut plain = Sealer::new(None, tag, 1, 1);
    let (_, mut o) = pair();
    assert_eq!(
        o.open(&seal(&mut plain, b"x")),
        Err(DropReason::CryptoMismatch)
    );
    let mut plain_rx = Opener::new(None, tag, 2);
    let (mut s, _) = pair();
    assert_eq!(
        plain_rx.open(&seal(&mut s, b"x")),
        Err(DropReason::CryptoMismatch)
    );
    let opened = plain_rx
        .open(&seal(&mut plain, b"clear"))
        .expect("plaintext mode");
    assert_eq!(opened.payload, b"clear");
}

#[test]
fn own_packets_are_recognised() {
    let tag = cluster_tag("prod");
    let mut s = Sealer::new(key(7), tag, 2, 1);
    let (_, mut o) = pair();
    assert_eq!(o.open(&seal(&mut s, b"x")), Err(DropReason::Own));
}

#[test]
fn random_garbage_never_panics() {
    let (_, mut o) = pair();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..20_000 {
        let len = (x % 200) as usize;
        let mut buf = Vec::with_capacity(len);
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf.push(x as u8);
        }
        // Half the time, give it a valid-looking header prefix.
        if round % 2 == 0 && len >= 6 {
            buf[..6].copy_from_slice(&[b'T', b'D', 1, 1, 0, 0]);
        }
        assert!(o.open(&buf).is_err());
    }
}

#[test]
fn oversized_payload_is_refused() {
    let (mut s, _) = pair();
    let mut out = Vec::new();
    let big = vec![0u8; transport::limits::MAX_PAYLOAD + 1];
    assert!(s.seal(Kind::Data, &big, &mut out).is_err());
    let max = vec![0u8; transport::limits::MAX_PAYLOAD];
    s.seal(Kind::Data, &max, &mut out)
        .expect("largest payload fits");
    assert!(out.len() <= transport::limits::MAX_DATAGRAM);
}
