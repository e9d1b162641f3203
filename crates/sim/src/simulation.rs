//! One seeded simulation run: N Totem nodes over the simulated network, a client workload,
//! a fault phase (safety), then a healed phase in which the ring must re-form (liveness).

use totem::{Config, Destination, Guarantee, Node, NodeId, Output, State};

use crate::checker::{message_id_bytes, Checker, Incarnation};
use crate::network::{Network, NetworkFaults};
use crate::prng::Prng;

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Seed: with the same options, the same seed replays the same run.
    pub seed: u64,
    /// Cluster size.
    pub nodes: usize,
    /// Length of the fault phase in simulated ms.
    pub fault_ms: u64,
    /// Longest healed phase before the run counts as not converged.
    pub liveness_ms_max: u64,
    /// Totem `token` (token_real) in ms; other timers derive from it.
    pub token_ms: u64,
    /// Whether faults (loss, partitions, crashes, ...) are injected at all.
    pub faults: bool,
    /// Membership-adversarial mix: frequent partitions and heals, one-way cuts and clogged
    /// (long-delayed, hence stale) packets, so that partitions heal while JOINs are in flight
    /// and JOINs of older rings arrive late.
    pub adversarial: bool,
}

impl Options {
    /// Defaults for `nodes` nodes and `seed`.
    pub fn new(seed: u64, nodes: usize) -> Options {
        Options {
            seed,
            nodes,
            fault_ms: 10_000,
            liveness_ms_max: 30_000,
            token_ms: 1000,
            faults: true,
            adversarial: false,
        }
    }
}

/// Parameters drawn from the seed (swarm testing): each seed explores a different mix.
#[derive(Clone, Debug)]
pub struct Swarm {
    /// Packet faults during the fault phase.
    pub network: NetworkFaults,
    /// Mean ms between fault actions.
    pub fault_interval_ms: u64,
    /// Mean ms between client sends per node.
    pub send_interval_ms: u64,
    /// Relative weights of partition, heal, crash, restart, leave, one-way cut.
    pub weights: [u64; 6],
}

impl Swarm {
    fn draw(prng: &mut Prng, faults: bool, adversarial: bool) -> Swarm {
        if !faults {
            return Swarm {
                network: NetworkFaults::quiet(),
                fault_interval_ms: u64::MAX / 4,
                send_interval_ms: prng.between(2, 40),
                weights: [0; 6],
            };
        }
        let delay_max_ms = [1, 2, 5, 10, 20][prng.below(5) as usize];
        if adversarial {
            return Swarm {
                network: NetworkFaults {
                    loss: [0.0, 0.01, 0.05][prng.below(3) as usize],
                    duplication: [0.0, 0.01][prng.below(2) as usize],
                    delay_min_ms: 0,
                    delay_max_ms,
                    clog: [0.005, 0.02, 0.05][prng.below(3) as usize],
                    clog_max_ms: prng.between(100, 3000),
                },
                fault_interval_ms: prng.between(100, 1500),
                send_interval_ms: prng.between(2, 60),
                // partition, heal, crash, restart, leave, one-way cut
                weights: [
                    prng.between(2, 5),
                    prng.between(2, 5),
                    prng.between(0, 1),
                    1,
                    prng.between(0, 1),
                    prng.between(1, 4),
                ],
            };
        }
        Swarm {
            network: NetworkFaults {
                loss: [0.0, 0.01, 0.05, 0.2][prng.below(4) as usize],
                duplication: [0.0, 0.01, 0.05][prng.below(3) as usize],
                delay_min_ms: 0,
                delay_max_ms,
                clog: [0.0, 0.0, 0.001, 0.01][prng.below(4) as usize],
                clog_max_ms: prng.between(50, 3000),
            },
            fault_interval_ms: prng.between(300, 4000),
            send_interval_ms: prng.between(2, 60),
            weights: [
                prng.between(0, 4),
                prng.between(1, 4),
                prng.between(0, 3),
                prng.between(1, 3),
                prng.between(0, 2),
                prng.between(0, 2),
            ],
        }
    }
}

