//! The thin socket layer: non-blocking UDP sockets per ring, sending to all
//! peers or one, receiving and checking packets, ring probes and faults.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use corosync_conf::RingMode;
use socket2::{Domain, Protocol, Socket, Type};

use crate::drop_log::DropLog;
use crate::error::TransportError;
use crate::limits;
use crate::mmsg::{self, RecvBatch};
use crate::packet::{cluster_tag, parse_header, Kind, Opener, PacketKey, Sealer};
use crate::ring::{RingEvent, RingMonitor};
use crate::setup::{Mode, NodeId, TransportConfig};
use crate::stats::Stats;

/// Where to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    /// Every other node (the multicast group in mode `udp`).
    All,
    /// One node.
    Node(NodeId),
}

/// A delivered packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Sending node (authenticated when crypto is on).
    pub from: NodeId,
    /// Ring it arrived on.
    pub ring: u8,
    /// The payload.
    pub payload: Vec<u8>,
}

/// One ring's state, for `cfgtool -s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingStatus {
    /// Ring number.
    pub number: u8,
    /// Local address and port.
    pub local: SocketAddr,
    /// True when marked FAULTY.
    pub faulty: bool,
    /// Peers heard on this ring recently, by node id.
    pub reachable: Vec<NodeId>,
    /// Peers configured (or learned) on this ring.
    pub peers: Vec<NodeId>,
}

impl RingStatus {
    /// corosync 2 style status text: `active with no faults` or `FAULTY`.
    pub fn describe(&self) -> &'static str {
        if self.faulty {
            "FAULTY"
        } else {
            "active with no faults"
        }
    }
}

struct RingSockets {
    number: u8,
    local: SocketAddr,
    /// Bound to the local address: sends, and receives unicast.
    unicast: UdpSocket,
    /// Bound to the group (mode `udp`): receives multicast.
    group_rx: Option<UdpSocket>,
    /// Where `Dest::All` goes in mode `udp`.
    group: Option<SocketAddr>,
    /// Peer node → address on this ring.
    peers: HashMap<NodeId, SocketAddr>,
    /// Source address → node, for the unlisted-address check.
    by_addr: HashMap<IpAddr, NodeId>,
    last_tx: Instant,
    last_probe: Instant,
}

/// Wall-clock nanoseconds since 1970: a good sender epoch (it grows across restarts).
pub fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(1)
}

/// The sender epoch for this start, kept monotonic across restarts even if
/// the wall clock steps back: `max(epoch_now(), last stored + 1)`, stored in
/// `state_file` (written to a temporary file, synced, renamed) before use.
/// Peers refuse packets from an epoch lower than one they saw, so a node
/// whose epoch went backwards could not rejoin until they restart.
pub fn next_epoch(state_file: &std::path::Path) -> Result<u64, TransportError> {
    use std::io::Write;
    let err = |what: &str, e: std::io::Error| TransportError::Epoch {
        path: state_file.display().to_string(),
        reason: format!("{what}: {e}"),
    };
    let stored = match std::fs::read_to_string(state_file) {
        Ok(text) => text.trim().parse::<u64>().ok(),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(err("read", e)),
    };
    let epoch = stored.map_or(0, |s| s.saturating_add(1)).max(epoch_now());
    let tmp = state_file.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| err("create", e))?;
    file.write_all(format!("{epoch}\n").as_bytes())
        .map_err(|e| err("write", e))?;
    file.sync_all().map_err(|e| err("sync", e))?;
    std::fs::rename(&tmp, state_file).map_err(|e| err("rename", e))?;
    Ok(epoch)
}

