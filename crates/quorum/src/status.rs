//! The quorum state as tools show it: votes, expected, quorum and flags.

use std::fmt;

use crate::settings::NodeId;

/// votequorum's flags, as `corosync-quorumtool -s` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// two_node is in effect (at most 2 nodes seen).
    pub two_node: bool,
    /// This node's partition is quorate.
    pub quorate: bool,
    /// wait_for_all is configured.
    pub wait_for_all: bool,
    /// last_man_standing is configured.
    pub last_man_standing: bool,
    /// auto_tie_breaker is configured.
    pub auto_tie_breaker: bool,
    /// allow_downscale is configured.
    pub allow_downscale: bool,
}

impl fmt::Display for Flags {
    /// The flag words in corosync's order, each followed by one space
    /// (`2Node Quorate WaitForAll LastManStanding AutoTieBreaker `;
    /// `AllowDownscale` was not observed and is placed last).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = [
            (self.two_node, "2Node"),
            (self.quorate, "Quorate"),
            (self.wait_for_all, "WaitForAll"),
            (self.last_man_standing, "LastManStanding"),
            (self.auto_tie_breaker, "AutoTieBreaker"),
            (self.allow_downscale, "AllowDownscale"),
        ];
        for (on, word) in words {
            if on {
                write!(f, "{word} ")?;
            }
        }
        Ok(())
    }
}

/// One member of the current membership and its votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberVotes {
    /// Node id.
    pub node: NodeId,
    /// Votes the node casts.
    pub votes: u32,
}

/// The quorum state of this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// True when this node's partition may provide service.
    pub quorate: bool,
    /// Votes of this node.
    pub node_votes: u32,
    /// Effective expected votes E.
    pub expected_votes: u32,
    /// Highest expected votes reported by any current member.
    pub highest_expected: u32,
    /// Total votes T of the current members.
    pub total_votes: u32,
    /// Votes needed, Q = floor(E/2)+1 (1 under two_node).
    pub quorum: u32,
    /// Flags.
    pub flags: Flags,
    /// True while wait_for_all still holds the node inquorate.
    pub wait_for_all_waiting: bool,
    /// Current members, by node id.
    pub members: Vec<MemberVotes>,
}

impl Status {
    /// True when the quorum is "Activity blocked" (not quorate).
    pub fn activity_blocked(&self) -> bool {
        !self.quorate
    }
}
