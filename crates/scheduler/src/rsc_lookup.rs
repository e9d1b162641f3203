//! Look-ups of resources by id (printed or configured) without scanning the resource arena.

use std::collections::HashMap;

use crate::cluster::{Cluster, Variant};

/// Resource indexes keyed by printed id and by configured (instance-less) id.
#[derive(Clone, Debug, Default)]
pub(crate) struct RscLookup {
    /// Resources with each printed id, in arena order.
    by_id: HashMap<String, Vec<usize>>,
    /// Resources of any variant configured with each id, in arena order.
    by_config: HashMap<String, Vec<usize>>,
    /// Primitives configured with each id, in arena order.
    prims_by_config: HashMap<String, Vec<usize>>,
}

impl RscLookup {
    /// Indexes every resource of `c`.
    pub(crate) fn build(c: &Cluster) -> Self {
        let mut out = RscLookup::default();
        for i in 0..c.rscs.len() {
            out.note(c, i);
        }
        out
    }

    /// Records resource `i`, which must be newer than every resource recorded before.
    pub(crate) fn note(&mut self, c: &Cluster, i: usize) {
        let Some(r) = c.rscs.get(i) else {
            return;
        };
        self.by_id.entry(r.id.clone()).or_default().push(i);
        self.by_config
            .entry(r.config_id.clone())
            .or_default()
            .push(i);
        if r.variant == Variant::Primitive {
            self.prims_by_config
                .entry(r.config_id.clone())
                .or_default()
                .push(i);
        }
    }

    /// The first resource whose printed id is `id`.
    pub(crate) fn id(&self, id: &str) -> Option<usize> {
        self.with_id(id).first().copied()
    }

    /// Every resource whose printed id is `id`, in arena order.
    pub(crate) fn with_id(&self, id: &str) -> &[usize] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    /// Every resource configured with id `config_id`, in arena order.
    pub(crate) fn configured(&self, config_id: &str) -> &[usize] {
        self.by_config.get(config_id).map_or(&[], Vec::as_slice)
    }

    /// The primitives configured with id `config_id` (clone instances share one), in arena order.
    pub(crate) fn configured_as(&self, config_id: &str) -> &[usize] {
        self.prims_by_config
            .get(config_id)
            .map_or(&[], Vec::as_slice)
    }
}
