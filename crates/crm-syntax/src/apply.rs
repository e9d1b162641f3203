//! Applies statements to a CIB document: adds or replaces objects by id, deletes them.

use cib::xml::Element;

use crate::ast::{Command, Statement};
use crate::build::{build, nvpair};
use crate::error::ApplyError;
use crate::ids::IdAllocator;

/// The order crmsh keeps the sections of `<configuration>` in.
const SECTION_ORDER: &[&str] = &[
    "crm_config",
    "nodes",
    "resources",
    "constraints",
    "tags",
    "fencing-topology",
    "rsc_defaults",
    "op_defaults",
    "alerts",
];

const RESOURCE_KINDS: &[&str] = &["primitive", "group", "clone", "master", "bundle"];

/// Applies one statement to `doc` (a `<cib>` root or its `<configuration>`), as an
/// interactive `crm configure` command would: objects are added, and an object whose id
/// exists is an error ([`ApplyError::Exists`]; nodes and fencing topology are replaced);
/// `property`/`rsc_defaults`/`op_defaults` merge into an existing set;
/// containers take their members out of the resources section; `delete` removes objects
/// and the constraint references to them.
pub fn apply(doc: &mut Element, statement: &Statement) -> Result<(), ApplyError> {
    let mut ids = IdAllocator::from_document(doc);
    apply_with(configuration_mut(doc)?, statement, &mut ids, Mode::Create)
}

/// Whether existing objects may be redefined.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Interactive commands: an existing id is an error.
    Create,
    /// `load update`: an existing object is replaced.
    Update,
}

/// Applies many statements as `crm configure load update` does: whatever the written
/// order, primitives come first, then groups, ms, clones, tags, constraints, tickets,
/// fencing topology and deletions (each kind in written order), so constraints may be
/// written before the resources they name. Objects whose id exists are replaced.
///
/// As in crmsh, one load may not define an object (or property set) twice
/// ([`ApplyError::Duplicate`]).
pub fn load_update(doc: &mut Element, statements: &[Statement]) -> Result<(), ApplyError> {
    let mut seen: Vec<(&'static str, String)> = Vec::new();
    for st in statements {
        if let Some(key) = defined_key(&st.command) {
            if seen.contains(&key) {
                return Err(ApplyError::Duplicate {
                    line: st.line,
                    id: key.1,
                });
            }
            seen.push(key);
        }
    }
    let mut ids = IdAllocator::from_document(doc);
    let conf = configuration_mut(doc)?;
    let mut order: Vec<&Statement> = statements.iter().collect();
    order.sort_by_key(|s| phase(&s.command));
    for st in order {
        apply_with(conf, st, &mut ids, Mode::Update)?;
    }
    Ok(())
}

/// Replaces the whole configuration with `statements`, as `crm configure load replace`
/// does (and `edit` needs): nodes stay; every other object not in the statements goes.
pub fn load_replace(doc: &mut Element, statements: &[Statement]) -> Result<(), ApplyError> {
    let mut fresh = configuration_mut(doc)?.clone();
    fresh.children.retain(|s| {
        matches!(
            s.name.as_str(),
            "crm_config"
                | "nodes"
                | "resources"
                | "constraints"
                | "tags"
                | "rsc_defaults"
                | "op_defaults"
        )
    });
    for s in fresh.children.iter_mut() {
        if s.name != "nodes" {
            s.children.clear();
        }
    }
    for name in cib::empty::CONFIGURATION_SECTIONS {
        section_mut(&mut fresh, name);
    }
    load_update(&mut fresh, statements)?;
    *configuration_mut(doc)? = fresh;
    Ok(())
}

/// The namespace and id an object-defining statement creates (for duplicate checks).
fn defined_key(c: &Command) -> Option<(&'static str, String)> {
    match c {
        Command::Defaults { kind, id, .. } => Some((
            kind.section(),
            id.clone().unwrap_or_else(|| kind.default_id().to_string()),
        )),
        Command::Node { uname, .. } => Some(("node", uname.clone())),
        Command::Primitive { id, .. }
        | Command::Group { id, .. }
        | Command::Clone { id, .. }
        | Command::Location { id, .. }
        | Command::Colocation { id, .. }
        | Command::Order { id, .. }
        | Command::RscTicket { id, .. }
        | Command::Tag { id, .. } => Some(("object", id.clone())),
        Command::FencingTopology { .. } => Some(("fencing_topology", String::new())),
        Command::Delete { .. } => None,
    }
}

fn phase(c: &Command) -> u8 {
    match c {
        Command::Defaults { .. } | Command::Node { .. } | Command::Primitive { .. } => 0,
        Command::Group { .. } => 1,
        Command::Clone { ms: true, .. } => 2,
        Command::Clone { ms: false, .. } => 3,
        Command::Tag { .. } => 4,
        Command::Location { .. } | Command::Colocation { .. } | Command::Order { .. } => 5,
        Command::RscTicket { .. } => 6,
        Command::FencingTopology { .. } => 7,
        Command::Delete { .. } => 8,
    }
}

/// The `<configuration>` element of a document (or the element itself).
pub fn configuration_mut(doc: &mut Element) -> Result<&mut Element, ApplyError> {
    if doc.name == "configuration" {
        return Ok(doc);
    }
    doc.child_mut("configuration")
        .ok_or(ApplyError::NoConfiguration)
}

/// The section `name` of `conf`, created in crmsh's section order when missing.
fn section_mut<'a>(conf: &'a mut Element, name: &str) -> &'a mut Element {
    let pos = match conf.children.iter().position(|c| c.name == name) {
        Some(p) => p,
        None => {
            let rank = |n: &str| {
                SECTION_ORDER
                    .iter()
                    .position(|s| *s == n)
                    .unwrap_or(usize::MAX)
            };
            let mine = rank(name);
            let at = conf
                .children
                .iter()
                .position(|c| rank(&c.name) > mine)
                .unwrap_or(conf.children.len());
            conf.children.insert(at, Element::new(name));
            at
        }
    };
    &mut conf.children[pos]
}

