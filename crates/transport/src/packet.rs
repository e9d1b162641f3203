//! Packet framing and encryption, with no IO: [`Sealer`] turns a payload
//! into a datagram and [`Opener`] checks and opens datagrams.
//!
//! Layout (big-endian), 30 header bytes then the body:
//!
//! | bytes | field |
//! |---|---|
//! | 0..2 | magic `TD` |
//! | 2 | version (1) |
//! | 3 | flags: bit 0 = encrypted |
//! | 4 | kind: 0 data, 1 probe |
//! | 5 | reserved (0) |
//! | 6..10 | cluster tag (FNV-1a of the cluster name) |
//! | 10..14 | sender node id |
//! | 14..22 | sender epoch (grows across restarts) |
//! | 22..30 | per-sender packet counter |
//!
//! Encrypted bodies are AES-256-GCM ciphertext plus a 16-byte tag; the whole
//! header is the associated data. The cluster key is HKDF-SHA256 of the
//! authkey, salted with a fixed label and bound to the cluster name; each
//! sender encrypts with its own subkey, HKDF-expanded from the cluster key
//! with `sender ‖ epoch`, so the 12-byte nonce `counter ‖ 0000` never repeats
//! under one key (the counter never repeats within an epoch). The same bytes
//! go out on every ring, so an active-ring duplicate is caught by the replay
//! window.

use std::collections::HashMap;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hkdf::Hkdf;
use sha2::Sha256;

use crate::limits::{HEADER_LEN, MAX_DATAGRAM, MAX_PAYLOAD, TAG_LEN};
use crate::replay::{ReplayGuard, ReplayVerdict};

const MAGIC: [u8; 2] = *b"TD";
const VERSION: u8 = 1;
const FLAG_ENCRYPTED: u8 = 1;
const HKDF_SALT: &[u8] = b"tandem totem transport v1";

/// What a packet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Totem payload for the daemon.
    Data,
    /// A ring liveness probe with no payload.
    Probe,
}

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Kind::Data => 0,
            Kind::Probe => 1,
        }
    }
}

/// Why a datagram was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DropReason {
    /// Shorter than a header (plus tag when encrypted).
    #[error("truncated packet")]
    Truncated,
    /// Wrong magic, version, flags or kind.
    #[error("garbage packet")]
    Garbage,
    /// Encrypted when we are not, or the reverse.
    #[error("packet with the wrong encryption setting")]
    CryptoMismatch,
    /// Another cluster's tag.
    #[error("packet from another cluster")]
    WrongCluster,
    /// Authentication failed: wrong key or tampered.
    #[error("packet failed authentication (wrong key or tampered)")]
    AuthFailed,
    /// A counter already seen (replay; in active ring mode, the other ring's copy).
    #[error("replayed or duplicate packet")]
    Duplicate,
    /// A counter below the replay window or an older sender epoch.
    #[error("packet older than the replay window")]
    TooOld,
    /// Too many distinct senders.
    #[error("too many senders")]
    TooManySenders,
    /// Our own packet, looped back.
    #[error("own packet")]
    Own,
}

/// Why a payload could not be sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Payload larger than [`MAX_PAYLOAD`].
    #[error("payload of {0} bytes is larger than the {MAX_PAYLOAD}-byte limit")]
    TooLarge(usize),
    /// The counter is exhausted; a new epoch is needed.
    #[error("packet counter exhausted")]
    CounterExhausted,
    /// The cipher refused (cannot happen with valid sizes).
    #[error("encryption failed")]
    Encrypt,
}

/// The 32-byte packet key derived from an authkey.
#[derive(Clone)]
pub struct PacketKey([u8; 32]);

impl std::fmt::Debug for PacketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PacketKey(..)")
    }
}

