//! Look-ups of resources by id (printed or configured) without scanning the resource arena.

use std::sync::Arc;

use crate::cluster::{Cluster, Variant};
use crate::fast_hash::FastMap;

/// Resource indexes keyed by printed id and by configured (instance-less) id.
#[derive(Clone, Debug, Default)]
pub(crate) struct RscLookup {
    /// Resources with each printed id, in arena order.
    by_id: FastMap<String, Vec<usize>>,
    /// Resources of any variant configured with each id, in arena order.
    by_config: FastMap<String, Vec<usize>>,
    /// Primitives configured with each id, in arena order.
    prims_by_config: FastMap<String, Vec<usize>>,
    /// Resources recorded so far (the arena prefix this index covers).
    covered: usize,
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

    /// The index of `c`: the one unpacking left in `c` when it still covers every
    /// resource, otherwise a new one.
    pub(crate) fn of(c: &Cluster) -> Arc<Self> {
        if c.rsc_lookup.covered == c.rscs.len() {
            return Arc::clone(&c.rsc_lookup);
        }
        Arc::new(Self::build(c))
    }

    /// Records resource `i`, which must be newer than every resource recorded before.
    pub(crate) fn note(&mut self, c: &Cluster, i: usize) {
        let Some(r) = c.rscs.get(i) else {
            return;
        };
        if i != self.covered {
            // Recorded out of order: mark the index as covering nothing, so `of` rebuilds.
            self.covered = usize::MAX;
        } else {
            self.covered = i + 1;
        }
        push(&mut self.by_id, &r.id, i);
        push(&mut self.by_config, &r.config_id, i);
        if r.variant == Variant::Primitive {
            push(&mut self.prims_by_config, &r.config_id, i);
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

/// Appends `i` to `key`'s list, copying the key only when it is new.
fn push(map: &mut FastMap<String, Vec<usize>>, key: &str, i: usize) {
    match map.get_mut(key) {
        Some(list) => list.push(i),
        None => {
            map.insert(key.to_string(), vec![i]);
        }
    }
}
