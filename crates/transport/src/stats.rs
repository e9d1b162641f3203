//! Counters of packets sent, received and dropped, by reason.

use crate::packet::DropReason;

/// Transport counters since start (all monotonic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Datagrams handed to the kernel (one per ring per destination).
    pub tx_packets: u64,
    /// Payload bytes accepted by `send` (once per call).
    pub tx_bytes: u64,
    /// Sends the kernel refused (would block, unreachable, ...).
    pub tx_errors: u64,
    /// Data packets delivered by `recv`.
    pub rx_packets: u64,
    /// Payload bytes delivered by `recv`.
    pub rx_bytes: u64,
    /// Probes received.
    pub rx_probes: u64,
    /// Receive errors from the kernel other than would-block.
    pub rx_errors: u64,
    /// Dropped: shorter than a header.
    pub dropped_truncated: u64,
    /// Dropped: bad magic, version, flags or kind.
    pub dropped_garbage: u64,
    /// Dropped: encrypted vs plaintext mismatch.
    pub dropped_crypto_mismatch: u64,
    /// Dropped: another cluster's tag.
    pub dropped_wrong_cluster: u64,
    /// Dropped: failed authentication (wrong key, tampered).
    pub dropped_auth: u64,
    /// Dropped: counter already seen (replay, or the other ring's copy in active mode).
    pub dropped_duplicate: u64,
    /// Dropped: older than the replay window or an older sender epoch.
    pub dropped_too_old: u64,
    /// Dropped: sender table full.
    pub dropped_too_many_senders: u64,
    /// Dropped: our own looped-back packet.
    pub dropped_own: u64,
    /// Dropped: source address not in the nodelist for that ring, or sender id
    /// not matching the address (udpu).
    pub dropped_unlisted: u64,
}

impl Stats {
    /// Counts one drop.
    pub fn count_drop(&mut self, reason: DropReason) {
        let c = match reason {
            DropReason::Truncated => &mut self.dropped_truncated,
            DropReason::Garbage => &mut self.dropped_garbage,
            DropReason::CryptoMismatch => &mut self.dropped_crypto_mismatch,
            DropReason::WrongCluster => &mut self.dropped_wrong_cluster,
            DropReason::AuthFailed => &mut self.dropped_auth,
            DropReason::Duplicate => &mut self.dropped_duplicate,
            DropReason::TooOld => &mut self.dropped_too_old,
            DropReason::TooManySenders => &mut self.dropped_too_many_senders,
            DropReason::Own => &mut self.dropped_own,
        };
        *c += 1;
    }

    /// All drops that indicate a bad or hostile packet (not duplicates or own packets).
    pub fn dropped_bad(&self) -> u64 {
        self.dropped_truncated
            + self.dropped_garbage
            + self.dropped_crypto_mismatch
            + self.dropped_wrong_cluster
            + self.dropped_auth
            + self.dropped_too_old
            + self.dropped_too_many_senders
            + self.dropped_unlisted
    }
}
