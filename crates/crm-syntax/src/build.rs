//! Builds the CIB XML elements a statement stands for, generating ids as crmsh does.

use cib::xml::Element;

use crate::ast::*;
use crate::error::ApplyError;
use crate::ids::IdAllocator;

fn el(name: &str, attrs: &[(&str, &str)]) -> Element {
    let mut e = Element::new(name);
    for (k, v) in attrs {
        e.attrs.push((k.to_string(), v.to_string()));
    }
    e
}

/// An `<nvpair>` with id `<set id>-<name>`.
pub fn nvpair(set_id: &str, p: &NvPair, ids: &mut IdAllocator) -> Result<Element, ApplyError> {
    let id = ids.alloc(&format!("{set_id}-{}", p.name))?;
    Ok(el(
        "nvpair",
        &[("name", &p.name), ("value", &p.value), ("id", &id)],
    ))
}

/// A name/value set element owned by `owner` (`<owner>-instance_attributes`, ...).
pub fn attr_set(owner: &str, set: &AttrSet, ids: &mut IdAllocator) -> Result<Element, ApplyError> {
    let name = set.kind.element();
    let id = match &set.id {
        Some(id) => {
            ids.reserve(id);
            id.clone()
        }
        None => ids.alloc(&format!("{owner}-{name}"))?,
    };
    let mut e = el(name, &[("id", &id)]);
    for p in &set.pairs {
        e.children.push(nvpair(&id, p, ids)?);
    }
    Ok(e)
}

fn op(owner: &str, op: &Op, ids: &mut IdAllocator) -> Result<Element, ApplyError> {
    let mut e = el("op", &[("name", &op.name)]);
    for a in &op.attrs {
        if a.name != "id" && a.name != "name" {
            e.attrs.push((a.name.clone(), a.value.clone()));
        }
    }
    if e.attr("interval").is_none() {
        e.attrs.push(("interval".into(), "0".into()));
    }
    let id = match op.attrs.iter().find(|a| a.name == "id") {
        Some(a) => {
            ids.reserve(&a.value);
            a.value.clone()
        }
        None => {
            let interval = e.attr("interval").unwrap_or("0").to_string();
            ids.alloc(&format!("{owner}-{}-{interval}", op.name))?
        }
    };
    e.attrs.push(("id".into(), id.clone()));
    for s in &op.sets {
        e.children.push(attr_set(&id, s, ids)?);
    }
    Ok(e)
}

/// A `<primitive>`.
pub fn primitive(
    id: &str,
    agent: &Agent,
    parts: &[PrimitivePart],
    ids: &mut IdAllocator,
) -> Result<Element, ApplyError> {
    ids.reserve(id);
    let mut e = el("primitive", &[("id", id), ("class", &agent.class)]);
    if let Some(p) = &agent.provider {
        e.attrs.push(("provider".into(), p.clone()));
    }
    e.attrs.push(("type".into(), agent.kind.clone()));
    let mut ops: Option<usize> = None;
    for part in parts {
        match part {
            PrimitivePart::Set(s) => e.children.push(attr_set(id, s, ids)?),
            PrimitivePart::Op(o) => {
                let built = op(id, o, ids)?;
                let at = match ops {
                    Some(at) => at,
                    None => {
                        e.children.push(Element::new("operations"));
                        let at = e.children.len() - 1;
                        ops = Some(at);
                        at
                    }
                };
                e.children[at].children.push(built);
            }
        }
    }
    Ok(e)
}

/// Splits reference groups into resource sets: a new set starts at each bracket and
/// wherever the role/action changes.
fn resource_sets(
    owner: &str,
    groups: &[RefGroup],
    qualifier_attr: &str,
    ids: &mut IdAllocator,
) -> Result<Vec<Element>, ApplyError> {
    let mut out = Vec::new();
    for g in groups {
        let mut start = 0;
        while start < g.refs.len() {
            let q = &g.refs[start].qualifier;
            let mut end = start + 1;
            while end < g.refs.len() && &g.refs[end].qualifier == q {
                end += 1;
            }
            let mut set = Element::new("resource_set");
            match g.bracket {
                Bracket::None => {}
                Bracket::Paren => set.set_attr("sequential", "false"),
                Bracket::Square => {
                    set.set_attr("require-all", "false");
                    set.set_attr("sequential", "false");
                }
            }
            for a in &g.attrs {
                if a.name == "sequential" && a.value == "true" {
                    set.attrs.retain(|(k, _)| k != "sequential");
                } else if a.name == "require-all" && a.value == "true" {
                    set.attrs.retain(|(k, _)| k != "require-all");
                } else {
                    set.set_attr(&a.name, &a.value);
                }
            }
            if let Some(q) = q {
                set.set_attr(qualifier_attr, q);
            }
            let id = ids.alloc(owner)?;
            set.set_attr("id", &id);
            for r in &g.refs[start..end] {
                set.children.push(el("resource_ref", &[("id", &r.id)]));
            }
            out.push(set);
            start = end;
        }
    }
    Ok(out)
}

