//! Cluster-wide CPG group membership, rebuilt identically on every node from Totem's ordered stream.
//!
//! Input: ordered [`ClusterMessage`]s with their sender node, and Totem configuration changes.
//! Output: [`CpgOutput`]s (deliveries and per-group confchgs) for the daemon to route to local
//! clients. Pure: no IO, no clock.
//!
//! After a ring change every node multicasts a `JoinList` of its local processes. Processes of
//! nodes not yet known (new or merged nodes) are added, with reason NODEUP, in one confchg per
//! group once the lists of every member of the ring have been delivered. Processes of nodes
//! missing from the transitional configuration are removed, reason NODEDOWN, when the regular
//! configuration is installed (after the old ring's last messages).

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster_message::ClusterMessage;
use crate::ipc::protocol::{ConfchgReason, CpgChange, CpgProcess, RingId};
use crate::limits;

/// Something the daemon must hand to the local members of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpgOutput {
    /// A message ordered for the group.
    Deliver {
        /// Group name.
        group: Vec<u8>,
        /// Ring it was ordered on.
        ring_id: RingId,
        /// Sender process.
        sender: CpgProcess,
        /// Sender's message number.
        sequence: u64,
        /// Payload.
        data: Vec<u8>,
    },
    /// The group's membership changed.
    Confchg {
        /// Group name.
        group: Vec<u8>,
        /// Current ring.
        ring_id: RingId,
        /// Members after the change, in join order.
        members: Vec<CpgProcess>,
        /// Processes that left.
        left: Vec<CpgChange>,
        /// Processes that joined.
        joined: Vec<CpgChange>,
    },
}

#[derive(Debug)]
struct Sync {
    ring_id: RingId,
    waiting_for: BTreeSet<u32>,
    new_nodes: BTreeSet<u32>,
    found: Vec<(Vec<u8>, CpgProcess)>,
}

/// The group table and the sync state after ring changes.
#[derive(Debug)]
pub struct CpgGroups {
    local_nodeid: u32,
    ring_id: RingId,
    groups: BTreeMap<Vec<u8>, Vec<CpgProcess>>,
    known_nodes: BTreeSet<u32>,
    moved_with_me: Option<BTreeSet<u32>>,
    sync: Option<Sync>,
    /// Fragmented messages being reassembled, by sender process and message number.
    partial: BTreeMap<(CpgProcess, u64), Vec<u8>>,
}

impl CpgGroups {
    /// An empty table for the given local node.
    pub fn new(local_nodeid: u32) -> Self {
        CpgGroups {
            local_nodeid,
            ring_id: RingId::default(),
            groups: BTreeMap::new(),
            known_nodes: BTreeSet::from([local_nodeid]),
            moved_with_me: None,
            sync: None,
            partial: BTreeMap::new(),
        }
    }

    /// Current members of a group, in join order.
    pub fn members(&self, group: &[u8]) -> Vec<CpgProcess> {
        self.groups.get(group).cloned().unwrap_or_default()
    }

    /// All groups and their members (for `cpgtool`-like listings).
    pub fn groups(&self) -> impl Iterator<Item = (&Vec<u8>, &Vec<CpgProcess>)> {
        self.groups.iter()
    }

    /// Whether the sync after the last ring change is still collecting join lists.
    pub fn syncing(&self) -> bool {
        self.sync.is_some()
    }

    /// Totem delivered the transitional configuration: the members that move with this node to
    /// the new ring. Departures are reported only with the regular configuration, after the
    /// old ring's last messages (brief §1 G8).
    pub fn transitional(&mut self, members: &BTreeSet<u32>) {
        self.sync = None;
        self.moved_with_me = Some(members.clone());
    }