/// Outcome of a run.
#[derive(Clone, Debug)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// Cluster size.
    pub nodes: usize,
    /// Drawn parameters.
    pub swarm: Swarm,
    /// Simulated time at the end, ms.
    pub simulated_ms: u64,
    /// Events processed.
    pub events: u64,
    /// Messages accepted by `send`.
    pub messages_sent: u64,
    /// Deliveries across all nodes.
    pub deliveries: u64,
    /// Regular configurations installed across all nodes.
    pub installs: u64,
    /// Whether one ring of all nodes formed and drained after the faults stopped.
    pub converged: bool,
    /// ms from the end of faults to convergence.
    pub convergence_ms: Option<u64>,
    /// Guarantee violations (empty when correct).
    pub violations: Vec<String>,
}

struct SimNode {
    id: NodeId,
    node: Option<Node>,
    incarnation: u32,
    disk_ring_seq: u64,
    next_send_ms: u64,
    counter: u64,
    sent: u64,
}

/// A running simulation.
pub struct Simulation {
    options: Options,
    swarm: Swarm,
    prng: Prng,
    config: Config,
    nodes: Vec<SimNode>,
    nodelist: Vec<NodeId>,
    network: Network,
    checker: Checker,
    now_ms: u64,
    events: u64,
    deliveries: u64,
    installs: u64,
    messages_sent: u64,
    next_fault_ms: u64,
    sending: bool,
    healed: bool,
    /// Scripted fault: this node receives no data messages (tokens still arrive).
    data_blackhole: Option<usize>,
    /// JOINs recorded for a later replay as stale packets, with their sender's index.
    captured_joins: Option<Vec<(usize, Vec<u8>)>>,
    /// Regular configurations installed: (time, node, ring, members), the first
    /// [`INSTALL_LOG_MAX`].
    install_log: Vec<(u64, NodeId, totem::RingId, Vec<NodeId>)>,
}

/// Most installs kept in the install log.
const INSTALL_LOG_MAX: usize = 100_000;

/// Most JOINs [`Simulation::capture_joins`] records.
const CAPTURED_JOINS_MAX: usize = 512;

const EVENTS_MAX: u64 = 200_000_000;
/// A client stops offering messages while its node's send queue holds this many.
const CLIENT_QUEUE_MAX: usize = 64;
const STORED_MESSAGES_MAX: usize = 3 * 2048 + 64;

impl Simulation {
    /// Builds the cluster for `options`; every node starts at time 0.
    pub fn new(options: Options) -> Simulation {
        let mut prng = Prng::new(options.seed);
        let swarm = Swarm::draw(&mut prng, options.faults, options.adversarial);
        let mut config = Config::for_token(options.token_ms);
        // Some seeds use a tiny fail_recv_const so that the failed-to-receive path runs.
        if options.faults && prng.below(4) == 0 {
            config.fail_recv_const = 10;
        }
        // send_join jitter and miss_count_const vary across seeds too.
        config.jitter_seed = options.seed;
        if options.faults {
            if prng.below(3) == 0 {
                config.send_join_ms = prng.between(1, 40);
            }
            config.miss_count_const = [1, 5, 5, 10][prng.below(4) as usize];
        }
        let nodelist: Vec<NodeId> = (1..=options.nodes as u32).map(NodeId).collect();
        let network = Network::new(options.nodes, swarm.network.clone());
        let next_fault_ms = prng.between(0, swarm.fault_interval_ms.min(1 << 40) * 2);
        let mut sim = Simulation {
            nodes: nodelist
                .iter()
                .map(|id| SimNode {
                    id: *id,
                    node: None,
                    incarnation: 0,
                    disk_ring_seq: 0,
                    next_send_ms: 0,
                    counter: 0,
                    sent: 0,
                })
                .collect(),
            options,
            swarm,
            prng,
            config,
            nodelist,
            network,
            checker: Checker::default(),
            now_ms: 0,
            events: 0,
            deliveries: 0,
            installs: 0,
            messages_sent: 0,
            next_fault_ms,
            sending: true,
            healed: false,
            data_blackhole: None,
            captured_joins: None,
            install_log: Vec::new(),
        };
        for index in 0..sim.nodes.len() {
            sim.start_node(index);
        }
        sim
    }