/// Reads an authkey file and checks its size.
pub fn read_authkey(path: &std::path::Path) -> Result<Vec<u8>, TransportError> {
    let err = |reason: String| TransportError::Key {
        path: path.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
    let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    if !limits::AUTHKEY_SIZE.contains(&len) {
        return Err(err(format!(
            "size {len} bytes is outside {}..={}",
            limits::AUTHKEY_SIZE.start(),
            limits::AUTHKEY_SIZE.end()
        )));
    }
    std::fs::read(path).map_err(|e| err(e.to_string()))
}

fn socket_err(addr: SocketAddr) -> impl Fn(std::io::Error) -> TransportError {
    move |source| TransportError::Socket { addr, source }
}

fn bind_udp(addr: SocketAddr, reuse: bool) -> Result<Socket, TransportError> {
    let e = socket_err(addr);
    let socket =
        Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP)).map_err(&e)?;
    if reuse {
        socket.set_reuse_address(true).map_err(&e)?;
    }
    socket.set_nonblocking(true).map_err(&e)?;
    // Room for bursts of full-size packets; the kernel caps it anyway.
    let _ = socket.set_recv_buffer_size(4 << 20);
    let _ = socket.set_send_buffer_size(4 << 20);
    socket.bind(&addr.into()).map_err(&e)?;
    Ok(socket)
}

/// The UDP transport of one node.
pub struct Transport {
    config: TransportConfig,
    rings: Vec<RingSockets>,
    sealer: Sealer,
    opener: Opener,
    monitor: RingMonitor,
    stats: Stats,
    drop_log: DropLog,
    out: Vec<u8>,
    next_passive: usize,
    recv_cursor: usize,
    /// Datagrams of the last receive call not yet examined: the batch, its ring, next index.
    rx: RecvBatch,
    rx_ring: usize,
    rx_next: usize,
    /// Sealed packets waiting for [`Transport::flush`], in order: bytes in `tx_bufs`.
    tx_queue: Vec<(usize, SocketAddr, usize)>,
    tx_bufs: Vec<Vec<u8>>,
    tx_used: usize,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("my_node", &self.config.my_node)
            .field("mode", &self.config.mode)
            .field("rings", &self.rings.len())
            .finish()
    }
}

