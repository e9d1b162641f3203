//! Node health: the `#health-*` node attributes turned into a score for every resource,
//! as the `node-health-strategy` cluster option asks.

use cib::Score;

use crate::cluster::{Cluster, Node};

/// How node health attributes affect placement (`node-health-strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Health attributes are ignored.
    None,
    /// `red` bans resources from the node; `yellow` and `green` count 0.
    MigrateOnRed,
    /// `red` and `yellow` ban resources from the node.
    OnlyGreen,
    /// Colours count as the `node-health-red/yellow/green` options, plus `node-health-base`.
    Progressive,
    /// Colours are tracked (shown) but only rules use them.
    Custom,
}

impl Strategy {
    /// The strategy the cluster options select (unknown values count as `none`).
    pub fn of(c: &Cluster) -> Strategy {
        match c.options.get("node-health-strategy").map(|s| s.trim()) {
            Some("migrate-on-red") => Strategy::MigrateOnRed,
            Some("only-green") => Strategy::OnlyGreen,
            Some("progressive") => Strategy::Progressive,
            Some("custom") => Strategy::Custom,
            _ => Strategy::None,
        }
    }
}

fn option_score(c: &Cluster, name: &str) -> Score {
    c.options
        .get(name)
        .and_then(|v| Score::parse(v))
        .unwrap_or(Score::ZERO)
}

/// The health attributes of `node` (`#health-*`), values lower-cased.
fn health_values(node: &Node) -> impl Iterator<Item = String> + '_ {
    node.attrs
        .iter()
        .filter(|(k, _)| k.starts_with("#health"))
        .map(|(_, v)| v.trim().to_ascii_lowercase())
}

/// The worst colour among `node`'s health attributes when health is tracked and not all
/// green: `RED` or `YELLOW`, as crm_mon shows it.
pub fn colour(c: &Cluster, node: &Node) -> Option<&'static str> {
    if Strategy::of(c) == Strategy::None {
        return None;
    }
    let mut worst = None;
    for v in health_values(node) {
        match v.as_str() {
            "red" => return Some("RED"),
            "yellow" => worst = Some("YELLOW"),
            _ => {}
        }
    }
    worst
}

/// The score health gives every resource on `node`, or `None` when health does not affect
/// placement (strategy `none` or `custom`).
pub fn node_score(c: &Cluster, node: &Node) -> Option<Score> {
    let strategy = Strategy::of(c);
    let (red, yellow, green, base) = match strategy {
        Strategy::None | Strategy::Custom => return None,
        Strategy::MigrateOnRed => (Score::NEG_INF, Score::ZERO, Score::ZERO, Score::ZERO),
        Strategy::OnlyGreen => (Score::NEG_INF, Score::NEG_INF, Score::ZERO, Score::ZERO),
        Strategy::Progressive => (
            option_score(c, "node-health-red"),
            option_score(c, "node-health-yellow"),
            option_score(c, "node-health-green"),
            option_score(c, "node-health-base"),
        ),
    };
    let mut total = base;
    for v in health_values(node) {
        let s = match v.as_str() {
            "red" => red,
            "yellow" => yellow,
            "green" => green,
            other => Score::parse(other).unwrap_or(Score::ZERO),
        };
        total = total.plus(s);
    }
    Some(total)
}

/// Whether resource `r` (or a resource containing it) may run on unhealthy nodes
/// (`allow-unhealthy-nodes`).
pub fn exempt(c: &Cluster, r: usize) -> bool {
    let mut cur = Some(r);
    while let Some(i) = cur {
        let rsc = &c.rscs[i];
        if let Some(v) = rsc.meta.get("allow-unhealthy-nodes") {
            return cib::model::is_true(v);
        }
        cur = rsc.parent;
    }
    false
}