    fn start_node(&mut self, index: usize) {
        let now = self.now_ms;
        let n = &mut self.nodes[index];
        let node = Node::new(
            self.config.clone(),
            n.id,
            &self.nodelist,
            n.disk_ring_seq,
            now,
        );
        let Ok(node) = node else {
            unreachable!("validated simulator config was rejected");
        };
        n.node = Some(node);
        n.next_send_ms = now + self.prng.between(1, self.swarm.send_interval_ms * 2);
        self.checker.start(Incarnation {
            node: n.id,
            number: n.incarnation,
        });
        self.drain(index);
    }

    fn stop_node(&mut self, index: usize, clean: bool) {
        if clean {
            let now = self.now_ms;
            if let Some(node) = self.nodes[index].node.as_mut() {
                node.leave(now);
            }
            self.drain(index);
        }
        let n = &mut self.nodes[index];
        if n.node.take().is_some() {
            self.checker.end(Incarnation {
                node: n.id,
                number: n.incarnation,
            });
            n.incarnation += 1;
        }
    }

    /// Routes every pending output of node `index`.
    fn drain(&mut self, index: usize) {
        let who = Incarnation {
            node: self.nodes[index].id,
            number: self.nodes[index].incarnation,
        };
        while let Some(output) = self.nodes[index].node.as_mut().and_then(Node::poll_output) {
            match output {
                Output::Transmit {
                    dest: Destination::All,
                    bytes,
                } => {
                    if let Some(captured) = self.captured_joins.as_mut() {
                        let is_join =
                            matches!(totem::decode(&bytes), Ok((_, totem::Message::Join(_))));
                        if is_join && captured.len() < CAPTURED_JOINS_MAX {
                            captured.push((index, bytes.clone()));
                        }
                    }
                    for to in 0..self.nodes.len() {
                        if to != index {
                            self.network
                                .send(&mut self.prng, self.now_ms, index, to, &bytes);
                        }
                    }
                }
                Output::Transmit {
                    dest: Destination::Node(id),
                    bytes,
                } => {
                    let to = id.0 as usize - 1;
                    self.network
                        .send(&mut self.prng, self.now_ms, index, to, &bytes);
                }
                Output::SetTimer { .. } | Output::CancelTimer { .. } => {}
                Output::Deliver(delivery) => {
                    self.deliveries += 1;
                    self.checker.delivered(self.now_ms, who, &delivery);
                }
                Output::ConfigurationChange(change) => {
                    if change.kind == totem::ConfigurationKind::Regular {
                        self.installs += 1;
                        if self.install_log.len() < INSTALL_LOG_MAX {
                            self.install_log.push((
                                self.now_ms,
                                who.node,
                                change.ring_id,
                                change.members.clone(),
                            ));
                        }
                    }
                    self.checker.configuration(self.now_ms, who, &change);
                }
                Output::PersistRingSeq(seq) => {
                    self.nodes[index].disk_ring_seq = seq;
                    self.checker.persisted(self.now_ms, who.node, seq);
                }
            }
        }
        if let Some(node) = &self.nodes[index].node {
            let stored = node.stored_messages();
            if stored > STORED_MESSAGES_MAX {
                let text = format!("limits: node {} holds {stored} messages", who.node);
                self.checker.record(self.now_ms, text);
            }
        }
    }

