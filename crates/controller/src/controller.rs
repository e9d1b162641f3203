//! The per-node state machine: membership and DC, CIB sync, agreed-order CIB updates,
//! transition execution (on the DC) and local operation execution (on every node).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use cib::xml::Element;

use crate::api::{
    ControllerConfig, ExecRequest, ExecResult, Input, InputSeries, Member, NodeId, Output, Timer,
};
use crate::cib_doc::{self, Change};
use crate::error::ControllerError;
use crate::limits;
use crate::message::{CibOp, ExecAction, Message, OpRecord};
use crate::options;
use crate::transition::{self, ActionState, Run};
use crate::version::CibVersion;

mod fence_pending;
mod fencing;
mod isolation;
mod loss_hold;
mod outbox;
mod replica_check;

pub use fence_pending::PendingFence;
pub use fencing::{FenceEvent, FenceHistory};

/// A CIB sync round in progress for one membership.
#[derive(Clone, Debug)]
struct SyncRound {
    view: u64,
    reports: BTreeMap<NodeId, Option<CibVersion>>,
    /// The longest recovery hold a member reported (ms left when it reported).
    hold_ms: u64,
}

/// An operation handed to the local executor.
#[derive(Clone, Debug)]
struct LocalOp {
    action: ExecAction,
}

/// Where a clean shutdown of this node stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ShutdownState {
    /// Not asked.
    No,
    /// Asked; resources are being moved away.
    Requested,
    /// [`Output::ShutdownReady`] was given.
    Ready,
}

/// Phase of the cluster as this replica sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No membership yet.
    Down,
    /// Collecting CIB versions and waiting for the winning copy.
    Syncing,
    /// CIB agreed; waiting for members' own operation histories.
    Joining,
    /// Every member joined; the DC schedules.
    Running,
}

/// One node's controller. Feed it [`Input`]s with the current time; act on the [`Output`]s.
#[derive(Debug)]
pub struct Controller {
    cfg: ControllerConfig,
    cib: Option<Element>,
    members: Vec<Member>,
    view: u64,
    sync: Option<SyncRound>,
    held: VecDeque<(NodeId, Message)>,
    join_pending: BTreeSet<NodeId>,
    quorate: bool,
    // DC only.
    run: Option<Run>,
    transitions: u64,
    dirty: bool,
    recheck_gen: u64,
    /// When the last schedule's earliest unexpired fail count expires (its graph's
    /// `recheck-by`, seconds since the epoch).
    recheck_by_s: Option<i64>,
    // Local execution.
    next_handle: u64,
    call_id: u64,
    local_ops: BTreeMap<u64, LocalOp>,
    /// Fencing operations this node runs, by the handle of the device running now.
    fences: BTreeMap<u64, fencing::LocalFence>,
    /// Fencing results seen, oldest first.
    fence_history: FenceHistory,
    /// Fencing requests seen and not answered yet, oldest first.
    pending_fences: Vec<PendingFence>,
    /// This node applied its own fencing (it stops everything and leaves).
    fenced_self: bool,
    /// Fence devices started here (what a probe of a device finds).
    registered: BTreeSet<String>,
    /// Fence device runs waiting for their `pcmk_delay_*`, by handle.
    fence_delayed: BTreeMap<u64, ExecRequest>,
    /// Failed fencings per target since its last success (or the last recheck).
    fence_failures: BTreeMap<String, u32>,
    /// [`Output::ShutdownReady`] was given for that.
    fenced_exit_given: bool,
    /// This node's own operation history, as a `<cib><status>` of its node alone.
    own: Element,
    /// Positions of history entries in `cib` and `own`.
    hist: (cib_doc::HistoryIndex, cib_doc::HistoryIndex),
    shutdown: ShutdownState,
    cib_changed: bool,
    /// The running transition changed since the last dispatch.
    kick: bool,
    /// Checks of the CIB replicas against the DC's (see `replica_check`).
    checks: replica_check::ReplicaChecks,
    /// Quorum messages this node sent and has not seen delivered yet.
    quorum_in_flight: u32,
    /// Without fencing, a quorate DC schedules nothing before this time (ms) after losing
    /// a node that ran resources: that node may still be stopping them.
    hold_until_ms: u64,
    /// `unfenced-recovery-delay` when the property is not set, in ms.
    default_recovery_delay_ms: u64,
    /// When this node's ring broke before the next membership change (wall clock, ms).
    ring_break_ms: Option<u64>,
    /// Cut off from the others ([`Input::Isolated`]) until a ring forms again.
    isolated: bool,
    /// Took itself for cut off since the last membership change: the others were the
    /// quorate side then, and lost nothing when this node's ring broke.
    was_cut_off: bool,
    /// Actions this node runs at once (twice its cores), sent with its join.
    max_jobs: usize,
    /// What each member reported with its join (the DC's per-node limits).
    node_jobs: BTreeMap<NodeId, usize>,
    /// The stop plan an isolated node runs on its own executor.
    local_run: Option<Run>,
    now_ms: u64,
    out: Vec<Output>,
    /// Group messages on their way out (batched per loop turn when the host asks).
    outbox: outbox::Outbox,
}

