//! The resource manager's event loop: group deliveries, executor events, timers and admin
//! requests in; controller outputs carried out.

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cib_store::{CibStore, PeSeries, SeriesKind};
use controller::{
    CibOp, Controller, ControllerConfig, ExecResult, Input, InputSeries, Member, Output, Timer,
};
use executor::{AgentRunner, Executor, ExecutorConfig, OpEvent, OpId};
use messaging::ipc::{ErrorCode, Event as IpcEvent, Reply, Request, ServerMessage};

use crate::admin::{encode_reply, AdminRequest, StatusReply};
use crate::cib_text::{CibText, SavePolicy};
use crate::disk_writer::DiskWriter;
use crate::error::RmError;
use crate::exec_bridge;
use crate::ipc_link::{Link, Pending};
use crate::limits;
use crate::ring_watch::{self, RingCounters, RingWatch, Verdict};

/// Default CPG group of the controllers.
pub const DEFAULT_GROUP: &str = "tandem-crm";

/// How to run the resource manager on this node.
#[derive(Debug, Clone)]
pub struct RmOptions {
    /// tandemd's IPC socket.
    pub ipc_socket: PathBuf,
    /// Where the admin socket is served.
    pub admin_socket: PathBuf,
    /// Directory of the CIB replica and the pe-* series.
    pub state_dir: PathBuf,
    /// Node names by node id (from corosync.conf's nodelist); others are learnt from quorum
    /// membership or named `node<ID>`.
    pub names: BTreeMap<u32, String>,
    /// The CPG group name.
    pub group: String,
    /// `HA_RSCTMP` for agents (several nodes on one host need one each).
    pub rsctmp: Option<PathBuf>,
    /// Default of `unfenced-recovery-delay` in ms (see the controller), when known from
    /// the Totem timers.
    pub recovery_delay_ms: Option<u64>,
}

/// Something for the loop to handle.
pub enum Event {
    /// A frame from tandemd.
    Ipc(ServerMessage),
    /// The connection to tandemd ended.
    IpcClosed(String),
    /// An executor event.
    Exec(OpEvent),
    /// An admin request and where to send its reply.
    Admin(AdminRequest, Sender<Result<String, String>>),
    /// The node is asked to stop (SIGTERM): move the resources away, then leave.
    Shutdown,
}

/// Asks a running resource manager to stop cleanly: its resources are moved away (or
/// stopped), then it leaves the group and asks tandemd to leave the cluster and exit.
#[derive(Clone, Debug)]
pub struct ShutdownHandle(Arc<std::sync::Mutex<Option<SyncSender<Event>>>>);

impl ShutdownHandle {
    /// A handle not yet attached to a manager.
    pub fn new() -> ShutdownHandle {
        ShutdownHandle(Arc::new(std::sync::Mutex::new(None)))
    }

    /// Requests the clean stop; false when no manager is running to take it.
    pub fn request(&self) -> bool {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .is_some_and(|tx| tx.try_send(Event::Shutdown).is_ok())
    }

    fn attach(&self, tx: SyncSender<Event>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
    }