    /// Which kind of event comes next, and when.
    fn next_event(&self, fault_end_ms: u64) -> Option<(u64, Event)> {
        let mut best: Option<(u64, Event)> = None;
        let mut consider = |at: u64, event: Event| {
            if best.as_ref().is_none_or(|(t, _)| at < *t) {
                best = Some((at, event));
            }
        };
        if let Some(at) = self.network.next_at() {
            consider(at, Event::Packet);
        }
        for (index, n) in self.nodes.iter().enumerate() {
            if let Some(node) = &n.node {
                if let Some(at) = node.next_deadline() {
                    consider(at, Event::Timer(index));
                }
                if self.sending {
                    consider(n.next_send_ms, Event::Send(index));
                }
            }
        }
        if self.options.faults && self.next_fault_ms < fault_end_ms {
            consider(self.next_fault_ms, Event::Fault);
        }
        if !self.healed {
            consider(fault_end_ms, Event::Heal);
        }
        best
    }

    fn client_send(&mut self, index: usize) {
        let now = self.now_ms;
        let extra = self.prng.below(48) as usize;
        let n = &mut self.nodes[index];
        n.next_send_ms = now + self.prng.between(1, self.swarm.send_interval_ms * 2);
        let Some(node) = n.node.as_mut() else {
            return;
        };
        if node.send_queue_len() >= CLIENT_QUEUE_MAX {
            return; // the client applies backpressure, as a CPG client would on TRY_AGAIN
        }
        let id = (n.id.0, n.counter);
        let mut payload = message_id_bytes(id).to_vec();
        payload.extend((0..extra).map(|i| (i as u8) ^ (n.counter as u8)));
        // One message in five asks for safe delivery (brief §1 G5), the rest for agreed.
        let guarantee = if self.prng.below(5) == 0 {
            Guarantee::Safe
        } else {
            Guarantee::Agreed
        };
        if node.send_with(now, payload.clone(), guarantee).is_ok() {
            n.counter += 1;
            n.sent += 1;
            self.messages_sent += 1;
            self.checker.sent(
                Incarnation {
                    node: n.id,
                    number: n.incarnation,
                },
                id,
                payload,
            );
        }
        self.drain(index);
    }

    /// One random fault action (swarm weights).
    fn fault(&mut self) {
        let total: u64 = self.swarm.weights.iter().sum();
        self.next_fault_ms = self.now_ms + self.prng.between(1, self.swarm.fault_interval_ms * 2);
        if total == 0 {
            return;
        }
        let mut pick = self.prng.below(total);
        let mut action = 0;
        for (i, w) in self.swarm.weights.iter().enumerate() {
            if pick < *w {
                action = i;
                break;
            }
            pick -= w;
        }
        let n = self.nodes.len();
        let alive: Vec<usize> = (0..n).filter(|i| self.nodes[*i].node.is_some()).collect();
        let dead: Vec<usize> = (0..n).filter(|i| self.nodes[*i].node.is_none()).collect();
        match action {
            0 => {
                let groups_count = self.prng.between(2, 3.min(n as u64)) as usize;
                let mut groups = vec![Vec::new(); groups_count];
                for i in 0..n {
                    groups[self.prng.below(groups_count as u64) as usize].push(i);
                }
                self.network.partition(&groups);
            }
            1 => self.network.heal(),
            2 | 4 if !alive.is_empty() => {
                let victim = alive[self.prng.below(alive.len() as u64) as usize];
                self.stop_node(victim, action == 4);
            }
            3 if !dead.is_empty() => {
                let index = dead[self.prng.below(dead.len() as u64) as usize];
                self.start_node(index);
            }
            5 => {
                let from = self.prng.below(n as u64) as usize;
                let to = self.prng.below(n as u64) as usize;
                if from != to {
                    self.network.cut_one_way(from, to);
                }
            }
            _ => {}
        }
    }

    /// End of faults: heal the network, restart every stopped node.
    fn heal(&mut self) {
        self.healed = true;
        self.network.heal();
        self.network.faults = NetworkFaults {
            loss: 0.0,
            duplication: 0.0,
            clog: 0.0,
            ..self.swarm.network.clone()
        };
        for index in 0..self.nodes.len() {
            if self.nodes[index].node.is_none() {
                self.start_node(index);
            }
        }
    }

