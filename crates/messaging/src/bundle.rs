//! Several queued cluster messages of one node carried by one Totem message.
//!
//! When local clients queue messages faster than the token comes round, the daemon packs the
//! consecutive ones that fit into one Totem message (so into one datagram): fewer packets,
//! system calls and AEAD operations per message. A bundle is delivered whole, in Totem's
//! order, and unpacked in its own order, so every node applies the same messages in the same
//! order as if each had been a Totem message of its own. A lone message is never bundled, so an
//! idle ring sends exactly what it did before.

use crate::ipc::codec::{DecodeError, Reader, Writer};

/// First byte of a bundle; distinct from every cluster message version byte.
pub const BUNDLE_MARK: u8 = 0xB1;

/// Largest bundle, in bytes: what one Totem message may carry.
pub const BUNDLE_BYTES_MAX: usize = crate::cluster_message::TOTEM_MESSAGE_BYTES_MAX;

/// Most messages in one bundle.
pub const BUNDLE_MESSAGES_MAX: usize = 1024;

/// Bytes a bundle adds around each message (its length).
const PER_MESSAGE_BYTES: usize = 4;

/// Takes messages from the front of `queue` while they fit one bundle, and returns the Totem
/// payload that carries them with the number of queued bytes it consumed: the message itself
/// when only one fits (or the first alone is already large), else a bundle.
pub fn take_bundle(
    queue: &mut std::collections::VecDeque<Vec<u8>>,
    bytes_max: usize,
) -> Option<(Vec<u8>, usize)> {
    let first = queue.pop_front()?;
    let mut size = 1 + PER_MESSAGE_BYTES + first.len();
    let fits = |size: usize, next: Option<&Vec<u8>>| {
        next.is_some_and(|m| size + PER_MESSAGE_BYTES + m.len() <= bytes_max)
    };
    if !fits(size, queue.front()) {
        let consumed = first.len();
        return Some((first, consumed));
    }
    let mut w = Writer::new(BUNDLE_MARK);
    let mut consumed = first.len();
    w.bytes(&first);
    let mut count = 1;
    while count < BUNDLE_MESSAGES_MAX && fits(size, queue.front()) {
        let Some(next) = queue.pop_front() else {
            break;
        };
        size += PER_MESSAGE_BYTES + next.len();
        consumed += next.len();
        w.bytes(&next);
        count += 1;
    }
    Some((w.finish(), consumed))
}

/// The cluster messages a delivered Totem payload carries, in order: the payload itself when
/// it is not a bundle.
pub fn unpack(payload: &[u8]) -> Result<Vec<&[u8]>, DecodeError> {
    if payload.first() != Some(&BUNDLE_MARK) {
        return Ok(vec![payload]);
    }
    let mut r = Reader::new(payload);
    r.u8("bundle mark")?;
    let mut messages = Vec::new();
    while !r.is_empty() {
        if messages.len() >= BUNDLE_MESSAGES_MAX {
            return Err(DecodeError::TooLong {
                field: "bundle",
                length: messages.len() + 1,
                max: BUNDLE_MESSAGES_MAX,
            });
        }
        messages.push(r.bytes("bundled message", BUNDLE_BYTES_MAX)?);
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    fn queue(sizes: &[usize]) -> VecDeque<Vec<u8>> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, n)| vec![1 + i as u8; *n])
            .collect()
    }

    #[test]
    fn a_lone_message_goes_as_it_is() {
        let mut q = queue(&[100]);
        let (payload, consumed) = take_bundle(&mut q, 1000).expect("one");
        assert_eq!(payload, vec![1u8; 100]);
        assert_eq!(consumed, 100);
        assert_eq!(unpack(&payload).expect("plain"), vec![&payload[..]]);
        assert!(take_bundle(&mut q, 1000).is_none());
    }

    #[test]
    fn consecutive_messages_are_packed_up_to_the_bound_and_unpacked_in_order() {
        let mut q = queue(&[300, 300, 300, 300]);
        let (payload, consumed) = take_bundle(&mut q, 1 + 3 * (4 + 300)).expect("bundle");
        assert_eq!(consumed, 900);
        assert_eq!(q.len(), 1);
        assert!(payload.len() <= 1 + 3 * 304);
        let inner = unpack(&payload).expect("bundle");
        assert_eq!(inner.len(), 3);
        for (i, m) in inner.iter().enumerate() {
            assert_eq!(*m, &vec![1 + i as u8; 300][..]);
        }
        // A message that does not fit with the next goes alone.
        let mut q = queue(&[900, 300]);
        let (payload, _) = take_bundle(&mut q, 1000).expect("one");
        assert_eq!(payload.len(), 900);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn truncated_or_garbage_bundles_are_errors() {
        let mut q = queue(&[10, 20, 30]);
        let (payload, _) = take_bundle(&mut q, 1000).expect("bundle");
        for cut in 2..payload.len() {
            let result = unpack(&payload[..cut]);
            // A cut on a message boundary is a shorter valid bundle; anything else is an error.
            if let Ok(messages) = result {
                assert!(messages.len() < 3);
            }
        }
        assert!(unpack(&[BUNDLE_MARK, 0, 0, 0, 9, 1]).is_err());
        assert!(unpack(&[BUNDLE_MARK, 0xff, 0xff, 0xff, 0xff]).is_err());
    }
}
