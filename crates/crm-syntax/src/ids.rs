//! crmsh's id generation: a wanted id is used as is when free, else `-0`, `-1`, ... is appended.

use std::collections::HashSet;

use cib::xml::Element;

use crate::error::ApplyError;
use crate::limits;

/// The set of ids in use in a document, handing out fresh ones.
#[derive(Clone, Debug, Default)]
pub struct IdAllocator {
    used: HashSet<String>,
}

/// Elements whose `id` attribute refers to another element rather than defining one.
const REFERENCE_ELEMENTS: &[&str] = &["resource_ref", "obj_ref", "role", "crm_config_ref"];

impl IdAllocator {
    /// An allocator with no ids in use.
    pub fn new() -> IdAllocator {
        IdAllocator::default()
    }

    /// An allocator knowing every id defined in `root` and below.
    pub fn from_document(root: &Element) -> IdAllocator {
        let mut ids = IdAllocator::new();
        ids.add_tree(root);
        ids
    }

    /// Marks every id defined in `el` and below as used.
    pub fn add_tree(&mut self, el: &Element) {
        if !REFERENCE_ELEMENTS.contains(&el.name.as_str()) {
            if let Some(id) = el.attr("id") {
                self.used.insert(id.to_string());
            }
        }
        for c in &el.children {
            self.add_tree(c);
        }
    }

    /// Marks `id` as used.
    pub fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_string());
    }

    /// Whether `id` is in use.
    pub fn contains(&self, id: &str) -> bool {
        self.used.contains(id)
    }

    /// A fresh id: `base` when free, else the first free `base-N` (N = 0, 1, ...).
    pub fn alloc(&mut self, base: &str) -> Result<String, ApplyError> {
        if !self.used.contains(base) {
            self.used.insert(base.to_string());
            return Ok(base.to_string());
        }
        for n in 0..limits::MAX_ID_SUFFIX {
            let id = format!("{base}-{n}");
            if !self.used.contains(&id) {
                self.used.insert(id.clone());
                return Ok(id);
            }
        }
        Err(ApplyError::IdsExhausted(base.to_string()))
    }
}

impl IdAllocator {
    /// Marks every id defined in `el` and below as free again (the tree was removed).
    pub fn release_tree(&mut self, el: &Element) {
        if !REFERENCE_ELEMENTS.contains(&el.name.as_str()) {
            if let Some(id) = el.attr("id") {
                self.used.remove(id);
            }
        }
        for c in &el.children {
            self.release_tree(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_count_from_zero() {
        let mut ids = IdAllocator::new();
        assert_eq!(ids.alloc("fencing").unwrap(), "fencing");
        assert_eq!(ids.alloc("fencing").unwrap(), "fencing-0");
        assert_eq!(ids.alloc("fencing").unwrap(), "fencing-1");
    }
}
