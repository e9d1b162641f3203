//! A deterministic multi-node harness: N controllers over a simulated agreed-order group
//! (one global queue; each message goes to every member of the sender's partition, in
//! the same order), with a fake executor per node that keeps resource state, answers
//! probes and recurring monitors truthfully, and can be told to fail.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use cib::xml::Element;
use controller::{
    CibOp, Controller, ControllerConfig, ExecRequest, ExecResult, Input, Member, NodeId, Output,
    Phase, Timer,
};

/// Logical start time (ms since the epoch).
pub const T0: u64 = 1_700_000_000_000;
/// Latency of every fake agent operation.
pub const OP_LATENCY_MS: u64 = 50;
/// Delivery latency of a group message.
pub const MSG_LATENCY_MS: u64 = 1;

#[derive(Debug)]
enum Ev {
    Deliver {
        from: NodeId,
        to: Vec<NodeId>,
        bytes: Vec<u8>,
    },
    ExecDone {
        node: NodeId,
        incarnation: u32,
        handle: u64,
    },
    MonitorTick {
        node: NodeId,
        incarnation: u32,
        handle: u64,
    },
    Timer {
        node: NodeId,
        incarnation: u32,
        timer: Timer,
    },
}

/// A fake agent host: which resources run here, in which role.
#[derive(Debug, Default)]
pub struct FakeExec {
    /// Resource id → role (`Started`, `Promoted`, `Unpromoted`).
    pub running: BTreeMap<String, String>,
    /// Requests not yet answered.
    pending: BTreeMap<u64, ExecRequest>,
    /// Recurring monitors: handle → (request, last rc reported).
    recurring: BTreeMap<u64, (ExecRequest, Option<i32>)>,
    /// (resource, action) pairs that fail once.
    pub fail_next: BTreeSet<(String, String)>,
    /// (resource, action) pairs that always fail.
    pub fail_always: BTreeSet<(String, String)>,
    /// Every (resource, action, interval) requested, in order.
    pub log: Vec<(String, String, u64)>,
    /// Most requests this node had unanswered at once.
    pub max_pending: usize,
}

/// One simulated node.
pub struct SimNode {
    /// Node id.
    pub id: NodeId,
    /// Node name.
    pub name: String,
    /// The controller, `None` while the node is down.
    pub ctrl: Option<Controller>,
    /// Agents on the node.
    pub exec: FakeExec,
    /// The CIB as last persisted.
    pub disk: Option<String>,
    /// The controller reported a change not yet written to `disk`.
    pub disk_dirty: bool,
    /// Restart counter (stale events of an earlier life are dropped).
    pub incarnation: u32,
    /// Scheduler inputs saved.
    pub pe_inputs: u32,
    /// Admin replies received: (req, ok).
    pub replies: Vec<(u64, Result<(), String>)>,
    /// The controller said the node may leave.
    pub shutdown_ready: bool,
}

/// The simulated cluster.
pub struct Sim {
    /// Logical time.
    pub now: u64,
    seq: u64,
    events: BTreeMap<(u64, u64), Ev>,
    /// Nodes by index (id = index + 1).
    pub nodes: Vec<SimNode>,
    /// Partitions, each a membership in join order.
    pub parts: Vec<Vec<NodeId>>,
    /// Fencing requests executed: (by, target).
    pub fenced: Vec<(String, String)>,
    /// Set when a resource was ever seen active on two nodes at once (resource, nodes).
    pub double_active: Vec<(String, Vec<String>)>,
    /// Resources that must never be active twice.
    pub exclusive: Vec<String>,
    /// Most requests unanswered at once across all nodes.
    pub max_pending_total: usize,
    /// Fencing leaves its target running (a device that does not cut the node off).
    pub fence_spares: bool,
    /// A network cut not yet seen by the membership ([`Sim::cut`]).
    cut: Option<Vec<Vec<NodeId>>>,
    steps: u64,
    /// Controllers booted from now on batch each input's group messages
    /// ([`Controller::with_turn_batching`], flushed after every input).
    pub batching: bool,
    /// Group messages multicast, and how many of them were batches.
    pub multicasts: (u64, u64),
}