    /// One ring of every node, nothing queued, and the same deliveries in it everywhere.
    fn converged(&self) -> bool {
        let mut ring = None;
        for n in &self.nodes {
            let Some(node) = &n.node else {
                return false;
            };
            if node.state() != State::Operational
                || node.members() != self.nodelist.as_slice()
                || node.send_queue_len() > 0
            {
                return false;
            }
            if ring.is_some_and(|r| r != node.ring_id()) {
                return false;
            }
            ring = Some(node.ring_id());
        }
        let counts: Vec<usize> = self
            .nodes
            .iter()
            .map(|n| {
                self.checker.current_segment_len(Incarnation {
                    node: n.id,
                    number: n.incarnation,
                })
            })
            .collect();
        counts.windows(2).all(|w| w[0] == w[1]) && self.network.in_flight() == 0
            || counts.windows(2).all(|w| w[0] == w[1])
                && self.checker.all_own_delivered(&self.current_incarnations())
    }

    fn current_incarnations(&self) -> Vec<Incarnation> {
        self.nodes
            .iter()
            .filter(|n| n.node.is_some())
            .map(|n| Incarnation {
                node: n.id,
                number: n.incarnation,
            })
            .collect()
    }

    /// Processes one event at time `at`.
    fn step(&mut self, at: u64, event: Event) {
        debug_assert!(at >= self.now_ms);
        self.now_ms = at;
        self.events += 1;
        match event {
            Event::Packet => {
                if let Some(datagram) = self.network.pop() {
                    if self.data_blackhole == Some(datagram.to)
                        && matches!(
                            totem::decode(&datagram.bytes),
                            Ok((_, totem::Message::Mcast(_)))
                        )
                    {
                        return;
                    }
                    let from = self.nodes[datagram.from].id;
                    let now = self.now_ms;
                    if let Some(node) = self.nodes[datagram.to].node.as_mut() {
                        node.handle_packet(now, from, &datagram.bytes);
                        self.drain(datagram.to);
                    }
                }
            }
            Event::Timer(index) => {
                let now = self.now_ms;
                if let Some(node) = self.nodes[index].node.as_mut() {
                    node.handle_timeouts(now);
                }
                self.drain(index);
            }
            Event::Send(index) => self.client_send(index),
            Event::Fault => self.fault(),
            Event::Heal => self.heal(),
        }
        self.check_agreement();
    }

    /// Membership agreement among the operational nodes, after every event.
    fn check_agreement(&mut self) {
        let views: Vec<(NodeId, totem::RingId, Vec<NodeId>)> = self
            .nodes
            .iter()
            .filter_map(|n| n.node.as_ref())
            .filter(|node| node.state() == State::Operational)
            .map(|node| (node.id(), node.ring_id(), node.members().to_vec()))
            .collect();
        self.checker.agreement(self.now_ms, &views);
    }

    /// A cluster for scripted scenario tests: no random faults and no background workload;
    /// the test drives time, sends, crashes and partitions itself.
    pub fn scripted(nodes: usize, seed: u64, token_ms: u64, network: NetworkFaults) -> Simulation {
        let mut options = Options::new(seed, nodes);
        options.token_ms = token_ms;
        options.faults = false;
        let mut sim = Simulation::new(options);
        sim.sending = false;
        sim.healed = true;
        sim.swarm.network = network.clone();
        sim.network.faults = network;
        sim
    }

    /// Current simulated time in ms.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Processes every event up to and including `until_ms`.
    pub fn run_until(&mut self, until_ms: u64) {
        while self.events < EVENTS_MAX {
            match self.next_event(0) {
                Some((at, event)) if at <= until_ms => self.step(at, event),
                _ => break,
            }
        }
        self.now_ms = self.now_ms.max(until_ms);
    }