impl Transport {
    /// Opens and binds every ring's sockets (non-blocking). `authkey` is
    /// required when `config.secure`; `epoch` must grow across restarts of
    /// this node ([`epoch_now`]).
    pub fn new(
        config: TransportConfig,
        authkey: Option<&[u8]>,
        epoch: u64,
    ) -> Result<Self, TransportError> {
        let key = match (config.secure, authkey) {
            (true, Some(k)) => Some(PacketKey::derive(k, &config.cluster_name)),
            (true, None) => {
                return Err(TransportError::Key {
                    path: config.keyfile.display().to_string(),
                    reason: "crypto is on but no authkey was given".to_string(),
                })
            }
            (false, _) => None,
        };
        let now = Instant::now();
        let mut rings = Vec::new();
        for ring in &config.rings {
            let local = SocketAddr::new(ring.local, ring.port);
            // Exclusive, so a second daemon on the same address fails loudly;
            // only broadcast needs sharing (its receive socket binds 0.0.0.0).
            let shared = ring.multicast.as_ref().is_some_and(|m| m.broadcast);
            let unicast = bind_udp(local, shared)?;
            let mut group_rx = None;
            let mut group = None;
            if let Some(m) = &ring.multicast {
                let group_addr = SocketAddr::new(m.group, ring.port);
                let e = socket_err(group_addr);
                match (m.group, ring.local) {
                    (IpAddr::V4(g), IpAddr::V4(l)) if !m.broadcast => {
                        unicast.set_multicast_if_v4(&l).map_err(&e)?;
                        unicast.set_multicast_ttl_v4(m.ttl).map_err(&e)?;
                        unicast.set_multicast_loop_v4(m.loopback).map_err(&e)?;
                        let rx = bind_udp(group_addr, true)?;
                        rx.join_multicast_v4(&g, &l).map_err(&e)?;
                        group_rx = Some(rx.into());
                    }
                    (IpAddr::V4(_), IpAddr::V4(_)) => {
                        unicast.set_broadcast(true).map_err(&e)?;
                        let any =
                            SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), ring.port);
                        group_rx = Some(bind_udp(any, true)?.into());
                    }
                    (IpAddr::V6(g), _) => {
                        unicast.set_multicast_hops_v6(m.ttl).map_err(&e)?;
                        unicast.set_multicast_loop_v6(m.loopback).map_err(&e)?;
                        let rx = bind_udp(group_addr, true)?;
                        rx.join_multicast_v6(&g, 0).map_err(&e)?;
                        group_rx = Some(rx.into());
                    }
                    _ => {
                        return Err(TransportError::Config(format!(
                            "ring {}: group {} and local address {} are of different families",
                            ring.number, m.group, ring.local
                        )))
                    }
                }
                group = Some(group_addr);
            }
            let mut peers = HashMap::new();
            let mut by_addr = HashMap::new();
            for p in &config.peers {
                if let Some(addr) = p.addrs.get(&ring.number) {
                    peers.insert(p.node, SocketAddr::new(*addr, ring.port));
                    by_addr.insert(*addr, p.node);
                }
            }
            tracing::info!("ring {} bound to {local}", ring.number);
            rings.push(RingSockets {
                number: ring.number,
                local,
                unicast: unicast.into(),
                group_rx,
                group,
                peers,
                by_addr,
                last_tx: now,
                last_probe: now,
            });
        }
        let tag = cluster_tag(&config.cluster_name);
        let numbers: Vec<u8> = rings.iter().map(|r| r.number).collect();
        Ok(Transport {
            sealer: Sealer::new(key.clone(), tag, config.my_node, epoch),
            opener: Opener::new(key, tag, config.my_node),
            monitor: RingMonitor::new(&numbers, config.fault_after, now),
            config,
            rings,
            stats: Stats::default(),
            drop_log: DropLog::default(),
            out: Vec::with_capacity(limits::MAX_DATAGRAM),
            next_passive: 0,
            recv_cursor: 0,
            rx: RecvBatch::new(limits::RECV_BATCH, limits::MAX_DATAGRAM + 1),
            rx_ring: 0,
            rx_next: 0,
            tx_queue: Vec::new(),
            tx_bufs: Vec::new(),
            tx_used: 0,
        })
    }

    /// This node's id.
    pub fn my_node(&self) -> NodeId {
        self.config.my_node
    }

    /// The setup in force.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// File descriptors to poll for readability; call [`Transport::recv`]
    /// until it returns `None` when any is readable.
    pub fn fds(&self) -> Vec<RawFd> {
        let mut fds = Vec::new();
        for r in &self.rings {
            fds.push(r.unicast.as_raw_fd());
            if let Some(g) = &r.group_rx {
                fds.push(g.as_raw_fd());
            }
        }
        fds
    }

    /// Counters since start.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Each ring's status.
    pub fn ring_status(&self) -> Vec<RingStatus> {
        let now = Instant::now();
        self.rings
            .iter()
            .map(|r| {
                let mut peers: Vec<NodeId> = r.peers.keys().copied().collect();
                peers.sort_unstable();
                RingStatus {
                    number: r.number,
                    local: r.local,
                    faulty: self.monitor.is_faulty(r.number),
                    reachable: self.monitor.reachable(r.number, now),
                    peers,
                }
            })
            .collect()
    }

    /// Indexes of the rings a multicast packet goes out on now: active mode
    /// uses every healthy ring, passive mode the next healthy ring in turn.
    fn group_rings(&self, turn: usize) -> Vec<usize> {
        let healthy: Vec<usize> = (0..self.rings.len())
            .filter(|i| !self.monitor.is_faulty(self.rings[*i].number))
            .collect();
        let usable = if healthy.is_empty() {
            (0..self.rings.len()).collect()
        } else {
            healthy
        };
        self.pick(usable, turn)
    }

    fn pick(&self, candidates: Vec<usize>, turn: usize) -> Vec<usize> {
        match self.config.ring_mode {
            RingMode::Active => candidates,
            RingMode::None | RingMode::Passive => candidates
                .get(turn % candidates.len().max(1))
                .copied()
                .into_iter()
                .collect(),
        }
    }

    /// Indexes of the rings a packet to `peer` goes out on now: rings that
    /// are neither FAULTY nor dead for this peer; failing that, every ring
    /// with an address for it.
    fn peer_rings(&self, peer: NodeId, turn: usize, now: Instant) -> Vec<usize> {
        let with_addr: Vec<usize> = (0..self.rings.len())
            .filter(|i| self.rings[*i].peers.contains_key(&peer))
            .collect();
        let usable: Vec<usize> = with_addr
            .iter()
            .copied()
            .filter(|i| {
                let number = self.rings[*i].number;
                !self.monitor.is_faulty(number) && !self.monitor.peer_faulty(number, peer, now)
            })
            .collect();
        self.pick(if usable.is_empty() { with_addr } else { usable }, turn)
    }

    /// (ring index, address) pairs one packet to `dest` goes to now.
    fn targets(&self, dest: Dest, turn: usize, now: Instant) -> Vec<(usize, SocketAddr)> {
        let mut out = Vec::new();
        let peers: Vec<NodeId> = match dest {
            Dest::All if self.config.mode == Mode::Multicast => {
                for i in self.group_rings(turn) {
                    if let Some(group) = self.rings.get(i).and_then(|r| r.group) {
                        out.push((i, group));
                    }
                }
                return out;
            }
            Dest::All => self.config.peers.iter().map(|p| p.node).collect(),
            Dest::Node(id) => vec![id],
        };
        for peer in peers {
            for i in self.peer_rings(peer, turn, now) {
                if let Some(addr) = self.rings.get(i).and_then(|r| r.peers.get(&peer)) {
                    out.push((i, *addr));
                }
            }
        }
        out
    }

    /// Sends `payload` to `dest` now. Kernel send errors are counted, not
    /// returned (UDP is lossy anyway); an oversized payload or an unknown
    /// destination is an error.
    pub fn send(&mut self, dest: Dest, payload: &[u8]) -> Result<(), TransportError> {
        self.queue(dest, payload)?;
        self.flush();
        Ok(())
    }

    /// Seals `payload` for `dest` and queues it; [`Transport::flush`] sends every queued
    /// packet in order, with one system call per ring and batch. The queue flushes itself
    /// when it holds [`limits::SEND_BATCH`] packets.
    pub fn queue(&mut self, dest: Dest, payload: &[u8]) -> Result<(), TransportError> {
        if let Dest::Node(id) = dest {
            if !self.rings.iter().any(|r| r.peers.contains_key(&id)) {
                return Err(TransportError::UnknownNode(id));
            }
        }
        self.sealer.seal(Kind::Data, payload, &mut self.out)?;
        self.stats.tx_bytes += payload.len() as u64;
        let now = Instant::now();
        let turn = self.next_passive;
        self.next_passive = self.next_passive.wrapping_add(1);
        let targets = self.targets(dest, turn, now);
        self.transmit(&targets, now);
        Ok(())
    }

    /// Queues `self.out` for every target.
    fn transmit(&mut self, targets: &[(usize, SocketAddr)], now: Instant) {
        if targets.is_empty() {
            return;
        }
        if self.tx_used >= limits::SEND_BATCH {
            self.flush();
        }
        let slot = self.tx_used;
        if slot == self.tx_bufs.len() {
            self.tx_bufs.push(Vec::with_capacity(self.out.len()));
        }
        if let Some(buf) = self.tx_bufs.get_mut(slot) {
            buf.clear();
            buf.extend_from_slice(&self.out);
        }
        self.tx_used += 1;
        for (i, target) in targets {
            if let Some(ring) = self.rings.get_mut(*i) {
                ring.last_tx = now;
                self.tx_queue.push((*i, *target, slot));
            }
        }
    }

    /// Sends every queued packet, in queue order per ring.
    pub fn flush(&mut self) {
        if self.tx_queue.is_empty() {
            self.tx_used = 0;
            return;
        }
        for (index, ring) in self.rings.iter().enumerate() {
            let datagrams: Vec<(&[u8], SocketAddr)> = self
                .tx_queue
                .iter()
                .filter(|(i, _, _)| *i == index)
                .filter_map(|(_, addr, slot)| Some((self.tx_bufs.get(*slot)?.as_slice(), *addr)))
                .collect();
            if datagrams.is_empty() {
                continue;
            }
            let outcome = mmsg::send_batch(&ring.unicast, &datagrams);
            self.stats.tx_packets += outcome.sent as u64;
            self.stats.tx_errors += outcome.failed as u64;
        }
        self.tx_queue.clear();
        self.tx_used = 0;
        // Keep the memory of one ordinary burst, not of the largest one ever.
        self.tx_bufs.truncate(limits::SEND_BATCH);
    }

    /// Receives the next valid data packet, or `None` when no socket has one
    /// ready. Bad packets are dropped and counted; probes update ring health.
    /// Datagrams are read [`limits::RECV_BATCH`] at a time with one system call.
    pub fn recv(&mut self) -> Option<Received> {
        let sockets = self.socket_count();
        let mut idle = 0;
        let mut examined = 0;
        while examined < limits::MAX_PACKETS_PER_RECV {
            if self.rx_next < self.rx.filled() {
                let index = self.rx_next;
                self.rx_next += 1;
                examined += 1;
                let batch = std::mem::replace(&mut self.rx, RecvBatch::empty());
                let accepted = match batch.get(index) {
                    Some((bytes, Some(src))) => self.accept(self.rx_ring, bytes, src),
                    Some((_, None)) => {
                        self.stats.rx_errors += 1;
                        None
                    }
                    None => None,
                };
                self.rx = batch;
                if accepted.is_some() {
                    return accepted;
                }
                continue;
            }
            if idle >= sockets {
                return None;
            }
            let index = self.recv_cursor % sockets;
            // Next read starts at the next socket: no ring starves another.
            self.recv_cursor = self.recv_cursor.wrapping_add(1);
            let (ring_index, group) = (index / 2, index % 2 == 1);
            let Some(ring) = self.rings.get(ring_index) else {
                idle += 1;
                continue;
            };
            let socket = if group {
                ring.group_rx.as_ref()
            } else {
                Some(&ring.unicast)
            };
            let Some(socket) = socket else {
                idle += 1;
                continue;
            };
            self.rx_next = 0;
            self.rx_ring = ring_index;
            match mmsg::recv_batch(socket, &mut self.rx) {
                Ok(0) => idle += 1,
                Ok(_) => idle = 0,
                Err(e) => {
                    // ICMP errors (port unreachable) surface here on Linux.
                    self.stats.rx_errors += 1;
                    tracing::trace!("receive error: {e}");
                    idle += 1;
                }
            }
        }
        None
    }

    /// Whether datagrams already read from a socket wait for [`Transport::recv`]: the
    /// socket may then look idle to a poller, so the caller must call `recv` again.
    pub fn has_buffered(&self) -> bool {
        self.rx_next < self.rx.filled()
    }

    fn socket_count(&self) -> usize {
        self.rings.len() * 2
    }

    /// Checks one datagram that arrived on ring `ring_index`.
    fn accept(&mut self, ring_index: usize, packet: &[u8], src: SocketAddr) -> Option<Received> {
        let now = Instant::now();
        let ring = self.rings.get(ring_index)?;
        let number = ring.number;
        if packet.len() > limits::MAX_DATAGRAM {
            self.stats.count_drop(crate::packet::DropReason::Garbage);
            self.drop_log.note("oversized", &src, now);
            return None;
        }
        if self.config.mode == Mode::Unicast && self.config.block_unlisted {
            let listed = match parse_header(packet) {
                Ok(h) => {
                    ring.by_addr.get(&src.ip()) == Some(&h.sender)
                        || h.sender == self.config.my_node
                }
                Err(_) => ring.by_addr.contains_key(&src.ip()),
            };
            if !listed {
                self.stats.dropped_unlisted += 1;
                self.drop_log
                    .note("source address not in the nodelist", &src, now);
                return None;
            }
        }
        let opened = match self.opener.open(packet) {
            Ok(o) => o,
            Err(reason) => {
                self.stats.count_drop(reason);
                if !matches!(
                    reason,
                    crate::packet::DropReason::Own | crate::packet::DropReason::Duplicate
                ) {
                    self.drop_log.note(reason_name(reason), &src, now);
                }
                return None;
            }
        };
        if let Some(RingEvent::Recovered(r)) = self.monitor.on_receive(number, opened.sender, now) {
            tracing::info!("ring {r}: traffic returned, ring recovered");
        }
        if self.config.mode == Mode::Multicast {
            if let Some(ring) = self.rings.get_mut(ring_index) {
                if ring.peers.len() < limits::MAX_SENDERS || ring.peers.contains_key(&opened.sender)
                {
                    ring.peers.insert(opened.sender, src);
                }
            }
        }
        match opened.kind {
            Kind::Probe => {
                self.stats.rx_probes += 1;
                None
            }
            Kind::Data => {
                self.stats.rx_packets += 1;
                self.stats.rx_bytes += opened.payload.len() as u64;
                Some(Received {
                    from: opened.sender,
                    ring: number,
                    payload: opened.payload,
                })
            }
        }
    }

    /// Housekeeping: marks silent rings FAULTY, probes idle and faulty
    /// rings. Call it at least every [`Transport::tick_interval`]; returns
    /// the ring events it found.
    pub fn tick(&mut self) -> Vec<RingEvent> {
        let now = Instant::now();
        let events = self.monitor.check(now);
        for e in &events {
            if let RingEvent::Faulty(r) = e {
                let local = self.rings.iter().find(|x| x.number == *r).map(|x| x.local);
                tracing::error!(
                    "Marking ringid {r} interface {} FAULTY",
                    local.map(|l| l.ip().to_string()).unwrap_or_default()
                );
            }
        }
        for i in 0..self.rings.len() {
            let Some(ring) = self.rings.get(i) else {
                continue;
            };
            let number = ring.number;
            let mut targets: Vec<(usize, SocketAddr)> = Vec::new();
            let downcheck_due =
                now.saturating_duration_since(ring.last_probe) >= self.config.downcheck;
            let idle = now.saturating_duration_since(ring.last_tx) >= self.config.probe_interval;
            let everyone = |targets: &mut Vec<(usize, SocketAddr)>| match ring.group {
                Some(group) => targets.push((i, group)),
                None => targets.extend(ring.peers.values().map(|a| (i, *a))),
            };
            if self.monitor.is_faulty(number) {
                if downcheck_due {
                    everyone(&mut targets);
                }
            } else if idle {
                everyone(&mut targets);
            } else if downcheck_due && ring.group.is_none() {
                // Peers dead on this ring only: probe them so the ring can come back for them.
                targets.extend(
                    ring.peers
                        .iter()
                        .filter(|(p, _)| self.monitor.peer_faulty(number, **p, now))
                        .map(|(_, a)| (i, *a)),
                );
            }
            if targets.is_empty() {
                continue;
            }
            if self.sealer.seal(Kind::Probe, &[], &mut self.out).is_ok() {
                if let Some(r) = self.rings.get_mut(i) {
                    if downcheck_due {
                        r.last_probe = now;
                    }
                }
                self.transmit(&targets, now);
            }
        }
        self.flush();
        events
    }

    /// How often [`Transport::tick`] should run.
    pub fn tick_interval(&self) -> Duration {
        (self.config.probe_interval / 2).max(Duration::from_millis(5))
    }
}

fn reason_name(reason: crate::packet::DropReason) -> &'static str {
    use crate::packet::DropReason::*;
    match reason {
        Truncated => "truncated packet",
        Garbage => "garbage packet",
        CryptoMismatch => "encryption setting mismatch",
        WrongCluster => "packet from another cluster",
        AuthFailed => "authentication failed (wrong key or tampered)",
        Duplicate => "duplicate packet",
        TooOld => "replayed packet older than the window",
        TooManySenders => "too many senders",
        Own => "own packet",
    }
}
