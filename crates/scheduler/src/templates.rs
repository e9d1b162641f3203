//! References to resource templates and tags in constraints: a template stands for every
//! primitive configured from it, a tag for the resources it names.

use std::collections::HashMap;

use cib::model::Cib;
use cib::xml::Element;

/// Template and tag ids with the resource ids they stand for.
#[derive(Debug, Default)]
pub struct Refs {
    members: HashMap<String, Vec<String>>,
}

impl Refs {
    /// Indexes the templates (from the primitives that use them) and tags of `cib`.
    pub fn new(cib: &Cib) -> Refs {
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        if let Some(rscs) = cib
            .root
            .child("configuration")
            .and_then(|c| c.child("resources"))
        {
            collect(rscs, &mut members);
        }
        for (tag, ids) in &cib.tags {
            members.entry(tag.clone()).or_insert_with(|| ids.clone());
        }
        Refs { members }
    }

    /// Whether `id` names a template or tag (rather than a resource).
    pub fn is_ref(&self, id: &str) -> bool {
        self.members.contains_key(id)
    }

    /// The resource ids `id` stands for: itself, or a template's or tag's members.
    pub fn expand(&self, id: &str) -> Vec<String> {
        match self.members.get(id) {
            Some(list) if !list.is_empty() => list.clone(),
            _ => vec![id.to_string()],
        }
    }
}

fn collect(el: &Element, out: &mut HashMap<String, Vec<String>>) {
    for child in &el.children {
        if child.name == "primitive" {
            if let Some(t) = child.attr("template") {
                out.entry(t.to_string())
                    .or_default()
                    .push(child.id().to_string());
            }
        } else if matches!(child.name.as_str(), "group" | "clone" | "master" | "bundle") {
            collect(child, out);
        }
    }
}
