//! Checks the Totem guarantees (brief §1, G1–G9) on the streams of deliveries and
//! configuration changes the simulated nodes emit. It sits outside the code under test:
//! it sees only [`totem::Output`]s and what the clients sent.
//!
//! Cheap checks run on every output as it is emitted; checks that need the whole history of
//! every node (no gaps, virtual synchrony, completeness) run in [`Checker::finish`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use totem::{ConfigurationChange, ConfigurationKind, Delivery, NodeId, RingId};

/// Identifies one run of one node: a restart starts a new incarnation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Incarnation {
    /// The node.
    pub node: NodeId,
    /// Restart count, from 0.
    pub number: u32,
}

/// A client message's identity, carried in the first 16 payload bytes.
pub type MessageId = (u32, u64);

/// One configuration a node went through and what it delivered in it.
#[derive(Clone, Debug)]
struct Segment {
    change: ConfigurationChange,
    delivered: Vec<MessageId>,
}

#[derive(Debug, Default)]
struct Stream {
    segments: Vec<Segment>,
    delivered: BTreeSet<MessageId>,
    last_key: Option<(u64, u32)>,
    /// Last regular configuration installed.
    regular: Option<ConfigurationChange>,
    /// The incarnation crashed or left (its last segment has no successor).
    ended: bool,
}

#[derive(Clone, Debug)]
struct Sent {
    sender: Incarnation,
    payload: Vec<u8>,
}

/// Records every stream and reports violations.
#[derive(Debug, Default)]
pub struct Checker {
    streams: BTreeMap<Incarnation, Stream>,
    sent: HashMap<MessageId, Sent>,
    /// Where each message was ordered: (ring, seq).
    order: HashMap<MessageId, (RingId, u32)>,
    slots: HashMap<(RingId, u32), MessageId>,
    /// Messages per ring, by seq, with their sender.
    ring_messages: HashMap<RingId, BTreeMap<u32, (MessageId, NodeId)>>,
    ring_members: HashMap<RingId, Vec<NodeId>>,
    persisted: HashMap<NodeId, u64>,
    highest_installed: HashMap<NodeId, u64>,
    violations: Vec<String>,
}

/// Encodes a client message id into the first 16 bytes of a payload.
pub fn message_id_bytes(id: MessageId) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&u64::from(id.0).to_be_bytes());
    out[8..].copy_from_slice(&id.1.to_be_bytes());
    out
}

fn message_id(payload: &[u8]) -> Option<MessageId> {
    let node = u64::from_be_bytes(payload.get(..8)?.try_into().ok()?);
    let counter = u64::from_be_bytes(payload.get(8..16)?.try_into().ok()?);
    Some((u32::try_from(node).ok()?, counter))
}

impl Checker {
    /// Violations found so far.
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    fn violation(&mut self, now_ms: u64, text: String) {
        if self.violations.len() < 20 {
            self.violations.push(format!("t={now_ms}ms {text}"));
        }
    }

    /// Records a violation found by the simulator itself (for example a limit exceeded).
    pub fn record(&mut self, now_ms: u64, text: String) {
        self.violation(now_ms, text);
    }

    /// Deliveries of `who` in its current configuration.
    pub fn current_segment_len(&self, who: Incarnation) -> usize {
        self.streams
            .get(&who)
            .and_then(|s| s.segments.last())
            .map_or(0, |s| s.delivered.len())
    }

    /// Whether each of `who` delivered every message it sent.
    pub fn all_own_delivered(&self, who: &[Incarnation]) -> bool {
        self.sent.iter().all(|(id, sent)| {
            !who.contains(&sent.sender)
                || self
                    .streams
                    .get(&sent.sender)
                    .is_some_and(|s| s.delivered.contains(id))
        })
    }

    /// A new incarnation starts.
    pub fn start(&mut self, who: Incarnation) {
        self.streams.entry(who).or_default();
    }

    /// The incarnation crashed or left.
    pub fn end(&mut self, who: Incarnation) {
        if let Some(stream) = self.streams.get_mut(&who) {
            stream.ended = true;
        }
    }