/// FNV-1a digest of the member ids, naming a membership view in sync messages.
fn view_of(members: &[Member]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for m in members {
        for b in m.id.to_le_bytes().iter().chain(m.name.as_bytes()) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Controller {
    /// A controller starting with the CIB read from disk (`None` when there is none or it
    /// is corrupt: the cluster's copy is taken at the first sync).
    pub fn new(cfg: ControllerConfig, cib: Option<Element>) -> Controller {
        Controller {
            cfg,
            cib,
            members: Vec::new(),
            view: 0,
            sync: None,
            held: VecDeque::new(),
            join_pending: BTreeSet::new(),
            quorate: false,
            run: None,
            transitions: 0,
            dirty: false,
            recheck_gen: 0,
            recheck_by_s: None,
            next_handle: 1,
            call_id: 0,
            local_ops: BTreeMap::new(),
            fences: BTreeMap::new(),
            fence_history: FenceHistory::new(),
            pending_fences: Vec::new(),
            fenced_self: false,
            registered: BTreeSet::new(),
            fence_delayed: BTreeMap::new(),
            fence_failures: BTreeMap::new(),
            fenced_exit_given: false,
            own: Element::new("cib"),
            hist: Default::default(),
            shutdown: ShutdownState::No,
            cib_changed: false,
            kick: false,
            quorum_in_flight: 0,
            hold_until_ms: 0,
            checks: replica_check::ReplicaChecks::default(),
            default_recovery_delay_ms: limits::DEFAULT_UNFENCED_RECOVERY_DELAY_MS,
            ring_break_ms: None,
            isolated: false,
            was_cut_off: false,
            max_jobs: limits::DEFAULT_NODE_JOBS,
            node_jobs: BTreeMap::new(),
            local_run: None,
            now_ms: 0,
            out: Vec::new(),
            outbox: outbox::Outbox::default(),
        }
    }

    /// Holds the small group messages of each loop turn (actions, results, administrator
    /// updates) until [`Controller::flush`], which multicasts them as one batch. The host
    /// then calls `flush` once it has handled every input it had queued.
    pub fn with_turn_batching(mut self) -> Controller {
        self.outbox.batching = true;
        self
    }

    /// Multicasts the messages held since the last flush (see
    /// [`Controller::with_turn_batching`]) and returns the outputs still to carry out.
    pub fn flush(&mut self) -> Vec<Output> {
        self.outbox.flush(&mut self.out);
        std::mem::take(&mut self.out)
    }

    /// Sets the default of `unfenced-recovery-delay` (ms): how long a node cut off from the
    /// others may take to notice it lost quorum and stop its resources (the host derives it
    /// from the Totem timers).
    pub fn with_recovery_delay(mut self, ms: u64) -> Controller {
        self.default_recovery_delay_ms = ms;
        self
    }

    /// Sets how many actions this node runs at once (Pacemaker's `node-action-limit`
    /// default: twice its cores), announced to the DC when it joins.
    pub fn with_max_jobs(mut self, jobs: usize) -> Controller {
        self.max_jobs = jobs.clamp(1, limits::MAX_NODE_JOBS);
        self
    }

    /// Handles one input at wall-clock time `now_ms` (ms since the epoch) and returns what
    /// to do, in order.
    pub fn handle(&mut self, now_ms: u64, input: Input) -> Vec<Output> {
        self.now_ms = self.now_ms.max(now_ms);
        match input {
            Input::Message { from, bytes } => match Message::decode(&bytes) {
                // Only a ring delivers: a node that took itself for cut off is back (the
                // ring may have re-formed with the same members, without a membership change).
                Ok(m) if self.isolated => {
                    self.end_isolation();
                    self.on_delivered(from, m);
                }
                Ok(m) => self.on_delivered(from, m),
                Err(e) => tracing::warn!(from, error = %e, "dropping a group message"),
            },
            Input::Membership(members) => self.on_membership(members),
            Input::Quorum(q) => {
                self.quorate = q;
                if self.is_dc() && self.phase() != Phase::Syncing {
                    self.send_quorum(q);
                }
            }
            Input::Executed(r) => self.on_executed(r),
            Input::Isolated => self.on_isolated(),
            Input::Fence { target, action } => self.request_fence(target, action),
            Input::Timer(t) => self.on_timer(t),
            Input::Shutdown => {
                if self.shutdown == ShutdownState::No {
                    self.shutdown = ShutdownState::Requested;
                    let op = CibOp::SetAttr {
                        node: self.cfg.node_name.clone(),
                        name: "shutdown".into(),
                        value: Some(self.now_s().to_string()),
                    };
                    self.send(Message::Admin { req: 0, op });
                }
            }
            Input::Admin { req, op } => self.send(Message::Admin { req, op }),
        }
        self.maybe_schedule();
        self.maybe_check_replicas();
        self.check_shutdown();
        self.check_fenced_exit();
        if std::mem::take(&mut self.cib_changed) {
            self.out.push(Output::CibChanged);
        }
        if !self.outbox.batching {
            self.outbox.flush(&mut self.out);
        }
        std::mem::take(&mut self.out)
    }

    /// A delivered message; a batch is its messages one by one, in order.
    fn on_delivered(&mut self, from: NodeId, m: Message) {
        // The group layer delivers only messages of this node's view (virtual synchrony);
        // one from outside it would be applied here and not by the members that know it.
        if !self.members.iter().any(|member| member.id == from) {
            tracing::warn!(from = %from, "message from a node outside the group's view ignored");
            return;
        }
        match m {
            Message::Batch(msgs) => {
                for m in msgs {
                    self.on_message(from, m);
                }
            }
            m => self.on_message(from, m),
        }
    }

    /// The replica's CIB (`None` before the first sync when none was loaded).
    pub fn cib(&self) -> Option<&Element> {
        self.cib.as_ref()
    }

    /// The replica's CIB as an XML document (what to persist after [`Output::CibChanged`]).
    pub fn cib_xml(&self) -> Option<String> {
        self.cib.as_ref().map(Element::to_xml)
    }

    /// The replica's CIB version.
    pub fn version(&self) -> Option<CibVersion> {
        self.cib.as_ref().map(CibVersion::of)
    }

    /// The DC of the current membership: its first (longest-standing) member.
    pub fn dc(&self) -> Option<NodeId> {
        self.members.first().map(|m| m.id)
    }

    /// True when this node is the DC.
    pub fn is_dc(&self) -> bool {
        self.dc() == Some(self.cfg.node_id)
    }

    /// The current membership.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Where the cluster stands as this replica sees it.
    pub fn phase(&self) -> Phase {
        if self.members.is_empty() {
            Phase::Down
        } else if self.sync.is_some() {
            Phase::Syncing
        } else if !self.join_pending.is_empty() {
            Phase::Joining
        } else {
            Phase::Running
        }
    }

    /// True when the DC has nothing in flight and nothing left to recompute.
    pub fn is_idle(&self) -> bool {
        self.phase() == Phase::Running && self.run.is_none() && !self.dirty
    }

    /// Times this node resynchronised its CIB after a replica check found a difference.
    pub fn resyncs(&self) -> u64 {
        self.checks.resyncs
    }

    /// Transitions this node computed as DC.
    pub fn transitions(&self) -> u64 {
        self.transitions
    }

    /// Operations handed to the local executor and not yet finished (recurring included).
    pub fn local_ops(&self) -> usize {
        self.local_ops.len()
    }

    /// The DC multicasts its quorum verdict and schedules nothing until it is applied.
    fn send_quorum(&mut self, q: bool) {
        self.quorum_in_flight += 1;
        self.send(Message::Quorum(q));
    }

    fn send(&mut self, m: Message) {
        self.outbox.send(m, &mut self.out);
    }

    fn now_s(&self) -> i64 {
        i64::try_from(self.now_ms / 1000).unwrap_or(i64::MAX)
    }

    fn name_of(&self, id: NodeId) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.as_str())
    }

    /// Notes that the CIB changed; one [`Output::CibChanged`] per [`Controller::handle`].
    fn persist(&mut self) {
        self.cib_changed = true;
    }

    // ---- membership, election and sync -------------------------------------------------

    fn on_membership(&mut self, members: Vec<Member>) {
        let was_dc = self.is_dc();
        let ring_broke = self.ring_break_ms.take();
        // Members leaving a settled cluster: every survivor holds the same CIB (all were
        // synced and have applied the same messages since), so no sync round is needed.
        let only_losses = !self.members.is_empty()
            && members
                .iter()
                .all(|m| self.members.iter().any(|o| o.id == m.id));
        let settled = self.phase() == Phase::Running && self.cib.is_some();
        // Lost members that ran resources (read before their history is forgotten).
        let lost_active = self.cib.as_ref().is_some_and(|cib| {
            self.members
                .iter()
                .filter(|m| !members.iter().any(|n| n.id == m.id))
                .any(|m| cib_doc::node_active(cib, &m.id.to_string()))
        });
        let gone: Vec<String> = self
            .members
            .iter()
            .filter(|m| !members.iter().any(|n| n.id == m.id))
            .map(|m| m.name.clone())
            .collect();
        self.members = members;
        self.view = view_of(&self.members);
        self.checks.round = None;
        self.end_isolation();
        self.quorum_in_flight = 0;
        tracing::info!(
            node = %self.cfg.node_name,
            members = ?self.members.iter().map(|m| m.id).collect::<Vec<_>>(),
            dc = ?self.dc(),
            "membership changed"
        );
        if !self.members.iter().any(|m| m.id == self.cfg.node_id) {
            // Not (yet) part of the group: nothing to sync.
            self.drop_held();
            self.sync = None;
            self.run = None;
            return;
        }
        self.kick = true;
        // A node back from being cut off lost the others long ago by its own clock, but they
        // were the quorate side and may run what it stopped: its hold counts from now.
        let was_cut_off = std::mem::take(&mut self.was_cut_off);
        if lost_active {
            self.hold_after_loss(if was_cut_off { None } else { ring_broke });
        }
        if was_dc && self.is_dc() {
            if let Some(run) = &mut self.run {
                run.aborted = true;
                for i in 0..run.actions.len() {
                    let a = &run.actions[i];
                    let lost = a.state() == ActionState::InFlight
                        && a.exec.as_ref().is_some_and(|e| gone.contains(&e.node));
                    if lost {
                        run.set_state(i, ActionState::Failed);
                    }
                }
            }
        } else {
            self.run = None;
        }
        self.dirty = true;
        if only_losses && settled {
            if let Some(mut cib) = self.cib.take() {
                let change = self.record_membership(&mut cib);
                cib_doc::bump(&mut cib, change);
                self.cib = Some(cib);
                self.hist.0.clear();
                self.persist();
                if self.is_dc() {
                    self.send_quorum(self.quorate);
                }
                return;
            }
        }
        self.start_sync_round();
    }

    /// Every member enters a sync round for the current membership at the same point of
    /// the order and reports its version.
    fn start_sync_round(&mut self) {
        self.drop_held();
        self.checks.round = None;
        self.sync = Some(SyncRound {
            view: self.view,
            reports: BTreeMap::new(),
            hold_ms: 0,
        });
        self.send(Message::Version {
            view: self.view,
            version: self.version(),
            hold_ms: self.hold_left_ms(),
        });
    }

    /// A new sync round supersedes one in progress: the messages held for after it were
    /// delivered in the old membership, where only the members that were syncing too held
    /// them (the others applied them, or never got them: virtual synchrony), so applying
    /// them after the new sync would apply them on some replicas only. They are dropped:
    /// operation results come back with their node's own history at its join; a local
    /// administrator's change is refused (the tools say so; retry it).
    fn drop_held(&mut self) {
        if self.held.is_empty() {
            return;
        }
        tracing::info!(
            messages = self.held.len(),
            "membership changed during a CIB sync: dropping the messages held for after it"
        );
        for (from, m) in std::mem::take(&mut self.held) {
            if let Message::Admin { req, .. } = m {
                if from == self.cfg.node_id && req != 0 {
                    self.out.push(Output::AdminReply {
                        req,
                        result: Err(ControllerError::update(
                            "/cib",
                            "the membership changed while the CIB was being synchronised; \
                             the change was not applied, retry it",
                        )),
                    });
                }
            }
        }
    }

    /// Writes the current membership into `cib`'s status (and nodes section): the same
    /// edit on every replica, at the same point of the message order.
    fn record_membership(&self, cib: &mut Element) -> Change {
        let members: Vec<(String, String)> = self
            .members
            .iter()
            .map(|m| (m.id.to_string(), m.name.clone()))
            .collect();
        let mut change = cib_doc::set_membership(cib, &members);
        let stonith = options::stonith_enabled(cib);
        if !stonith {
            change = change.or(cib_doc::forget_departed(cib, &members));
        }
        if let Some(dc) = self.dc() {
            let dc = dc.to_string();
            if cib.attr("dc-uuid") != Some(dc.as_str()) {
                cib.set_attr("dc-uuid", &dc);
                change.status = true;
            }
        }
        change
    }

    fn on_version(&mut self, from: NodeId, view: u64, version: Option<CibVersion>, hold_ms: u64) {
        let Some(round) = &mut self.sync else {
            return;
        };
        if round.view != view || !self.members.iter().any(|m| m.id == from) {
            return;
        }
        round.reports.insert(from, version);
        round.hold_ms = round.hold_ms.max(hold_ms);
        if round.reports.len() < self.members.len() {
            return;
        }
        // Every member reported, in the same order everywhere: all pick the same winner.
        // Highest version wins; ties go to the longest-standing member.
        let mut winner: Option<(NodeId, CibVersion)> = None;
        for m in &self.members {
            if let Some(Some(v)) = round.reports.get(&m.id) {
                if winner.is_none_or(|(_, best)| *v > best) {
                    winner = Some((m.id, *v));
                }
            }
        }
        let winner_id = winner.map(|(id, _)| id).or(self.dc());
        if winner_id == Some(self.cfg.node_id) {
            let cib = match &self.cib {
                Some(c) => c.clone(),
                None => cib::empty::first_start(),
            };
            tracing::info!(node = %self.cfg.node_name, version = %CibVersion::of(&cib).dotted(), "our CIB is the newest; sending it");
            self.send(Message::Sync { view, cib });
        }
    }

    fn on_sync(&mut self, view: u64, mut cib: Element) {
        let Some(round) = &self.sync else {
            return;
        };
        if round.view != view {
            return;
        }
        // A member that lost nodes running resources holds their recovery back (its
        // replica then forgot them, fencing being off); whichever member is DC now keeps
        // the longest such hold. Resources the synced CIB itself shows on nodes outside
        // this membership get the whole delay from now: a member shared a ring with those
        // nodes until a moment this node cannot know (a cut-off DC rejoining one side of a
        // partition that is itself splitting).
        let reported_hold_ms = round.hold_ms;
        let departed_active = cib_doc::active_outside(&cib, &self.members);
        self.sync = None;
        let change = self.record_membership(&mut cib);
        cib_doc::bump(&mut cib, change);
        self.cib = Some(cib);
        if departed_active {
            self.hold_after_loss(None);
        }
        // Never longer than this CIB's own delay (a report is a member's remainder of it).
        let reported_hold_ms = reported_hold_ms.min(self.recovery_delay_ms().unwrap_or(0));
        if reported_hold_ms > 0 {
            tracing::info!(
                hold_ms = reported_hold_ms,
                "a member holds the recovery of lost nodes' resources: keeping its hold"
            );
            self.extend_hold(self.now_ms.saturating_add(reported_hold_ms));
        }
        self.hist.0.clear();
        self.join_pending = self.members.iter().map(|m| m.id).collect();
        // Our own operation history is authoritative for our node: send it.
        let lrm = self
            .own
            .child("status")
            .and_then(|s| s.child("node_state"))
            .and_then(|n| n.child("lrm"))
            .cloned()
            .unwrap_or_else(|| {
                let mut l = Element::new("lrm");
                l.set_attr("id", &self.cfg.node_id.to_string());
                l.children.push(Element::new("lrm_resources"));
                l
            });
        self.send(Message::Join {
            view: self.view,
            lrm,
            jobs: u32::try_from(self.max_jobs).ok(),
        });
        // A shutdown request recorded for this node by an earlier run of it (the last node
        // of a stopped cluster keeps its own) is stale: this run is not leaving.
        let me = self.cfg.node_id.to_string();
        let stale = self.shutdown == ShutdownState::No
            && self
                .cib
                .as_ref()
                .is_some_and(|c| cib_doc::transient(c, &me, "shutdown").is_some());
        if stale {
            tracing::info!(node = %self.cfg.node_name, "clearing a stale shutdown request");
            let op = CibOp::SetAttr {
                node: self.cfg.node_name.clone(),
                name: "shutdown".into(),
                value: None,
            };
            self.send(Message::Admin { req: 0, op });
        }
        if self.is_dc() {
            self.send_quorum(self.quorate);
        }
        self.dirty = true;
        self.persist();
        // Apply what arrived during the round, in the order it arrived.
        let held = std::mem::take(&mut self.held);
        for (from, m) in held {
            self.apply(from, m);
        }
    }

    fn on_join_lrm(&mut self, from: NodeId, view: u64, lrm: Element) {
        let Some(name) = self.name_of(from).map(str::to_string) else {
            return;
        };
        let Some(cib) = &mut self.cib else {
            return;
        };
        let id = from.to_string();
        let ns = cib_doc::node_state_mut(cib, &id, &name);
        ns.children.retain(|c| c.name != "lrm");
        self.hist.0.clear();
        let mut lrm = lrm;
        lrm.name = "lrm".into();
        lrm.set_attr("id", &id);
        ns.children.push(lrm);
        cib_doc::bump(
            cib,
            Change {
                config: false,
                status: true,
            },
        );
        if view == self.view {
            self.join_pending.remove(&from);
        }
        self.dirty = true;
        self.persist();
    }

    // ---- messages ------------------------------------------------------------------------

    fn on_message(&mut self, from: NodeId, m: Message) {
        match m {
            Message::Version {
                view,
                version,
                hold_ms,
            } => self.on_version(from, view, version, hold_ms),
            Message::Check { id } => {
                if Some(from) == self.dc() {
                    self.on_check(id);
                }
            }
            Message::CheckReport {
                id,
                version,
                digest,
            } => self.on_check_report(from, id, version, digest),
            Message::Sync { view, cib } => self.on_sync(view, cib),
            Message::Exec(a) => {
                self.note_fence_request(from, &a);
                self.record_pending(&a);
                self.on_exec(a);
            }
            other => {
                if self.sync.is_some() || self.cib.is_none() {
                    if self.held.len() >= limits::MAX_HELD_MESSAGES {
                        tracing::error!(
                            "too many messages held during CIB sync; dropping the oldest"
                        );
                        self.held.pop_front();
                    }
                    self.held.push_back((from, other));
                } else {
                    self.apply(from, other);
                }
            }
        }
    }

    /// Applies a CIB-changing message; identical on every replica.
    fn apply(&mut self, from: NodeId, m: Message) {
        let now_s = self.now_s();
        match m {
            Message::Quorum(q) => {
                if from == self.cfg.node_id {
                    self.quorum_in_flight = self.quorum_in_flight.saturating_sub(1);
                }
                let Some(cib) = &mut self.cib else { return };
                let v = if q { "1" } else { "0" };
                if cib.attr("have-quorum") != Some(v) {
                    fencing::note_quorum_panic(cib, q);
                    cib.set_attr("have-quorum", v);
                    if let Some(run) = &mut self.run {
                        run.aborted = true;
                        self.kick = true;
                    }
                    cib_doc::bump(
                        cib,
                        Change {
                            config: false,
                            status: true,
                        },
                    );
                    self.dirty = true;
                    self.persist();
                }
            }
            Message::Join { view, lrm, jobs } => {
                if let Some(j) = jobs.and_then(|j| usize::try_from(j).ok()) {
                    self.node_jobs
                        .insert(from, j.clamp(1, limits::MAX_NODE_JOBS));
                }
                self.on_join_lrm(from, view, lrm)
            }
            Message::Admin { req, op } => {
                let Some(cib) = &mut self.cib else { return };
                // A cleanup cannot fail: it is applied in place, without a copy of the
                // whole CIB (a removal of 1,000 resources sends 1,000 history deletes).
                let is_cleanup = matches!(op, CibOp::Cleanup { .. });
                let mut copy = (!is_cleanup).then(|| cib.clone());
                let result = cib_doc::apply_admin(copy.as_mut().unwrap_or(cib), &op, now_s);
                match &result {
                    Ok(change) if change.any() => {
                        if is_cleanup {
                            // Our own history forgets the same entries.
                            let _ = cib_doc::apply_admin(&mut self.own, &op, now_s);
                            self.hist.1.clear();
                        }
                        self.hist.0.clear();
                        // A replaced configuration keeps the members' node entries.
                        let members: Vec<(String, String)> = self
                            .members
                            .iter()
                            .map(|m| (m.id.to_string(), m.name.clone()))
                            .collect();
                        let target = copy.as_mut().unwrap_or(cib);
                        let change = change.or(cib_doc::set_membership(target, &members));
                        cib_doc::bump(target, change);
                        if let Some(c) = copy {
                            *cib = c;
                        }
                        // The DC's own deletes of removed resources' histories change
                        // nothing the scheduler plans with.
                        if !(is_cleanup && req == 0) {
                            self.dirty = true;
                            self.abort("CIB update");
                        }
                        self.persist();
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "refused CIB update"),
                }
                if from == self.cfg.node_id && req != 0 {
                    self.out.push(Output::AdminReply {
                        req,
                        result: result.map(|_| ()),
                    });
                }
            }
            Message::Result(rec) => self.on_result(rec),
            // (A batch is split on delivery: see on_delivered.)
            Message::Version { .. }
            | Message::Check { .. }
            | Message::CheckReport { .. }
            | Message::Sync { .. }
            | Message::Exec(_)
            | Message::Batch(_) => {}
        }
    }

    /// Every replica records a dispatched action as pending (outside sync rounds, which
    /// all members enter and leave at the same points of the message order).
    fn record_pending(&mut self, a: &ExecAction) {
        if self.sync.is_some() {
            return;
        }
        let now_s = self.now_s();
        let Some(cib) = &mut self.cib else { return };
        let Some(node_id) = cib_doc::node_id_of(cib, &a.node) else {
            return;
        };
        if a.node == self.cfg.node_name {
            // Our own history, sent when we join, carries it too.
            cib_doc::record_pending(&mut self.own, &node_id, a, now_s, &mut self.hist.1);
        }
        if cib_doc::record_pending(cib, &node_id, a, now_s, &mut self.hist.0) {
            cib_doc::bump(
                cib,
                Change {
                    config: false,
                    status: true,
                },
            );
            self.persist();
        }
    }

    fn on_result(&mut self, rec: OpRecord) {
        self.note_fencing(&rec);
        let Some(cib) = &mut self.cib else { return };
        let Some(node_id) = cib_doc::node_id_of(cib, &rec.node) else {
            tracing::warn!(node = %rec.node, "result from a node not in the CIB");
            return;
        };
        let mut change = Change {
            config: false,
            status: true,
        };
        let failed;
        if let Some(target) = &rec.fence_target {
            failed = !rec.succeeded();
            if failed {
                tracing::warn!(target = %target, by = %rec.node, why = %rec.exit_reason, "fencing failed");
            } else {
                tracing::info!(target = %target, by = %rec.node, how = %rec.exit_reason, "node fenced");
                change = change.or(cib_doc::mark_fenced(cib, target));
                self.hist.0.clear();
            }
        } else {
            failed = cib_doc::record_op(cib, &node_id, &rec, &mut self.hist.0);
            if failed {
                let fatal_start = rec.task == "start"
                    && options::property(cib, "start-failure-is-fatal")
                        .is_none_or(|v| cib::model::is_true(&v));
                change = change.or(cib_doc::count_failure(
                    cib,
                    &node_id,
                    &rec.node,
                    &rec,
                    fatal_start,
                ));
            }
            if rec.node == self.cfg.node_name {
                cib_doc::record_op(&mut self.own, &node_id, &rec, &mut self.hist.1);
            }
        }
        cib_doc::bump(cib, change);
        self.persist();
        // The DC follows its transition.
        if !self.is_dc() {
            return;
        }
        let matched = self.match_action(&rec);
        // Timeline (bench/cluster/timeline.sh): the DC recorded the result.
        tracing::debug!(key = %rec.key, node = %rec.node, rc = rec.rc, "result recorded");
        self.kick = true;
        // Any result other than the expected one (a failure, or a probe finding the
        // resource active) invalidates the plan.
        let unexpected = failed || !rec.succeeded();
        match matched {
            Some(i) => {
                let Some(run) = &mut self.run else { return };
                if unexpected {
                    run.set_state(i, ActionState::Failed);
                    tracing::info!(action = %run.actions[i].label, rc = rec.rc, "unexpected result; aborting the transition");
                    run.aborted = true;
                    self.dirty = true;
                } else {
                    run.set_state(i, ActionState::Done);
                }
            }
            // A stop or start this DC did not dispatch (an isolated node's own stop plan,
            // an earlier DC's action): the plan was made without it.
            None if failed
                || rec.fence_target.is_some()
                || (rec.interval_ms == 0 && rec.task != "monitor") =>
            {
                tracing::info!(rsc = %rec.rsc, task = %rec.task, node = %rec.node, rc = rec.rc, "unexpected result; recomputing");
                self.abort("unexpected result");
                self.dirty = true;
            }
            None => {}
        }
    }

    fn match_action(&self, rec: &OpRecord) -> Option<usize> {
        let run = self.run.as_ref()?;
        let mut parts = rec.key.split(':');
        let action: usize = parts.next()?.parse().ok()?;
        let transition: u64 = parts.next()?.parse().ok()?;
        let _rc = parts.next()?;
        let instance = parts.next()?;
        if instance != self.cfg.instance || transition != run.id {
            return None;
        }
        (run.actions.get(action)?.state() == ActionState::InFlight).then_some(action)
    }

    fn abort(&mut self, why: &str) {
        self.kick = true;
        if let Some(run) = &mut self.run {
            if !run.aborted {
                tracing::debug!(transition = run.id, why, "transition aborted");
                run.aborted = true;
            }
        }
    }

    // ---- local execution -----------------------------------------------------------------

    fn on_exec(&mut self, a: ExecAction) {
        if a.node != self.cfg.node_name {
            return;
        }
        // Timeline (bench/cluster/timeline.sh): the node received the action.
        tracing::debug!(key = %a.key, rsc = %a.rsc, task = %a.task, interval_ms = a.interval_ms, "action received");
        if a.fence_target.is_some() {
            self.start_fence(a);
            return;
        }
        if self.answer_stonith_probe(&a) {
            return;
        }
        // Recurring monitors end before the resource stops or changes role, and a new
        // monitor of the same interval replaces the old one.
        let cancels: Vec<u64> = self
            .local_ops
            .iter()
            .filter(|(_, op)| {
                op.action.rsc == a.rsc
                    && op.action.interval_ms > 0
                    && (matches!(
                        a.task.as_str(),
                        "stop" | "demote" | "promote" | "migrate_to" | "migrate_from"
                    ) || (a.interval_ms > 0 && op.action.interval_ms == a.interval_ms))
            })
            .map(|(h, _)| *h)
            .collect();
        for h in cancels {
            self.local_ops.remove(&h);
            self.out.push(Output::Cancel { handle: h });
        }
        if a.task == "cancel" {
            // The scheduler's cancel of a recurring monitor: no agent runs.
            let gone: Vec<u64> = self
                .local_ops
                .iter()
                .filter(|(_, op)| {
                    op.action.rsc == a.rsc
                        && op.action.interval_ms == a.interval_ms
                        && op.action.task == "monitor"
                })
                .map(|(h, _)| *h)
                .collect();
            for h in gone {
                self.local_ops.remove(&h);
                self.out.push(Output::Cancel { handle: h });
            }
            let done = ExecResult {
                handle: 0,
                rc: 0,
                op_status: 0,
                exit_reason: String::new(),
                exec_ms: 0,
                queue_ms: 0,
            };
            self.report(&a, &done);
            return;
        }
        if self.local_ops.len() >= limits::MAX_LOCAL_OPS {
            tracing::error!(rsc = %a.rsc, "too many local operations; refusing");
            self.report(
                &a,
                &ExecResult {
                    handle: 0,
                    rc: 1,
                    op_status: 4,
                    exit_reason: "too many operations".into(),
                    exec_ms: 0,
                    queue_ms: 0,
                },
            );
            return;
        }
        let handle = self.next_handle;
        self.next_handle += 1;
        self.out.push(Output::Exec(ExecRequest {
            handle,
            rsc: a.rsc.clone(),
            class: a.class.clone(),
            provider: a.provider.clone(),
            kind: a.kind.clone(),
            action: a.task.clone(),
            interval_ms: a.interval_ms,
            timeout_ms: a.timeout_ms,
            params: a.params.clone(),
            fence_target: a.fence_target.clone(),
        }));
        self.local_ops.insert(handle, LocalOp { action: a });
    }

    fn on_executed(&mut self, r: ExecResult) {
        if self.fence_executed(&r) {
            return;
        }
        let Some(op) = self.local_ops.get(&r.handle) else {
            return;
        };
        let a = op.action.clone();
        if a.interval_ms == 0 {
            self.local_ops.remove(&r.handle);
        }
        self.report(&a, &r);
    }

    fn report(&mut self, a: &ExecAction, r: &ExecResult) {
        self.note_registration(a, r);
        self.call_id += 1;
        let rec = OpRecord {
            node: self.cfg.node_name.clone(),
            rsc: a.rsc.clone(),
            class: a.class.clone(),
            provider: a.provider.clone(),
            kind: a.kind.clone(),
            task: a.task.clone(),
            interval_ms: a.interval_ms,
            rc: r.rc,
            op_status: r.op_status,
            call_id: self.call_id,
            key: a.key.clone(),
            exit_reason: r.exit_reason.clone(),
            exec_ms: r.exec_ms,
            queue_ms: r.queue_ms,
            when_s: self.now_s(),
            fence_target: a.fence_target.clone(),
            digest: a.digest.clone(),
        };
        // Our own history has it at once: a Join sent before this result is delivered
        // (a sync round in between) must not carry the operation as still pending.
        if rec.fence_target.is_none() {
            let me = self.cfg.node_id.to_string();
            cib_doc::record_op(&mut self.own, &me, &rec, &mut self.hist.1);
        }
        self.send(Message::Result(rec));
        self.advance_local(a, r);
    }

    // ---- clean shutdown ------------------------------------------------------------------

    fn check_shutdown(&mut self) {
        if self.shutdown != ShutdownState::Requested
            || self.phase() != Phase::Running
            || !self.local_ops.is_empty()
        {
            return;
        }
        let Some(cib) = &self.cib else { return };
        let id = self.cfg.node_id.to_string();
        if cib_doc::transient(cib, &id, "shutdown").is_none() || cib_doc::node_active(cib, &id) {
            return;
        }
        tracing::info!(node = %self.cfg.node_name, "resources moved away; ready to leave");
        self.shutdown = ShutdownState::Ready;
        self.out.push(Output::ShutdownReady);
    }

    // ---- timers --------------------------------------------------------------------------

    fn on_timer(&mut self, t: Timer) {
        match t {
            Timer::FenceDelay { handle } => self.fence_delay_over(handle),
            Timer::Recheck { gen } => {
                if gen == self.recheck_gen && self.is_dc() {
                    // Fencing that failed stonith-max-attempts times is tried again now.
                    self.fence_failures.clear();
                    self.dirty = true;
                }
            }
            Timer::ReplicaCheck => self.on_check_timer(),
            Timer::RecoveryDelay => {
                if self.now_ms < self.hold_until_ms {
                    // A later hold replaced the one this timer was set for.
                    self.out.push(Output::SetTimer {
                        timer: Timer::RecoveryDelay,
                        after_ms: self.hold_until_ms - self.now_ms,
                    });
                    return;
                }
                // What the hold deferred is still marked dirty (the membership change set
                // it): nothing to recompute otherwise (a node without quorum never waited).
                self.hold_until_ms = 0;
                self.kick = true;
            }
            Timer::ActionTimeout { transition, action } => {
                self.kick = true;
                let Some(run) = &mut self.run else { return };
                if run.id != transition {
                    return;
                }
                if let Some(a) = run.actions.get(action) {
                    if a.state() == ActionState::InFlight {
                        tracing::warn!(action = %a.label, "action timed out at the DC");
                        run.set_state(action, ActionState::Failed);
                        run.aborted = true;
                        self.dirty = true;
                    }
                }
            }
        }
    }

    // ---- the DC's scheduling loop --------------------------------------------------------

    fn maybe_schedule(&mut self) {
        if !self.is_dc()
            || self.phase() != Phase::Running
            || self.quorum_in_flight > 0
            || self.isolated
            || self.fenced_self
        {
            return;
        }
        // A node that lost quorum stops at once; the quorate side waits (hold_after_loss).
        if self.quorate && self.now_ms < self.hold_until_ms {
            return;
        }
        // Bounded: each pass either dispatches, finishes a run, or computes a new one.
        for _ in 0..4 {
            if self.run.is_some() {
                if !std::mem::take(&mut self.kick) && !self.dirty {
                    return;
                }
                self.dispatch();
                let finished = self.run.as_ref().is_some_and(Run::finished);
                if !finished {
                    return;
                }
                if let Some(run) = self.run.take() {
                    let (done, failed, pending) = run.tally();
                    tracing::info!(
                        transition = run.id,
                        done,
                        failed,
                        pending,
                        aborted = run.aborted,
                        "transition finished"
                    );
                }
                self.arm_recheck();
            }
            if !self.dirty {
                return;
            }
            self.compute();
        }
    }

    /// Arms the next recheck: after cluster-recheck-interval, or when the next fail count
    /// expires (the last schedule's `recheck-by`) if that comes first.
    fn arm_recheck(&mut self) {
        self.recheck_gen += 1;
        let interval_ms = self
            .cib
            .as_ref()
            .and_then(|c| options::property(c, "cluster-recheck-interval"))
            .and_then(|v| options::duration_ms(&v))
            .unwrap_or(limits::DEFAULT_RECHECK_MS);
        // One already past was the reason for this recheck.
        let by = self.recheck_by_s.filter(|&t| t > self.now_s());
        let after = crate::failure_expiry::recheck_after_ms(interval_ms, by, self.now_ms);
        if let Some(after_ms) = after {
            self.out.push(Output::SetTimer {
                timer: Timer::Recheck {
                    gen: self.recheck_gen,
                },
                after_ms,
            });
        }
    }

    fn compute(&mut self) {
        self.dirty = false;
        let Some(root) = &self.cib else { return };
        let now_s = self.now_s();
        let input = transition::scheduler_input(root, now_s);
        let max = options::property(root, "pe-input-series-max")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(4000);
        let parsed = match cib::Cib::from_element(input.clone()) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the CIB does not parse; not scheduling");
                let max = options::property(root, "pe-error-series-max")
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .unwrap_or(5000);
                self.out.push(Output::SchedulerInput {
                    series: InputSeries::Error,
                    xml: input.to_xml(),
                    max,
                });
                return;
            }
        };
        let schedule = scheduler::schedule(&parsed, now_s);
        // A fail count expiring later: recheck then (the timer is re-armed when this
        // transition finishes too).
        let recheck_by = schedule.before.recheck_by;
        let rearm = recheck_by.is_some() && recheck_by != self.recheck_by_s;
        self.recheck_by_s = recheck_by;
        if rearm {
            self.arm_recheck();
        }
        self.out.push(Output::SchedulerInput {
            series: InputSeries::Input,
            xml: input.to_xml(),
            max,
        });
        let id = self.transitions;
        self.transitions += 1;
        let members: Vec<String> = self.members.iter().map(|m| m.name.clone()).collect();
        let mut run = transition::plan(
            id,
            &schedule,
            &self.cfg.instance,
            &members,
            &self.cfg.node_name,
        );
        self.limit_fence_attempts(&mut run);
        tracing::info!(
            transition = id,
            actions = run.actions.len(),
            summary = ?schedule.transition.summary,
            "transition computed"
        );
        self.run = Some(run);
        self.dispatch();
    }

    /// The cluster-wide cap on actions in flight: `batch-limit` when positive; none for 0
    /// (Pacemaker's load-derived throttle is not implemented: each node's own limit still
    /// applies) or -1; at most [`limits::MAX_IN_FLIGHT`] either way.
    fn batch_limit(&self) -> usize {
        let v = self
            .cib
            .as_ref()
            .and_then(|c| options::property(c, "batch-limit"))
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0);
        usize::try_from(v)
            .ok()
            .filter(|&v| v > 0)
            .unwrap_or(limits::MAX_IN_FLIGHT)
            .min(limits::MAX_IN_FLIGHT)
    }

    /// Actions node `name` may run at once: `node-action-limit` when positive, else what
    /// the node reported when it joined (twice its cores), else this node's own figure.
    fn node_limit(&self, name: &str, property: Option<usize>) -> usize {
        if let Some(v) = property {
            return v;
        }
        self.members
            .iter()
            .find(|m| m.name == name)
            .and_then(|m| self.node_jobs.get(&m.id))
            .copied()
            .unwrap_or(self.max_jobs)
            .max(1)
    }

    fn dispatch(&mut self) {
        let batch = self.batch_limit();
        let property = self
            .cib
            .as_ref()
            .and_then(|c| options::property(c, "node-action-limit"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&v| v > 0);
        let limits_by_node: BTreeMap<String, usize> = self
            .members
            .iter()
            .map(|m| (m.name.clone(), self.node_limit(&m.name, property)))
            .collect();
        let mut sends = Vec::new();
        let mut timers = Vec::new();
        let mut forgets = Vec::new();
        let mut clears = Vec::new();
        {
            let Some(run) = &mut self.run else { return };
            loop {
                let mut progress = false;
                // Pseudo actions, history deletes and impossible actions complete at once.
                for i in run.ready_without_node() {
                    if !run.ready(i) {
                        continue;
                    }
                    if let Some(why) = &run.actions[i].impossible {
                        tracing::warn!(action = %run.actions[i].label, why = %why, "action cannot run");
                        run.set_state(i, ActionState::Failed);
                    } else {
                        if let Some(f) = run.actions[i].forget.take() {
                            forgets.push(f);
                        }
                        if let Some(f) = run.actions[i].clear_failcount.take() {
                            clears.push(f);
                        }
                        run.set_state(i, ActionState::Done);
                    }
                    progress = true;
                }
                if run.aborted {
                    if progress {
                        continue;
                    }
                    break;
                }
                // Node actions: the next in dispatch order among the nodes with room
                // (probes, stops and starts before recurring monitors), within batch-limit
                // and each node's limit (node-action-limit).
                let mut cursor: BTreeMap<String, usize> = BTreeMap::new();
                let mut closed: BTreeSet<String> = BTreeSet::new();
                let monitors_now = run.pending_oneshot() == 0 || run.in_flight() == 0;
                loop {
                    let best = run
                        .ready_nodes()
                        .into_iter()
                        .filter(|n| !closed.contains(n))
                        .filter_map(|n| {
                            let i = run.next_ready_on(&n, cursor.get(&n).copied())?;
                            Some((run.order_key(i), n))
                        })
                        .min();
                    let Some(((recurring, i), node)) = best else {
                        break;
                    };
                    // A first recurring monitor waits until every one-shot action of the
                    // transition is dispatched (the nodes of a bulk start share CPUs with
                    // each other and with the cluster's other work): it only has to follow
                    // its start. Unless nothing else runs, so a graph where a one-shot
                    // action waits for a monitor still completes.
                    if recurring && !monitors_now {
                        break;
                    }
                    cursor.insert(node.clone(), i);
                    // Made impossible after planning (stonith-max-attempts reached ...).
                    if let Some(why) = &run.actions[i].impossible {
                        tracing::warn!(action = %run.actions[i].label, why = %why, "action cannot run");
                        run.set_state(i, ActionState::Failed);
                        progress = true;
                        continue;
                    }
                    let Some(limit) = limits_by_node.get(&node).copied() else {
                        // Not a member: its stops are implied by its absence.
                        let implied = run.actions[i]
                            .exec
                            .as_ref()
                            .is_some_and(|e| matches!(e.task.as_str(), "stop" | "demote"));
                        if implied {
                            tracing::info!(action = %run.actions[i].label, "implied by the node's absence");
                            run.set_state(i, ActionState::Done);
                        } else {
                            tracing::warn!(action = %run.actions[i].label, "target node is not a member");
                            run.set_state(i, ActionState::Failed);
                            run.aborted = true;
                        }
                        progress = true;
                        if run.aborted {
                            break;
                        }
                        continue;
                    };
                    if run.in_flight() >= batch {
                        break;
                    }
                    if run.in_flight_on(&node) >= limit {
                        closed.insert(node);
                        continue;
                    }
                    let Some(e) = run.actions[i].exec.clone() else {
                        run.set_state(i, ActionState::Done);
                        progress = true;
                        continue;
                    };
                    // Timeline (bench/cluster/timeline.sh): the DC sent the action.
                    tracing::debug!(key = %e.key, node = %e.node, rsc = %e.rsc, task = %e.task, "action dispatched");
                    timers.push((run.id, i, e.timeout_ms));
                    sends.push(e);
                    run.set_state(i, ActionState::InFlight);
                    progress = true;
                }
                if !progress {
                    break;
                }
            }
        }
        for e in sends {
            self.send(Message::Exec(e));
        }
        for (rsc, node) in forgets {
            let op = CibOp::Cleanup {
                rsc,
                node: Some(node),
            };
            self.send(Message::Admin { req: 0, op });
        }
        // Expired fail counts: their attributes are deleted like any transient attribute.
        for clear in clears {
            let names = self
                .cib
                .as_ref()
                .map(|c| crate::failure_expiry::attrs_to_clear(c, &clear))
                .unwrap_or_default();
            tracing::info!(node = %clear.node, rsc = ?clear.ids, attrs = ?names, "clearing an expired fail count");
            for name in names {
                let op = CibOp::SetAttr {
                    node: clear.node.clone(),
                    name,
                    value: None,
                };
                self.send(Message::Admin { req: 0, op });
            }
        }
        for (transition, action, timeout) in timers {
            self.out.push(Output::SetTimer {
                timer: Timer::ActionTimeout { transition, action },
                after_ms: timeout + limits::ACTION_TIMEOUT_MARGIN_MS,
            });
        }
    }
}

/// Maps the error type for callers that want to show it.
pub type AdminResult = Result<(), ControllerError>;
