//! What votequorum is configured to do: expected votes, per-node votes and
//! the optional features (two_node, wait_for_all, last_man_standing,
//! auto_tie_breaker).

use std::collections::BTreeMap;

use corosync_conf::Config;

pub use corosync_conf::TieBreaker;

/// A cluster node id (`nodelist.node.nodeid`), never 0.
pub type NodeId = u32;

/// votequorum's configuration for one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// This node's id.
    pub my_node: NodeId,
    /// Configured expected votes (`quorum.expected_votes`, else the nodelist sum).
    pub expected_votes: u32,
    /// Votes of nodes listed in the nodelist (`quorum_votes`).
    pub node_votes: BTreeMap<NodeId, u32>,
    /// Votes of a node that neither reported nor is listed.
    pub default_votes: u32,
    /// `two_node`: quorum is 1 while the cluster has at most 2 nodes.
    pub two_node: bool,
    /// `wait_for_all`: not quorate until all expected votes were present at once.
    pub wait_for_all: bool,
    /// `last_man_standing`: lower expected votes after a quiet window.
    pub last_man_standing: bool,
    /// `last_man_standing_window`, ms.
    pub last_man_standing_window_ms: u64,
    /// `auto_tie_breaker`: a 50/50 split keeps the half with the tie-breaker node.
    pub auto_tie_breaker: bool,
    /// `auto_tie_breaker_node`.
    pub tie_breaker: TieBreaker,
    /// `allow_downscale`: a clean leave lowers expected votes, never below
    /// the configured value.
    pub allow_downscale: bool,
}

impl Settings {
    /// Settings with plain majority voting: every node 1 vote, no features.
    pub fn new(my_node: NodeId, expected_votes: u32) -> Self {
        Settings {
            my_node,
            expected_votes,
            node_votes: BTreeMap::new(),
            default_votes: 1,
            two_node: false,
            wait_for_all: false,
            last_man_standing: false,
            last_man_standing_window_ms: 10_000,
            auto_tie_breaker: false,
            tie_breaker: TieBreaker::Lowest,
            allow_downscale: false,
        }
    }

    /// Settings from a parsed corosync.conf for node `my_node`; `None` when
    /// votequorum is disabled (no `provider: corosync_votequorum`, or neither
    /// `expected_votes` nor a nodelist).
    pub fn from_config(config: &Config, my_node: NodeId) -> Option<Self> {
        let q = &config.quorum;
        if !q.votequorum_enabled() {
            return None;
        }
        let expected_votes = config.expected_votes()?;
        let node_votes = config
            .nodelist
            .iter()
            .filter_map(|n| n.nodeid.map(|id| (id, n.quorum_votes)))
            .collect();
        Some(Settings {
            my_node,
            expected_votes,
            node_votes,
            default_votes: q.votes.unwrap_or(1),
            two_node: q.two_node,
            wait_for_all: q.wait_for_all,
            last_man_standing: q.last_man_standing,
            last_man_standing_window_ms: u64::from(q.last_man_standing_window),
            auto_tie_breaker: q.auto_tie_breaker,
            tie_breaker: q.auto_tie_breaker_node.clone(),
            allow_downscale: q.allow_downscale,
        })
    }

    /// Configured votes of `node`.
    pub fn votes_of(&self, node: NodeId) -> u32 {
        self.node_votes
            .get(&node)
            .copied()
            .unwrap_or(self.default_votes)
    }
}
