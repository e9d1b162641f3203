//! The simulated network: a time-ordered queue of datagrams with loss, duplication, random
//! delay (hence reordering) and partitions.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::prng::Prng;

/// Packet fault settings.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkFaults {
    /// Probability that a datagram is dropped.
    pub loss: f64,
    /// Probability that a datagram is delivered twice.
    pub duplication: f64,
    /// Smallest one-way delay in ms.
    pub delay_min_ms: u64,
    /// Largest one-way delay in ms (uniform in between, so packets reorder).
    pub delay_max_ms: u64,
    /// Probability that a datagram is held back much longer (a "clog"), arriving stale.
    pub clog: f64,
    /// Longest clog delay in ms.
    pub clog_max_ms: u64,
}

impl NetworkFaults {
    /// A clean network: no loss, no duplication, small delays.
    pub fn quiet() -> NetworkFaults {
        NetworkFaults {
            loss: 0.0,
            duplication: 0.0,
            delay_min_ms: 0,
            delay_max_ms: 1,
            clog: 0.0,
            clog_max_ms: 0,
        }
    }
}

/// A datagram in flight.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Datagram {
    /// Arrival time.
    pub at_ms: u64,
    /// Tie-breaker keeping the order deterministic.
    pub number: u64,
    /// Receiving node index.
    pub to: usize,
    /// Sending node index.
    pub from: usize,
    /// Bytes.
    pub bytes: Vec<u8>,
}

/// In-flight datagrams and the link state between nodes.
#[derive(Debug)]
pub struct Network {
    queue: BinaryHeap<Reverse<Datagram>>,
    number: u64,
    /// `connected[a][b]`: datagrams from a reach b.
    connected: Vec<Vec<bool>>,
    /// Current fault settings.
    pub faults: NetworkFaults,
    /// Datagrams handed to the network.
    pub sent: u64,
    /// Datagrams dropped (loss or partition).
    pub dropped: u64,
}

impl Network {
    /// A fully connected network of `nodes`.
    pub fn new(nodes: usize, faults: NetworkFaults) -> Network {
        Network {
            queue: BinaryHeap::new(),
            number: 0,
            connected: vec![vec![true; nodes]; nodes],
            faults,
            sent: 0,
            dropped: 0,
        }
    }

    /// Sends `bytes` from `from` to `to` at `now_ms`, applying the faults.
    pub fn send(&mut self, prng: &mut Prng, now_ms: u64, from: usize, to: usize, bytes: &[u8]) {
        self.sent += 1;
        if !self.connected[from][to] || prng.chance(self.faults.loss) {
            self.dropped += 1;
            return;
        }
        let copies = if prng.chance(self.faults.duplication) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let mut delay = prng.between(self.faults.delay_min_ms, self.faults.delay_max_ms);
            if self.faults.clog > 0.0 && prng.chance(self.faults.clog) {
                delay += prng.between(0, self.faults.clog_max_ms);
            }
            self.number += 1;
            self.queue.push(Reverse(Datagram {
                at_ms: now_ms + delay,
                number: self.number,
                to,
                from,
                bytes: bytes.to_vec(),
            }));
        }
    }

    /// Arrival time of the next datagram.
    pub fn next_at(&self) -> Option<u64> {
        self.queue.peek().map(|Reverse(d)| d.at_ms)
    }

    /// Takes the next datagram.
    pub fn pop(&mut self) -> Option<Datagram> {
        self.queue.pop().map(|Reverse(d)| d)
    }

    /// Splits the nodes into the given groups (nodes in no group are isolated); `symmetric`
    /// false lets one randomly chosen direction between groups through.
    pub fn partition(&mut self, groups: &[Vec<usize>]) {
        let n = self.connected.len();
        let mut group_of = vec![usize::MAX; n];
        for (g, members) in groups.iter().enumerate() {
            for m in members {
                group_of[*m] = g;
            }
        }
        for a in 0..n {
            for b in 0..n {
                self.connected[a][b] =
                    a == b || (group_of[a] != usize::MAX && group_of[a] == group_of[b]);
            }
        }
    }

    /// Cuts one direction of one link.
    pub fn cut_one_way(&mut self, from: usize, to: usize) {
        self.connected[from][to] = false;
    }

    /// Reconnects everything.
    pub fn heal(&mut self) {
        for row in &mut self.connected {
            row.fill(true);
        }
    }

    /// Datagrams in flight.
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }
}