    /// Totem installed a regular configuration: processes of nodes that did not move with this
    /// node leave (NODEDOWN, one confchg per group), then the join-list sync for `ring_id`
    /// starts. The caller must multicast [`CpgGroups::local_join_list`] for the new ring.
    pub fn regular(&mut self, ring_id: RingId, members: &BTreeSet<u32>) -> Vec<CpgOutput> {
        self.sync = None;
        let moved = self.moved_with_me.take().unwrap_or_else(|| {
            members
                .iter()
                .copied()
                .filter(|node| self.known_nodes.contains(node))
                .collect()
        });
        self.ring_id = ring_id;
        let mut outputs = self.remove_departed(&moved);
        let new_nodes: BTreeSet<u32> = members
            .iter()
            .copied()
            .filter(|node| !self.known_nodes.contains(node))
            .collect();
        self.sync = Some(Sync {
            ring_id,
            waiting_for: members.clone(),
            new_nodes,
            found: Vec::new(),
        });
        outputs.extend(self.finish_sync_if_done());
        outputs
    }

    fn remove_departed(&mut self, moved: &BTreeSet<u32>) -> Vec<CpgOutput> {
        let local = self.local_nodeid;
        let stays = |node: u32| node == local || moved.contains(&node);
        self.known_nodes.retain(|node| stays(*node));
        self.partial.retain(|(process, _), _| stays(process.nodeid));
        let mut outputs = Vec::new();
        let group_names: Vec<Vec<u8>> = self.groups.keys().cloned().collect();
        for group in group_names {
            let Some(list) = self.groups.get_mut(&group) else {
                continue;
            };
            let left: Vec<CpgChange> = list
                .iter()
                .filter(|process| !stays(process.nodeid))
                .map(|process| CpgChange {
                    process: *process,
                    reason: ConfchgReason::NodeDown,
                })
                .collect();
            list.retain(|process| stays(process.nodeid));
            if !left.is_empty() {
                outputs.push(self.confchg(&group, left, Vec::new()));
            }
        }
        self.groups.retain(|_, list| !list.is_empty());
        outputs
    }

    /// The join list this node must multicast for the current ring: its local members.
    pub fn local_join_list(&self, local: &[(Vec<u8>, u32)]) -> ClusterMessage {
        ClusterMessage::JoinList {
            ring_id: self.ring_id,
            entries: local.to_vec(),
        }
    }

    /// Applies one message delivered by Totem from `sender_node`, in agreed order.
    pub fn deliver(&mut self, sender_node: u32, message: ClusterMessage) -> Vec<CpgOutput> {
        match message {
            ClusterMessage::CpgJoin { group, pid } => {
                let process = CpgProcess {
                    nodeid: sender_node,
                    pid,
                };
                if !self.known_nodes.contains(&sender_node) {
                    // Its join list will carry it; avoid a double join.
                    if let Some(sync) = &mut self.sync {
                        if sync.new_nodes.contains(&sender_node) {
                            sync.found.retain(|(g, p)| !(g == &group && *p == process));
                            sync.found.push((group, process));
                        }
                    }
                    return Vec::new();
                }
                if self.groups.len() >= limits::CPG_GROUPS_MAX && !self.groups.contains_key(&group)
                {
                    tracing::warn!("CPG: group limit reached; join of {process:?} ignored");
                    return Vec::new();
                }
                let list = self.groups.entry(group.clone()).or_default();
                if list.contains(&process) || list.len() >= limits::CPG_GROUP_MEMBERS_MAX {
                    return Vec::new();
                }
                list.push(process);
                vec![self.confchg(
                    &group,
                    Vec::new(),
                    vec![CpgChange {
                        process,
                        reason: ConfchgReason::Join,
                    }],
                )]
            }
            ClusterMessage::CpgLeave { group, pid, reason } => {
                let process = CpgProcess {
                    nodeid: sender_node,
                    pid,
                };
                if let Some(sync) = &mut self.sync {
                    sync.found.retain(|(g, p)| !(g == &group && *p == process));
                }
                self.partial.retain(|(sender, _), _| *sender != process);
                let Some(list) = self.groups.get_mut(&group) else {
                    return Vec::new();
                };
                let before = list.len();
                list.retain(|member| *member != process);
                if list.len() == before {
                    return Vec::new();
                }
                let output = self.confchg(&group, vec![CpgChange { process, reason }], Vec::new());
                self.groups.retain(|_, list| !list.is_empty());
                vec![output]
            }
            ClusterMessage::CpgMcast {
                group,
                pid,
                sequence,
                data,
            } => {
                let sender = CpgProcess {
                    nodeid: sender_node,
                    pid,
                };
                self.deliver_from_member(group, sender, sequence, data)
            }
            ClusterMessage::CpgFragment {
                group,
                pid,
                sequence,
                last,
                data,
            } => {
                let sender = CpgProcess {
                    nodeid: sender_node,
                    pid,
                };
                let buffered: usize = self.partial.values().map(Vec::len).sum();
                let piece = self.partial.entry((sender, sequence)).or_default();
                if piece.len() + data.len() > limits::CPG_MESSAGE_BYTES_MAX
                    || buffered + data.len() > limits::CPG_REASSEMBLY_BYTES_MAX
                {
                    tracing::warn!("CPG: dropping an oversized fragmented message from {sender:?}");
                    self.partial.remove(&(sender, sequence));
                    return Vec::new();
                }
                piece.extend_from_slice(&data);
                if !last {
                    return Vec::new();
                }
                let data = self.partial.remove(&(sender, sequence)).unwrap_or_default();
                self.deliver_from_member(group, sender, sequence, data)
            }
            ClusterMessage::JoinList { ring_id, entries } => {
                let Some(sync) = &mut self.sync else {
                    return Vec::new();
                };
                if sync.ring_id != ring_id || !sync.waiting_for.remove(&sender_node) {
                    return Vec::new();
                }
                if sync.new_nodes.contains(&sender_node) {
                    for (group, pid) in entries {
                        let process = CpgProcess {
                            nodeid: sender_node,
                            pid,
                        };
                        if !sync.found.iter().any(|(g, p)| g == &group && *p == process) {
                            sync.found.push((group, process));
                        }
                    }
                }
                self.finish_sync_if_done()
            }
            ClusterMessage::NodeInfo { .. }
            | ClusterMessage::QuorumSetExpected { .. }
            | ClusterMessage::QuorumSetVotes { .. }
            | ClusterMessage::KillNode { .. }
            | ClusterMessage::ReloadConfig => Vec::new(),
        }
    }