    /// A client handed `payload` to `sender`'s `send`, which accepted it.
    pub fn sent(&mut self, sender: Incarnation, id: MessageId, payload: Vec<u8>) {
        self.sent.insert(id, Sent { sender, payload });
    }

    /// The node asked to persist a ring seq.
    pub fn persisted(&mut self, now_ms: u64, node: NodeId, seq: u64) {
        let previous = self.persisted.insert(node, seq).unwrap_or(0);
        if seq < previous {
            self.violation(
                now_ms,
                format!("G9: node {node} persisted ring seq {seq} after {previous}"),
            );
        }
    }

    /// G1, G3, G8 on one delivery.
    pub fn delivered(&mut self, now_ms: u64, who: Incarnation, delivery: &Delivery) {
        let Some(id) = message_id(&delivery.payload) else {
            self.violation(
                now_ms,
                format!("G1: {who:?} delivered a message no client sent"),
            );
            return;
        };
        match self.sent.get(&id) {
            None => self.violation(now_ms, format!("G1: {who:?} delivered {id:?}, never sent")),
            Some(sent)
                if sent.payload != delivery.payload || sent.sender.node != delivery.sender =>
            {
                self.violation(
                    now_ms,
                    format!("G1: {who:?} delivered {id:?} with wrong bytes or sender"),
                )
            }
            Some(_) => {}
        }
        let slot = (delivery.ring_id, delivery.seq);
        match self.order.get(&id) {
            Some(previous) if *previous != slot => self.violation(
                now_ms,
                format!("G3: {id:?} ordered at {slot:?} by {who:?} but at {previous:?} elsewhere"),
            ),
            _ => {
                self.order.insert(id, slot);
            }
        }
        match self.slots.get(&slot) {
            Some(other) if *other != id => self.violation(
                now_ms,
                format!("G3: slot {slot:?} holds {id:?} at {who:?} but {other:?} elsewhere"),
            ),
            _ => {
                self.slots.insert(slot, id);
            }
        }
        self.ring_messages
            .entry(delivery.ring_id)
            .or_default()
            .insert(delivery.seq, (id, delivery.sender));
        let Some(stream) = self.streams.get_mut(&who) else {
            return;
        };
        let mut problems = Vec::new();
        if !stream.delivered.insert(id) {
            problems.push(format!("G1: {who:?} delivered {id:?} twice"));
        }
        let key = (delivery.ring_id.seq, delivery.seq);
        if stream.last_key.is_some_and(|last| last >= key) {
            problems.push(format!(
                "G3: {who:?} delivered {key:?} after {:?}",
                stream.last_key
            ));
        }
        stream.last_key = Some(key);
        let context = match (stream.segments.last(), &stream.regular) {
            (None, _) | (_, None) => None,
            (Some(segment), Some(regular)) => Some(match segment.change.kind {
                ConfigurationKind::Regular => {
                    (segment.change.ring_id, segment.change.members.clone())
                }
                ConfigurationKind::Transitional => {
                    // Old-ring messages: ordered on the previous regular ring.
                    match stream.segments.iter().rev().nth(1).map(|s| &s.change) {
                        Some(change) => (change.ring_id, change.members.clone()),
                        None => (regular.ring_id, regular.members.clone()),
                    }
                }
            }),
        };
        match context {
            None => problems.push(format!("{who:?} delivered before any configuration")),
            Some((ring, members)) => {
                if delivery.ring_id != ring {
                    problems.push(format!(
                        "{who:?} delivered a message of ring {} in configuration of ring {ring}",
                        delivery.ring_id
                    ));
                }
                if !members.contains(&delivery.sender) {
                    problems.push(format!(
                        "G8: {who:?} delivered from {} outside configuration {ring}",
                        delivery.sender
                    ));
                }
                if let Some(segment) = stream.segments.last_mut() {
                    segment.delivered.push(id);
                }
            }
        }
        for p in problems {
            self.violation(now_ms, p);
        }
    }

