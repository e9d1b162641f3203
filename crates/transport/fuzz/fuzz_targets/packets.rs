//! Fuzz target: any datagram is either opened or dropped with a reason, by a plaintext and an
//! encrypted opener, never a panic; whatever payload comes out decodes as a Totem message or
//! an error, and a decoded message encodes back to bytes that decode to the same message.
//! Also: any payload sealed by a node opens on another to the same bytes.
//! Run with `cargo +nightly fuzz run packets` from crates/transport.
#![no_main]

use libfuzzer_sys::fuzz_target;
use transport::packet::{cluster_tag, Kind, Opener, PacketKey, Sealer};

fuzz_target!(|data: &[u8]| {
    let tag = cluster_tag("fuzz");
    let key = PacketKey::derive(&[7u8; 128], "fuzz");
    for key in [None, Some(key.clone())] {
        let mut opener = Opener::new(key, tag, 1);
        if let Ok(opened) = opener.open(data) {
            check_totem(&opened.payload);
        }
    }
    check_totem(data);

    let mut sealer = Sealer::new(Some(key.clone()), tag, 2, 1);
    let mut packet = Vec::new();
    if sealer.seal(Kind::Data, data, &mut packet).is_ok() {
        let mut opener = Opener::new(Some(key), tag, 1);
        match opener.open(&packet) {
            Ok(opened) => assert_eq!(opened.payload, data, "sealed payload changed in transit"),
            Err(reason) => panic!("a freshly sealed packet was dropped: {reason:?}"),
        }
    }
});

fn check_totem(bytes: &[u8]) {
    if let Ok((sender, message)) = totem::decode(bytes) {
        let again = totem::encode(sender, &message);
        match totem::decode(&again) {
            Ok((s2, m2)) => {
                assert_eq!(s2, sender);
                assert_eq!(m2, message, "re-encoding changed it");
            }
            Err(e) => panic!("an encoded message does not decode: {e:?}"),
        }
    }
}
