//! `resource-discovery="exclusive"` on location constraints: a resource so marked is probed
//! and placed only on the nodes those constraints select.

use std::collections::HashMap;

use cib::Score;

use crate::cluster::Cluster;
use crate::rsc_lookup::RscLookup;

/// Nodes selected by exclusive-discovery constraints, per configured resource id.
#[derive(Debug, Default)]
pub(crate) struct Exclusive {
    allowed: HashMap<String, Vec<bool>>,
}

impl Exclusive {
    /// Records that an exclusive constraint on `rid` selected the nodes where `touched` holds
    /// and the score is not -INFINITY.
    pub(crate) fn note(&mut self, rid: &str, touched: &[bool], scores: &[Score]) {
        let entry = self
            .allowed
            .entry(rid.to_string())
            .or_insert_with(|| vec![false; touched.len()]);
        for n in 0..touched.len() {
            if touched[n] && !scores[n].is_neg_inf() {
                entry[n] = true;
            }
        }
    }

    /// Bans each marked resource from the nodes no exclusive constraint selected, and stops
    /// probing it there.
    pub(crate) fn apply(
        self,
        c: &mut Cluster,
        lookup: &RscLookup,
        loc: &mut HashMap<String, Vec<Score>>,
    ) {
        let nn = c.nodes.len();
        for (rid, allowed) in self.allowed {
            let entry = loc
                .entry(rid.clone())
                .or_insert_with(|| vec![Score::ZERO; nn]);
            for n in 0..nn {
                if !allowed[n] {
                    entry[n] = Score::NEG_INF;
                }
            }
            for &u in lookup.configured(&rid) {
                for p in crate::bundle::discovery_primitives(c, u) {
                    let r = &mut c.rscs[p];
                    for n in 0..nn {
                        if !allowed[n] && !r.no_discovery.contains(&n) {
                            r.no_discovery.push(n);
                        }
                    }
                }
            }
        }
    }
}