    /// G7, G9 and stream shape on one configuration change.
    pub fn configuration(&mut self, now_ms: u64, who: Incarnation, change: &ConfigurationChange) {
        let mut problems = Vec::new();
        if !change.members.contains(&who.node) {
            problems.push(format!(
                "{who:?} installed {} without itself",
                change.ring_id
            ));
        }
        let Some(stream) = self.streams.get_mut(&who) else {
            return;
        };
        let last_kind = stream.segments.last().map(|s| s.change.kind);
        match change.kind {
            ConfigurationKind::Regular => {
                if let Some(previous) = &stream.regular {
                    if change.ring_id.seq <= previous.ring_id.seq {
                        problems.push(format!(
                            "G9: {who:?} installed ring {} after {}",
                            change.ring_id, previous.ring_id
                        ));
                    }
                    if last_kind != Some(ConfigurationKind::Transitional) {
                        problems.push(format!(
                            "{who:?} installed regular {} without a transitional",
                            change.ring_id
                        ));
                    }
                }
                if let Some(last) = stream.segments.last() {
                    if last.change.kind == ConfigurationKind::Transitional
                        && last.change.ring_id != change.ring_id
                    {
                        problems.push(format!(
                            "{who:?} transitional {} then regular {}",
                            last.change.ring_id, change.ring_id
                        ));
                    }
                }
                stream.regular = Some(change.clone());
                let highest = self.highest_installed.entry(who.node).or_insert(0);
                if change.ring_id.seq <= *highest {
                    problems.push(format!(
                        "G9: node {} installed ring seq {} after {}",
                        who.node, change.ring_id.seq, highest
                    ));
                }
                *highest = change.ring_id.seq;
                if self.persisted.get(&who.node).copied().unwrap_or(0) < change.ring_id.seq {
                    problems.push(format!(
                        "G9: {who:?} installed {} before persisting it",
                        change.ring_id
                    ));
                }
                match self.ring_members.get(&change.ring_id) {
                    Some(members) if *members != change.members => problems.push(format!(
                        "G7: ring {} has members {:?} at {who:?} but {members:?} elsewhere",
                        change.ring_id, change.members
                    )),
                    _ => {
                        self.ring_members
                            .insert(change.ring_id, change.members.clone());
                    }
                }
            }
            ConfigurationKind::Transitional => {
                if last_kind != Some(ConfigurationKind::Regular) {
                    problems.push(format!(
                        "{who:?} transitional {} not after a regular",
                        change.ring_id
                    ));
                }
                if let Some(previous) = &stream.regular {
                    if !change.members.iter().all(|m| previous.members.contains(m)) {
                        problems.push(format!(
                            "{who:?} transitional {:?} not within {:?}",
                            change.members, previous.members
                        ));
                    }
                }
            }
        }
        stream.segments.push(Segment {
            change: change.clone(),
            delivered: Vec::new(),
        });
        for p in problems {
            self.violation(now_ms, p);
        }
    }

    /// Membership agreement among operational nodes (G7 across rings): two nodes that are
    /// each in the other's installed ring are in the same ring. A node that helped form a ring
    /// has left its previous one for good, so two different operational rings may overlap
    /// one-sidedly (a node dropped by the others has not noticed yet) but never both ways.
    /// `views` holds every operational node's installed ring and members.
    pub fn agreement(&mut self, now_ms: u64, views: &[(NodeId, RingId, Vec<NodeId>)]) {
        let mut problems = Vec::new();
        for (i, (p, ring_p, members_p)) in views.iter().enumerate() {
            for (q, ring_q, members_q) in &views[i + 1..] {
                if ring_p != ring_q && members_p.contains(q) && members_q.contains(p) {
                    problems.push(format!(
                        "G7: node {p} is operational in {ring_p} {members_p:?} and node {q} in {ring_q} {members_q:?}, each with the other"
                    ));
                }
            }
        }
        for p in problems {
            self.violation(now_ms, p);
        }
    }