/// Finds the element with `id` among `el`'s descendants.
fn find<'a>(el: &'a Element, id: &str) -> Option<&'a Element> {
    for c in &el.children {
        if c.attr("id") == Some(id) {
            return Some(c);
        }
        if let Some(f) = find(c, id) {
            return Some(f);
        }
    }
    None
}

/// Finds a resource by id at any depth of `<resources>`, with its parent's id.
fn find_resource<'a>(
    el: &'a Element,
    id: &str,
    parent: Option<&'a str>,
) -> Option<(&'a Element, Option<&'a str>)> {
    for c in el
        .children
        .iter()
        .filter(|c| RESOURCE_KINDS.contains(&c.name.as_str()))
    {
        if c.attr("id") == Some(id) {
            return Some((c, parent));
        }
        if let Some(f) = find_resource(c, id, c.attr("id")) {
            return Some(f);
        }
    }
    None
}

/// Removes the element with `id` among `el`'s descendants.
fn remove(el: &mut Element, id: &str) -> Option<Element> {
    if let Some(p) = el.children.iter().position(|c| c.attr("id") == Some(id)) {
        return Some(el.children.remove(p));
    }
    el.children.iter_mut().find_map(|c| remove(c, id))
}

/// Removes the resource with `id` at any depth of `<resources>` (looking only into
/// resources, not their attribute sets).
fn remove_resource(el: &mut Element, id: &str) -> Option<Element> {
    if let Some(p) = el
        .children
        .iter()
        .position(|c| RESOURCE_KINDS.contains(&c.name.as_str()) && c.attr("id") == Some(id))
    {
        return Some(el.children.remove(p));
    }
    el.children
        .iter_mut()
        .filter(|c| RESOURCE_KINDS.contains(&c.name.as_str()))
        .find_map(|c| remove_resource(c, id))
}

/// Replaces the element with `id` among `el`'s descendants, returning the old one.
fn replace(el: &mut Element, id: &str, new: &mut Option<Element>) -> Option<Element> {
    for c in el.children.iter_mut() {
        if c.attr("id") == Some(id) {
            if let Some(n) = new.take() {
                return Some(std::mem::replace(c, n));
            }
            return None;
        }
        if let Some(old) = replace(c, id, new) {
            return Some(old);
        }
    }
    None
}

