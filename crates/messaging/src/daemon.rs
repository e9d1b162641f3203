//! The daemon's state and its reaction to each event: Totem outputs, CPG routing, votequorum,
//! and IPC requests. The loop that waits for events is in [`crate::event_loop`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use crate::bundle;
use crate::cluster_message::{cpg_messages, ClusterMessage, NodeInfo};
use crate::cluster_setup::ClusterSetup;
use crate::cpg_groups::{CpgGroups, CpgOutput};
use crate::error::DaemonError;
use crate::ipc::protocol::{
    ConfchgReason, CpgProcess, ErrorCode, Event as IpcEvent, MemberStatus, QuorumMember,
    QuorumStatus, Reply, Request, RingId, RuntimeStatus, ServerMessage, PROTOCOL_VERSION,
};
use crate::ipc_server::{ClientId, IpcServer};
use crate::limits;
use crate::network::{Network, Target};
use crate::ring_seq_file;
use crate::timer_heap::TimerHeap;

/// Where a local client is in its group's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Join multicast, own join confchg not yet delivered.
    Joining,
    /// Member.
    Joined,
    /// Leave multicast, own leave confchg not yet delivered.
    Leaving,
}

#[derive(Debug)]
struct ClientGroup {
    group: Vec<u8>,
    phase: Phase,
}

#[derive(Debug, Default)]
struct ClientState {
    group: Option<ClientGroup>,
    quorum_tracking: bool,
    ring_tracking: bool,
    next_sequence: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct MemberRecord {
    join_count: u32,
    joined: bool,
}

/// The protocol timers the daemon runs for its cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DaemonTimer {
    /// A Totem timer.
    Totem(totem::TimerKind),
    /// A votequorum timer.
    Quorum(quorum::Timer),
    /// The longest hold of a token deferred for a slow local client is over.
    DeferredToken,
    /// Time to judge whether the node is cut off since its ring broke (see `ring_break`).
    CutOffCheck,
}

/// A token packet whose processing waits for local clients to read their deliveries.
#[derive(Debug)]
struct DeferredToken {
    from: u32,
    bytes: Vec<u8>,
}

/// The whole daemon state.
pub struct Daemon {
    setup: ClusterSetup,
    cluster_name: String,
    config_values: Vec<(String, u64)>,
    state_dir: PathBuf,
    totem: totem::Node,
    quorum: Option<quorum::Votequorum>,
    last_report_sent: Option<NodeInfo>,
    cpg: CpgGroups,
    /// Cluster messages waiting for room in Totem's send queue, in order.
    pending: VecDeque<Vec<u8>>,
    /// Bytes in `pending`.
    pending_bytes: usize,
    /// Most messages handed to Totem's send queue ahead of the token: what waits beyond them
    /// stays in `pending`, to be bundled (many small messages per Totem message) when room
    /// frees up, and `pending`'s byte bound is what pushes back on clients.
    totem_queue_max: usize,
    /// Local clients per group (any phase).
    group_clients: BTreeMap<Vec<u8>, BTreeSet<ClientId>>,
    clients: BTreeMap<ClientId, ClientState>,
    client_pids: BTreeMap<ClientId, u32>,
    /// Protocol timers.
    pub timers: TimerHeap<DaemonTimer>,
    /// A token held back while a local client reads its backlog of deliveries.
    deferred_token: Option<DeferredToken>,
    /// Longest hold of one token for slow local clients, in ms.
    token_defer_ms: u64,
    /// Tokens held back so far (`tandemd.tokens_deferred` in the runtime stats).
    tokens_deferred: u64,
    /// Queued multicasts dropped (sender not in a group; `ipc.queued_mcast_dropped`).
    queued_mcast_dropped: u64,
    ring_id: RingId,
    ring_members: Vec<u32>,
    members: BTreeMap<u32, MemberRecord>,
    /// Set once a clean shutdown was asked for (SIGTERM or IPC).
    pub shutdown_requested: bool,
    /// Called on the first SIGTERM instead of leaving at once: a local client (the resource
    /// manager) stops its work first and then asks for the shutdown over IPC. It returns
    /// false when nobody took the request (the daemon then leaves at once). A second
    /// SIGTERM always leaves at once.
    pub terminate_hook: Option<Box<dyn FnMut() -> bool + Send>>,
    /// The corosync.conf this daemon runs from, re-read on a reload request (`cfgtool -R`);
    /// without it a reload is refused.
    pub config_path: Option<PathBuf>,
    /// The configuration as last loaded: a reload applies its differences from the file.
    running_config: corosync_conf::Config,
    /// Applies reloaded logging settings; returns whether it could.
    pub log_hook: Option<LogHook>,
    /// When the ring last broke, and whether the node was cut off then.
    ring_breaks: ring_break::RingBreaks,
}

/// Applies a reloaded `logging {}` section; returns whether it could.
pub type LogHook = Box<dyn FnMut(&corosync_conf::Logging) -> bool + Send>;

mod config_reload;
mod ring_break;

pub use ring_break::cut_off_after_ms;

/// Applies a runtime votequorum change message to a votequorum instance.
fn apply_quorum_change(
    quorum: &mut quorum::Votequorum,
    now_ms: u64,
    change: &ClusterMessage,
) -> Result<Vec<quorum::Output>, quorum::QuorumError> {
    match change {
        ClusterMessage::QuorumSetExpected { expected } => quorum.set_expected(now_ms, *expected),
        ClusterMessage::QuorumSetVotes { nodeid, votes } => {
            quorum.set_votes(now_ms, *nodeid, *votes)
        }
        _ => Ok(Vec::new()),
    }
}

fn ring_id_of(id: totem::RingId) -> RingId {
    RingId {
        rep: id.rep.0,
        seq: id.seq,
    }
}