    /// A message is delivered only where its sender is a member of the group: a node
    /// learns the processes of nodes that joined its ring when the join-list sync ends,
    /// and until then their messages belong to a configuration it was not part of
    /// (virtual synchrony: the members of a group deliver the same messages between two of
    /// its membership changes). The sender itself delivers what it sent in its own view.
    fn deliver_from_member(
        &self,
        group: Vec<u8>,
        sender: CpgProcess,
        sequence: u64,
        data: Vec<u8>,
    ) -> Vec<CpgOutput> {
        let member = self
            .groups
            .get(&group)
            .is_some_and(|list| list.contains(&sender));
        if !member {
            tracing::debug!(
                ?sender,
                group = %String::from_utf8_lossy(&group),
                "CPG: message from a process outside this node's view of the group not delivered"
            );
            return Vec::new();
        }
        vec![CpgOutput::Deliver {
            group,
            ring_id: self.ring_id,
            sender,
            sequence,
            data,
        }]
    }

    fn finish_sync_if_done(&mut self) -> Vec<CpgOutput> {
        let done = self
            .sync
            .as_ref()
            .is_some_and(|sync| sync.waiting_for.is_empty());
        if !done {
            return Vec::new();
        }
        let Some(sync) = self.sync.take() else {
            return Vec::new();
        };
        self.known_nodes.extend(sync.new_nodes.iter().copied());
        let mut joined_by_group: BTreeMap<Vec<u8>, Vec<CpgChange>> = BTreeMap::new();
        for (group, process) in sync.found {
            let list = self.groups.entry(group.clone()).or_default();
            if list.contains(&process) || list.len() >= limits::CPG_GROUP_MEMBERS_MAX {
                continue;
            }
            list.push(process);
            joined_by_group.entry(group).or_default().push(CpgChange {
                process,
                reason: ConfchgReason::NodeUp,
            });
        }
        joined_by_group
            .into_iter()
            .map(|(group, joined)| self.confchg(&group, Vec::new(), joined))
            .collect()
    }

