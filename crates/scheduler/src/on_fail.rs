//! What a failed operation makes the cluster do (`on-fail` of the operation's definition).

use crate::cluster::Rsc;

/// The configured reaction to a failed operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnFail {
    /// Pretend the operation succeeded.
    Ignore,
    /// Leave the resource alone (it is blocked until the failure is cleaned up).
    Block,
    /// Stop the resource and do not start it elsewhere.
    Stop,
    /// Stop and start it again (the default for most operations).
    Restart,
    /// Fence the node where the operation failed.
    Fence,
    /// Move every resource off the node where the operation failed.
    Standby,
    /// Demote the resource (promotable clones).
    Demote,
}

impl OnFail {
    /// Parses an `on-fail` value (unknown values yield `None`).
    pub fn parse(v: &str) -> Option<OnFail> {
        Some(match v.trim().to_ascii_lowercase().as_str() {
            "ignore" => OnFail::Ignore,
            "block" => OnFail::Block,
            "stop" => OnFail::Stop,
            "restart" => OnFail::Restart,
            "fence" => OnFail::Fence,
            "standby" => OnFail::Standby,
            "demote" => OnFail::Demote,
            _ => return None,
        })
    }
}

/// The `on-fail` configured for `task` at `interval_ms` on resource `r`, if any.
pub fn configured(r: &Rsc, task: &str, interval_ms: u64) -> Option<OnFail> {
    r.ops
        .iter()
        .find(|o| o.name == task && o.interval_ms == interval_ms)
        .and_then(|o| o.get("on-fail"))
        .and_then(|v| OnFail::parse(&v))
}
