//! Ring health: which rings (links) carry traffic, which are FAULTY, and
//! which peers are reachable on each. Time is passed in, so the rules are
//! testable without waiting.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A change of a ring's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingEvent {
    /// The ring saw nothing for the fault bound while another ring did.
    Faulty(u8),
    /// Traffic returned on a FAULTY ring.
    Recovered(u8),
}

#[derive(Debug, Clone)]
struct Health {
    number: u8,
    last_rx: Option<Instant>,
    faulty: bool,
    peers: BTreeMap<u32, Instant>,
}

/// Tracks every ring's last receipt and decides faults.
#[derive(Debug, Clone)]
pub struct RingMonitor {
    rings: Vec<Health>,
    fault_after: Duration,
    started: Instant,
}

impl RingMonitor {
    /// A monitor for rings `numbers`, starting at `now`. A ring is FAULTY when
    /// it received nothing for `fault_after` while another ring received.
    pub fn new(numbers: &[u8], fault_after: Duration, now: Instant) -> Self {
        RingMonitor {
            rings: numbers
                .iter()
                .map(|n| Health {
                    number: *n,
                    last_rx: None,
                    faulty: false,
                    peers: BTreeMap::new(),
                })
                .collect(),
            fault_after,
            started: now,
        }
    }

    /// Records a packet from `peer` on ring `ring`; returns `Recovered` when
    /// that ends a fault.
    pub fn on_receive(&mut self, ring: u8, peer: u32, now: Instant) -> Option<RingEvent> {
        let h = self.rings.iter_mut().find(|h| h.number == ring)?;
        h.last_rx = Some(now);
        if h.peers.len() < crate::limits::MAX_SENDERS || h.peers.contains_key(&peer) {
            h.peers.insert(peer, now);
        }
        if h.faulty {
            h.faulty = false;
            return Some(RingEvent::Recovered(ring));
        }
        None
    }

    fn alive(&self, h: &Health, now: Instant) -> bool {
        let since = h.last_rx.unwrap_or(self.started);
        now.saturating_duration_since(since) <= self.fault_after
    }

    /// Re-evaluates faults at `now`.
    pub fn check(&mut self, now: Instant) -> Vec<RingEvent> {
        let receiving: Vec<bool> = self
            .rings
            .iter()
            .map(|h| h.last_rx.is_some() && self.alive(h, now))
            .collect();
        let alive: Vec<bool> = self.rings.iter().map(|h| self.alive(h, now)).collect();
        let mut events = Vec::new();
        for (i, h) in self.rings.iter_mut().enumerate() {
            let other_receiving = receiving.iter().enumerate().any(|(j, r)| j != i && *r);
            if !h.faulty && !alive[i] && other_receiving {
                h.faulty = true;
                events.push(RingEvent::Faulty(h.number));
            }
        }
        events
    }

    /// True when ring `ring` is FAULTY.
    pub fn is_faulty(&self, ring: u8) -> bool {
        self.rings.iter().any(|h| h.number == ring && h.faulty)
    }

    /// True when `peer` was heard on `ring` within the fault bound.
    pub fn peer_alive(&self, ring: u8, peer: u32, now: Instant) -> bool {
        self.rings
            .iter()
            .find(|h| h.number == ring)
            .and_then(|h| h.peers.get(&peer))
            .is_some_and(|t| now.saturating_duration_since(*t) <= self.fault_after)
    }

    /// True when `peer` is silent on `ring` beyond the fault bound (counted
    /// from start when never heard) while heard on another ring within it:
    /// the peer's link on this ring is down.
    pub fn peer_faulty(&self, ring: u8, peer: u32, now: Instant) -> bool {
        let Some(h) = self.rings.iter().find(|h| h.number == ring) else {
            return false;
        };
        let last = h.peers.get(&peer).copied().unwrap_or(self.started);
        if now.saturating_duration_since(last) <= self.fault_after {
            return false;
        }
        self.rings
            .iter()
            .any(|o| o.number != ring && self.peer_alive(o.number, peer, now))
    }

    /// Peers heard on `ring` within the fault bound.
    pub fn reachable(&self, ring: u8, now: Instant) -> Vec<u32> {
        self.rings
            .iter()
            .find(|h| h.number == ring)
            .map(|h| {
                h.peers
                    .iter()
                    .filter(|(_, t)| now.saturating_duration_since(**t) <= self.fault_after)
                    .map(|(p, _)| *p)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn silent_ring_goes_faulty_only_while_other_ring_works() {
        let t0 = Instant::now();
        let mut m = RingMonitor::new(&[0, 1], ms(500), t0);
        // Nothing anywhere: no fault (the whole node may be alone).
        assert!(m.check(t0 + ms(2000)).is_empty());
        for i in 0..10 {
            m.on_receive(0, 2, t0 + ms(2000 + i * 100));
            m.on_receive(1, 2, t0 + ms(2000 + i * 100));
        }
        assert!(m.check(t0 + ms(2950)).is_empty());
        // Ring 1 goes quiet, ring 0 keeps receiving.
        for i in 0..10 {
            m.on_receive(0, 2, t0 + ms(3000 + i * 100));
        }
        assert!(m.check(t0 + ms(3300)).is_empty(), "not before the bound");
        assert_eq!(m.check(t0 + ms(3900)), [RingEvent::Faulty(1)]);
        assert!(m.is_faulty(1) && !m.is_faulty(0));
        assert!(m.check(t0 + ms(3950)).is_empty(), "reported once");
        assert_eq!(m.reachable(1, t0 + ms(3950)), Vec::<u32>::new());
        assert_eq!(m.reachable(0, t0 + ms(3950)), [2]);
        // Traffic returns.
        assert_eq!(
            m.on_receive(1, 2, t0 + ms(5000)),
            Some(RingEvent::Recovered(1))
        );
        assert!(!m.is_faulty(1));
    }

    #[test]
    fn both_rings_silent_is_not_a_ring_fault() {
        let t0 = Instant::now();
        let mut m = RingMonitor::new(&[0, 1], ms(500), t0);
        m.on_receive(0, 2, t0);
        m.on_receive(1, 2, t0);
        assert!(m.check(t0 + ms(5000)).is_empty());
    }

    #[test]
    fn single_ring_never_faulty() {
        let t0 = Instant::now();
        let mut m = RingMonitor::new(&[0], ms(100), t0);
        m.on_receive(0, 2, t0);
        assert!(m.check(t0 + ms(5000)).is_empty());
    }
}