    /// Runs until `condition` holds (checked after every event) or `until_ms`; returns the
    /// time it first held.
    pub fn run_until_condition(
        &mut self,
        until_ms: u64,
        condition: impl Fn(&Simulation) -> bool,
    ) -> Option<u64> {
        while self.events < EVENTS_MAX {
            if condition(self) {
                return Some(self.now_ms);
            }
            match self.next_event(0) {
                Some((at, event)) if at <= until_ms => self.step(at, event),
                _ => break,
            }
        }
        condition(self).then_some(self.now_ms)
    }

    /// Node `index` (0-based; node id `index + 1`) sends `count` messages now.
    pub fn send(&mut self, index: usize, count: usize) {
        for _ in 0..count {
            self.client_send(index);
        }
    }

    /// Crashes node `index` (no goodbye).
    pub fn crash(&mut self, index: usize) {
        self.stop_node(index, false);
    }

    /// Cleanly stops node `index` (it announces its departure).
    pub fn leave(&mut self, index: usize) {
        self.stop_node(index, true);
    }

    /// Restarts node `index` with its persisted ring seq.
    pub fn restart(&mut self, index: usize) {
        if self.nodes[index].node.is_none() {
            self.start_node(index);
        }
    }

    /// Splits the network into `groups` of node indices.
    pub fn partition(&mut self, groups: &[Vec<usize>]) {
        self.network.partition(groups);
    }

    /// Node `index` stops (or, with `None`, resumes) receiving data messages; tokens and
    /// membership messages still reach it.
    pub fn blackhole_data_to(&mut self, index: Option<usize>) {
        self.data_blackhole = index;
    }

    /// Reconnects the network.
    pub fn heal_network(&mut self) {
        self.network.heal();
    }

    /// Cuts the direction `from` → `to` only (an asymmetric link); `heal_network` restores it.
    pub fn cut_link(&mut self, from: usize, to: usize) {
        self.network.cut_one_way(from, to);
    }

    /// Starts (or restarts) recording every JOIN multicast from now on.
    pub fn capture_joins(&mut self) {
        self.captured_joins = Some(Vec::new());
    }

    /// Stops recording and re-sends every recorded JOIN now, to every other node, as a
    /// network that held them back would; returns how many were replayed.
    pub fn replay_captured_joins(&mut self) -> usize {
        let captured = self.captured_joins.take().unwrap_or_default();
        let now = self.now_ms;
        for (from, bytes) in &captured {
            for to in 0..self.nodes.len() {
                if to != *from {
                    self.network.send(&mut self.prng, now, *from, to, bytes);
                }
            }
        }
        captured.len()
    }

    /// Node `index`'s state, ring and members, if it runs.
    pub fn node_view(&self, index: usize) -> Option<(State, totem::RingId, Vec<NodeId>)> {
        self.nodes[index]
            .node
            .as_ref()
            .map(|n| (n.state(), n.ring_id(), n.members().to_vec()))
    }

    /// Node `index`'s protocol counters, if it runs.
    pub fn node_stats(&self, index: usize) -> Option<totem::Stats> {
        self.nodes[index].node.as_ref().map(|n| n.stats().clone())
    }

    /// The persisted ring seq of node `index`.
    pub fn persisted_ring_seq(&self, index: usize) -> u64 {
        self.nodes[index].disk_ring_seq
    }

    /// Whether the nodes at `indices` are operational in one ring whose members are exactly them.
    pub fn ring_of(&self, indices: &[usize]) -> bool {
        let expected: Vec<NodeId> = indices.iter().map(|i| self.nodes[*i].id).collect();
        let views: Vec<_> = indices.iter().map(|i| self.node_view(*i)).collect();
        views.iter().all(|v| {
            v.as_ref().is_some_and(|(state, ring, members)| {
                *state == State::Operational
                    && *members == expected
                    && Some(*ring) == views[0].as_ref().map(|x| x.1)
            })
        })
    }

