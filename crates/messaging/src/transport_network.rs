//! [`Network`] over the `transport` crate's sockets (udpu/udp, two rings, AEAD crypto).

use std::os::fd::RawFd;

use crate::ipc::protocol::RingStatus;
use crate::network::{Network, Received, Target};

/// The transport crate's [`transport::Transport`] plus the bookkeeping the event loop needs.
#[derive(Debug)]
pub struct TransportNetwork {
    transport: transport::Transport,
    me: u32,
    next_tick_ms: u64,
    tick_interval_ms: u64,
    send_errors: u64,
}

impl TransportNetwork {
    /// Wraps an opened transport.
    pub fn new(transport: transport::Transport) -> Self {
        let tick_interval_ms = (transport.tick_interval().as_millis() as u64).max(1);
        TransportNetwork {
            me: transport.my_node(),
            transport,
            next_tick_ms: 0,
            tick_interval_ms,
            send_errors: 0,
        }
    }
}

impl Network for TransportNetwork {
    fn fds(&self) -> Vec<RawFd> {
        self.transport.fds()
    }

    fn transmit(&mut self, _now_ms: u64, target: Target, bytes: &[u8]) {
        let dest = match target {
            Target::All => transport::Dest::All,
            Target::Node(node) => transport::Dest::Node(node),
        };
        if let Err(error) = self.transport.send(dest, bytes) {
            self.send_errors += 1;
            if self.send_errors.is_power_of_two() {
                tracing::warn!(
                    "transport: send failed ({} so far): {error}",
                    self.send_errors
                );
            }
        }
    }

    fn receive(&mut self, _now_ms: u64, _fd: RawFd, max: usize, out: &mut Vec<Received>) {
        for _ in 0..max {
            match self.transport.recv() {
                Some(packet) => out.push(Received {
                    from: packet.from,
                    bytes: packet.payload,
                }),
                None => break,
            }
        }
    }

    fn has_buffered(&self) -> bool {
        self.transport.has_buffered()
    }

    fn next_tick_ms(&self) -> Option<u64> {
        Some(self.next_tick_ms)
    }

    fn tick(&mut self, now_ms: u64) {
        if now_ms < self.next_tick_ms {
            return;
        }
        self.next_tick_ms = now_ms + self.tick_interval_ms;
        for event in self.transport.tick() {
            tracing::info!("transport: {event:?}");
        }
    }

    fn rings(&self, _now_ms: u64) -> Vec<RingStatus> {
        self.transport
            .ring_status()
            .into_iter()
            .map(|ring| {
                let mut peers: Vec<(u32, bool)> = ring
                    .peers
                    .iter()
                    .map(|node| (*node, *node == self.me || ring.reachable.contains(node)))
                    .collect();
                if !ring.peers.contains(&self.me) {
                    peers.push((self.me, true));
                    peers.sort_unstable();
                }
                RingStatus {
                    number: u32::from(ring.number),
                    address: ring.local.ip().to_string(),
                    faulty: ring.faulty,
                    peers,
                }
            })
            .collect()
    }

    fn stats(&self) -> Vec<(String, u64)> {
        let s = self.transport.stats();
        vec![
            ("transport.tx_packets".to_string(), s.tx_packets),
            ("transport.tx_bytes".to_string(), s.tx_bytes),
            ("transport.tx_errors".to_string(), s.tx_errors),
            ("transport.rx_packets".to_string(), s.rx_packets),
            ("transport.rx_bytes".to_string(), s.rx_bytes),
            ("transport.rx_probes".to_string(), s.rx_probes),
            ("transport.rx_errors".to_string(), s.rx_errors),
            (
                "transport.dropped_truncated".to_string(),
                s.dropped_truncated,
            ),
            ("transport.dropped_garbage".to_string(), s.dropped_garbage),
            (
                "transport.dropped_crypto_mismatch".to_string(),
                s.dropped_crypto_mismatch,
            ),
            (
                "transport.dropped_wrong_cluster".to_string(),
                s.dropped_wrong_cluster,
            ),
            ("transport.dropped_auth".to_string(), s.dropped_auth),
            (
                "transport.dropped_duplicate".to_string(),
                s.dropped_duplicate,
            ),
            ("transport.dropped_too_old".to_string(), s.dropped_too_old),
        ]
    }

    fn name(&self) -> &'static str {
        match self.transport.config().mode {
            transport::Mode::Multicast => "udp",
            transport::Mode::Unicast => "udpu",
        }
    }
}
