//! Tags named by constraints outside resource sets (a ticket's `rsc`, a colocation's or
//! order's two sides): a tag stands for the resources it names.

use std::collections::HashMap;

use cib::model::Cib;

/// Tag ids with the resource ids they name.
#[derive(Debug, Default)]
pub struct Refs {
    members: HashMap<String, Vec<String>>,
}

impl Refs {
    /// Indexes the tags of `cib`.
    pub fn new(cib: &Cib) -> Refs {
        Refs {
            members: cib.tags.clone(),
        }
    }

    /// Whether `id` names a tag (rather than a resource).
    pub fn is_ref(&self, id: &str) -> bool {
        self.members.contains_key(id)
    }

    /// The resource ids `id` stands for: itself, or a tag's members.
    pub fn expand(&self, id: &str) -> Vec<String> {
        match self.members.get(id) {
            Some(list) if !list.is_empty() => list.clone(),
            _ => vec![id.to_string()],
        }
    }
}
