//! Timers derived from the `totem` keys and the nodelist size (totem brief §4.2).

use crate::model::Config;

/// Smallest accepted token retransmit interval, ms.
pub const MIN_TOKEN_RETRANSMIT: u32 = 30;

/// Effective Totem timers, all in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// `token_real`: token + (N−2)×token_coefficient when the nodelist has ≥3 nodes, else token.
    pub token: u32,
    /// Token retransmit interval: token_real / (token_retransmits_before_loss_const + 0.2), unless set.
    pub token_retransmit: u32,
    /// Representative's hold time: 0.8×token_retransmit − 10, unless set.
    pub hold: u32,
    /// Consensus timeout: 1.2×token_real, unless set.
    pub consensus: u32,
    /// Join rebroadcast interval.
    pub join: u32,
    /// Upper bound of the random delay before sending a JOIN.
    pub send_join: u32,
    /// Merge-detect interval.
    pub merge: u32,
    /// Interface down-check interval.
    pub downcheck: u32,
    /// Token-timeout warning threshold (token_warning % of token_real; 0 = off).
    pub token_warning: u32,
    /// Rotations of failed reception before reconfiguring.
    pub fail_recv_const: u32,
    /// Idle rotations before the representative starts holding the token.
    pub seqno_unchanged_const: u32,
    /// Token receipts a missing message is checked before retransmission.
    pub miss_count_const: u32,
    /// Token retransmits before the token is declared lost.
    pub token_retransmits_before_loss_const: u32,
}

impl Timers {
    /// The effective values as cmap shows them under `runtime.config.totem.*`
    /// (`runtime.config.totem.token (u32) = 3650`), in a fixed order.
    pub fn runtime_keys(&self) -> Vec<(&'static str, u32)> {
        vec![
            ("runtime.config.totem.consensus", self.consensus),
            ("runtime.config.totem.downcheck", self.downcheck),
            ("runtime.config.totem.fail_recv_const", self.fail_recv_const),
            ("runtime.config.totem.hold", self.hold),
            ("runtime.config.totem.join", self.join),
            ("runtime.config.totem.merge", self.merge),
            (
                "runtime.config.totem.miss_count_const",
                self.miss_count_const,
            ),
            ("runtime.config.totem.send_join", self.send_join),
            (
                "runtime.config.totem.seqno_unchanged_const",
                self.seqno_unchanged_const,
            ),
            ("runtime.config.totem.token", self.token),
            (
                "runtime.config.totem.token_retransmit",
                self.token_retransmit,
            ),
            (
                "runtime.config.totem.token_retransmits_before_loss_const",
                self.token_retransmits_before_loss_const,
            ),
            ("runtime.config.totem.token_warning", self.token_warning),
        ]
    }
}

impl Config {
    /// The effective timers for this configuration.
    pub fn timers(&self) -> Timers {
        let t = &self.totem;
        let nodes = self.nodelist.len() as u64;
        let token = if nodes >= 3 && t.token_coefficient > 0 {
            let extra = (nodes - 2).saturating_mul(u64::from(t.token_coefficient));
            u32::try_from(u64::from(t.token).saturating_add(extra)).unwrap_or(u32::MAX)
        } else {
            t.token
        };
        let retransmits = u64::from(t.token_retransmits_before_loss_const);
        let token_retransmit = t.token_retransmit.unwrap_or_else(|| {
            let v = u64::from(token) * 10 / (retransmits * 10 + 2);
            u32::try_from(v).unwrap_or(u32::MAX)
        });
        let hold = t.hold.unwrap_or_else(|| {
            let v = u64::from(token_retransmit) * 8 / 10;
            u32::try_from(v.saturating_sub(10)).unwrap_or(u32::MAX)
        });
        let consensus = t
            .consensus
            .unwrap_or_else(|| u32::try_from(u64::from(token) * 12 / 10).unwrap_or(u32::MAX));
        let token_warning =
            u32::try_from(u64::from(token) * u64::from(t.token_warning) / 100).unwrap_or(u32::MAX);
        Timers {
            token,
            token_retransmit,
            hold,
            consensus,
            join: t.join,
            send_join: t.send_join,
            merge: t.merge,
            downcheck: t.downcheck,
            token_warning,
            fail_recv_const: t.fail_recv_const,
            seqno_unchanged_const: t.seqno_unchanged_const,
            miss_count_const: t.miss_count_const,
            token_retransmits_before_loss_const: t.token_retransmits_before_loss_const,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Config, Node};
    use std::collections::BTreeMap;

    fn config(nodes: usize, token: u32) -> Config {
        let mut c = Config::default();
        c.totem.token = token;
        c.nodelist = (0..nodes)
            .map(|i| Node {
                nodeid: Some(i as u32 + 1),
                name: None,
                addrs: BTreeMap::new(),
                quorum_votes: 1,
                line: 0,
            })
            .collect();
        c
    }

    /// Totem brief §4.2: token_real, consensus, token_retransmit and hold at N = 1..5.
    #[test]
    fn derived_timers_match_observed_corosync() {
        let expect = [
            (1, 3000, 3600, 714, 561),
            (2, 3000, 3600, 714, 561),
            (3, 3650, 4380, 869, 685),
            (4, 4300, 5160, 1023, 808),
            (5, 4950, 5940, 1178, 932),
        ];
        for (n, token, consensus, retransmit, hold) in expect {
            let t = config(n, 3000).timers();
            assert_eq!(
                (t.token, t.consensus, t.token_retransmit, t.hold),
                (token, consensus, retransmit, hold),
                "N = {n}"
            );
        }
        let t = config(2, 1000).timers();
        assert_eq!((t.token_retransmit, t.hold, t.consensus), (238, 180, 1200));
    }

    /// Totem brief §7: runtime.config.totem.{token,consensus,token_retransmit,hold} at N = 3.
    #[test]
    fn runtime_keys_show_effective_values() {
        let keys = config(3, 3000).timers().runtime_keys();
        let get = |k: &str| keys.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        assert_eq!(get("runtime.config.totem.token"), Some(3650));
        assert_eq!(get("runtime.config.totem.consensus"), Some(4380));
        assert_eq!(get("runtime.config.totem.token_retransmit"), Some(869));
        assert_eq!(get("runtime.config.totem.hold"), Some(685));
    }

    #[test]
    fn explicit_values_win_and_zero_coefficient_disables() {
        let mut c = config(5, 1000);
        c.totem.consensus = Some(500);
        c.totem.token_coefficient = 0;
        let t = c.timers();
        assert_eq!((t.token, t.consensus), (1000, 500));
    }
}