    fn confchg(&self, group: &[u8], left: Vec<CpgChange>, joined: Vec<CpgChange>) -> CpgOutput {
        CpgOutput::Confchg {
            group: group.to_vec(),
            ring_id: self.ring_id,
            members: self.members(group),
            left,
            joined,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(nodes: &[u32]) -> BTreeSet<u32> {
        nodes.iter().copied().collect()
    }

    fn join(group: &str, pid: u32) -> ClusterMessage {
        ClusterMessage::CpgJoin {
            group: group.as_bytes().to_vec(),
            pid,
        }
    }

    fn joined_of(output: &CpgOutput) -> Vec<(u32, u32, ConfchgReason)> {
        match output {
            CpgOutput::Confchg { joined, .. } => joined
                .iter()
                .map(|c| (c.process.nodeid, c.process.pid, c.reason))
                .collect(),
            CpgOutput::Deliver { .. } => Vec::new(),
        }
    }

    fn left_of(output: &CpgOutput) -> Vec<(u32, u32, ConfchgReason)> {
        match output {
            CpgOutput::Confchg { left, .. } => left
                .iter()
                .map(|c| (c.process.nodeid, c.process.pid, c.reason))
                .collect(),
            CpgOutput::Deliver { .. } => Vec::new(),
        }
    }

    /// Brings `groups` (node `me`) into a ring of `nodes` whose join lists are all empty.
    fn form_ring(groups: &mut CpgGroups, ring: RingId, nodes: &[u32]) {
        groups.regular(ring, &set(nodes));
        for node in nodes {
            groups.deliver(
                *node,
                ClusterMessage::JoinList {
                    ring_id: ring,
                    entries: Vec::new(),
                },
            );
        }
        assert!(!groups.syncing());
    }

    #[test]
    fn join_mcast_leave_in_order() {
        let mut groups = CpgGroups::new(1);
        let ring = RingId { rep: 1, seq: 5 };
        form_ring(&mut groups, ring, &[1, 2]);
        let out = groups.deliver(2, join("g", 10));
        assert_eq!(joined_of(&out[0]), vec![(2, 10, ConfchgReason::Join)]);
        let out = groups.deliver(
            2,
            ClusterMessage::CpgMcast {
                group: b"g".to_vec(),
                pid: 10,
                sequence: 1,
                data: b"x".to_vec(),
            },
        );
        assert!(
            matches!(&out[0], CpgOutput::Deliver { sequence: 1, ring_id, .. } if *ring_id == ring)
        );
        let out = groups.deliver(
            2,
            ClusterMessage::CpgLeave {
                group: b"g".to_vec(),
                pid: 10,
                reason: ConfchgReason::Leave,
            },
        );
        assert_eq!(left_of(&out[0]), vec![(2, 10, ConfchgReason::Leave)]);
        assert!(groups.members(b"g").is_empty());
    }

    #[test]
    fn node_failure_gives_one_nodedown_confchg_per_group() {
        let mut groups = CpgGroups::new(1);
        form_ring(&mut groups, RingId { rep: 1, seq: 5 }, &[1, 2, 3]);
        groups.deliver(1, join("g", 1));
        groups.deliver(2, join("g", 2));
        groups.deliver(3, join("g", 3));
        groups.deliver(3, join("g", 4));
        groups.transitional(&set(&[1, 2]));
        let out = groups.regular(RingId { rep: 1, seq: 9 }, &set(&[1, 2]));
        assert_eq!(out.len(), 1);
        assert_eq!(
            left_of(&out[0]),
            vec![
                (3, 3, ConfchgReason::NodeDown),
                (3, 4, ConfchgReason::NodeDown)
            ]
        );
        assert_eq!(
            groups.members(b"g"),
            vec![
                CpgProcess { nodeid: 1, pid: 1 },
                CpgProcess { nodeid: 2, pid: 2 }
            ]
        );
    }

    #[test]
    fn merge_adds_other_side_with_nodeup_once_all_lists_arrive() {
        let mut groups = CpgGroups::new(1);
        form_ring(&mut groups, RingId { rep: 1, seq: 5 }, &[1]);
        groups.deliver(1, join("g", 1));
        let ring = RingId { rep: 1, seq: 9 };
        groups.transitional(&set(&[1]));
        assert!(groups.regular(ring, &set(&[1, 2])).is_empty());
        let list = |entries: Vec<(Vec<u8>, u32)>| ClusterMessage::JoinList {
            ring_id: ring,
            entries,
        };
        assert!(groups.deliver(2, list(vec![(b"g".to_vec(), 7)])).is_empty());
        // Stale lists (other ring) are ignored.
        assert!(groups
            .deliver(
                1,
                ClusterMessage::JoinList {
                    ring_id: RingId { rep: 1, seq: 5 },
                    entries: Vec::new()
                }
            )
            .is_empty());
        let out = groups.deliver(1, list(vec![(b"g".to_vec(), 1)]));
        assert_eq!(out.len(), 1);
        assert_eq!(joined_of(&out[0]), vec![(2, 7, ConfchgReason::NodeUp)]);
        assert_eq!(groups.members(b"g").len(), 2);
    }

    #[test]
    fn interrupted_sync_is_redone_on_the_next_ring() {
        let mut groups = CpgGroups::new(1);
        form_ring(&mut groups, RingId { rep: 1, seq: 5 }, &[1]);
        groups.regular(RingId { rep: 1, seq: 9 }, &set(&[1, 2]));
        groups.deliver(
            2,
            ClusterMessage::JoinList {
                ring_id: RingId { rep: 1, seq: 9 },
                entries: vec![(b"g".to_vec(), 7)],
            },
        );
        // Ring changes before node 1's own list arrives: node 2 stays unknown.
        groups.transitional(&set(&[1, 2]));
        let ring = RingId { rep: 1, seq: 13 };
        groups.regular(ring, &set(&[1, 2]));
        groups.deliver(
            2,
            ClusterMessage::JoinList {
                ring_id: ring,
                entries: vec![(b"g".to_vec(), 7)],
            },
        );
        let out = groups.deliver(
            1,
            ClusterMessage::JoinList {
                ring_id: ring,
                entries: Vec::new(),
            },
        );
        assert_eq!(joined_of(&out[0]), vec![(2, 7, ConfchgReason::NodeUp)]);
    }

    #[test]
    fn restarted_node_leaves_then_comes_back_with_nodeup() {
        let mut groups = CpgGroups::new(1);
        form_ring(&mut groups, RingId { rep: 1, seq: 5 }, &[1, 2]);
        groups.deliver(2, join("g", 20));
        // Node 2 restarted unnoticed: it is in the new ring but did not move with us.
        groups.transitional(&set(&[1]));
        let ring = RingId { rep: 1, seq: 9 };
        let out = groups.regular(ring, &set(&[1, 2]));
        assert_eq!(left_of(&out[0]), vec![(2, 20, ConfchgReason::NodeDown)]);
        groups.deliver(
            1,
            ClusterMessage::JoinList {
                ring_id: ring,
                entries: Vec::new(),
            },
        );
        let out = groups.deliver(
            2,
            ClusterMessage::JoinList {
                ring_id: ring,
                entries: vec![(b"g".to_vec(), 21)],
            },
        );
        assert_eq!(joined_of(&out[0]), vec![(2, 21, ConfchgReason::NodeUp)]);
    }

    #[test]
    fn departed_senders_messages_precede_their_nodedown() {
        let mut groups = CpgGroups::new(1);
        form_ring(&mut groups, RingId { rep: 1, seq: 5 }, &[1, 2]);
        groups.deliver(2, join("g", 20));
        groups.transitional(&set(&[1]));
        // An old-ring message of node 2 delivered in the transitional configuration.
        let out = groups.deliver(
            2,
            ClusterMessage::CpgMcast {
                group: b"g".to_vec(),
                pid: 20,
                sequence: 1,
                data: b"last".to_vec(),
            },
        );
        assert!(matches!(out[0], CpgOutput::Deliver { .. }));
        assert_eq!(
            groups.members(b"g").len(),
            1,
            "still a member until the regular change"
        );
        let out = groups.regular(RingId { rep: 1, seq: 9 }, &set(&[1]));
        assert_eq!(left_of(&out[0]), vec![(2, 20, ConfchgReason::NodeDown)]);
    }

    #[test]
    fn fragments_are_reassembled_in_order_and_dropped_with_their_node() {
        use crate::cluster_message::{cpg_messages, FRAGMENT_BYTES};
        let mut groups = CpgGroups::new(1);
        form_ring(&mut groups, RingId { rep: 1, seq: 5 }, &[1, 2]);
        groups.deliver(2, join("g", 7));
        let big: Vec<u8> = (0..FRAGMENT_BYTES * 2 + 10).map(|i| i as u8).collect();
        let pieces = cpg_messages(b"g", 7, 1, big.clone());
        assert_eq!(pieces.len(), 3);
        let mut delivered = Vec::new();
        for piece in pieces {
            delivered.extend(groups.deliver(2, piece));
        }
        assert!(
            matches!(&delivered[..], [CpgOutput::Deliver { data, sequence: 1, .. }] if *data == big)
        );
        // A node that fails mid-message leaves nothing behind.
        let pieces = cpg_messages(b"g", 7, 2, big);
        groups.deliver(2, pieces[0].clone());
        groups.transitional(&set(&[1]));
        groups.regular(RingId { rep: 1, seq: 9 }, &set(&[1]));
        assert!(groups.partial.is_empty());
    }

    #[test]
    fn messages_reach_only_the_nodes_whose_view_has_their_sender() {
        let mcast = |pid: u32, sequence: u64| ClusterMessage::CpgMcast {
            group: b"g".to_vec(),
            pid,
            sequence,
            data: b"m".to_vec(),
        };
        let delivered =
            |out: &[CpgOutput]| out.iter().any(|o| matches!(o, CpgOutput::Deliver { .. }));
        // Node 1 restarted alone and joined the group; nodes 2 and 3 kept running theirs.
        let mut one = CpgGroups::new(1);
        form_ring(&mut one, RingId { rep: 1, seq: 5 }, &[1]);
        one.deliver(1, join("g", 10));
        let mut two = CpgGroups::new(2);
        form_ring(&mut two, RingId { rep: 2, seq: 5 }, &[2, 3]);
        two.deliver(2, join("g", 20));
        two.deliver(3, join("g", 30));
        // The rings merge; the same stream reaches both until the join lists are in.
        let ring = RingId { rep: 1, seq: 9 };
        one.transitional(&set(&[1]));
        one.regular(ring, &set(&[1, 2, 3]));
        two.transitional(&set(&[2, 3]));
        two.regular(ring, &set(&[1, 2, 3]));
        // Node 2's message, ordered before the sync ends: its group [2, 3] delivers it,
        // node 1 (whose view is [1]) does not; and the other way round for node 1's.
        assert!(!delivered(&one.deliver(2, mcast(20, 1))));
        assert!(delivered(&two.deliver(2, mcast(20, 1))));
        assert!(delivered(&one.deliver(1, mcast(10, 1))));
        assert!(!delivered(&two.deliver(1, mcast(10, 1))));
        let lists = [
            (1, vec![(b"g".to_vec(), 10)]),
            (2, vec![(b"g".to_vec(), 20)]),
            (3, vec![(b"g".to_vec(), 30)]),
        ];
        for (node, entries) in lists {
            let list = ClusterMessage::JoinList {
                ring_id: ring,
                entries,
            };
            one.deliver(node, list.clone());
            two.deliver(node, list);
        }
        assert!(!one.syncing() && !two.syncing());
        // One view everywhere: every message reaches both.
        for (node, pid) in [(1, 10), (2, 20), (3, 30)] {
            assert!(delivered(&one.deliver(node, mcast(pid, 2))));
            assert!(delivered(&two.deliver(node, mcast(pid, 2))));
        }
        // A process that left sends nothing more that anyone delivers.
        for g in [&mut one, &mut two] {
            g.deliver(
                3,
                ClusterMessage::CpgLeave {
                    group: b"g".to_vec(),
                    pid: 30,
                    reason: ConfchgReason::Leave,
                },
            );
            assert!(!delivered(&g.deliver(3, mcast(30, 3))));
        }
    }
}
