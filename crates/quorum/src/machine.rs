//! The votequorum state machine: membership, vote reports and timer expiry
//! in; quorum status changes and timer requests out. Time is an input
//! (milliseconds on any monotonic clock the caller chooses).

use std::collections::{BTreeMap, BTreeSet};

use crate::limits;
use crate::settings::{NodeId, Settings, TieBreaker};
use crate::status::{Flags, MemberVotes, Status};

/// What one member says about itself (votequorum's per-node message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeReport {
    /// The reporting node.
    pub node: NodeId,
    /// Votes it casts.
    pub votes: u32,
    /// Its current expected votes.
    pub expected_votes: u32,
    /// Whether it considers its partition quorate.
    pub quorate: bool,
    /// Whether it is still held by wait_for_all.
    pub wait_for_all_waiting: bool,
}

/// The timers this machine asks the caller to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// The last_man_standing quiet window.
    LastManStanding,
}

/// What the caller must do after an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The status changed (quorum change notification).
    Changed(Status),
    /// Call [`Votequorum::timer_expired`] for `timer` at `deadline_ms`,
    /// replacing any earlier deadline for it.
    SetTimer {
        /// Which timer.
        timer: Timer,
        /// When, on the caller's clock.
        deadline_ms: u64,
    },
    /// Forget `timer`.
    CancelTimer(Timer),
}

/// Why a runtime change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuorumError {
    /// Expected votes must be at least 1 and at least the current total votes.
    #[error("expected votes {requested} is invalid: total votes are {total}")]
    InvalidExpected {
        /// Value asked for.
        requested: u32,
        /// Current total votes.
        total: u32,
    },
    /// The node is not known.
    #[error("node {0} is not a member")]
    UnknownNode(NodeId),
}

/// votequorum for one node.
#[derive(Debug, Clone)]
pub struct Votequorum {
    settings: Settings,
    /// Runtime expected votes (configured, raised by members, lowered by LMS / set_expected).
    expected: u32,
    members: BTreeSet<NodeId>,
    reports: BTreeMap<NodeId, NodeReport>,
    /// Every node seen as a member since start (ATB "in the cluster before the split").
    seen: BTreeSet<NodeId>,
    waiting_for_all: bool,
    lms_deadline: Option<u64>,
    last: Option<Status>,
}

impl Votequorum {
    /// A node that has seen no membership yet (only itself is known).
    pub fn new(settings: Settings) -> Self {
        let waiting_for_all = settings.wait_for_all;
        let expected = settings.expected_votes.max(1);
        let mut vq = Votequorum {
            settings,
            expected,
            members: BTreeSet::new(),
            reports: BTreeMap::new(),
            seen: BTreeSet::new(),
            waiting_for_all,
            lms_deadline: None,
            last: None,
        };
        let me = vq.settings.my_node;
        vq.members.insert(me);
        vq.seen.insert(me);
        vq.last = Some(vq.compute());
        vq
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.compute()
    }

    /// The report this node should send to the others after each change.
    pub fn local_report(&self) -> NodeReport {
        let s = self.compute();
        NodeReport {
            node: self.settings.my_node,
            votes: self.votes_of(self.settings.my_node),
            expected_votes: self.expected,
            quorate: s.quorate,
            wait_for_all_waiting: self.waiting_for_all,
        }
    }

    /// A new membership was installed; `members` includes this node.
    pub fn membership(&mut self, now_ms: u64, members: &[NodeId]) -> Vec<Output> {
        self.members = members.iter().copied().take(limits::MAX_MEMBERS).collect();
        self.members.insert(self.settings.my_node);
        for m in &self.members {
            if self.seen.len() < limits::MAX_MEMBERS || self.seen.contains(m) {
                self.seen.insert(*m);
            }
        }
        // Reports of departed nodes are forgotten: a returning node reports afresh.
        let members = &self.members;
        self.reports.retain(|node, _| members.contains(node));
        self.after_change(now_ms, true)
    }

    /// A member's report arrived. Reports from non-members are ignored.
    pub fn report(&mut self, now_ms: u64, report: NodeReport) -> Vec<Output> {
        if !self.members.contains(&report.node) || report.node == self.settings.my_node {
            return Vec::new();
        }
        let changed_votes = self
            .reports
            .get(&report.node)
            .is_none_or(|r| r.votes != report.votes || r.expected_votes != report.expected_votes);
        self.reports.insert(report.node, report);
        self.after_change(now_ms, changed_votes)
    }

    /// A timer set through [`Output::SetTimer`] fired.
    pub fn timer_expired(&mut self, now_ms: u64, timer: Timer) -> Vec<Output> {
        match timer {
            Timer::LastManStanding => {
                let Some(deadline) = self.lms_deadline else {
                    return Vec::new();
                };
                if now_ms < deadline {
                    return Vec::new();
                }
                self.lms_deadline = None;
                let s = self.compute();
                if s.quorate && s.total_votes < s.expected_votes {
                    self.lower_expected(s.total_votes);
                }
                self.after_change(now_ms, false)
            }
        }
    }

    /// Sets expected votes at runtime (`quorumtool -e`), cluster-wide: the
    /// caller delivers it to every member.
    pub fn set_expected(&mut self, now_ms: u64, expected: u32) -> Result<Vec<Output>, QuorumError> {
        let total = self.total_votes();
        if expected == 0 || expected < total {
            return Err(QuorumError::InvalidExpected {
                requested: expected,
                total,
            });
        }
        self.lower_expected(expected);
        self.expected = expected;
        Ok(self.after_change(now_ms, true))
    }