/// The two references of a simple (set-less) two-resource constraint, if it is one.
fn simple_pair(groups: &[RefGroup]) -> Option<(&RscRef, &RscRef)> {
    match groups {
        [g] if g.bracket == Bracket::None && g.refs.len() == 2 => Some((&g.refs[0], &g.refs[1])),
        _ => None,
    }
}

fn rule(owner: &str, r: &Rule, ids: &mut IdAllocator) -> Result<Element, ApplyError> {
    let mut e = Element::new("rule");
    let explicit = r.id.is_some();
    if let Some(id) = &r.id {
        ids.reserve(id);
        e.set_attr("id", id);
    }
    if let Some(role) = &r.role {
        e.set_attr("role", role);
    }
    match (&r.score, &r.score_attribute) {
        (_, Some(a)) => e.set_attr("score-attribute", a),
        (Some(s), None) => e.set_attr("score", s),
        (None, None) => e.set_attr("score", "INFINITY"),
    }
    if let Some(b) = &r.boolean_op {
        e.set_attr("boolean-op", b);
    }
    let id = match &r.id {
        Some(id) => id.clone(),
        None => ids.alloc(&format!("{owner}-rule"))?,
    };
    if !explicit {
        e.set_attr("id", &id);
    }
    for x in &r.expressions {
        let mut xe = Element::new("expression");
        match x {
            Expression::Defined {
                operation,
                attribute,
            } => {
                xe.set_attr("operation", operation);
                xe.set_attr("attribute", attribute);
            }
            Expression::Date(d) => {
                xe.name = "date_expression".to_string();
                xe.set_attr("operation", &d.operation);
                if let Some(s) = &d.start {
                    xe.set_attr("start", s);
                }
                if let Some(e) = &d.end {
                    xe.set_attr("end", e);
                }
            }
            Expression::Compare {
                attribute,
                operation,
                value_type,
                value,
            } => {
                xe.set_attr("operation", operation);
                xe.set_attr("attribute", attribute);
                xe.set_attr("value", value);
                if let Some(t) = value_type {
                    xe.set_attr("type", t);
                }
            }
        }
        let xid = ids.alloc(&format!("{id}-expression"))?;
        xe.set_attr("id", &xid);
        if let Expression::Date(d) = x {
            for (name, pairs) in [("duration", &d.duration), ("date_spec", &d.spec)] {
                if pairs.is_empty() {
                    continue;
                }
                let mut c = Element::new(name);
                for p in pairs {
                    c.set_attr(&p.name, &p.value);
                }
                let cid = ids.alloc(&format!("{xid}-{name}"))?;
                c.set_attr("id", &cid);
                xe.children.push(c);
            }
        }
        e.children.push(xe);
    }
    Ok(e)
}

