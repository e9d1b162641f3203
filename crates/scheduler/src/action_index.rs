//! Look-up of planned actions by (resource, task, interval, node) without allocating a key.

use crate::fast_hash::FastMap;

/// Actions keyed by resource, task, interval and node; tasks are interned so a look-up
/// builds no string.
#[derive(Debug, Default)]
pub(crate) struct ActionIndex {
    /// Task name to its interned number.
    tasks: FastMap<String, u32>,
    /// (resource, task number, interval ms, node) to the action's index.
    by_key: FastMap<(Option<usize>, u32, u64, Option<usize>), usize>,
}

impl ActionIndex {
    /// The action recorded for this key, if any.
    pub(crate) fn get(
        &self,
        rsc: Option<usize>,
        task: &str,
        interval_ms: u64,
        node: Option<usize>,
    ) -> Option<usize> {
        let t = *self.tasks.get(task)?;
        self.by_key.get(&(rsc, t, interval_ms, node)).copied()
    }

    /// Records action `i` under this key (replacing an earlier one).
    pub(crate) fn insert(
        &mut self,
        rsc: Option<usize>,
        task: &str,
        interval_ms: u64,
        node: Option<usize>,
        i: usize,
    ) {
        let t = match self.tasks.get(task) {
            Some(&t) => t,
            None => {
                let t = u32::try_from(self.tasks.len()).unwrap_or(u32::MAX);
                self.tasks.insert(task.to_string(), t);
                t
            }
        };
        self.by_key.insert((rsc, t, interval_ms, node), i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_full_key_only() {
        let mut ix = ActionIndex::default();
        ix.insert(Some(1), "start", 0, Some(2), 10);
        ix.insert(Some(1), "monitor", 10_000, Some(2), 11);
        assert_eq!(ix.get(Some(1), "start", 0, Some(2)), Some(10));
        assert_eq!(ix.get(Some(1), "monitor", 10_000, Some(2)), Some(11));
        assert_eq!(ix.get(Some(1), "monitor", 0, Some(2)), None);
        assert_eq!(ix.get(Some(1), "stop", 0, Some(2)), None);
        ix.insert(Some(1), "start", 0, Some(2), 12);
        assert_eq!(ix.get(Some(1), "start", 0, Some(2)), Some(12));
    }
}
