//! Protocol timing and flow-control settings (corosync.conf `totem` keys), validated once.

use crate::limits::{MESSAGE_SIZE_BYTES_DEFAULT, MESSAGE_SIZE_BYTES_MAX, WINDOW_SIZE_MAX};

/// Totem settings, in milliseconds and counts. Defaults are corosync 3.1's for a cluster of
/// two nodes (brief §4.2, §4.3); use [`Config::for_token`] to derive the dependent timers from an
/// effective token timeout (`token_real`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Token-loss timeout `token_real` in ms (default 3000).
    pub token_ms: u64,
    /// Token retransmit interval in ms (default `token / (retransmits_before_loss + 0.2)` = 714).
    pub token_retransmit_ms: u64,
    /// Retransmits before the token is declared lost (default 4).
    pub token_retransmits_before_loss_const: u32,
    /// How long the representative holds an idle token, in ms (default `0.8 × retransmit − 10`).
    pub hold_ms: u64,
    /// Idle rotations before the representative starts holding the token (default 30).
    pub seqno_unchanged_const: u32,
    /// JOIN re-multicast interval in ms (default 50).
    pub join_ms: u64,
    /// Upper bound of the random delay before each JOIN, in ms (default 0: JOINs go at once).
    /// The delay is drawn in `0..=send_join` from a generator seeded by [`Config::jitter_seed`].
    pub send_join_ms: u64,
    /// Seed of the `send_join` delay generator (mixed with the node id). The state machine has
    /// no randomness of its own: the daemon passes a random value, the simulator a seeded one.
    pub jitter_seed: u64,
    /// Token visits on which a missing message is found missing before its retransmission is
    /// requested (corosync's `miss_count_const`, default 5): a message still in flight when
    /// the token overtakes it is not requested at once.
    pub miss_count_const: u32,
    /// Gather consensus timeout in ms (default `1.2 × token` = 3600).
    pub consensus_ms: u64,
    /// Idle merge-detect interval in ms (default 200).
    pub merge_ms: u64,
    /// Interval for checking a downed interface, in ms (default 1000; used by the transport).
    pub downcheck_ms: u64,
    /// Token rotations a node may fail to receive a message before it leaves the ring (default 2500).
    pub fail_recv_const: u32,
    /// Messages the whole ring may broadcast per rotation (default 50).
    pub window_size: u32,
    /// Messages one node may broadcast per token visit (default 17).
    pub max_messages: u32,
    /// Largest application payload in bytes (default 65000, so that a packet fits one UDP
    /// datagram; at most [`MESSAGE_SIZE_BYTES_MAX`]). Packets are at most this plus
    /// [`crate::PACKET_OVERHEAD_BYTES_MAX`].
    pub message_size_bytes_max: usize,
}

/// Why a [`Config`] was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A value is outside its allowed range.
    #[error("totem.{key}: value {value} is out of range ({reason})")]
    OutOfRange {
        /// The corosync.conf key.
        key: &'static str,
        /// The rejected value.
        value: u64,
        /// What the allowed range is.
        reason: &'static str,
    },
}

impl Default for Config {
    fn default() -> Self {
        Config::for_token(3000)
    }
}

/// Idle token rotations before the representative holds the token: 2 (corosync's is 30), the
/// same as corosync.conf's default in tandemd, so the simulator runs the rule tandemd ships.
pub const DEFAULT_SEQNO_UNCHANGED_CONST: u32 = 2;

impl Config {
    /// Defaults with every timer derived from `token_real_ms` as corosync does (brief §4.2):
    /// consensus 1.2×token, retransmit token/(4+0.2), hold 0.8×retransmit−10.
    pub fn for_token(token_real_ms: u64) -> Config {
        let retransmits: u32 = 4;
        let token_retransmit_ms = token_real_ms * 10 / (u64::from(retransmits) * 10 + 2);
        Config {
            token_ms: token_real_ms,
            token_retransmit_ms,
            token_retransmits_before_loss_const: retransmits,
            hold_ms: (token_retransmit_ms * 8 / 10).saturating_sub(10),
            seqno_unchanged_const: DEFAULT_SEQNO_UNCHANGED_CONST,
            join_ms: 50,
            send_join_ms: 0,
            jitter_seed: 0,
            miss_count_const: 5,
            consensus_ms: token_real_ms * 12 / 10,
            merge_ms: 200,
            downcheck_ms: 1000,
            fail_recv_const: 2500,
            window_size: 50,
            max_messages: 17,
            message_size_bytes_max: MESSAGE_SIZE_BYTES_DEFAULT,
        }
    }