impl Sim {
    /// `n` nodes named node1..nodeN, all down.
    pub fn new(n: u32) -> Sim {
        Sim {
            now: T0,
            seq: 0,
            events: BTreeMap::new(),
            nodes: (1..=n)
                .map(|id| SimNode {
                    id,
                    name: format!("node{id}"),
                    ctrl: None,
                    exec: FakeExec::default(),
                    disk: None,
                    disk_dirty: false,
                    incarnation: 0,
                    pe_inputs: 0,
                    replies: Vec::new(),
                    shutdown_ready: false,
                })
                .collect(),
            parts: Vec::new(),
            fenced: Vec::new(),
            double_active: Vec::new(),
            exclusive: Vec::new(),
            max_pending_total: 0,
            fence_spares: false,
            cut: None,
            steps: 0,
            batching: false,
            multicasts: (0, 0),
        }
    }

    fn node(&mut self, id: NodeId) -> &mut SimNode {
        &mut self.nodes[(id - 1) as usize]
    }

    /// Name of node `id`.
    pub fn name(&self, id: NodeId) -> String {
        self.nodes[(id - 1) as usize].name.clone()
    }

    /// The controller of node `id`.
    pub fn ctrl(&self, id: NodeId) -> &Controller {
        self.nodes[(id - 1) as usize]
            .ctrl
            .as_ref()
            .expect("node is up")
    }

    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.events.insert((at, self.seq), ev);
    }

    /// Starts node `id` with `disk` as its stored CIB (parsed; unparsable means none).
    pub fn boot_with(&mut self, id: NodeId, disk: Option<&str>) {
        let node = self.node(id);
        node.incarnation += 1;
        node.exec = FakeExec::default();
        node.shutdown_ready = false;
        node.disk = disk.map(str::to_string);
        let cib = disk.and_then(|t| cib::xml::parse(t).ok());
        let ctrl = Controller::new(
            ControllerConfig {
                node_id: id,
                node_name: node.name.clone(),
                instance: format!("uuid-{id}-{}", node.incarnation),
            },
            cib,
        );
        let batching = self.batching;
        self.node(id).ctrl = Some(if batching {
            ctrl.with_turn_batching()
        } else {
            ctrl
        });
    }

    /// Restarts a crashed node with what it had persisted.
    pub fn restart(&mut self, id: NodeId) {
        let disk = self.node(id).disk.clone();
        self.boot_with(id, disk.as_deref());
    }

    /// Installs a new partitioning: messages already sent are delivered in the old
    /// membership first (virtual synchrony), then every member of each partition gets
    /// its membership and quorum (majority of all nodes).
    pub fn set_parts(&mut self, parts: Vec<Vec<NodeId>>) {
        self.flush_messages();
        self.cut = None;
        let total = self.nodes.len();
        let old = std::mem::replace(&mut self.parts, parts.clone());
        for part in parts {
            let changed = !old.contains(&part);
            if !changed {
                continue;
            }
            let members: Vec<Member> = part
                .iter()
                .map(|&id| Member::new(id, &self.name(id)))
                .collect();
            let quorate = part.len() * 2 > total;
            // As corosync does: the quorum verdict for a configuration comes before the
            // group's membership change.
            for &id in &part {
                self.input(id, Input::Quorum(quorate));
                self.input(id, Input::Membership(members.clone()));
            }
        }
    }

    /// Cuts the network into `parts` without any membership change yet, as between a
    /// token loss and the next ring: each node's messages reach its own part only.
    pub fn cut(&mut self, parts: Vec<Vec<NodeId>>) {
        self.flush_messages();
        self.cut = Some(parts);
    }

    /// Kills node `id` (controller and every resource on it) and removes it from its partition.
    pub fn crash(&mut self, id: NodeId) {
        self.flush_messages();
        self.write_disks();
        let node = self.node(id);
        node.ctrl = None;
        node.exec = FakeExec::default();
        node.incarnation += 1;
        let parts: Vec<Vec<NodeId>> = self
            .parts
            .iter()
            .map(|p| p.iter().copied().filter(|&m| m != id).collect::<Vec<_>>())
            .filter(|p| !p.is_empty())
            .collect();
        self.set_parts(parts);
    }

    /// Persists every live node's CIB that changed (what the daemon does, coalesced).
    pub fn write_disks(&mut self) {
        for n in &mut self.nodes {
            if n.disk_dirty {
                if let Some(c) = &n.ctrl {
                    n.disk = c.cib_xml();
                }
                n.disk_dirty = false;
            }
        }
    }

    /// Delivers every queued message (and what those produce) right now.
    fn flush_messages(&mut self) {
        for _ in 0..100_000 {
            let key = self
                .events
                .iter()
                .find(|(_, e)| matches!(e, Ev::Deliver { .. }))
                .map(|(k, _)| *k);
            let Some(key) = key else { return };
            let Some(ev) = self.events.remove(&key) else {
                return;
            };
            self.fire(ev);
        }
        panic!("message storm: flush did not converge");
    }

    /// Feeds `input` to node `id` and carries out its outputs.
    pub fn input(&mut self, id: NodeId, input: Input) {
        let now = self.now;
        let Some(ctrl) = self.node(id).ctrl.as_mut() else {
            return;
        };
        let mut outs = ctrl.handle(now, input);
        outs.extend(ctrl.flush());
        for o in outs {
            self.output(id, o);
        }
        self.check_exclusive();
    }

    /// An administrator's request at node `id`.
    pub fn admin(&mut self, id: NodeId, req: u64, op: CibOp) {
        self.input(id, Input::Admin { req, op });
    }

    fn part_of(&self, id: NodeId) -> Vec<NodeId> {
        self.cut
            .as_ref()
            .unwrap_or(&self.parts)
            .iter()
            .find(|p| p.contains(&id))
            .cloned()
            .unwrap_or_default()
    }

    fn output(&mut self, id: NodeId, o: Output) {
        let now = self.now;
        let inc = self.node(id).incarnation;
        match o {
            Output::Multicast(bytes) => {
                self.multicasts.0 += 1;
                if bytes.starts_with(b"<tandem-msg v=\"1\" kind=\"batch\"") {
                    self.multicasts.1 += 1;
                }
                let to = self.part_of(id);
                self.push(
                    now + MSG_LATENCY_MS,
                    Ev::Deliver {
                        from: id,
                        to,
                        bytes,
                    },
                );
            }
            Output::Exec(req) => {
                let node = self.node(id);
                node.exec
                    .log
                    .push((req.rsc.clone(), req.action.clone(), req.interval_ms));
                let handle = req.handle;
                node.exec.pending.insert(handle, req);
                node.exec.max_pending = node.exec.max_pending.max(node.exec.pending.len());
                let total: usize = self.nodes.iter().map(|n| n.exec.pending.len()).sum();
                self.max_pending_total = self.max_pending_total.max(total);
                self.push(
                    now + OP_LATENCY_MS,
                    Ev::ExecDone {
                        node: id,
                        incarnation: inc,
                        handle,
                    },
                );
            }
            Output::Cancel { handle } => {
                let node = self.node(id);
                node.exec.recurring.remove(&handle);
                node.exec.pending.remove(&handle);
            }
            Output::CibChanged => self.node(id).disk_dirty = true,
            Output::SchedulerInput { .. } => self.node(id).pe_inputs += 1,
            Output::SetTimer { timer, after_ms } => self.push(
                now + after_ms,
                Ev::Timer {
                    node: id,
                    incarnation: inc,
                    timer,
                },
            ),
            Output::ShutdownReady => self.node(id).shutdown_ready = true,
            Output::AdminReply { req, result } => self
                .node(id)
                .replies
                .push((req, result.map_err(|e| e.to_string()))),
        }
    }

    fn alive(&self, id: NodeId, incarnation: u32) -> bool {
        let n = &self.nodes[(id - 1) as usize];
        n.ctrl.is_some() && n.incarnation == incarnation
    }

    fn fire(&mut self, ev: Ev) {
        match ev {
            Ev::Deliver { from, to, bytes } => {
                for id in to {
                    self.input(
                        id,
                        Input::Message {
                            from,
                            bytes: bytes.clone(),
                        },
                    );
                }
            }
            Ev::Timer {
                node,
                incarnation,
                timer,
            } => {
                if self.alive(node, incarnation) {
                    self.input(node, Input::Timer(timer));
                }
            }
            Ev::ExecDone {
                node,
                incarnation,
                handle,
            } => {
                if !self.alive(node, incarnation) {
                    return;
                }
                let Some(req) = self.node(node).exec.pending.remove(&handle) else {
                    return;
                };
                let rc = self.execute(node, &req);
                if req.interval_ms > 0 {
                    self.node(node)
                        .exec
                        .recurring
                        .insert(handle, (req.clone(), Some(rc)));
                    self.push(
                        self.now + req.interval_ms,
                        Ev::MonitorTick {
                            node,
                            incarnation,
                            handle,
                        },
                    );
                }
                self.input(
                    node,
                    Input::Executed(ExecResult {
                        handle,
                        rc,
                        op_status: 0,
                        exit_reason: if rc == 0 || rc == 7 && req.action == "monitor" {
                            String::new()
                        } else {
                            format!("{} {} failed", req.rsc, req.action)
                        },
                        exec_ms: OP_LATENCY_MS,
                        queue_ms: 0,
                    }),
                );
            }
            Ev::MonitorTick {
                node,
                incarnation,
                handle,
            } => {
                if !self.alive(node, incarnation) {
                    return;
                }
                let Some((req, last)) = self.node(node).exec.recurring.get(&handle).cloned() else {
                    return;
                };
                let rc = self.monitor_rc(node, &req);
                self.push(
                    self.now + req.interval_ms,
                    Ev::MonitorTick {
                        node,
                        incarnation,
                        handle,
                    },
                );
                if Some(rc) != last {
                    if let Some(slot) = self.node(node).exec.recurring.get_mut(&handle) {
                        slot.1 = Some(rc);
                    }
                    self.input(
                        node,
                        Input::Executed(ExecResult {
                            handle,
                            rc,
                            op_status: 0,
                            exit_reason: if rc == 0 {
                                String::new()
                            } else {
                                "not running".into()
                            },
                            exec_ms: 1,
                            queue_ms: 0,
                        }),
                    );
                }
            }
        }
    }

    fn monitor_rc(&mut self, node: NodeId, req: &ExecRequest) -> i32 {
        match self
            .node(node)
            .exec
            .running
            .get(&req.rsc)
            .map(String::as_str)
        {
            None => 7,
            Some("Promoted") => 8,
            Some(_) => 0,
        }
    }

    fn execute(&mut self, node: NodeId, req: &ExecRequest) -> i32 {
        if let Some(target) = req.fence_target.clone() {
            // A fence device told to fail (`fail_next` of (device, action)) leaves the target up.
            let key = (req.rsc.clone(), req.action.clone());
            let exec = &mut self.node(node).exec;
            if exec.fail_next.remove(&key) || exec.fail_always.contains(&key) {
                return 1;
            }
            let by = self.name(node);
            self.fenced.push((by, target.clone()));
            if let Some(t) = self.nodes.iter().find(|n| n.name == target).map(|n| n.id) {
                if self.fence_spares {
                    return 0;
                }
                if self.nodes[(t - 1) as usize].ctrl.is_some() {
                    self.crash(t);
                }
                self.node(t).exec = FakeExec::default();
            }
            return 0;
        }
        let key = (req.rsc.clone(), req.action.clone());
        if self.node(node).exec.fail_next.remove(&key) {
            if req.action == "start" {
                // A failed start leaves the resource in a failed, unknown state: model as not running.
                self.node(node).exec.running.remove(&req.rsc);
            }
            return 1;
        }
        let exec = &mut self.node(node).exec;
        match (req.action.as_str(), req.interval_ms) {
            ("start", _) => {
                exec.running.insert(req.rsc.clone(), "Started".into());
                0
            }
            ("stop", _) => {
                exec.running.remove(&req.rsc);
                0
            }
            ("promote", _) => {
                exec.running.insert(req.rsc.clone(), "Promoted".into());
                0
            }
            ("demote", _) => {
                exec.running.insert(req.rsc.clone(), "Unpromoted".into());
                0
            }
            ("monitor", _) => self.monitor_rc(node, req),
            _ => 0,
        }
    }

    fn check_exclusive(&mut self) {
        for r in self.exclusive.clone() {
            let on = self.running_on(&r);
            if on.len() > 1 && !self.double_active.iter().any(|(x, n)| *x == r && *n == on) {
                self.double_active.push((r, on));
            }
        }
    }

    /// Names of nodes where the fake agents run `rsc`.
    pub fn running_on(&self, rsc: &str) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|n| n.ctrl.is_some() && n.exec.running.contains_key(rsc))
            .map(|n| n.name.clone())
            .collect()
    }

    /// Runs every event up to `ms` from now, in time order.
    pub fn run_for(&mut self, ms: u64) {
        let until = self.now + ms;
        while let Some((&key, _)) = self.events.iter().next() {
            if key.0 > until {
                break;
            }
            let Some(ev) = self.events.remove(&key) else {
                break;
            };
            self.now = self.now.max(key.0);
            self.steps += 1;
            assert!(self.steps < 5_000_000, "simulation does not settle");
            self.fire(ev);
        }
        self.now = until;
    }

    /// Runs until every live DC is idle with nothing in flight (at most `max_ms`); returns
    /// the time it took in ms.
    pub fn settle(&mut self, max_ms: u64) -> u64 {
        let start = self.now;
        while self.now - start < max_ms {
            self.run_for(10);
            let quiet = !self
                .events
                .values()
                .any(|e| matches!(e, Ev::Deliver { .. } | Ev::ExecDone { .. }));
            let idle = self
                .nodes
                .iter()
                .all(|n| n.ctrl.as_ref().is_none_or(|c| !c.is_dc() || c.is_idle()));
            if quiet && idle {
                return self.now - start;
            }
        }
        panic!("cluster did not settle within {max_ms} ms");
    }

    /// The DC each live node believes in.
    pub fn dcs(&self) -> Vec<Option<NodeId>> {
        self.nodes
            .iter()
            .filter_map(|n| n.ctrl.as_ref().map(Controller::dc))
            .collect()
    }

    /// Live nodes whose controller is in `Phase::Running` and believes itself DC.
    pub fn acting_dcs(&self) -> Vec<NodeId> {
        self.nodes
            .iter()
            .filter(|n| {
                n.ctrl
                    .as_ref()
                    .is_some_and(|c| c.is_dc() && c.phase() == Phase::Running)
            })
            .map(|n| n.id)
            .collect()
    }

    /// The CIB XML of node `id`.
    pub fn cib_xml(&self, id: NodeId) -> String {
        self.ctrl(id).cib().map(Element::to_xml).unwrap_or_default()
    }
}