fn conf_section<'a>(conf: &'a Element, name: &str) -> Option<&'a Element> {
    conf.child(name)
}

fn resource_exists(conf: &Element, id: &str) -> bool {
    conf_section(conf, "resources").is_some_and(|r| find_resource(r, id, None).is_some())
        || conf_section(conf, "tags")
            .is_some_and(|t| t.children.iter().any(|c| c.attr("id") == Some(id)))
}

/// Ids referenced by a constraint element.
fn constraint_refs(c: &Element) -> Vec<String> {
    let mut out = Vec::new();
    for a in ["rsc", "with-rsc", "first", "then"] {
        if let Some(v) = c.attr(a) {
            out.push(v.to_string());
        }
    }
    for s in c.children_named("resource_set") {
        for r in s.children_named("resource_ref") {
            out.push(r.id().to_string());
        }
    }
    out
}

/// Errors when `id` is used by an element of another kind than `kinds` anywhere in `conf`.
fn check_free(
    conf: &Element,
    ids: &IdAllocator,
    id: &str,
    kinds: &[&str],
    line: usize,
) -> Result<(), ApplyError> {
    if !ids.contains(id) {
        return Ok(()); // unused: no need to search the document
    }
    if let Some(e) = find(conf, id) {
        if !kinds.contains(&e.name.as_str()) {
            return Err(ApplyError::IdTaken {
                line,
                id: id.to_string(),
                existing: e.name.clone(),
            });
        }
    }
    Ok(())
}

/// Puts `new` in place of the same-id element in `section`, or appends it.
fn upsert(section: &mut Element, new: Element, ids: &mut IdAllocator, existed: bool) {
    let id = new.id().to_string();
    let mut slot = Some(new);
    let old = if existed {
        replace(section, &id, &mut slot)
    } else {
        None
    };
    if let Some(old) = old {
        ids.release_tree(&old);
        // Keep the new tree's ids reserved (release may have freed shared ones).
        if let Some(n) = find(section, &id) {
            let n = n.clone();
            ids.add_tree(&n);
        }
    }
    if let Some(n) = slot {
        section.children.push(n);
    }
}