    /// Ends a scripted run: whole-history checks with the running nodes as survivors (when
    /// `converged`), returning every violation.
    pub fn finish(mut self, converged: bool) -> Vec<String> {
        let survivors = if converged {
            self.current_incarnations()
        } else {
            Vec::new()
        };
        self.checker.finish(self.now_ms, &survivors);
        self.checker.violations().to_vec()
    }

    /// Violations found so far by the per-output checks.
    pub fn violations(&self) -> &[String] {
        self.checker.violations()
    }

    /// Regular configurations installed since `since_ms`: (time, node, ring, members).
    pub fn installs_since(&self, since_ms: u64) -> Vec<(u64, NodeId, totem::RingId, Vec<NodeId>)> {
        self.install_log
            .iter()
            .filter(|(at, ..)| *at >= since_ms)
            .cloned()
            .collect()
    }

    /// Regular configurations installed so far, over all nodes.
    pub fn installs(&self) -> u64 {
        self.installs
    }

    /// Messages accepted by `send` so far, over all nodes.
    pub fn messages_sent(&self) -> u64 {
        self.messages_sent
    }

    /// Deliveries so far, over all nodes.
    pub fn deliveries(&self) -> u64 {
        self.deliveries
    }

    /// Runs the whole scenario and checks the guarantees.
    pub fn run(mut self) -> Report {
        let fault_end_ms = if self.options.faults {
            self.options.fault_ms
        } else {
            0
        };
        let send_end_ms = fault_end_ms + 2 * self.options.token_ms;
        let deadline_ms = fault_end_ms + self.options.liveness_ms_max;
        let mut converged_at = None;
        let mut next_convergence_check = fault_end_ms;
        if !self.options.faults {
            self.heal();
        }
        while self.events < EVENTS_MAX && self.checker.violations().is_empty() {
            let Some((at, event)) = self.next_event(fault_end_ms) else {
                break;
            };
            if at > deadline_ms {
                break;
            }
            self.step(at, event);
            if self.now_ms >= send_end_ms {
                self.sending = false;
            }
            if !self.sending && self.now_ms >= next_convergence_check {
                next_convergence_check = self.now_ms + 20;
                if self.converged() {
                    converged_at = Some(self.now_ms);
                    break;
                }
            }
        }
        let survivors = if converged_at.is_some() {
            self.current_incarnations()
        } else {
            Vec::new()
        };
        self.checker.finish(self.now_ms, &survivors);
        let mut violations = self.checker.violations().to_vec();
        if converged_at.is_none() && violations.is_empty() {
            let states: Vec<String> = self
                .nodes
                .iter()
                .map(|n| match &n.node {
                    Some(node) => format!(
                        "{}:{:?}@{}{:?} queued={} delivered_in_ring={}",
                        n.id,
                        node.state(),
                        node.ring_id(),
                        node.members().iter().map(|m| m.0).collect::<Vec<_>>(),
                        node.send_queue_len(),
                        self.checker.current_segment_len(Incarnation {
                            node: n.id,
                            number: n.incarnation
                        })
                    ),
                    None => format!("{}:down", n.id),
                })
                .collect();
            violations.push(format!(
                "liveness: no single ring of all nodes within {} ms after faults stopped: {}",
                self.options.liveness_ms_max,
                states.join(" ")
            ));
        }
        Report {
            seed: self.options.seed,
            nodes: self.options.nodes,
            swarm: self.swarm,
            simulated_ms: self.now_ms,
            events: self.events,
            messages_sent: self.messages_sent,
            deliveries: self.deliveries,
            installs: self.installs,
            converged: converged_at.is_some(),
            convergence_ms: converged_at.map(|at| at.saturating_sub(fault_end_ms)),
            violations,
        }
    }
}

/// The kinds of simulator event.
#[derive(Clone, Copy, Debug)]
enum Event {
    Packet,
    Timer(usize),
    Send(usize),
    Fault,
    Heal,
}
