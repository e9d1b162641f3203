//! Colocations by node attribute (`node-attribute`): the dependent goes to any node whose
//! value of that attribute equals the one of the primary's node, and its preferences pull
//! the primary towards nodes alike those where it can run.

use cib::Score;

use crate::cluster::Cluster;

/// Every node whose `attr` equals that of one of `nodes` (nodes without it match none).
pub(crate) fn alike(c: &Cluster, attr: &str, nodes: &[usize]) -> Vec<usize> {
    let values: Vec<&String> = nodes
        .iter()
        .filter_map(|&n| c.nodes[n].attrs.get(attr))
        .collect();
    (0..c.nodes.len())
        .filter(|&m| {
            c.nodes[m]
                .attrs
                .get(attr)
                .is_some_and(|v| values.contains(&v))
        })
        .collect()
}

/// Per node, the best of `scores` over the nodes alike it in `attr` (`-INFINITY` for a
/// node without the attribute).
pub(crate) fn best_alike(c: &Cluster, attr: &str, scores: &[Score]) -> Vec<Score> {
    (0..c.nodes.len())
        .map(|n| match c.nodes[n].attrs.get(attr) {
            None => Score::NEG_INF,
            Some(v) => (0..c.nodes.len())
                .filter(|&m| c.nodes[m].attrs.get(attr) == Some(v))
                .map(|m| scores[m])
                .max()
                .unwrap_or(Score::NEG_INF),
        })
        .collect()
}