fn apply_with(
    conf: &mut Element,
    st: &Statement,
    ids: &mut IdAllocator,
    mode: Mode,
) -> Result<(), ApplyError> {
    let line = st.line;
    if mode == Mode::Create {
        let created = match &st.command {
            Command::Primitive { id, .. }
            | Command::Group { id, .. }
            | Command::Clone { id, .. }
            | Command::Location { id, .. }
            | Command::Colocation { id, .. }
            | Command::Order { id, .. }
            | Command::RscTicket { id, .. }
            | Command::Tag { id, .. } => Some(id),
            _ => None,
        };
        if let Some(id) = created {
            let existing = ["resources", "constraints", "tags"]
                .iter()
                .filter_map(|s| conf.child(s))
                .find_map(|s| find(s, id));
            if let Some(e) = existing {
                return Err(ApplyError::Exists {
                    line,
                    kind: e.name.clone(),
                    id: id.clone(),
                });
            }
        }
    }
    match &st.command {
        Command::Defaults { kind, id, pairs } => {
            let set_id = id.as_deref().unwrap_or(kind.default_id()).to_string();
            check_free(conf, ids, &set_id, &[kind.set_element()], line)?;
            let section = section_mut(conf, kind.section());
            match section
                .children
                .iter_mut()
                .find(|c| c.attr("id") == Some(&set_id))
            {
                Some(set) => {
                    for p in pairs {
                        match set
                            .children
                            .iter_mut()
                            .find(|n| n.name == "nvpair" && n.attr("name") == Some(&p.name))
                        {
                            Some(n) => n.set_attr("value", &p.value),
                            None => set.children.push(nvpair(&set_id, p, ids)?),
                        }
                    }
                }
                None => {
                    let built = build(&st.command, ids)?;
                    section.children.extend(built);
                }
            }
        }
        Command::Primitive { id, .. } => {
            check_free(conf, ids, id, &["primitive"], line)?;
            let old = if ids.contains(id) {
                conf_section(conf, "resources")
                    .and_then(|r| find(r, id))
                    .cloned()
            } else {
                None
            };
            let existed = old.is_some();
            if let Some(old) = &old {
                ids.release_tree(old);
            }
            let built = build(&st.command, ids)?;
            let resources = section_mut(conf, "resources");
            for e in built {
                let mut slot = Some(e);
                if existed {
                    replace(resources, id, &mut slot);
                }
                if let Some(e) = slot {
                    resources.children.push(e);
                }
            }
        }
        Command::Group { id, members, .. } => {
            put_in_container(conf, st, id, members, ids)?;
        }
        Command::Clone { id, child, .. } => {
            put_in_container(conf, st, id, std::slice::from_ref(child), ids)?;
            rename_refs(section_mut(conf, "constraints"), child, id);
        }
        Command::Location { id, .. }
        | Command::Colocation { id, .. }
        | Command::Order { id, .. }
        | Command::RscTicket { id, .. } => {
            let name = match &st.command {
                Command::Location { .. } => "rsc_location",
                Command::Colocation { .. } => "rsc_colocation",
                Command::Order { .. } => "rsc_order",
                _ => "rsc_ticket",
            };
            check_free(conf, ids, id, &[name], line)?;
            let existed = ids.contains(id);
            let old = if existed {
                conf_section(conf, "constraints")
                    .and_then(|c| find(c, id))
                    .cloned()
            } else {
                None
            };
            if let Some(old) = old {
                ids.release_tree(&old);
            }
            for e in build(&st.command, ids)? {
                for r in constraint_refs(&e) {
                    if !resource_exists(conf, &r) {
                        return Err(ApplyError::Missing {
                            line,
                            what: "resource",
                            id: r,
                        });
                    }
                }
                upsert(section_mut(conf, "constraints"), e, ids, existed);
            }
        }
        Command::Tag { id, refs } => {
            check_free(conf, ids, id, &["tag"], line)?;
            for r in refs {
                if find(conf, r).is_none() {
                    return Err(ApplyError::Missing {
                        line,
                        what: "object",
                        id: r.clone(),
                    });
                }
            }
            let existed = ids.contains(id);
            let old = if existed {
                conf_section(conf, "tags")
                    .and_then(|c| find(c, id))
                    .cloned()
            } else {
                None
            };
            if let Some(old) = old {
                ids.release_tree(&old);
            }
            for e in build(&st.command, ids)? {
                upsert(section_mut(conf, "tags"), e, ids, existed);
            }
        }
        Command::FencingTopology { .. } => {
            let section = section_mut(conf, "fencing-topology");
            for old in std::mem::take(&mut section.children) {
                ids.release_tree(&old);
            }
            let built = build(&st.command, ids)?;
            section_mut(conf, "fencing-topology").children = built;
        }
        Command::Node { id, uname, .. } => {
            let nodes = section_mut(conf, "nodes");
            let want_id = id.as_deref().unwrap_or(uname);
            let pos = nodes.children.iter().position(|n| {
                n.name == "node"
                    && (n.attr("uname") == Some(uname) || n.attr("id") == Some(want_id))
            });
            if let Some(p) = pos {
                let old = nodes.children.remove(p);
                ids.release_tree(&old);
                // Node ids are a namespace of their own; keep the id out of the allocator.
            }
            let built = build(&st.command, ids)?;
            let nodes = section_mut(conf, "nodes");
            for e in built {
                match pos {
                    Some(p) => nodes.children.insert(p, e),
                    None => nodes.children.push(e),
                }
            }
        }
        Command::Delete { ids: targets } => {
            for t in targets {
                delete(conf, t, line, ids)?;
            }
        }
    }
    Ok(())
}