impl PacketKey {
    /// Derives the cluster key: HKDF-SHA256(authkey, salt = label, info = cluster name).
    pub fn derive(authkey: &[u8], cluster_name: &str) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), authkey);
        let mut okm = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's 8160-byte limit.
        if hk.expand(cluster_name.as_bytes(), &mut okm).is_err() {
            okm = [0u8; 32];
        }
        PacketKey(okm)
    }

    /// The cipher of one sender in one epoch: AES-256-GCM keyed with
    /// HKDF-Expand(cluster key, "sender" ‖ sender ‖ epoch).
    fn sender_cipher(&self, sender: u32, epoch: u64) -> Aes256Gcm {
        let mut info = [0u8; 18];
        info[..6].copy_from_slice(b"sender");
        info[6..10].copy_from_slice(&sender.to_be_bytes());
        info[10..18].copy_from_slice(&epoch.to_be_bytes());
        let mut okm = [0u8; 32];
        match Hkdf::<Sha256>::from_prk(&self.0) {
            Ok(hk) if hk.expand(&info, &mut okm).is_ok() => {}
            // Unreachable with a 32-byte PRK; fall back to the cluster key itself.
            _ => okm = self.0,
        }
        Aes256Gcm::new((&okm).into())
    }
}

/// FNV-1a hash of the cluster name: the cluster tag of every packet.
pub fn cluster_tag(cluster_name: &str) -> u32 {
    cluster_name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn nonce(counter: u64) -> Nonce<U12> {
    let mut n = [0u8; 12];
    n[0..8].copy_from_slice(&counter.to_be_bytes());
    n.into()
}

/// Builds this node's outgoing datagrams.
#[derive(Clone)]
pub struct Sealer {
    cipher: Option<Aes256Gcm>,
    cluster_tag: u32,
    sender: u32,
    epoch: u64,
    counter: u64,
}

impl Sealer {
    /// A sealer for `sender` in epoch `epoch` (must exceed the epoch of any
    /// earlier run of this node, e.g. wall-clock nanoseconds at start).
    /// `key: None` sends plaintext (still framed and counted).
    pub fn new(key: Option<PacketKey>, cluster_tag: u32, sender: u32, epoch: u64) -> Self {
        Sealer {
            cipher: key.map(|k| k.sender_cipher(sender, epoch)),
            cluster_tag,
            sender,
            epoch,
            counter: 0,
        }
    }

    /// The counter the next packet will carry.
    pub fn next_counter(&self) -> u64 {
        self.counter
    }

    /// Seals `payload` as a `kind` packet into `out` (cleared first).
    pub fn seal(&mut self, kind: Kind, payload: &[u8], out: &mut Vec<u8>) -> Result<(), SealError> {
        if payload.len() > MAX_PAYLOAD {
            return Err(SealError::TooLarge(payload.len()));
        }
        let counter = self.counter;
        self.counter = counter.checked_add(1).ok_or(SealError::CounterExhausted)?;
        out.clear();
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.push(if self.cipher.is_some() {
            FLAG_ENCRYPTED
        } else {
            0
        });
        out.push(kind.byte());
        out.push(0);
        out.extend_from_slice(&self.cluster_tag.to_be_bytes());
        out.extend_from_slice(&self.sender.to_be_bytes());
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(payload);
        if let Some(cipher) = &self.cipher {
            let (header, body) = out.split_at_mut(HEADER_LEN);
            let tag = cipher
                .encrypt_in_place_detached(&nonce(counter), header, body)
                .map_err(|_| SealError::Encrypt)?;
            out.extend_from_slice(&tag);
        }
        Ok(())
    }
}

/// A datagram that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// Sender node id.
    pub sender: u32,
    /// Packet kind.
    pub kind: Kind,
    /// The payload.
    pub payload: Vec<u8>,
}

/// The header fields, read before authentication (so not yet trusted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Encrypted flag.
    pub encrypted: bool,
    /// Packet kind.
    pub kind: Kind,
    /// Cluster tag.
    pub cluster_tag: u32,
    /// Claimed sender.
    pub sender: u32,
    /// Sender epoch.
    pub epoch: u64,
    /// Packet counter.
    pub counter: u64,
}

/// Parses the header of a datagram.
pub fn parse_header(packet: &[u8]) -> Result<Header, DropReason> {
    let header = packet.get(..HEADER_LEN).ok_or(DropReason::Truncated)?;
    if header[0..2] != MAGIC
        || header[2] != VERSION
        || header[5] != 0
        || header[3] & !FLAG_ENCRYPTED != 0
    {
        return Err(DropReason::Garbage);
    }
    let kind = match header[4] {
        0 => Kind::Data,
        1 => Kind::Probe,
        _ => return Err(DropReason::Garbage),
    };
    let u32_at =
        |i: usize| u32::from_be_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let u64_at = |i: usize| (u64::from(u32_at(i)) << 32) | u64::from(u32_at(i + 4));
    Ok(Header {
        encrypted: header[3] & FLAG_ENCRYPTED != 0,
        kind,
        cluster_tag: u32_at(6),
        sender: u32_at(10),
        epoch: u64_at(14),
        counter: u64_at(22),
    })
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("encrypted", &self.cipher.is_some())
            .field("sender", &self.sender)
            .field("epoch", &self.epoch)
            .field("counter", &self.counter)
            .finish()
    }
}