    fn detach(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl Default for ShutdownHandle {
    fn default() -> ShutdownHandle {
        ShutdownHandle::new()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

struct Manager {
    opts: RmOptions,
    ctrl: Controller,
    link: Link,
    exec: Executor,
    /// Writes the CIB and scheduler inputs off this loop.
    disk: DiskWriter,
    names: BTreeMap<u32, String>,
    opids: BTreeMap<u64, OpId>,
    handles: BTreeMap<OpId, u64>,
    timers: BTreeMap<(Instant, u64), Timer>,
    timer_seq: u64,
    retries: Vec<(Instant, Vec<u8>, u32)>,
    waiting: BTreeMap<u64, Sender<Result<String, String>>>,
    next_req: u64,
    dirty: bool,
    /// When the CIB is written to disk (saves are coalesced, see `save_cib`).
    saves: SavePolicy,
    /// The replica as text, shared by the disk writer and the readers.
    text: CibText,
    quorate: bool,
    shutdown: bool,
    /// When a requested clean stop gives up waiting for the resources to move.
    escalate_at: Option<Instant>,
    /// Node ids of the group's current members.
    group_ids: Vec<u32>,
    /// A regained quorum held back until the group shows the merged members (or until
    /// this deadline): fed earlier, a DC still alone in its group would schedule starts
    /// for resources the others run.
    held_quorum: Option<Instant>,
    work: VecDeque<Input>,
    /// Notices a lost ring before the lone node's own ring forms (see `ring_watch`).
    ring_watch: RingWatch,
    /// When to read tandemd's Totem counters next.
    next_ring_poll: Instant,
    /// A status request is unanswered.
    status_outstanding: bool,
    /// Taken for cut off (see `ring_watch`) and no ring since: the count of rings
    /// installed when it was.
    isolated: Option<u64>,
}

/// Runs the resource manager until tandemd goes away or the node shuts down.
pub fn run(opts: RmOptions) -> Result<(), RmError> {
    run_with_shutdown(opts, &ShutdownHandle::new())
}

/// [`run`], taking clean stop requests through `handle`; once stopped cleanly it asks
/// tandemd to leave the cluster and exit.
pub fn run_with_shutdown(opts: RmOptions, handle: &ShutdownHandle) -> Result<(), RmError> {
    let (tx, rx) = mpsc::sync_channel::<Event>(limits::EVENT_QUEUE_MAX);
    handle.attach(tx.clone());
    let result = run_inner(opts, tx, rx);
    handle.detach();
    result
}

fn run_inner(opts: RmOptions, tx: SyncSender<Event>, rx: Receiver<Event>) -> Result<(), RmError> {
    let store = CibStore::open(&opts.state_dir)?;
    let series = PeSeries::open(&opts.state_dir.join("pengine"))?;
    let cib = match store.load() {
        Ok(loaded) => match cib::xml::parse(loaded.text()) {
            Ok(el) => Some(el),
            Err(e) => {
                tracing::warn!("stored CIB unusable ({e}); taking the cluster's copy");
                None
            }
        },
        Err(e) => {
            tracing::warn!("stored CIB unusable ({e}); taking the cluster's copy");
            None
        }
    };
    let replacing_unusable = cib.is_none();
    let mut config = ExecutorConfig::default();
    if let Some(tmp) = &opts.rsctmp {
        std::fs::create_dir_all(tmp).map_err(|source| RmError::Io {
            what: "creating",
            path: tmp.clone(),
            source,
        })?;
        // Agents run with / as their working directory: the path must be absolute.
        let tmp = std::fs::canonicalize(tmp).map_err(|source| RmError::Io {
            what: "resolving",
            path: tmp.clone(),
            source,
        })?;
        config
            .paths
            .extra_env
            .push(("HA_RSCTMP".into(), tmp.display().to_string()));
    }
    // Agents get the daemon's HA_VARRUN and HA_SBIN_DIR when it sets them, as Pacemaker's
    // executor passes its environment on (several nodes on one host need a HA_VARRUN each:
    // Stateful keeps its role there; HA_SBIN_DIR is where agents find crm_attribute).
    for name in ["HA_VARRUN", "HA_SBIN_DIR"] {
        if let Some(v) = std::env::var_os(name).filter(|v| !v.is_empty()) {
            config
                .paths
                .extra_env
                .push((name.into(), v.to_string_lossy().into_owned()));
        }
    }
    // The tools agents call (crm_attribute --promotion, ...) reach this node's manager.
    config.paths.extra_env.push((
        "TANDEM_CRM_SOCKET".into(),
        std::path::absolute(&opts.admin_socket)
            .unwrap_or_else(|_| opts.admin_socket.clone())
            .display()
            .to_string(),
    ));
    let (exec, exec_rx) = Executor::start(config)?;
    forward_exec(exec_rx, tx.clone());
    serve_admin(&opts.admin_socket, tx.clone())?;
    let mut link = Link::connect(&opts.ipc_socket, tx)?;
    let nodeid = link.nodeid;
    link.send(
        &Request::QuorumTrack { enable: true },
        Pending::Other("quorum track"),
    )?;
    link.send(
        &Request::RingTrack { enable: true },
        Pending::Other("ring track"),
    )?;
    link.send(
        &Request::CpgJoin {
            group: opts.group.as_bytes().to_vec(),
        },
        Pending::Other("join"),
    )?;
    let names = opts.names.clone();
    let node_name = names
        .get(&nodeid)
        .cloned()
        .unwrap_or_else(|| format!("node{nodeid}"));
    let instance = format!(
        "{:08x}-{:04x}-{:04x}",
        now_ms() & 0xffff_ffff,
        std::process::id() & 0xffff,
        nodeid & 0xffff
    );
    tracing::info!(
        "resource manager for node {node_name} (id {nodeid}) joining group {}",
        opts.group
    );
    let ctrl = Controller::new(
        ControllerConfig {
            node_id: nodeid,
            node_name,
            instance,
        },
        cib,
    );
    let ctrl = match opts.recovery_delay_ms {
        Some(ms) => ctrl.with_recovery_delay(ms),
        None => ctrl,
    };
    // Pacemaker's node-action-limit default: twice the cores, announced to the DC.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Actions dispatched and results reported in one loop turn leave as one multicast
    // (process_work flushes them).
    let ctrl = ctrl.with_max_jobs(2 * cores).with_turn_batching();
    let mut m = Manager {
        opts,
        ctrl,
        link,
        exec,
        disk: DiskWriter::start(store, series, replacing_unusable)?,
        names,
        opids: BTreeMap::new(),
        handles: BTreeMap::new(),
        timers: BTreeMap::new(),
        timer_seq: 0,
        retries: Vec::new(),
        waiting: BTreeMap::new(),
        next_req: 1,
        dirty: false,
        saves: SavePolicy::default(),
        text: CibText::default(),
        quorate: false,
        shutdown: false,
        escalate_at: None,
        group_ids: Vec::new(),
        held_quorum: None,
        work: VecDeque::new(),
        ring_watch: RingWatch::new(),
        next_ring_poll: Instant::now(),
        status_outstanding: false,
        isolated: None,
    };
    let result = m.run_loop(&rx);
    if m.dirty {
        // A coalesced write still pending: the replica on disk is the last one we held.
        m.save_cib();
    }
    m.disk.finish();
    let _ = std::fs::remove_file(&m.opts.admin_socket);
    m.exec.shutdown();
    result
}

impl Manager {
    fn run_loop(&mut self, rx: &Receiver<Event>) -> Result<(), RmError> {
        loop {
            let now = Instant::now();
            let next_timer = self.timers.keys().next().map(|(t, _)| *t);
            let next_retry = self.retries.iter().map(|r| r.0).min();
            let save_due = self
                .dirty
                .then(|| self.saves.due(self.ctrl.version()).unwrap_or(now));
            let wake = [
                next_timer,
                next_retry,
                save_due,
                self.escalate_at,
                self.held_quorum,
                Some(self.next_ring_poll),
            ]
            .into_iter()
            .flatten()
            .min();
            let event = match wake {
                Some(at) if at <= now => None,
                Some(at) => match rx.recv_timeout(at - now) {
                    Ok(ev) => Some(ev),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
                },
                None => match rx.recv() {
                    Ok(ev) => Some(ev),
                    Err(_) => return Ok(()),
                },
            };
            if let Some(ev) = event {
                if let Some(end) = self.on_event(ev)? {
                    return end;
                }
                // Drain what else is queued before persisting.
                while let Ok(ev) = rx.try_recv() {
                    if let Some(end) = self.on_event(ev)? {
                        return end;
                    }
                }
            }
            self.fire_due()?;
            self.poll_ring()?;
            self.process_work()?;
            if self.dirty && self.saves.is_due(self.ctrl.version(), Instant::now()) {
                self.save_cib();
            }
            if self.escalate_at.is_some_and(|at| at <= Instant::now()) {
                tracing::warn!(
                    "resources did not move away within {} s; leaving anyway",
                    limits::SHUTDOWN_ESCALATION.as_secs()
                );
                self.shutdown = true;
            }
            if self.shutdown {
                let _ = self.link.send(&Request::CpgLeave, Pending::Other("leave"));
                if self.escalate_at.is_some() || self.ctrl.fenced_self() {
                    // Asked to stop by tandemd's SIGTERM (or fenced while alive, as
                    // fence-reaction=stop): now tandemd may leave and exit.
                    tracing::info!("resources stopped here; asking tandemd to leave");
                    let _ = self
                        .link
                        .send(&Request::Shutdown, Pending::Other("shutdown"));
                }
                return Ok(());
            }
        }
    }

    /// Hands the CIB replica to the disk writer. A burst of changes (a bulk start records
    /// hundreds of results) is coalesced into one copy per [`limits::CIB_SAVE_INTERVAL`]:
    /// each serialises the whole CIB.
    fn save_cib(&mut self) {
        self.dirty = false;
        let version = self.ctrl.version();
        if let Some(xml) = self.text.get(&self.ctrl) {
            self.disk
                .save_cib(xml, version.map(|v| v.dotted()).unwrap_or_default());
        }
        self.saves.saved(version, Instant::now());
    }

    fn fire_due(&mut self) -> Result<(), RmError> {
        let now = Instant::now();
        if self.held_quorum.is_some_and(|at| at <= now) {
            // The merged members never showed up in the group: deliver the verdict.
            self.held_quorum = None;
            self.work.push_back(Input::Quorum(self.quorate));
        }
        while let Some((&(at, seq), _)) = self.timers.iter().next() {
            if at > now {
                break;
            }
            if let Some(timer) = self.timers.remove(&(at, seq)) {
                self.work.push_back(Input::Timer(timer));
            }
        }
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.retries)
            .into_iter()
            .partition(|r| r.0 <= now);
        self.retries = later;
        for (_, data, tries) in due {
            self.link.mcast(data, tries)?;
        }
        Ok(())
    }

    /// Asks tandemd for its Totem counters when the next poll is due (one at a time).
    fn poll_ring(&mut self) -> Result<(), RmError> {
        let now = Instant::now();
        if now < self.next_ring_poll {
            return Ok(());
        }
        self.next_ring_poll = now + ring_watch::poll_interval(&self.ring_watch);
        if !self.status_outstanding {
            self.status_outstanding = true;
            self.link.send(&Request::Status, Pending::Status)?;
        }
        Ok(())
    }

    fn on_runtime_status(&mut self, status: &messaging::ipc::RuntimeStatus) {
        if let Some(ms) = ring_watch::counter(&status.config, "totem.consensus") {
            self.ring_watch.set_consensus(Duration::from_millis(ms));
        }
        let Some(counters) = RingCounters::from_stats(&status.stats) else {
            return;
        };
        let verdict = self.ring_watch.observe(Instant::now(), counters);
        self.on_ring(counters, verdict);
    }

    /// Acts on the ring counters of a status reply or a ring event.
    fn on_ring(&mut self, counters: RingCounters, verdict: Verdict) {
        let formed = counters.rings_formed;
        if self.isolated.is_some_and(|at| formed > at) {
            self.isolated = None;
        }
        if verdict == Verdict::Isolated {
            tracing::warn!(
                "the ring broke {} ms ago and no JOIN came from a quorate set of nodes: cut off from the others",
                counters.break_age.map_or(0, |a| a.as_millis())
            );
            self.isolated = Some(formed);
            self.work.push_back(Input::Isolated);
        }
    }

    fn process_work(&mut self) -> Result<(), RmError> {
        loop {
            while let Some(input) = self.work.pop_front() {
                let outs = self.ctrl.handle(now_ms(), input);
                self.apply(outs)?;
            }
            // The group messages of the whole turn, in one multicast.
            let outs = self.ctrl.flush();
            self.apply(outs)?;
            if self.work.is_empty() {
                return Ok(());
            }
        }
    }

    fn name_of(&self, id: u32) -> String {
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("node{id}"))
    }

    /// Handles one event; `Some(result)` ends the loop.
    fn on_event(&mut self, ev: Event) -> Result<Option<Result<(), RmError>>, RmError> {
        match ev {
            Event::IpcClosed(why) => {
                tracing::warn!("tandemd connection ended: {why}; resource manager stops");
                return Ok(Some(Ok(())));
            }
            Event::Ipc(ServerMessage::Reply(reply)) => {
                let pending = self.link.pending.pop_front();
                if matches!(pending, Some(Pending::Status)) {
                    self.status_outstanding = false;
                    if let Reply::Status(status) = &reply {
                        self.on_runtime_status(status);
                    }
                    return Ok(None);
                }
                if let Reply::Error { code, message } = reply {
                    match pending {
                        Some(Pending::Mcast(data, tries))
                            if code == ErrorCode::TryAgain && tries < limits::MCAST_RETRIES_MAX =>
                        {
                            self.retries.push((
                                Instant::now() + limits::MCAST_RETRY_DELAY,
                                data,
                                tries + 1,
                            ));
                        }
                        Some(Pending::Mcast(..)) => {
                            tracing::error!("multicast refused ({code:?}): {message}");
                        }
                        Some(Pending::Status) => {}
                        Some(Pending::Other(what)) => {
                            return Err(RmError::Ipc {
                                path: self.opts.ipc_socket.clone(),
                                message: format!("{what} refused ({code:?}): {message}"),
                            });
                        }
                        None => tracing::warn!("reply without a request: {message}"),
                    }
                }
            }
            Event::Ipc(ServerMessage::Event(IpcEvent::CpgDeliver { sender, data, .. })) => {
                self.work.push_back(Input::Message {
                    from: sender.nodeid,
                    bytes: data,
                });
            }
            Event::Ipc(ServerMessage::Event(IpcEvent::CpgConfchg { members, .. })) => {
                // tandemd lists a merged group in a per-node order (each node first), so
                // the controllers get the one order every member can compute: by node id.
                let mut ids: Vec<u32> = members.iter().map(|p| p.nodeid).collect();
                ids.sort_unstable();
                ids.dedup();
                let list: Vec<Member> = ids
                    .into_iter()
                    .map(|id| Member::new(id, &self.name_of(id)))
                    .collect();
                tracing::info!(
                    "group membership: {}",
                    list.iter()
                        .map(|m| m.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                if self.held_quorum.take().is_some() {
                    // The verdict goes before the membership it belongs to.
                    self.work.push_back(Input::Quorum(self.quorate));
                }
                self.group_ids = list.iter().map(|m| m.id).collect();
                self.isolated = None;
                // When this node's ring broke before this change (if a status reply showed it
                // broken): the recovery delay after a node loss counts from there.
                if let Some(at) = self.ring_watch.take_break(Instant::now()) {
                    let ago = Instant::now().saturating_duration_since(at);
                    let ago_ms = u64::try_from(ago.as_millis()).unwrap_or(u64::MAX);
                    self.ctrl.note_ring_break(now_ms().saturating_sub(ago_ms));
                }
                self.work.push_back(Input::Membership(list));
            }
            Event::Ipc(ServerMessage::Event(IpcEvent::Ring(state))) => {
                let verdict = self.ring_watch.observe_event(Instant::now(), &state);
                self.on_ring(RingCounters::from_event(&state), verdict);
            }
            Event::Ipc(ServerMessage::Event(IpcEvent::Quorum(q))) => {
                for m in &q.members {
                    if !m.name.is_empty() && !self.names.contains_key(&m.nodeid) {
                        self.names.insert(m.nodeid, m.name.clone());
                    }
                }
                if q.quorate != self.quorate || !q.provider_enabled {
                    let regained = q.quorate && !self.quorate;
                    self.quorate = q.quorate || !q.provider_enabled;
                    let merging = q
                        .members
                        .iter()
                        .any(|m| !self.group_ids.contains(&m.nodeid));
                    if regained && merging && !self.group_ids.is_empty() {
                        self.held_quorum = Some(Instant::now() + limits::QUORUM_HOLD_MAX);
                    } else {
                        self.held_quorum = None;
                        self.work.push_back(Input::Quorum(self.quorate));
                    }
                }
            }
            Event::Exec(ev) => {
                let Some(&handle) = self.handles.get(&ev.id) else {
                    return Ok(None);
                };
                if matches!(ev.kind, executor::EventKind::Cancelled)
                    || matches!(ev.kind, executor::EventKind::Completed)
                {
                    self.handles.remove(&ev.id);
                    self.opids.remove(&handle);
                }
                if let Some(result) = exec_bridge::to_result(handle, &ev) {
                    self.work.push_back(Input::Executed(result));
                }
            }
            Event::Admin(req, reply) => self.on_admin(req, reply),
            Event::Shutdown => {
                if self.escalate_at.is_none() {
                    tracing::info!("clean stop requested: moving resources away");
                    self.escalate_at = Some(Instant::now() + limits::SHUTDOWN_ESCALATION);
                    self.work.push_back(Input::Shutdown);
                }
            }
        }
        Ok(None)
    }

    fn on_admin(&mut self, req: AdminRequest, reply: Sender<Result<String, String>>) {
        let parse = |body: &str| {
            cib::xml::parse(body).map_err(|e| format!("the XML given is not valid: {e}"))
        };
        let arg = |i: usize| req.args.get(i).cloned();
        let op = match req.verb.as_str() {
            "query" => {
                let _ = reply.send(
                    self.text
                        .get(&self.ctrl)
                        .map(|t| t.as_str().to_string())
                        .ok_or_else(|| "no CIB yet: the node has not synchronised".to_string()),
                );
                return;
            }
            "status" => {
                let s = StatusReply {
                    node: self.name_of(self.link.nodeid),
                    dc: self.ctrl.dc().map(|id| self.name_of(id)),
                    quorate: self.quorate,
                    members: self.ctrl.members().iter().map(|m| m.name.clone()).collect(),
                    phase: format!("{:?}", self.ctrl.phase()),
                    cib: self
                        .text
                        .get(&self.ctrl)
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                };
                let _ = reply.send(Ok(s.encode()));
                return;
            }
            "fence-history" => {
                let _ = reply.send(Ok(crate::fence_history::encode(self.ctrl.fence_history())));
                return;
            }
            "fence-pending" => {
                let pending = self.ctrl.pending_fencing();
                let _ = reply.send(Ok(crate::fence_pending::encode(&pending)));
                return;
            }
            "fence" => {
                let Some(target) = arg(0).filter(|t| !t.is_empty()) else {
                    let _ = reply.send(Err("fence needs NODE [off|reboot|confirm]".to_string()));
                    return;
                };
                let action = arg(1).unwrap_or_else(|| "reboot".into());
                self.work.push_back(Input::Fence { target, action });
                let _ = reply.send(Ok(String::new()));
                return;
            }
            "replace" => parse(&req.body).map(CibOp::Replace),
            "modify" => parse(&req.body).map(CibOp::Modify),
            "delete" => parse(&req.body).map(CibOp::Delete),
            "create" => parse(&req.body).map(|xml| CibOp::Create {
                section: arg(0).filter(|s| !s.is_empty()),
                xml,
            }),
            "setattr" => match (arg(0), arg(1)) {
                (Some(node), Some(name)) => Ok(CibOp::SetAttr {
                    node,
                    name,
                    value: arg(2),
                }),
                _ => Err("setattr needs NODE NAME [VALUE]".to_string()),
            },
            "cleanup" => match arg(0) {
                Some(rsc) => Ok(CibOp::Cleanup {
                    rsc,
                    node: arg(1).filter(|s| !s.is_empty()),
                }),
                None => Err("cleanup needs RSC [NODE]".to_string()),
            },
            other => Err(format!("unknown admin request '{other}'")),
        };
        match op {
            Ok(op) => {
                let n = self.next_req;
                self.next_req += 1;
                if self.isolated.is_some() && matches!(op, CibOp::SetAttr { .. }) {
                    // Cut off, no ring will carry it before the lone ring forms (the
                    // consensus timeout): an agent stopping here (Stateful clearing its
                    // promotion score) must not wait for that. The update stays queued.
                    let _ = reply.send(Ok(String::new()));
                } else {
                    self.waiting.insert(n, reply);
                }
                self.work.push_back(Input::Admin { req: n, op });
            }
            Err(e) => {
                let _ = reply.send(Err(e));
            }
        }
    }

    fn apply(&mut self, outs: Vec<Output>) -> Result<(), RmError> {
        for out in outs {
            match out {
                Output::Multicast(bytes) => self.link.mcast(bytes, 0)?,
                Output::Exec(req) => match exec_bridge::to_op_request(&req) {
                    Err(result) => self.work.push_back(Input::Executed(result)),
                    Ok(op) => match self.exec.submit(op) {
                        Ok(id) => {
                            self.opids.insert(req.handle, id);
                            self.handles.insert(id, req.handle);
                        }
                        Err(e) => self.work.push_back(Input::Executed(ExecResult {
                            handle: req.handle,
                            rc: 1,
                            op_status: 4,
                            exit_reason: e.to_string(),
                            exec_ms: 0,
                            queue_ms: 0,
                        })),
                    },
                },
                Output::Cancel { handle } => {
                    if let Some(id) = self.opids.remove(&handle) {
                        self.handles.remove(&id);
                        if let Err(e) = self.exec.cancel(id) {
                            tracing::debug!("cancel {handle}: {e}");
                        }
                    }
                }
                Output::CibChanged => {
                    self.dirty = true;
                    self.text.changed();
                }
                Output::SchedulerInput { series, xml, max } => {
                    let kind = match series {
                        InputSeries::Input => SeriesKind::Input,
                        InputSeries::Warn => SeriesKind::Warn,
                        InputSeries::Error => SeriesKind::Error,
                    };
                    self.disk.save_input(kind, xml, max);
                }
                Output::SetTimer { timer, after_ms } => {
                    self.timer_seq += 1;
                    self.timers.insert(
                        (
                            Instant::now() + Duration::from_millis(after_ms),
                            self.timer_seq,
                        ),
                        timer,
                    );
                }
                Output::ShutdownReady => self.shutdown = true,
                Output::AdminReply { req, result } => {
                    if let Some(tx) = self.waiting.remove(&req) {
                        let _ = tx.send(result.map(|_| String::new()).map_err(|e| e.to_string()));
                    }
                }
            }
        }
        Ok(())
    }
}

fn forward_exec(rx: Receiver<OpEvent>, tx: SyncSender<Event>) {
    let spawned = std::thread::Builder::new()
        .name("rm-exec-events".into())
        .spawn(move || {
            for ev in rx.iter() {
                if tx.send(Event::Exec(ev)).is_err() {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!("spawning the executor event thread: {e}");
    }
}

fn serve_admin(path: &Path, tx: SyncSender<Event>) -> Result<(), RmError> {
    let io = |what: &'static str| {
        let path = path.to_path_buf();
        move |source| RmError::Io { what, path, source }
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io("creating the directory of"))?;
    }
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).map_err(io("binding the admin socket"))?;
    let active = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new()
        .name("rm-admin".into())
        .spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                if active.load(Ordering::SeqCst) >= limits::ADMIN_CONNECTIONS_MAX {
                    let mut conn = conn;
                    let _ =
                        conn.write_all(&encode_reply(&Err("too many admin connections".into())));
                    continue;
                }
                active.fetch_add(1, Ordering::SeqCst);
                let tx = tx.clone();
                let active2 = Arc::clone(&active);
                let spawned = std::thread::Builder::new()
                    .name("rm-admin-conn".into())
                    .spawn(move || {
                        serve_one(conn, &tx);
                        active2.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    active.fetch_sub(1, Ordering::SeqCst);
                }
            }
        })
        .map_err(io("spawning the server of"))?;
    Ok(())
}

fn serve_one(mut conn: UnixStream, tx: &SyncSender<Event>) {
    let mut buf = Vec::new();
    let read = (&mut conn)
        .take(limits::ADMIN_BODY_BYTES_MAX as u64 + 1)
        .read_to_end(&mut buf);
    let result = match read {
        Err(e) => Err(format!("reading the request: {e}")),
        Ok(_) if buf.len() > limits::ADMIN_BODY_BYTES_MAX => Err(format!(
            "request larger than {} bytes",
            limits::ADMIN_BODY_BYTES_MAX
        )),
        Ok(_) => match AdminRequest::decode(&buf) {
            Err(e) => Err(e),
            Ok(req) => {
                let (rtx, rrx) = mpsc::channel();
                if tx.send(Event::Admin(req, rtx)).is_err() {
                    Err("the resource manager is stopping".to_string())
                } else {
                    match rrx.recv_timeout(limits::ADMIN_REPLY_TIMEOUT) {
                        Ok(r) => r,
                        Err(_) => Err(format!(
                            "no answer within {} s (is the cluster quorate and synchronised?)",
                            limits::ADMIN_REPLY_TIMEOUT.as_secs()
                        )),
                    }
                }
            }
        },
    };
    let _ = conn.write_all(&encode_reply(&result));
}