fn put_in_container(
    conf: &mut Element,
    st: &Statement,
    id: &str,
    members: &[String],
    ids: &mut IdAllocator,
) -> Result<(), ApplyError> {
    let line = st.line;
    let kind = match &st.command {
        Command::Group { .. } => "group",
        Command::Clone { ms: true, .. } => "master",
        _ => "clone",
    };
    check_free(conf, ids, id, &["group", "clone", "master"], line)?;
    let resources = section_mut(conf, "resources");
    // Redefining a container: it keeps its place, and old members that are not in the
    // new list go back to the top level (as `crm configure load update` does).
    let existed = find_resource(resources, id, None).is_some();
    let old_members: Vec<String> = match find_resource(resources, id, None) {
        Some((old, _)) => {
            if old.name != kind {
                return Err(ApplyError::IdTaken {
                    line,
                    id: id.to_string(),
                    existing: old.name.clone(),
                });
            }
            members_of(old)
                .into_iter()
                .map(|e| e.id().to_string())
                .collect()
        }
        None => Vec::new(),
    };
    for m in members {
        let (found, parent) = match find_resource(resources, m, None) {
            Some(f) => f,
            None => {
                return Err(ApplyError::Missing {
                    line,
                    what: "resource",
                    id: m.clone(),
                })
            }
        };
        let bad = if m == id {
            Some("a container cannot hold itself".to_string())
        } else if let Some(p) = parent.filter(|p| *p != id) {
            Some(format!("it is already in '{p}'"))
        } else if kind == "group" && found.name != "primitive" {
            Some(format!("a group holds primitives, not a {}", found.name))
        } else if kind != "group" && !(found.name == "primitive" || found.name == "group") {
            Some(format!("a {} cannot be cloned", found.name))
        } else {
            None
        };
        if let Some(reason) = bad {
            return Err(ApplyError::BadMember {
                line,
                id: m.clone(),
                container: id.to_string(),
                reason,
            });
        }
    }
    // Checks done: now change the document.
    let mut old_sets = Vec::new();
    if let Some((old, _)) = find_resource(resources, id, None) {
        old_sets = old
            .children
            .iter()
            .filter(|c| !RESOURCE_KINDS.contains(&c.name.as_str()))
            .cloned()
            .collect();
    }
    for s in &old_sets {
        ids.release_tree(s);
    }
    let mut taken = Vec::new();
    for m in members {
        if let Some(e) = remove_resource(resources, m) {
            taken.push(e);
        }
    }
    let mut lifted = Vec::new();
    for m in old_members.iter().filter(|m| !members.contains(m)) {
        if let Some(e) = remove_resource(resources, m) {
            lifted.push(e);
        }
    }
    let mut built = build(&st.command, ids)?;
    let resources = section_mut(conf, "resources");
    if let Some(mut container) = built.pop() {
        container.children.extend(taken);
        let mut slot = Some(container);
        if existed {
            replace(resources, id, &mut slot);
        }
        if let Some(c) = slot {
            resources.children.push(c);
        }
    }
    resources.children.extend(lifted);
    Ok(())
}

fn members_of(e: &Element) -> Vec<&Element> {
    e.children
        .iter()
        .filter(|c| RESOURCE_KINDS.contains(&c.name.as_str()))
        .collect()
}

/// Rewrites constraint references from `from` to `to` (crmsh does so when a resource is
/// cloned, and back when the clone is deleted).
fn rename_refs(constraints: &mut Element, from: &str, to: &str) {
    for c in constraints.children.iter_mut() {
        for a in ["rsc", "with-rsc", "first", "then"] {
            if c.attr(a) == Some(from) {
                c.set_attr(a, to);
            }
        }
        for s in c.children.iter_mut().filter(|s| s.name == "resource_set") {
            for r in s.children.iter_mut().filter(|r| r.name == "resource_ref") {
                if r.attr("id") == Some(from) {
                    r.set_attr("id", to);
                }
            }
        }
    }
}