/// An `ocf:heartbeat:Dummy` primitive `id` with a 10 s monitor, as CIB XML.
pub fn dummy_primitive(id: &str) -> String {
    format!(
        "<primitive id=\"{id}\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\
         <operations><op id=\"{id}-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>\
         </operations></primitive>"
    )
}

/// A CIB with cluster properties `props` (name, value), the resources `resources` (XML) and
/// `<constraints/>` followed by `extra_configuration` (XML) in the configuration section.
pub fn cib_with(props: &[(&str, &str)], resources: &str, extra_configuration: &str) -> String {
    let nvpairs: String = props
        .iter()
        .map(|(n, v)| format!("<nvpair id=\"o-{n}\" name=\"{n}\" value=\"{v}\"/>"))
        .collect();
    format!(
        "<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"5\" num_updates=\"0\" admin_epoch=\"0\">\
         <configuration><crm_config><cluster_property_set id=\"cib-bootstrap-options\">{nvpairs}\
         </cluster_property_set></crm_config><nodes/><resources>{resources}</resources>\
         <constraints/>{extra_configuration}</configuration><status/></cib>"
    )
}

/// [`three_dummies`] without fencing, with no-quorum-policy=stop and a 3 s
/// `unfenced-recovery-delay`: the configuration of the node-loss hold tests.
pub fn three_dummies_unfenced() -> String {
    three_dummies(
        &[
            ("stonith-enabled", "false"),
            ("no-quorum-policy", "stop"),
            ("unfenced-recovery-delay", "3s"),
        ],
        "",
    )
}

/// Dummies d1, d2 and d3 under cluster properties `props`, as a CIB.
pub fn three_dummies(props: &[(&str, &str)], more_resources: &str) -> String {
    let dummies: String = ["d1", "d2", "d3"].map(dummy_primitive).concat();
    cib_with(props, &format!("{more_resources}{dummies}"), "")
}

impl Sim {
    /// Three nodes booted into one partition, running `cib` (replaced by node 2) once settled.
    pub fn three_running(cib_xml: &str) -> Sim {
        let mut sim = Sim::new(3);
        for id in 1..=3 {
            sim.boot_with(id, None);
        }
        sim.set_parts(vec![vec![1, 2, 3]]);
        sim.settle(60_000);
        sim.admin(
            2,
            1,
            CibOp::Replace(cib::xml::parse(cib_xml).expect("test CIB parses")),
        );
        sim.settle(120_000);
        sim
    }

    /// The id of the one node running `rsc` (asserts there is exactly one).
    pub fn only_node_of(&self, rsc: &str) -> NodeId {
        let on = self.running_on(rsc);
        assert_eq!(on.len(), 1, "{rsc} on {on:?}");
        on[0].trim_start_matches("node").parse().expect("node id")
    }
}