/// Checks and opens incoming datagrams.
#[derive(Clone)]
pub struct Opener {
    key: Option<PacketKey>,
    cluster_tag: u32,
    me: u32,
    replay: ReplayGuard,
    /// Each sender's cipher for its current epoch, kept once a packet authenticated.
    ciphers: HashMap<u32, (u64, Aes256Gcm)>,
}

impl std::fmt::Debug for Opener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opener")
            .field("encrypted", &self.key.is_some())
            .field("me", &self.me)
            .field("senders", &self.ciphers.len())
            .finish()
    }
}

impl Opener {
    /// An opener for node `me`; `key: None` expects plaintext packets.
    pub fn new(key: Option<PacketKey>, cluster_tag: u32, me: u32) -> Self {
        Opener {
            key,
            cluster_tag,
            me,
            replay: ReplayGuard::new(),
            ciphers: HashMap::new(),
        }
    }

    /// Checks framing, cluster, sender, freshness (without recording) and
    /// authenticity, in that order, and returns the payload. The replay
    /// window is updated only for authentic packets.
    pub fn open(&mut self, packet: &[u8]) -> Result<Opened, DropReason> {
        if packet.len() > MAX_DATAGRAM {
            return Err(DropReason::Garbage);
        }
        let h = parse_header(packet)?;
        if h.encrypted != self.key.is_some() {
            return Err(DropReason::CryptoMismatch);
        }
        if h.cluster_tag != self.cluster_tag {
            return Err(DropReason::WrongCluster);
        }
        // Cheap refusals before decryption: our own looped-back multicast, and
        // counters already seen (the other ring's copy in active mode).
        if h.sender == self.me {
            return Err(DropReason::Own);
        }
        match self.replay.peek(h.sender, h.epoch, h.counter) {
            ReplayVerdict::Fresh => {}
            ReplayVerdict::Duplicate => return Err(DropReason::Duplicate),
            ReplayVerdict::TooOld => return Err(DropReason::TooOld),
            ReplayVerdict::TooManySenders => return Err(DropReason::TooManySenders),
        }
        let mut payload = match &self.key {
            Some(key) => {
                if packet.len() < HEADER_LEN + TAG_LEN {
                    return Err(DropReason::Truncated);
                }
                let (header, rest) = packet.split_at(HEADER_LEN);
                let (body, tag) = rest.split_at(rest.len() - TAG_LEN);
                let mut plain = body.to_vec();
                let cached = self
                    .ciphers
                    .get(&h.sender)
                    .filter(|(epoch, _)| *epoch == h.epoch)
                    .map(|(_, c)| c);
                let fresh;
                let cipher = match cached {
                    Some(c) => c,
                    None => {
                        fresh = key.sender_cipher(h.sender, h.epoch);
                        &fresh
                    }
                };
                cipher
                    .decrypt_in_place_detached(
                        &nonce(h.counter),
                        header,
                        &mut plain,
                        Tag::from_slice(tag),
                    )
                    .map_err(|_| DropReason::AuthFailed)?;
                if cached.is_none()
                    && (self.ciphers.len() < crate::limits::MAX_SENDERS
                        || self.ciphers.contains_key(&h.sender))
                {
                    let c = key.sender_cipher(h.sender, h.epoch);
                    self.ciphers.insert(h.sender, (h.epoch, c));
                }
                plain
            }
            None => packet[HEADER_LEN..].to_vec(),
        };
        match self.replay.check_and_record(h.sender, h.epoch, h.counter) {
            ReplayVerdict::Fresh => {}
            ReplayVerdict::Duplicate => return Err(DropReason::Duplicate),
            ReplayVerdict::TooOld => return Err(DropReason::TooOld),
            ReplayVerdict::TooManySenders => return Err(DropReason::TooManySenders),
        }
        if h.kind == Kind::Probe {
            payload.clear();
        }
        Ok(Opened {
            sender: h.sender,
            kind: h.kind,
            payload,
        })
    }
}