/// Removes references to a deleted resource: constraints left hanging are deleted, a
/// single two-resource set becomes the simple form, tags lose the reference.
fn drop_refs(conf: &mut Element, gone: &str, ids: &mut IdAllocator) {
    if let Some(cons) = conf.child_mut("constraints") {
        let mut keep = Vec::new();
        for mut c in std::mem::take(&mut cons.children) {
            let simple_hit = ["rsc", "with-rsc", "first", "then"]
                .iter()
                .any(|a| c.attr(a) == Some(gone));
            for s in c.children.iter_mut().filter(|s| s.name == "resource_set") {
                s.children
                    .retain(|r| !(r.name == "resource_ref" && r.attr("id") == Some(gone)));
            }
            let before = c.children.len();
            let (empty, kept): (Vec<Element>, Vec<Element>) = std::mem::take(&mut c.children)
                .into_iter()
                .partition(|s| s.name == "resource_set" && s.children.is_empty());
            c.children = kept;
            for e in &empty {
                ids.release_tree(e);
            }
            let sets: Vec<&Element> = c.children_named("resource_set").collect();
            let refs: usize = sets.iter().map(|s| s.children.len()).sum();
            let had_sets = before > 0 && c.name != "rsc_location";
            let need = if c.name == "rsc_ticket" { 1 } else { 2 };
            let hanging = simple_hit || (had_sets && c.name != "rsc_location" && refs < need);
            if hanging {
                ids.release_tree(&c);
                continue;
            }
            if (c.name == "rsc_order" || c.name == "rsc_colocation")
                && sets.len() == 1
                && refs == 2
                && sets[0].attrs.len() == 1
            {
                let a = sets[0].children[0].id().to_string();
                let b = sets[0].children[1].id().to_string();
                let set = c.children.remove(0);
                ids.release_tree(&set);
                // In a colocation set each member goes with the one before it, so the
                // set (a b) is "b with a" (as crmsh converts it).
                if c.name == "rsc_order" {
                    c.set_attr("first", &a);
                    c.set_attr("then", &b);
                } else {
                    c.set_attr("rsc", &b);
                    c.set_attr("with-rsc", &a);
                }
            }
            keep.push(c);
        }
        cons.children = keep;
    }
    if let Some(tags) = conf.child_mut("tags") {
        for t in tags.children.iter_mut() {
            t.children
                .retain(|r| !(r.name == "obj_ref" && r.attr("id") == Some(gone)));
        }
        tags.children.retain(|t| !t.children.is_empty());
    }
}

fn delete(
    conf: &mut Element,
    id: &str,
    line: usize,
    ids: &mut IdAllocator,
) -> Result<(), ApplyError> {
    let in_resources = conf_section(conf, "resources")
        .and_then(|r| find_resource(r, id, None))
        .map(|(e, p)| (e.name.clone(), p.map(str::to_string)));
    if let Some((kind, parent)) = in_resources {
        let resources = section_mut(conf, "resources");
        let Some(old) = remove(resources, id) else {
            return Err(ApplyError::Missing {
                line,
                what: "object",
                id: id.to_string(),
            });
        };
        let mut lifted = Vec::new();
        ids.release_tree(&Element {
            children: Vec::new(),
            ..old.clone()
        });
        for c in old.children {
            if RESOURCE_KINDS.contains(&c.name.as_str()) {
                lifted.push(c);
            } else {
                ids.release_tree(&c);
            }
        }
        let single_child = if lifted.len() == 1 {
            Some(lifted[0].id().to_string())
        } else {
            None
        };
        resources.children.extend(lifted);
        // An emptied parent container goes too.
        if let Some(p) = parent {
            let empty = find_resource(resources, &p, None).is_some_and(|(e, _)| {
                !e.children
                    .iter()
                    .any(|c| RESOURCE_KINDS.contains(&c.name.as_str()))
            });
            if empty {
                delete(conf, &p, line, ids)?;
            }
        }
        match (kind.as_str(), single_child) {
            ("clone" | "master", Some(child)) => {
                rename_refs(section_mut(conf, "constraints"), id, &child)
            }
            _ => drop_refs(conf, id, ids),
        }
        return Ok(());
    }
    for section in [
        "constraints",
        "tags",
        "nodes",
        "crm_config",
        "rsc_defaults",
        "op_defaults",
        "fencing-topology",
    ] {
        if let Some(s) = conf.child_mut(section) {
            if let Some(old) = remove(s, id) {
                ids.release_tree(&old);
                return Ok(());
            }
            if section == "nodes" {
                if let Some(p) = s.children.iter().position(|n| n.attr("uname") == Some(id)) {
                    let old = s.children.remove(p);
                    ids.release_tree(&old);
                    return Ok(());
                }
            }
        }
    }
    Err(ApplyError::Missing {
        line,
        what: "object",
        id: id.to_string(),
    })
}
