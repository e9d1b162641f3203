//! Utilization and `placement-strategy`: node capacities, what resources consume, the
//! capacity check that makes nodes ineligible, and the load comparison between nodes.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::cluster::Cluster;

/// The cluster option `placement-strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Utilization ignored; equal scores go to the node with fewest resources.
    Default,
    /// Capacity checked; equal scores go to the node with fewest resources.
    Utilization,
    /// Capacity checked; equal scores go to the first node (concentrates load).
    Minimal,
    /// Capacity checked; equal scores go to the node with the most free capacity.
    Balanced,
}

impl Strategy {
    /// The strategy the cluster options select (unknown values mean `default`).
    pub fn of(c: &Cluster) -> Strategy {
        match c
            .options
            .get("placement-strategy")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            Some("utilization") => Strategy::Utilization,
            Some("minimal") => Strategy::Minimal,
            Some("balanced") => Strategy::Balanced,
            _ => Strategy::Default,
        }
    }

    /// Whether node capacities limit placement (every strategy but `default`).
    pub fn checks_capacity(self) -> bool {
        self != Strategy::Default
    }
}

/// Utilization already assigned to each node during one placement run.
#[derive(Clone, Debug)]
pub struct Ledger {
    /// The strategy in force.
    pub strategy: Strategy,
    used: Vec<HashMap<String, i64>>,
}

impl Ledger {
    /// An empty ledger for the cluster's nodes.
    pub fn new(c: &Cluster) -> Ledger {
        Ledger {
            strategy: Strategy::of(c),
            used: vec![HashMap::new(); c.nodes.len()],
        }
    }

    /// Records that `demand` was placed on node `n`.
    pub fn charge(&mut self, n: usize, demand: &HashMap<String, i64>) {
        if let Some(u) = self.used.get_mut(n) {
            for (k, v) in demand {
                *u.entry(k.clone()).or_insert(0) += v;
            }
        }
    }

    /// Free capacity of node `n` for attribute `key` (a missing capacity counts as zero).
    pub fn free(&self, c: &Cluster, n: usize, key: &str) -> i64 {
        let cap = c.nodes[n].capacity.get(key).copied().unwrap_or(0);
        let used = self
            .used
            .get(n)
            .and_then(|u| u.get(key))
            .copied()
            .unwrap_or(0);
        cap - used
    }

    /// Whether node `n` still has room for `demand`.
    pub fn fits(&self, c: &Cluster, n: usize, demand: &HashMap<String, i64>) -> bool {
        demand.iter().all(|(k, &v)| self.free(c, n, k) >= v)
    }

    /// Compares the free capacity of nodes `a` and `b`: `Greater` when `a` has more free
    /// capacity in more attributes than `b` does.
    pub fn compare_free(&self, c: &Cluster, a: usize, b: usize) -> Ordering {
        let mut keys: Vec<&String> = c.nodes[a]
            .capacity
            .keys()
            .chain(c.nodes[b].capacity.keys())
            .collect();
        keys.sort();
        keys.dedup();
        let mut score = 0i64;
        for k in keys {
            match self.free(c, a, k).cmp(&self.free(c, b, k)) {
                Ordering::Greater => score += 1,
                Ordering::Less => score -= 1,
                Ordering::Equal => {}
            }
        }
        score.cmp(&0)
    }
}

/// Adds `more` into `total`.
pub fn add_demand(total: &mut HashMap<String, i64>, more: &HashMap<String, i64>) {
    for (k, v) in more {
        *total.entry(k.clone()).or_insert(0) += v;
    }
}

/// What placing resource `r` consumes: the utilization of every primitive at or below it.
pub fn demand(c: &Cluster, r: usize) -> HashMap<String, i64> {
    let mut out = HashMap::new();
    for p in c.primitives(r) {
        add_demand(&mut out, &c.rscs[p].utilization);
    }
    out
}