    /// Sets a member's votes at runtime (`quorumtool -v V -n id`).
    pub fn set_votes(
        &mut self,
        now_ms: u64,
        node: NodeId,
        votes: u32,
    ) -> Result<Vec<Output>, QuorumError> {
        if !self.members.contains(&node) {
            return Err(QuorumError::UnknownNode(node));
        }
        if node == self.settings.my_node {
            self.settings.node_votes.insert(node, votes);
        } else if let Some(r) = self.reports.get_mut(&node) {
            r.votes = votes;
        } else {
            self.settings.node_votes.insert(node, votes);
        }
        Ok(self.after_change(now_ms, true))
    }

    /// `node` announced a clean shutdown (it is leaving, not failing). With
    /// allow_downscale, expected votes drop by its votes, never below the
    /// configured value; the membership change that follows is reported
    /// through [`Votequorum::membership`] as usual.
    pub fn node_leaving(&mut self, now_ms: u64, node: NodeId) -> Vec<Output> {
        if !self.settings.allow_downscale || !self.members.contains(&node) {
            return Vec::new();
        }
        let floor = self.settings.expected_votes.max(1);
        let lowered = self.expected.saturating_sub(self.votes_of(node)).max(floor);
        self.lower_expected(lowered);
        self.members.remove(&node);
        self.reports.remove(&node);
        self.members.insert(self.settings.my_node);
        self.after_change(now_ms, true)
    }

    /// Stops waiting for all nodes (cmap `quorum.cancel_wait_for_all`).
    pub fn cancel_wait_for_all(&mut self, now_ms: u64) -> Vec<Output> {
        self.waiting_for_all = false;
        self.after_change(now_ms, false)
    }

    /// Lowers this node's and every member's recorded expected votes to `e`:
    /// each member runs the same window (or receives the same command).
    fn lower_expected(&mut self, e: u32) {
        self.expected = e.max(1);
        for r in self.reports.values_mut() {
            r.expected_votes = r.expected_votes.min(self.expected);
        }
    }

    fn votes_of(&self, node: NodeId) -> u32 {
        if node == self.settings.my_node {
            return self.settings.votes_of(node);
        }
        self.reports
            .get(&node)
            .map_or_else(|| self.settings.votes_of(node), |r| r.votes)
    }

    fn total_votes(&self) -> u32 {
        self.members
            .iter()
            .fold(0u32, |t, n| t.saturating_add(self.votes_of(*n)))
    }

    fn highest_expected(&self) -> u32 {
        self.reports
            .values()
            .map(|r| r.expected_votes)
            .fold(self.expected, u32::max)
    }

    fn two_node_in_effect(&self) -> bool {
        self.settings.two_node && self.seen.len() <= 2
    }

    fn tie_breaker_present(&self) -> bool {
        let candidate = match &self.settings.tie_breaker {
            TieBreaker::Lowest => self.seen.first().copied(),
            TieBreaker::Highest => self.seen.last().copied(),
            TieBreaker::List(ids) => ids.iter().copied().find(|id| self.seen.contains(id)),
        };
        candidate.is_some_and(|id| self.members.contains(&id))
    }

    fn compute(&self) -> Status {
        let total = self.total_votes();
        let highest = self.highest_expected();
        let expected = highest.max(total).max(1);
        let two_node = self.two_node_in_effect();
        let quorum = if two_node && expected <= 2 {
            1
        } else {
            expected / 2 + 1
        };
        let majority = total >= quorum;
        let tie = self.settings.auto_tie_breaker
            && !majority
            && u64::from(total) * 2 == u64::from(expected)
            && self.tie_breaker_present();
        let quorate = (majority || tie) && !self.waiting_for_all;
        Status {
            quorate,
            node_votes: self.votes_of(self.settings.my_node),
            expected_votes: expected,
            highest_expected: highest,
            total_votes: total,
            quorum,
            flags: Flags {
                two_node,
                quorate,
                wait_for_all: self.settings.wait_for_all,
                last_man_standing: self.settings.last_man_standing,
                auto_tie_breaker: self.settings.auto_tie_breaker,
                allow_downscale: self.settings.allow_downscale,
            },
            wait_for_all_waiting: self.waiting_for_all,
            members: self
                .members
                .iter()
                .map(|n| MemberVotes {
                    node: *n,
                    votes: self.votes_of(*n),
                })
                .collect(),
        }
    }

    /// Recomputes, clears wait_for_all when allowed, (re)arms the LMS window
    /// when `restart_window` (membership or votes changed), and reports.
    fn after_change(&mut self, now_ms: u64, restart_window: bool) -> Vec<Output> {
        let mut out = Vec::new();
        // Expected votes only rise here: they fall through LMS or set_expected.
        self.expected = self
            .expected
            .max(self.total_votes())
            .max(self.highest_expected());
        if self.waiting_for_all {
            let total = self.total_votes();
            let expected = self.highest_expected().max(total);
            let peer_released = self
                .reports
                .values()
                .any(|r| r.quorate && !r.wait_for_all_waiting);
            if total >= expected || peer_released {
                self.waiting_for_all = false;
            }
        }
        let status = self.compute();
        if self.settings.last_man_standing {
            let wants = status.quorate && status.total_votes < status.expected_votes;
            match (wants, self.lms_deadline) {
                (true, Some(_)) if !restart_window => {}
                (true, _) => {
                    let deadline = now_ms.saturating_add(self.settings.last_man_standing_window_ms);
                    self.lms_deadline = Some(deadline);
                    out.push(Output::SetTimer {
                        timer: Timer::LastManStanding,
                        deadline_ms: deadline,
                    });
                }
                (false, Some(_)) => {
                    self.lms_deadline = None;
                    out.push(Output::CancelTimer(Timer::LastManStanding));
                }
                (false, None) => {}
            }
        }
        if self.last.as_ref() != Some(&status) {
            self.last = Some(status.clone());
            out.insert(0, Output::Changed(status));
        }
        out
    }
}