/// The totem timers as the daemon's configuration table shows them (`totem.*` keys), at
/// start and after a reload, in that table's order.
fn timer_values(timers: &corosync_conf::Timers) -> [(&'static str, u32); 10] {
    [
        ("totem.token", timers.token),
        ("totem.consensus", timers.consensus),
        ("totem.token_retransmit", timers.token_retransmit),
        ("totem.hold", timers.hold),
        ("totem.join", timers.join),
        ("totem.merge", timers.merge),
        ("totem.downcheck", timers.downcheck),
        ("totem.fail_recv_const", timers.fail_recv_const),
        ("totem.seqno_unchanged_const", timers.seqno_unchanged_const),
        (
            "totem.token_retransmits_before_loss_const",
            timers.token_retransmits_before_loss_const,
        ),
    ]
}

impl Daemon {
    /// Builds the daemon state; Totem starts at once (singleton ring, then merge).
    pub fn new(
        setup: ClusterSetup,
        config: &corosync_conf::Config,
        state_dir: PathBuf,
        now_ms: u64,
    ) -> Result<Self, DaemonError> {
        let restored = ring_seq_file::load(&state_dir, setup.nodeid).map_err(|source| {
            DaemonError::RingSeqRead {
                path: ring_seq_file::path(&state_dir, setup.nodeid),
                source,
            }
        })?;
        let totem_config = crate::cluster_setup::totem_config(config);
        let totem_queue_max = usize::try_from(totem_config.max_messages)
            .unwrap_or(usize::MAX)
            .clamp(1, limits::TOTEM_QUEUE_MESSAGES_MAX);
        let nodelist: Vec<totem::NodeId> = setup
            .nodes
            .iter()
            .map(|n| totem::NodeId(n.nodeid))
            .collect();
        let totem = totem::Node::new(
            totem_config.clone(),
            totem::NodeId(setup.nodeid),
            &nodelist,
            restored.unwrap_or(0),
            now_ms,
        )?;
        tracing::info!(
            "Created or loaded sequence id {:x}.{:x} for this ring.",
            setup.nodeid,
            restored.unwrap_or(0)
        );
        let quorum =
            quorum::Settings::from_config(config, setup.nodeid).map(quorum::Votequorum::new);
        let timers = config.timers();
        let mut config_values: Vec<(String, u64)> = timer_values(&timers)
            .into_iter()
            .map(|(key, value)| (key.to_string(), u64::from(value)))
            .collect();
        config_values.extend([
            (
                "totem.window_size".to_string(),
                u64::from(totem_config.window_size),
            ),
            (
                "totem.max_messages".to_string(),
                u64::from(totem_config.max_messages),
            ),
        ]);
        let nodeid = setup.nodeid;
        let mut daemon = Daemon {
            cluster_name: config.totem.cluster_name.clone().unwrap_or_default(),
            setup,
            config_values,
            state_dir,
            totem,
            quorum,
            last_report_sent: None,
            cpg: CpgGroups::new(nodeid),
            pending: VecDeque::new(),
            pending_bytes: 0,
            totem_queue_max,
            group_clients: BTreeMap::new(),
            clients: BTreeMap::new(),
            client_pids: BTreeMap::new(),
            timers: TimerHeap::default(),
            deferred_token: None,
            token_defer_ms: limits::TOKEN_DEFER_MS_MAX.min(totem_config.token_retransmit_ms / 4),
            tokens_deferred: 0,
            queued_mcast_dropped: 0,
            ring_id: RingId {
                rep: nodeid,
                seq: restored.unwrap_or(0),
            },
            ring_members: vec![nodeid],
            members: BTreeMap::new(),
            shutdown_requested: false,
            terminate_hook: None,
            config_path: None,
            running_config: config.clone(),
            log_hook: None,
            ring_breaks: Default::default(),
        };
        if let Some(quorum) = &mut daemon.quorum {
            let outputs = quorum.membership(now_ms, &[nodeid]);
            daemon.apply_quorum_outputs(outputs, None);
        }
        Ok(daemon)
    }

    /// Local node id.
    pub fn nodeid(&self) -> u32 {
        self.setup.nodeid
    }

    /// A packet arrived from a peer. `backlogged`: a local client has at least
    /// [`limits::CLIENT_OUTPUT_PRESSURE_BYTES`] of deliveries unread; a token is then held back
    /// (see [`Daemon::release_deferred_token`]) so that the ring adds no messages meanwhile.
    pub fn on_packet(&mut self, now_ms: u64, from: u32, bytes: &[u8], backlogged: bool) {
        if totem::is_token(bytes) {
            // A newer token (e.g. a retransmission) never waits behind an older one.
            self.release_deferred_token(now_ms, false);
            if backlogged && self.token_defer_ms > 0 {
                self.deferred_token = Some(DeferredToken {
                    from,
                    bytes: bytes.to_vec(),
                });
                self.tokens_deferred += 1;
                self.timers
                    .set(DaemonTimer::DeferredToken, now_ms + self.token_defer_ms);
                return;
            }
        }
        self.totem.handle_packet(now_ms, totem::NodeId(from), bytes);
    }

    /// Hands a held-back token to Totem unless local clients are still `backlogged`; returns
    /// whether it did (the caller then drains Totem's outputs).
    pub fn release_deferred_token(&mut self, now_ms: u64, backlogged: bool) -> bool {
        if backlogged || self.deferred_token.is_none() {
            return false;
        }
        let Some(token) = self.deferred_token.take() else {
            return false;
        };
        self.timers.cancel(DaemonTimer::DeferredToken);
        self.totem
            .handle_packet(now_ms, totem::NodeId(token.from), &token.bytes);
        true
    }

    /// A protocol timer fired.
    pub fn on_timer(&mut self, now_ms: u64, timer: DaemonTimer, ipc: &mut IpcServer) {
        match timer {
            DaemonTimer::Totem(kind) => self.totem.handle_timer(now_ms, kind),
            DaemonTimer::DeferredToken => {
                self.release_deferred_token(now_ms, false);
            }
            DaemonTimer::CutOffCheck => self.check_cut_off(now_ms, ipc),
            DaemonTimer::Quorum(kind) => {
                if let Some(quorum) = &mut self.quorum {
                    let outputs = quorum.timer_expired(now_ms, kind);
                    self.apply_quorum_outputs(outputs, Some(ipc));
                }
            }
        }
    }

    /// Starts the clean leave: Totem announces the departure.
    pub fn leave(&mut self, now_ms: u64) {
        self.totem.leave(now_ms);
    }

    /// Moves queued cluster messages into Totem and acts on every Totem output, in order.
    /// Returns an error only when the ring seq cannot be persisted (the daemon must stop).
    pub fn drain(
        &mut self,
        now_ms: u64,
        network: &mut dyn Network,
        ipc: &mut IpcServer,
    ) -> Result<(), DaemonError> {
        // Bounded: outputs are finite per input, and each delivery enqueues a bounded number
        // of new messages.
        for _ in 0..64 {
            self.feed_totem(now_ms);
            let mut handled = 0usize;
            while let Some(output) = self.totem.poll_output() {
                handled += 1;
                self.on_totem_output(now_ms, output, network, ipc)?;
            }
            if handled == 0 {
                break;
            }
        }
        self.watch_ring(now_ms, ipc);
        network.flush();
        Ok(())
    }

    fn push_pending(&mut self, message: Vec<u8>) {
        self.pending_bytes += message.len();
        self.pending.push_back(message);
    }

    fn feed_totem(&mut self, now_ms: u64) {
        while self.totem.send_queue_len() < self.totem_queue_max {
            let Some((message, consumed)) =
                bundle::take_bundle(&mut self.pending, bundle::BUNDLE_BYTES_MAX)
            else {
                break;
            };
            self.pending_bytes = self.pending_bytes.saturating_sub(consumed);
            if let Err(error) = self.totem.send(now_ms, message) {
                tracing::warn!("TOTEM: message not sent: {error}");
            }
        }
    }

    fn on_totem_output(
        &mut self,
        now_ms: u64,
        output: totem::Output,
        network: &mut dyn Network,
        ipc: &mut IpcServer,
    ) -> Result<(), DaemonError> {
        match output {
            totem::Output::Transmit { dest, bytes } => {
                let target = match dest {
                    totem::Destination::All => Target::All,
                    totem::Destination::Node(node) => Target::Node(node.0),
                };
                network.transmit(now_ms, target, &bytes);
            }
            totem::Output::SetTimer { kind, at_ms } => {
                self.timers.set(DaemonTimer::Totem(kind), at_ms);
            }
            totem::Output::CancelTimer { kind } => self.timers.cancel(DaemonTimer::Totem(kind)),
            totem::Output::PersistRingSeq(seq) => {
                ring_seq_file::store(&self.state_dir, self.setup.nodeid, seq).map_err(
                    |source| DaemonError::RingSeqStore {
                        path: ring_seq_file::path(&self.state_dir, self.setup.nodeid),
                        source,
                    },
                )?;
            }
            totem::Output::Deliver(delivery) => {
                let sender = delivery.sender.0;
                match bundle::unpack(&delivery.payload) {
                    Ok(messages) => {
                        for message in messages {
                            self.deliver_cluster_message(now_ms, sender, message, ipc);
                        }
                    }
                    Err(error) => {
                        tracing::warn!(
                            "dropping an undecodable bundle from node {sender}: {error}"
                        );
                    }
                }
            }
            totem::Output::ConfigurationChange(change) => {
                self.on_configuration_change(now_ms, change, ipc);
            }
        }
        Ok(())
    }

    /// Applies one cluster message delivered in agreed order.
    fn deliver_cluster_message(
        &mut self,
        now_ms: u64,
        sender: u32,
        payload: &[u8],
        ipc: &mut IpcServer,
    ) {
        match ClusterMessage::decode(payload) {
            Ok(ClusterMessage::NodeInfo { ring_id, info }) => {
                if ring_id == self.ring_id {
                    self.on_node_info(now_ms, sender, info, ipc);
                }
            }
            Ok(ClusterMessage::ReloadConfig) => self.reload_config(now_ms, sender, ipc),
            Ok(ClusterMessage::KillNode { nodeid }) => {
                if nodeid == self.setup.nodeid {
                    tracing::warn!("node {sender} asked this node to leave the cluster: leaving");
                    self.shutdown_requested = true;
                }
            }
            Ok(
                change @ (ClusterMessage::QuorumSetExpected { .. }
                | ClusterMessage::QuorumSetVotes { .. }),
            ) => {
                let Some(quorum) = self.quorum.as_mut() else {
                    return;
                };
                match apply_quorum_change(quorum, now_ms, &change) {
                    Ok(outputs) => {
                        tracing::info!(target: "QUORUM", "node {sender} changed votequorum: {change:?}");
                        self.apply_quorum_outputs(outputs, Some(ipc));
                    }
                    Err(error) => {
                        tracing::warn!(target: "QUORUM", "node {sender} asked {change:?}: {error}");
                    }
                }
            }
            Ok(message) => {
                let outputs = self.cpg.deliver(sender, message);
                self.route_cpg(outputs, ipc);
            }
            Err(error) => {
                tracing::warn!("dropping an undecodable message from node {sender}: {error}");
            }
        }
    }

    fn on_configuration_change(
        &mut self,
        now_ms: u64,
        change: totem::ConfigurationChange,
        ipc: &mut IpcServer,
    ) {
        let members: BTreeSet<u32> = change.members.iter().map(|n| n.0).collect();
        match change.kind {
            totem::ConfigurationKind::Transitional => self.cpg.transitional(&members),
            totem::ConfigurationKind::Regular => {
                let ring_id = ring_id_of(change.ring_id);
                let list = |nodes: &[totem::NodeId]| {
                    nodes
                        .iter()
                        .map(|n| n.0.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                let mut text = format!("A new membership ({ring_id}) was formed.");
                if !change.joined.is_empty() {
                    text.push_str(&format!(" Members joined: {}", list(&change.joined)));
                }
                if !change.left.is_empty() {
                    text.push_str(&format!(" Members left: {}", list(&change.left)));
                }
                tracing::info!(target: "TOTEM", "{text}");
                tracing::info!(
                    target: "QUORUM",
                    "Members[{}]: {}",
                    change.members.len(),
                    list(&change.members)
                );
                self.ring_id = ring_id;
                self.ring_members = members.iter().copied().collect();
                for record in self.members.values_mut() {
                    record.joined = false;
                }
                for node in &members {
                    let record = self.members.entry(*node).or_default();
                    if !record.joined {
                        record.joined = true;
                    }
                }
                for node in &change.joined {
                    self.members.entry(node.0).or_default().join_count += 1;
                }
                if self
                    .members
                    .get(&self.setup.nodeid)
                    .is_some_and(|r| r.join_count == 0)
                {
                    if let Some(record) = self.members.get_mut(&self.setup.nodeid) {
                        record.join_count = 1;
                    }
                }
                let outputs = self.cpg.regular(ring_id, &members);
                self.route_cpg(outputs, ipc);
                // Announce our processes and votes for the new ring; these go first.
                let local = self.local_join_list();
                let join_list = self.cpg.local_join_list(&local).encode();
                self.pending_bytes += join_list.len();
                self.pending.push_front(join_list);
                if let Some(quorum) = &mut self.quorum {
                    let member_list: Vec<u32> = members.iter().copied().collect();
                    let outputs = quorum.membership(now_ms, &member_list);
                    self.apply_quorum_outputs(outputs, Some(ipc));
                    self.send_node_info(true);
                }
                self.notify_quorum_trackers(ipc);
            }
        }
    }

    fn local_join_list(&self) -> Vec<(Vec<u8>, u32)> {
        let mut entries = Vec::new();
        for (id, state) in &self.clients {
            if let Some(group) = &state.group {
                if group.phase != Phase::Leaving {
                    let pid = self.client_pid(*id);
                    entries.push((group.group.clone(), pid));
                }
            }
        }
        entries
    }

    fn client_pid(&self, id: ClientId) -> u32 {
        self.client_pids.get(&id).copied().unwrap_or(0)
    }

    fn on_node_info(&mut self, now_ms: u64, sender: u32, info: NodeInfo, ipc: &mut IpcServer) {
        let Some(quorum) = &mut self.quorum else {
            return;
        };
        let outputs = quorum.report(
            now_ms,
            quorum::NodeReport {
                node: sender,
                votes: info.votes,
                expected_votes: info.expected_votes,
                quorate: info.quorate,
                wait_for_all_waiting: info.wait_for_all_waiting,
            },
        );
        self.apply_quorum_outputs(outputs, Some(ipc));
    }

    fn send_node_info(&mut self, force: bool) {
        let Some(quorum) = &self.quorum else {
            return;
        };
        let report = quorum.local_report();
        let info = NodeInfo {
            votes: report.votes,
            expected_votes: report.expected_votes,
            quorate: report.quorate,
            wait_for_all_waiting: report.wait_for_all_waiting,
        };
        if !force && self.last_report_sent.as_ref() == Some(&info) {
            return;
        }
        self.last_report_sent = Some(info.clone());
        let message = ClusterMessage::NodeInfo {
            ring_id: self.ring_id,
            info,
        };
        self.push_pending(message.encode());
    }

    fn apply_quorum_outputs(&mut self, outputs: Vec<quorum::Output>, ipc: Option<&mut IpcServer>) {
        let mut changed = false;
        for output in outputs {
            match output {
                quorum::Output::Changed(status) => {
                    changed = true;
                    if status.quorate {
                        tracing::info!(target: "QUORUM", "This node is within the primary component and will provide service.");
                    } else {
                        tracing::info!(target: "QUORUM", "This node is within the non-primary component and will NOT provide any services.");
                    }
                }
                quorum::Output::SetTimer { timer, deadline_ms } => {
                    self.timers.set(DaemonTimer::Quorum(timer), deadline_ms);
                }
                quorum::Output::CancelTimer(timer) => {
                    self.timers.cancel(DaemonTimer::Quorum(timer))
                }
            }
        }
        if changed {
            self.send_node_info(false);
            if let Some(ipc) = ipc {
                self.notify_quorum_trackers(ipc);
            }
        }
    }

    fn notify_quorum_trackers(&self, ipc: &mut IpcServer) {
        let status = self.quorum_status();
        for (id, state) in &self.clients {
            if state.quorum_tracking {
                ipc.send(*id, &ServerMessage::Event(IpcEvent::Quorum(status.clone())));
            }
        }
    }

    /// The quorum status as tools show it.
    pub fn quorum_status(&self) -> QuorumStatus {
        let name_of = |nodeid: u32| {
            self.setup
                .nodes
                .iter()
                .find(|n| n.nodeid == nodeid)
                .map(|n| n.name.clone())
                .unwrap_or_else(|| nodeid.to_string())
        };
        match &self.quorum {
            Some(quorum) => {
                let status = quorum.status();
                let flags = status
                    .flags
                    .to_string()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
                QuorumStatus {
                    provider_enabled: true,
                    nodeid: self.setup.nodeid,
                    ring_id: self.ring_id,
                    quorate: status.quorate,
                    expected_votes: status.expected_votes,
                    highest_expected: status.highest_expected,
                    total_votes: status.total_votes,
                    quorum: status.quorum,
                    flags,
                    members: status
                        .members
                        .iter()
                        .map(|m| QuorumMember {
                            nodeid: m.node,
                            votes: m.votes,
                            name: name_of(m.node),
                        })
                        .collect(),
                }
            }
            None => QuorumStatus {
                provider_enabled: false,
                nodeid: self.setup.nodeid,
                ring_id: self.ring_id,
                quorate: true,
                expected_votes: 0,
                highest_expected: 0,
                total_votes: 0,
                quorum: 0,
                flags: Vec::new(),
                members: self
                    .ring_members
                    .iter()
                    .map(|n| QuorumMember {
                        nodeid: *n,
                        votes: 1,
                        name: name_of(*n),
                    })
                    .collect(),
            },
        }
    }

    /// The runtime status for `cfgtool` and `cmapctl`.
    pub fn runtime_status(&self, now_ms: u64, network: &dyn Network) -> RuntimeStatus {
        let stats = self.totem.stats();
        let mut counters = vec![
            ("srp.orf_token_rx".to_string(), stats.orf_token_rx),
            ("srp.orf_token_tx".to_string(), stats.orf_token_tx),
            ("srp.mcast_tx".to_string(), stats.mcast_tx),
            ("srp.mcast_retx".to_string(), stats.mcast_retx),
            ("srp.mcast_rx".to_string(), stats.mcast_rx),
            ("srp.memb_join_tx".to_string(), stats.memb_join_tx),
            ("srp.gather_entered".to_string(), stats.gather_entered),
            ("srp.commit_entered".to_string(), stats.commit_entered),
            ("srp.recovery_entered".to_string(), stats.recovery_entered),
            (
                "srp.operational_entered".to_string(),
                stats.operational_entered,
            ),
            ("srp.token_lost".to_string(), stats.token_lost),
            (
                "srp.consensus_timeouts".to_string(),
                stats.consensus_timeouts,
            ),
            ("srp.rx_msg_dropped".to_string(), stats.rx_msg_dropped),
            ("srp.token_retransmits".to_string(), stats.token_retransmits),
        ];
        counters.push(("tandemd.tokens_deferred".to_string(), self.tokens_deferred));
        counters.extend(self.ring_break_counters(now_ms));
        counters.push((
            "ipc.queued_mcast_dropped".to_string(),
            self.queued_mcast_dropped,
        ));
        counters.extend(network.stats());
        RuntimeStatus {
            nodeid: self.setup.nodeid,
            cluster_name: self.cluster_name.clone(),
            transport: network.name().to_string(),
            ring_id: self.ring_id,
            ring_members: self.ring_members.clone(),
            rings: network.rings(now_ms),
            members: self
                .members
                .iter()
                .map(|(nodeid, record)| MemberStatus {
                    nodeid: *nodeid,
                    addresses: self
                        .setup
                        .nodes
                        .iter()
                        .find(|n| n.nodeid == *nodeid)
                        .map(|n| n.addresses.values().map(|a| a.to_string()).collect())
                        .unwrap_or_default(),
                    join_count: record.join_count,
                    joined: record.joined,
                })
                .collect(),
            config: self.config_values.clone(),
            stats: counters,
        }
    }

    fn route_cpg(&mut self, outputs: Vec<CpgOutput>, ipc: &mut IpcServer) {
        let me = self.setup.nodeid;
        for output in outputs {
            match output {
                CpgOutput::Deliver {
                    group,
                    ring_id,
                    sender,
                    sequence,
                    data,
                } => {
                    let Some(ids) = self.group_clients.get(&group) else {
                        continue;
                    };
                    let frame = ServerMessage::Event(IpcEvent::CpgDeliver {
                        group: group.clone(),
                        ring_id,
                        sender,
                        sequence,
                        data,
                    })
                    .encode_framed();
                    for id in ids {
                        let member = self.clients.get(id).and_then(|c| c.group.as_ref());
                        if member.is_some_and(|g| g.phase != Phase::Joining) {
                            ipc.send_frame(*id, &frame);
                        }
                    }
                }
                CpgOutput::Confchg {
                    group,
                    ring_id,
                    members,
                    left,
                    joined,
                } => {
                    let Some(ids) = self.group_clients.get(&group).cloned() else {
                        continue;
                    };
                    let message = ServerMessage::Event(IpcEvent::CpgConfchg {
                        group: group.clone(),
                        ring_id,
                        members,
                        left: left.clone(),
                        joined: joined.clone(),
                    });
                    for id in ids {
                        let pid = self.client_pid(id);
                        let me_process = CpgProcess { nodeid: me, pid };
                        let Some(state) = self.clients.get_mut(&id) else {
                            continue;
                        };
                        let Some(membership) = &mut state.group else {
                            continue;
                        };
                        match membership.phase {
                            Phase::Joining => {
                                if joined.iter().any(|c| {
                                    c.process == me_process && c.reason == ConfchgReason::Join
                                }) {
                                    membership.phase = Phase::Joined;
                                    ipc.send(id, &message);
                                }
                            }
                            Phase::Joined => ipc.send(id, &message),
                            Phase::Leaving => {
                                ipc.send(id, &message);
                                if left.iter().any(|c| {
                                    c.process == me_process && c.reason == ConfchgReason::Leave
                                }) {
                                    state.group = None;
                                    if let Some(set) = self.group_clients.get_mut(&group) {
                                        set.remove(&id);
                                    }
                                }
                            }
                        }
                    }
                    self.group_clients.retain(|_, set| !set.is_empty());
                }
            }
        }
    }

    /// A client connected.
    pub fn on_client_connected(&mut self, id: ClientId, pid: u32) {
        self.clients.insert(id, ClientState::default());
        self.client_pids.insert(id, pid);
    }

    /// A client went away: its group membership ends with reason PROCDOWN.
    pub fn on_client_gone(&mut self, id: ClientId, pid: u32, reason: &str) {
        tracing::debug!("IPC: client {id} (pid {pid}) disconnected: {reason}");
        if reason.starts_with("client too slow") {
            tracing::warn!("IPC: disconnecting client pid {pid}: {reason}");
        }
        if let Some(state) = self.clients.remove(&id) {
            if let Some(group) = state.group {
                if group.phase != Phase::Leaving {
                    self.push_pending(
                        ClusterMessage::CpgLeave {
                            group: group.group.clone(),
                            pid,
                            reason: ConfchgReason::ProcDown,
                        }
                        .encode(),
                    );
                }
                if let Some(set) = self.group_clients.get_mut(&group.group) {
                    set.remove(&id);
                }
                self.group_clients.retain(|_, set| !set.is_empty());
            }
        }
        self.client_pids.remove(&id);
    }

    /// Handles one request and queues its reply (and any immediate event) to the client.
    pub fn on_request(
        &mut self,
        now_ms: u64,
        id: ClientId,
        greeted: &mut bool,
        request: Request,
        network: &dyn Network,
        ipc: &mut IpcServer,
    ) {
        let error = |code, message: &str| Reply::Error {
            code,
            message: message.to_string(),
        };
        if !*greeted && !matches!(request, Request::Hello { .. }) {
            ipc.send(
                id,
                &ServerMessage::Reply(error(ErrorCode::Version, "send Hello first")),
            );
            return;
        }
        let pid = self.client_pid(id);
        let mut follow_up = None;
        let reply = match request {
            Request::Hello { version } => {
                if version != PROTOCOL_VERSION {
                    error(
                        ErrorCode::Version,
                        &format!("protocol version {version} not supported (daemon speaks {PROTOCOL_VERSION})"),
                    )
                } else {
                    *greeted = true;
                    Reply::Hello {
                        version: PROTOCOL_VERSION,
                        nodeid: self.setup.nodeid,
                        pid,
                    }
                }
            }
            Request::CpgJoin { group } => self.cpg_join(id, pid, group),
            Request::CpgLeave => self.cpg_leave(id, pid),
            Request::CpgMcast { data } => {
                self.cpg_mcast(id, pid, data, Some(ipc.pending_output(id)))
            }
            Request::CpgMcastQueued { data } => {
                // No reply: the event loop read this only because the send queue had room.
                if let Reply::Error { message, .. } = self.cpg_mcast(id, pid, data, None) {
                    self.queued_mcast_dropped += 1;
                    if self.queued_mcast_dropped.is_power_of_two() {
                        tracing::warn!(
                            "IPC: dropped a queued multicast of pid {pid}: {message} \
                             ({} dropped so far)",
                            self.queued_mcast_dropped
                        );
                    }
                }
                return;
            }
            Request::CpgMembership => match self.clients.get(&id).and_then(|c| c.group.as_ref()) {
                Some(group) => Reply::CpgMembers {
                    members: self.cpg.members(&group.group),
                },
                None => error(ErrorCode::BadHandle, "not in a group"),
            },
            Request::QuorumGet => Reply::Quorum(self.quorum_status()),
            Request::QuorumTrack { enable } => {
                if let Some(state) = self.clients.get_mut(&id) {
                    state.quorum_tracking = enable;
                }
                if enable {
                    follow_up = Some(ServerMessage::Event(IpcEvent::Quorum(self.quorum_status())));
                }
                Reply::Ok
            }
            Request::RingTrack { enable } => {
                if let Some(state) = self.clients.get_mut(&id) {
                    state.ring_tracking = enable;
                }
                if enable {
                    follow_up = Some(ServerMessage::Event(IpcEvent::Ring(
                        self.ring_state(now_ms, crate::ipc::protocol::RingChange::Current),
                    )));
                }
                Reply::Ok
            }
            Request::Status => Reply::Status(self.runtime_status(now_ms, network)),
            Request::QuorumSetExpected { expected } => {
                self.quorum_change(now_ms, ClusterMessage::QuorumSetExpected { expected })
            }
            Request::QuorumSetVotes { nodeid, votes } => {
                let nodeid = if nodeid == 0 {
                    self.setup.nodeid
                } else {
                    nodeid
                };
                self.quorum_change(now_ms, ClusterMessage::QuorumSetVotes { nodeid, votes })
            }
            Request::Shutdown => {
                tracing::info!("shutdown requested over IPC by pid {pid}");
                self.shutdown_requested = true;
                Reply::Ok
            }
            Request::ReloadConfig => {
                if self.config_path.is_some() {
                    tracing::info!("pid {pid} asks every node to reload its configuration");
                    self.push_pending(ClusterMessage::ReloadConfig.encode());
                    Reply::Ok
                } else {
                    error(
                        ErrorCode::BadHandle,
                        "this daemon does not know its configuration file",
                    )
                }
            }
            Request::KillNode { nodeid } => {
                if self.ring_members.contains(&nodeid) {
                    tracing::info!("pid {pid} asks node {nodeid} to leave the cluster");
                    self.push_pending(ClusterMessage::KillNode { nodeid }.encode());
                    Reply::Ok
                } else {
                    error(
                        ErrorCode::InvalidParam,
                        &format!("node {nodeid} is not a member of the current ring"),
                    )
                }
            }
        };
        ipc.send(id, &ServerMessage::Reply(reply));
        if let Some(message) = follow_up {
            ipc.send(id, &message);
        }
    }

    fn cpg_join(&mut self, id: ClientId, pid: u32, group: Vec<u8>) -> Reply {
        if group.is_empty() || group.len() > limits::CPG_GROUP_NAME_BYTES_MAX {
            return Reply::Error {
                code: ErrorCode::InvalidParam,
                message: format!(
                    "group name must be 1..={} bytes",
                    limits::CPG_GROUP_NAME_BYTES_MAX
                ),
            };
        }
        if self.clients.get(&id).is_some_and(|c| c.group.is_some()) {
            return Reply::Error {
                code: ErrorCode::Exist,
                message: "this connection is already in a group".to_string(),
            };
        }
        let same_process = self
            .group_clients
            .get(&group)
            .is_some_and(|ids| ids.iter().any(|other| self.client_pid(*other) == pid));
        if same_process {
            return Reply::Error {
                code: ErrorCode::Exist,
                message: format!("process {pid} is already in this group"),
            };
        }
        if self.group_clients.len() >= limits::CPG_GROUPS_MAX
            && !self.group_clients.contains_key(&group)
        {
            return Reply::Error {
                code: ErrorCode::TryAgain,
                message: "too many groups".to_string(),
            };
        }
        let Some(state) = self.clients.get_mut(&id) else {
            return Reply::Error {
                code: ErrorCode::BadHandle,
                message: "unknown client".to_string(),
            };
        };
        state.group = Some(ClientGroup {
            group: group.clone(),
            phase: Phase::Joining,
        });
        self.group_clients
            .entry(group.clone())
            .or_default()
            .insert(id);
        self.pending
            .push_back(ClusterMessage::CpgJoin { group, pid }.encode());
        Reply::Ok
    }

    fn cpg_leave(&mut self, id: ClientId, pid: u32) -> Reply {
        let Some(group) = self.clients.get_mut(&id).and_then(|c| c.group.as_mut()) else {
            return Reply::Error {
                code: ErrorCode::BadHandle,
                message: "not in a group".to_string(),
            };
        };
        if group.phase == Phase::Leaving {
            return Reply::Error {
                code: ErrorCode::BadHandle,
                message: "already leaving".to_string(),
            };
        }
        group.phase = Phase::Leaving;
        let message = ClusterMessage::CpgLeave {
            group: group.group.clone(),
            pid,
            reason: ConfchgReason::Leave,
        };
        self.push_pending(message.encode());
        Reply::Ok
    }

    /// Checks a runtime votequorum change against the current state, then multicasts it so that
    /// every node applies it at the same point of the agreed order.
    fn quorum_change(&mut self, now_ms: u64, change: ClusterMessage) -> Reply {
        let Some(quorum) = self.quorum.as_ref() else {
            return Reply::Error {
                code: ErrorCode::BadHandle,
                message: "votequorum is not the quorum provider".to_string(),
            };
        };
        if let Err(error) = apply_quorum_change(&mut quorum.clone(), now_ms, &change) {
            return Reply::Error {
                code: ErrorCode::InvalidParam,
                message: error.to_string(),
            };
        }
        self.push_pending(change.encode());
        Reply::Ok
    }

    /// `backlog`: bytes of deliveries still queued towards this client.
    /// Bytes of queued multicast data the send queue can take now (0 when full; at least 1,
    /// i.e. one message of any size, while it holds fewer than
    /// [`limits::PENDING_MULTICAST_MESSAGES_FLOOR`] messages).
    pub fn mcast_room(&self) -> usize {
        if self.pending.len() >= limits::PENDING_MULTICAST_MAX {
            return 0;
        }
        let room = self.pending_bytes_max().saturating_sub(self.pending_bytes);
        if self.pending.len() < limits::PENDING_MULTICAST_MESSAGES_FLOOR {
            room.max(1)
        } else {
            room
        }
    }

    /// Bytes of client messages this node queues ahead of Totem: the ring-wide bound shared
    /// among the current ring's members.
    fn pending_bytes_max(&self) -> usize {
        let members = self.ring_members.len().max(1);
        (limits::RING_PENDING_MULTICAST_BYTES / members).clamp(
            limits::PENDING_MULTICAST_BYTES_MIN,
            limits::PENDING_MULTICAST_BYTES_MAX,
        )
    }

    /// Takes a multicast into the send queue. `backlog`: the client's unread deliveries, for a
    /// request that may be answered TryAgain; None for a queued multicast, read only because
    /// the queue had room (it may pass the byte bound by this one message).
    fn cpg_mcast(
        &mut self,
        id: ClientId,
        pid: u32,
        data: Vec<u8>,
        backlog: Option<usize>,
    ) -> Reply {
        let max = limits::CPG_MESSAGE_BYTES_MAX;
        if data.len() > max {
            return Reply::Error {
                code: ErrorCode::TooBig,
                message: format!(
                    "message of {} bytes exceeds the maximum of {max}",
                    data.len()
                ),
            };
        }
        if backlog.is_some_and(|b| b >= limits::CLIENT_OUTPUT_SENDER_PRESSURE_BYTES) {
            return Reply::Error {
                code: ErrorCode::TryAgain,
                message: "deliveries to this client are backlogged".to_string(),
            };
        }
        // A message larger than the byte bound is still accepted into an empty queue.
        if backlog.is_some()
            && (self.pending.len() >= limits::PENDING_MULTICAST_MAX
                || (self.pending_bytes > 0
                    && self.pending_bytes + data.len() > self.pending_bytes_max()))
        {
            return Reply::Error {
                code: ErrorCode::TryAgain,
                message: "send queue full".to_string(),
            };
        }
        let Some(state) = self.clients.get_mut(&id) else {
            return Reply::Error {
                code: ErrorCode::BadHandle,
                message: "unknown client".to_string(),
            };
        };
        let Some(group) = state.group.as_ref().filter(|g| g.phase != Phase::Leaving) else {
            return Reply::Error {
                code: ErrorCode::BadHandle,
                message: "not in a group".to_string(),
            };
        };
        state.next_sequence += 1;
        let group = group.group.clone();
        let sequence = state.next_sequence;
        for message in cpg_messages(&group, pid, sequence, data) {
            self.push_pending(message.encode());
        }
        Reply::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "totem {\n version: 2\n cluster_name: t\n transport: udpu\n token: 1000\n}\n\
        nodelist {\n node {\n ring0_addr: 10.202.0.1\n nodeid: 1\n }\n node {\n ring0_addr: 10.202.0.2\n nodeid: 2\n }\n}\n\
        quorum {\n provider: corosync_votequorum\n}\n";

    fn daemon() -> Daemon {
        let config = corosync_conf::parse(CONF, "test.conf")
            .expect("config")
            .config;
        let setup = ClusterSetup {
            nodeid: 1,
            nodes: Vec::new(),
        };
        // Never written: the ring seq is persisted only when a ring forms.
        let state_dir = std::env::temp_dir().join("messaging-daemon-test-absent");
        Daemon::new(setup, &config, state_dir, 1).expect("daemon")
    }

    fn token_packet() -> Vec<u8> {
        totem::encode(
            totem::NodeId(2),
            &totem::Message::Token(totem::OrfToken {
                ring_id: totem::RingId {
                    rep: totem::NodeId(1),
                    seq: 4,
                },
                token_seq: 1,
                seq: 0,
                aru: 0,
                aru_addr: None,
                fcc: 0,
                backlog: 0,
                retrans_flg: false,
                retrans_clean: false,
                rtr_list: Vec::new(),
            }),
        )
    }

    #[test]
    fn a_token_waits_for_backlogged_clients_at_most_the_defer_limit() {
        let mut d = daemon();
        assert_eq!(d.token_defer_ms, limits::TOKEN_DEFER_MS_MAX);
        let token = token_packet();
        d.on_packet(10, 2, &token, true);
        assert!(d.deferred_token.is_some());
        assert_eq!(d.tokens_deferred, 1);
        assert_eq!(d.timers.next_deadline(), Some(10 + d.token_defer_ms));
        // Still backlogged: it stays.
        assert!(!d.release_deferred_token(12, true));
        assert!(d.deferred_token.is_some());
        // The hold's limit passes: the timer hands it to Totem even though clients still lag.
        assert_eq!(
            d.timers.pop_due(10 + d.token_defer_ms),
            Some(DaemonTimer::DeferredToken)
        );
        let mut ipc = test_ipc();
        d.on_timer(10 + d.token_defer_ms, DaemonTimer::DeferredToken, &mut ipc);
        assert!(d.deferred_token.is_none());
    }

    #[test]
    fn a_token_is_released_once_clients_caught_up_and_others_never_wait() {
        let mut d = daemon();
        let token = token_packet();
        d.on_packet(10, 2, &token, true);
        assert!(d.release_deferred_token(11, false));
        assert!(d.deferred_token.is_none());
        assert!(d.timers.next_deadline() != Some(10 + d.token_defer_ms));
        // Not backlogged: no hold at all.
        d.on_packet(12, 2, &token, false);
        assert!(d.deferred_token.is_none());
        // A second token while one is held: the first goes to Totem first, the new one waits.
        d.on_packet(13, 2, &token, true);
        d.on_packet(14, 2, &token, true);
        assert_eq!(d.tokens_deferred, 3);
        assert!(d.deferred_token.is_some());
        // Other packets are never held.
        let join = totem::encode(
            totem::NodeId(2),
            &totem::Message::Join(totem::Join {
                proc_set: vec![totem::NodeId(1), totem::NodeId(2)],
                fail_set: Vec::new(),
                ring_seq: 4,
            }),
        );
        d.on_packet(15, 2, &join, true);
        assert_eq!(d.tokens_deferred, 3);
    }

    struct NoNetwork;

    impl Network for NoNetwork {
        fn fds(&self) -> Vec<std::os::fd::RawFd> {
            Vec::new()
        }
        fn transmit(&mut self, _now_ms: u64, _target: Target, _bytes: &[u8]) {}
        fn receive(
            &mut self,
            _now_ms: u64,
            _fd: std::os::fd::RawFd,
            _max: usize,
            _out: &mut Vec<crate::network::Received>,
        ) {
        }
        fn next_tick_ms(&self) -> Option<u64> {
            None
        }
        fn tick(&mut self, _now_ms: u64) {}
        fn rings(&self, _now_ms: u64) -> Vec<crate::ipc::protocol::RingStatus> {
            Vec::new()
        }
        fn stats(&self) -> Vec<(String, u64)> {
            Vec::new()
        }
        fn name(&self) -> &'static str {
            "none"
        }
    }

    #[test]
    fn the_send_queue_bound_is_shared_among_ring_members() {
        let mut d = daemon();
        for (n, expected) in [
            (1, 64 * 1024),
            (3, 64 * 1024),
            (5, 192 * 1024 / 5),
            (16, 16 * 1024),
        ] {
            d.ring_members = (1..=n).collect();
            assert_eq!(d.pending_bytes_max(), expected, "{n} members");
            assert_eq!(d.mcast_room(), expected - d.pending_bytes, "{n} members");
        }
    }

    #[test]
    fn queued_multicasts_fill_the_room_and_are_dropped_outside_a_group() {
        let mut d = daemon();
        let path = std::env::temp_dir().join(format!(
            "messaging-daemon-queued-test-{}.sock",
            std::process::id()
        ));
        let mut ipc = IpcServer::bind(&path).expect("bind a test socket");
        let mut greeted = true;
        d.on_client_connected(5, 77);
        let room = d.mcast_room();
        assert_eq!(room, d.pending_bytes_max() - d.pending_bytes);
        let queued = |size: usize| Request::CpgMcastQueued {
            data: vec![1; size],
        };
        d.on_request(1, 5, &mut greeted, queued(10), &NoNetwork, &mut ipc);
        assert_eq!(d.queued_mcast_dropped, 1);
        assert_eq!(d.mcast_room(), room);
        let join = Request::CpgJoin {
            group: b"g".to_vec(),
        };
        d.on_request(1, 5, &mut greeted, join, &NoNetwork, &mut ipc);
        // Never TryAgain: the event loop read it only because there was room; it may pass the
        // bound by this one message, and then no room is left.
        let size = d.mcast_room();
        d.on_request(2, 5, &mut greeted, queued(size), &NoNetwork, &mut ipc);
        d.on_request(2, 5, &mut greeted, queued(1000), &NoNetwork, &mut ipc);
        assert_eq!(d.queued_mcast_dropped, 1);
        // Past the byte bound a few messages still fit, one at a time, whatever their size.
        while d.pending.len() < limits::PENDING_MULTICAST_MESSAGES_FLOOR {
            assert_eq!(d.mcast_room(), 1);
            d.on_request(3, 5, &mut greeted, queued(50_000), &NoNetwork, &mut ipc);
        }
        assert_eq!(d.mcast_room(), 0);
    }

    /// A daemon for node 1 of a cluster of `nodes` nodes with votequorum, with a state
    /// directory of its own (its rings are persisted).
    fn daemon_of(nodes: u32, name: &str) -> (Daemon, PathBuf) {
        let mut conf = String::from(
            "totem {\n version: 2\n cluster_name: t\n transport: udpu\n token: 1000\n}\nnodelist {\n",
        );
        for id in 1..=nodes {
            conf.push_str(&format!(
                " node {{\n ring0_addr: 10.202.0.{id}\n nodeid: {id}\n }}\n"
            ));
        }
        conf.push_str("}\nquorum {\n provider: corosync_votequorum\n}\n");
        let config = corosync_conf::parse(&conf, "test.conf")
            .expect("config")
            .config;
        let setup = ClusterSetup {
            nodeid: 1,
            nodes: Vec::new(),
        };
        let dir = std::env::temp_dir().join(format!(
            "messaging-ring-break-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("state dir");
        let d = Daemon::new(setup, &config, dir.clone(), 1).expect("daemon");
        (d, dir)
    }

    /// A JOIN from `from` naming `proc_set` and no failed node.
    fn join_from(from: u32, proc_set: &[u32]) -> Vec<u8> {
        totem::encode(
            totem::NodeId(from),
            &totem::Message::Join(totem::Join {
                proc_set: proc_set.iter().map(|n| totem::NodeId(*n)).collect(),
                fail_set: Vec::new(),
                ring_seq: 100,
            }),
        )
    }

    fn counter(d: &Daemon, now: u64, name: &str) -> Option<u64> {
        d.runtime_status(now, &NoNetwork)
            .stats
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }

    /// Breaks node 1's ring with a JOIN from node 2 at `at`, then lets the cut-off check run.
    fn break_and_check(d: &mut Daemon, at: u64, proc_set: &[u32]) -> u64 {
        let path = d.state_dir.join("ipc.sock");
        let mut ipc = IpcServer::bind(&path).expect("bind a test socket");
        d.drain(1, &mut NoNetwork, &mut ipc).expect("drain");
        assert_eq!(d.totem.state(), totem::State::Operational);
        assert_eq!(counter(d, at, "tandemd.ring_break_age_ms"), None);
        d.on_packet(at, 2, &join_from(2, proc_set), false);
        d.drain(at, &mut NoNetwork, &mut ipc).expect("drain");
        assert_eq!(d.totem.state(), totem::State::Gather);
        assert_eq!(counter(d, at + 7, "tandemd.ring_breaks"), Some(1));
        assert_eq!(counter(d, at + 7, "tandemd.ring_break_age_ms"), Some(7));
        let due = cut_off_after_ms(d.totem.config().join_ms);
        assert_eq!(due, 100, "two join intervals of 50 ms");
        // Let the check come due (Totem's own timers, JOIN re-sends, stay unanswered).
        let until = at + due;
        while let Some(timer) = d.timers.pop_due(until) {
            d.on_timer(until, timer, &mut ipc);
            d.drain(until, &mut NoNetwork, &mut ipc).expect("drain");
        }
        counter(d, until, "tandemd.cut_off").expect("cut_off counter")
    }

    #[test]
    fn a_node_hearing_no_quorate_set_of_joins_after_its_ring_broke_is_cut_off() {
        // Five nodes: node 2's JOIN makes two of five, no quorum.
        let (mut d, dir) = daemon_of(5, "minority");
        assert_eq!(break_and_check(&mut d, 1_000, &[1, 2, 3, 4, 5]), 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_node_hearing_a_quorate_set_of_joins_is_not_cut_off() {
        // Three nodes: node 2's JOIN makes two of three, a quorum (node 3 is silent).
        let (mut d, dir) = daemon_of(3, "majority");
        assert_eq!(break_and_check(&mut d, 1_000, &[1, 2, 3]), 0);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The `Event::Ring`s a ring-tracking client has been sent so far.
    fn ring_events(
        ipc: &mut IpcServer,
        id: ClientId,
        stream: &mut std::os::unix::net::UnixStream,
    ) -> Vec<crate::ipc::protocol::RingState> {
        use std::io::Read;
        ipc.flush(id);
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        while let Ok(n) = stream.read(&mut chunk) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        let mut events = Vec::new();
        let mut at = 0;
        while let Some((body, next)) =
            crate::ipc::protocol::next_frame(&bytes[at..]).expect("a frame")
        {
            let body = &bytes[at..][body];
            if let ServerMessage::Event(IpcEvent::Ring(state)) =
                ServerMessage::decode(body).expect("a server message")
            {
                events.push(state);
            }
            at += next;
        }
        events
    }

    #[test]
    fn ring_trackers_hear_the_break_the_cut_off_verdict_and_the_new_ring() {
        use crate::ipc::protocol::RingChange;
        let (mut d, dir) = daemon_of(5, "ring-events");
        let path = dir.join("ipc.sock");
        let mut ipc = IpcServer::bind(&path).expect("bind a test socket");
        let mut stream = std::os::unix::net::UnixStream::connect(&path).expect("connect");
        stream.set_nonblocking(true).expect("non-blocking");
        let id = ipc.accept().pop().expect("accepted");
        d.on_client_connected(id, 1);
        let mut greeted = true;
        d.drain(1, &mut NoNetwork, &mut ipc).expect("drain");
        d.on_request(
            1,
            id,
            &mut greeted,
            Request::RingTrack { enable: true },
            &NoNetwork,
            &mut ipc,
        );
        let now = ring_events(&mut ipc, id, &mut stream);
        assert_eq!(now.len(), 1, "{now:?}");
        assert_eq!(now[0].change, RingChange::Current);
        assert_eq!(now[0].break_age_ms, None);
        assert_eq!(now[0].consensus_ms, d.totem.config().consensus_ms);
        let formed = now[0].rings_formed;

        // The ring breaks (a JOIN from node 2, alone of five): heard at once, age 0.
        d.on_packet(1_000, 2, &join_from(2, &[1, 2, 3, 4, 5]), false);
        d.drain(1_000, &mut NoNetwork, &mut ipc).expect("drain");
        let broken = ring_events(&mut ipc, id, &mut stream);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert_eq!(broken[0].change, RingChange::Broken);
        assert_eq!((broken[0].breaks, broken[0].break_age_ms), (1, Some(0)));

        // The verdict, the moment the check comes due.
        let due = 1_000 + cut_off_after_ms(d.totem.config().join_ms);
        let mut verdict = Vec::new();
        while let Some(timer) = d.timers.pop_due(due) {
            d.on_timer(due, timer, &mut ipc);
            d.drain(due, &mut NoNetwork, &mut ipc).expect("drain");
            verdict.extend(ring_events(&mut ipc, id, &mut stream));
        }
        assert_eq!(verdict.len(), 1, "{verdict:?}");
        assert_eq!(verdict[0].change, RingChange::CutOff);
        assert_eq!(verdict[0].cut_off, 1);
        assert_eq!(verdict[0].break_age_ms, Some(due - 1_000));

        // Node 1 forms a ring of its own after the consensus timeout: heard once.
        let mut later = Vec::new();
        let mut t = due;
        while d.totem.state() != totem::State::Operational {
            t += 10;
            assert!(t < due + 20_000, "no ring formed");
            while let Some(timer) = d.timers.pop_due(t) {
                d.on_timer(t, timer, &mut ipc);
                d.drain(t, &mut NoNetwork, &mut ipc).expect("drain");
            }
        }
        later.extend(ring_events(&mut ipc, id, &mut stream));
        assert_eq!(later.len(), 1, "{later:?}");
        assert_eq!(later[0].change, RingChange::Formed);
        assert_eq!(later[0].break_age_ms, None);
        assert!(later[0].rings_formed > formed);
        let _ = std::fs::remove_dir_all(dir);
    }

    fn test_ipc() -> IpcServer {
        let path =
            std::env::temp_dir().join(format!("messaging-daemon-test-{}.sock", std::process::id()));
        IpcServer::bind(&path).expect("bind a test socket")
    }
}