    /// Whole-history checks (G2, G4, G6 and completeness). `survivors` are the incarnations
    /// alive at the end of a converged run (empty if the run did not converge).
    pub fn finish(&mut self, now_ms: u64, survivors: &[Incarnation]) {
        let mut problems = Vec::new();
        self.check_virtual_synchrony(&mut problems);
        self.check_gaps(&mut problems, survivors);
        for who in survivors {
            let Some(stream) = self.streams.get(who) else {
                continue;
            };
            for (id, sent) in &self.sent {
                if sent.sender == *who && !stream.delivered.contains(id) {
                    problems.push(format!("G2: {who:?} never delivered its own {id:?}"));
                    break;
                }
            }
        }
        for p in problems {
            self.violation(now_ms, p);
        }
    }

    /// G6: two nodes that install the same configuration and then the same next one delivered
    /// the same messages in it.
    fn check_virtual_synchrony(&self, problems: &mut Vec<String>) {
        type Key = (ConfigurationKind, RingId, Vec<NodeId>);
        let key = |c: &ConfigurationChange| -> Key { (c.kind, c.ring_id, c.members.clone()) };
        let mut seen: HashMap<(Key, Key), (Incarnation, &Vec<MessageId>)> = HashMap::new();
        for (who, stream) in &self.streams {
            for pair in stream.segments.windows(2) {
                let k = (key(&pair[0].change), key(&pair[1].change));
                match seen.get(&k) {
                    Some((other, delivered)) if **delivered != pair[0].delivered => {
                        problems.push(format!(
                            "G6: {who:?} and {other:?} delivered different messages in {} {:?} before {} {:?}",
                            pair[0].change.ring_id, pair[0].change.kind, pair[1].change.ring_id, pair[1].change.kind
                        ));
                    }
                    Some(_) => {}
                    None => {
                        seen.insert(k, (*who, &pair[0].delivered));
                    }
                }
            }
        }
    }

    /// G4 and completeness: in a regular configuration no gaps; in a transitional one, gaps
    /// only for senders outside it; every message of a sender that moved on with a node, or
    /// of its still-current ring at the end of a converged run, is delivered by it.
    fn check_gaps(&self, problems: &mut Vec<String>, survivors: &[Incarnation]) {
        for (who, stream) in &self.streams {
            let mut index = 0;
            while index < stream.segments.len() {
                let segment = &stream.segments[index];
                if segment.change.kind != ConfigurationKind::Regular {
                    index += 1;
                    continue;
                }
                let ring = segment.change.ring_id;
                let regular_delivered: BTreeSet<&MessageId> = segment.delivered.iter().collect();
                let trans = stream
                    .segments
                    .get(index + 1)
                    .filter(|s| s.change.kind == ConfigurationKind::Transitional);
                let trans_delivered: BTreeSet<&MessageId> = trans
                    .map(|t| t.delivered.iter().collect())
                    .unwrap_or_default();
                let Some(all) = self.ring_messages.get(&ring) else {
                    index += 1;
                    continue;
                };
                let max_regular = segment
                    .delivered
                    .iter()
                    .filter_map(|id| self.order.get(id))
                    .map(|(_, s)| *s)
                    .max()
                    .unwrap_or(0);
                let is_last = index + 1 == stream.segments.len();
                let survivor = is_last && survivors.contains(who);
                for (seq, (id, sender)) in all {
                    let got = regular_delivered.contains(id) || trans_delivered.contains(id);
                    if got {
                        continue;
                    }
                    if *seq < max_regular {
                        problems.push(format!(
                            "G4: {who:?} skipped {id:?} (seq {seq}) in regular ring {ring}"
                        ));
                        break;
                    }
                    if let Some(t) = trans {
                        if t.change.members.contains(sender) {
                            problems.push(format!(
                                "EVS: {who:?} missed {id:?} of ring {ring} from {sender}, who moved on with it"
                            ));
                            break;
                        }
                    } else if survivor {
                        problems.push(format!("completeness: survivor {who:?} never delivered {id:?} of its ring {ring}"));
                        break;
                    }
                }
                index += 1;
            }
        }
    }
}