    /// Checks every range and relation once; a [`crate::Node`] only accepts validated settings.
    pub fn validate(&self) -> Result<(), ConfigError> {
        fn check(
            key: &'static str,
            value: u64,
            ok: bool,
            reason: &'static str,
        ) -> Result<(), ConfigError> {
            if ok {
                Ok(())
            } else {
                Err(ConfigError::OutOfRange { key, value, reason })
            }
        }
        check(
            "token",
            self.token_ms,
            (10..=3_600_000).contains(&self.token_ms),
            "10..=3600000 ms",
        )?;
        check(
            "token_retransmit",
            self.token_retransmit_ms,
            self.token_retransmit_ms >= 30 && self.token_retransmit_ms < self.token_ms.max(31),
            "at least 30 ms and below token",
        )?;
        check(
            "token_retransmits_before_loss_const",
            u64::from(self.token_retransmits_before_loss_const),
            (1..=100).contains(&self.token_retransmits_before_loss_const),
            "1..=100",
        )?;
        check(
            "hold",
            self.hold_ms,
            self.hold_ms < self.token_retransmit_ms,
            "below token_retransmit",
        )?;
        check(
            "join",
            self.join_ms,
            (1..=self.consensus_ms).contains(&self.join_ms),
            "1 ms..=consensus",
        )?;
        check(
            "send_join",
            self.send_join_ms,
            self.send_join_ms < self.join_ms.max(1) * 10,
            "below 10×join",
        )?;
        check(
            "miss_count_const",
            u64::from(self.miss_count_const),
            (1..=1000).contains(&self.miss_count_const),
            "1..=1000",
        )?;
        check(
            "consensus",
            self.consensus_ms,
            (1..=7_200_000).contains(&self.consensus_ms),
            "1..=7200000 ms",
        )?;
        check(
            "merge",
            self.merge_ms,
            (1..=3_600_000).contains(&self.merge_ms),
            "1..=3600000 ms",
        )?;
        check(
            "downcheck",
            self.downcheck_ms,
            self.downcheck_ms >= 1,
            "at least 1 ms",
        )?;
        check(
            "fail_recv_const",
            u64::from(self.fail_recv_const),
            self.fail_recv_const >= 1,
            "at least 1",
        )?;
        check(
            "seqno_unchanged_const",
            u64::from(self.seqno_unchanged_const),
            self.seqno_unchanged_const >= 1,
            "at least 1",
        )?;
        check(
            "window_size",
            u64::from(self.window_size),
            (1..=WINDOW_SIZE_MAX).contains(&self.window_size),
            "1..=1024",
        )?;
        check(
            "max_messages",
            u64::from(self.max_messages),
            (1..=self.window_size).contains(&self.max_messages),
            "1..=window_size",
        )?;
        check(
            "message_size_max",
            self.message_size_bytes_max as u64,
            (1..=MESSAGE_SIZE_BYTES_MAX).contains(&self.message_size_bytes_max),
            "1..=1048576 bytes",
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brief §4.2 / scenario 10: derived timers for token 3000, 3650 and 1000.
    #[test]
    fn derived_timers_match_corosync() {
        let c = Config::for_token(3650);
        assert_eq!(c.token_retransmit_ms, 869);
        assert_eq!(c.hold_ms, 685);
        assert_eq!(c.consensus_ms, 4380);
        let c = Config::for_token(1000);
        assert_eq!(c.token_retransmit_ms, 238);
        assert_eq!(c.hold_ms, 180);
        let c = Config::default();
        assert_eq!(c.token_retransmit_ms, 714);
        assert_eq!(c.hold_ms, 561);
        assert_eq!(c.consensus_ms, 3600);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn rejects_bad_values_naming_the_key() {
        let c = Config {
            token_retransmit_ms: 10,
            ..Config::default()
        };
        assert!(matches!(
            c.validate(),
            Err(ConfigError::OutOfRange {
                key: "token_retransmit",
                ..
            })
        ));
        let c = Config {
            max_messages: 51,
            ..Config::default()
        };
        assert!(matches!(
            c.validate(),
            Err(ConfigError::OutOfRange {
                key: "max_messages",
                ..
            })
        ));
    }
}