/// Builds the elements of one statement. Containers (`group`, `clone`, `ms`) come
/// without their members, which [`crate::apply()`] moves in from the resources section;
/// `delete` builds nothing.
pub fn build(command: &Command, ids: &mut IdAllocator) -> Result<Vec<Element>, ApplyError> {
    let one = |e: Element| Ok(vec![e]);
    match command {
        Command::Defaults { kind, id, pairs } => {
            let set_id = id.clone().unwrap_or_else(|| kind.default_id().to_string());
            ids.reserve(&set_id);
            let mut set = el(kind.set_element(), &[("id", &set_id)]);
            for p in pairs {
                set.children.push(nvpair(&set_id, p, ids)?);
            }
            one(set)
        }
        Command::Primitive { id, agent, parts } => one(primitive(id, agent, parts, ids)?),
        Command::Group { id, sets, .. } | Command::Clone { id, sets, .. } => {
            ids.reserve(id);
            let name = match command {
                Command::Group { .. } => "group",
                Command::Clone { ms: true, .. } => "master",
                _ => "clone",
            };
            let mut e = el(name, &[("id", id)]);
            for s in sets {
                e.children.push(attr_set(id, s, ids)?);
            }
            one(e)
        }
        Command::Location {
            id,
            rsc,
            attrs,
            target,
        } => {
            ids.reserve(id);
            let mut e = el("rsc_location", &[("id", id), ("rsc", rsc)]);
            for a in attrs {
                e.set_attr(&a.name, &a.value);
            }
            match target {
                LocationTarget::Node { score, node } => {
                    e.set_attr("score", score);
                    e.set_attr("node", node);
                }
                LocationTarget::Rules(rules) => {
                    for r in rules {
                        e.children.push(rule(id, r, ids)?);
                    }
                }
            }
            one(e)
        }
        Command::Colocation {
            id,
            score,
            groups,
            attrs,
        } => {
            ids.reserve(id);
            let mut e = el("rsc_colocation", &[("id", id), ("score", score)]);
            match simple_pair(groups) {
                Some((a, b)) => {
                    e.set_attr("rsc", &a.id);
                    if let Some(q) = &a.qualifier {
                        e.set_attr("rsc-role", q);
                    }
                    e.set_attr("with-rsc", &b.id);
                    if let Some(q) = &b.qualifier {
                        e.set_attr("with-rsc-role", q);
                    }
                }
                None => e.children = resource_sets(id, groups, "role", ids)?,
            }
            for a in attrs {
                e.set_attr(&a.name, &a.value);
            }
            one(e)
        }
        Command::Order {
            id,
            kind,
            groups,
            attrs,
        } => {
            ids.reserve(id);
            let mut e = el("rsc_order", &[("id", id)]);
            if let Some(k) = kind {
                e.set_attr("kind", k);
            }
            for a in attrs {
                e.set_attr(&a.name, &a.value);
            }
            match simple_pair(groups) {
                Some((a, b)) => {
                    e.set_attr("first", &a.id);
                    if let Some(q) = &a.qualifier {
                        e.set_attr("first-action", q);
                    }
                    e.set_attr("then", &b.id);
                    if let Some(q) = &b.qualifier {
                        e.set_attr("then-action", q);
                    }
                }
                None => e.children = resource_sets(id, groups, "action", ids)?,
            }
            one(e)
        }
        Command::RscTicket {
            id,
            ticket,
            groups,
            attrs,
        } => {
            ids.reserve(id);
            let mut e = el("rsc_ticket", &[("id", id), ("ticket", ticket)]);
            for a in attrs {
                e.set_attr(&a.name, &a.value);
            }
            match groups.as_slice() {
                [g] if g.bracket == Bracket::None && g.refs.len() == 1 => {
                    e.set_attr("rsc", &g.refs[0].id);
                    if let Some(q) = &g.refs[0].qualifier {
                        e.set_attr("rsc-role", q);
                    }
                }
                _ => e.children = resource_sets(id, groups, "role", ids)?,
            }
            one(e)
        }
        Command::Tag { id, refs } => {
            ids.reserve(id);
            let mut e = el("tag", &[("id", id)]);
            for r in refs {
                e.children.push(el("obj_ref", &[("id", r)]));
            }
            one(e)
        }
        Command::FencingTopology { levels } => {
            let mut out = Vec::new();
            let mut index: Vec<(&str, usize)> = Vec::new();
            for l in levels {
                let n = match index.iter_mut().find(|(t, _)| *t == l.target) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        index.push((&l.target, 1));
                        1
                    }
                };
                let id = ids.alloc("fencing")?;
                let index = n.to_string();
                let attrs: Vec<(&str, &str)> = if let Some(a) = l.target.strip_prefix("attr:") {
                    let (name, value) = a.split_once('=').unwrap_or((a, ""));
                    vec![
                        ("index", &index),
                        ("devices", &l.devices),
                        ("target-attribute", name),
                        ("target-value", value),
                        ("id", &id),
                    ]
                } else if let Some(p) = l.target.strip_prefix("pattern:") {
                    vec![
                        ("index", &index),
                        ("devices", &l.devices),
                        ("target-pattern", p),
                        ("id", &id),
                    ]
                } else {
                    vec![
                        ("target", &l.target),
                        ("index", &index),
                        ("devices", &l.devices),
                        ("id", &id),
                    ]
                };
                out.push(el("fencing-level", &attrs));
            }
            Ok(out)
        }
        Command::Node {
            id,
            uname,
            node_type,
            description,
            sets,
        } => {
            let node_id = id.clone().unwrap_or_else(|| uname.clone());
            let mut e = el("node", &[("id", &node_id), ("uname", uname)]);
            if let Some(t) = node_type {
                e.set_attr("type", t);
            }
            if let Some(d) = description {
                e.set_attr("description", d);
            }
            for s in sets {
                e.children.push(attr_set(uname, s, ids)?);
            }
            one(e)
        }
        Command::Delete { .. } => Ok(Vec::new()),
    }
}
