//! Runtime change of the protocol timers (a configuration reload, `cfgtool -R`).

use crate::config::{Config, ConfigError};
use crate::node::Node;

impl Node {
    /// Replaces the timers and counts of the running configuration with `new`'s (token,
    /// retransmit, hold, join, send_join, consensus, merge, downcheck, fail_recv_const,
    /// seqno_unchanged_const, miss_count_const). Flow-control limits and the message size stay
    /// as the node started (they need a restart). Timers already armed keep their deadlines;
    /// every later one uses the new values. The whole change is refused if it is invalid.
    pub fn update_timers(&mut self, new: &Config) -> Result<(), ConfigError> {
        let updated = Config {
            window_size: self.config.window_size,
            max_messages: self.config.max_messages,
            message_size_bytes_max: self.config.message_size_bytes_max,
            jitter_seed: self.config.jitter_seed,
            ..new.clone()
        };
        updated.validate()?;
        self.config = updated;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Config, Node, NodeId};

    #[test]
    fn timers_change_limits_stay_and_invalid_values_are_refused() {
        let mut node = Node::new(Config::for_token(1000), NodeId(1), &[], 0, 0).expect("valid");
        let mut new = Config::for_token(2000);
        new.window_size = 20;
        node.update_timers(&new).expect("valid");
        assert_eq!(node.config().token_ms, 2000);
        assert_eq!(node.config().consensus_ms, 2400);
        assert_eq!(node.config().window_size, 50);
        let bad = Config {
            token_retransmit_ms: 5,
            ..Config::for_token(3000)
        };
        assert!(node.update_timers(&bad).is_err());
        assert_eq!(node.config().token_ms, 2000);
    }
}
