//! Resource templates named by constraints: a template stands for every primitive derived
//! from it. In a resource set the template is replaced in place by those primitives; in a
//! simple constraint (`rsc`, `with-rsc`, `first`, `then`) the constraint becomes the
//! equivalent one over resource sets, the template's primitives forming a set with
//! `sequential="false"`. A colocation naming a template on both sides is ignored.

use std::collections::HashMap;

use cib::model::{Cib, Colocation, Constraint, Order, RscSet, TicketConstraint};
use cib::xml::Element;

/// Template id to the ids of the primitives derived from it, in configuration order.
fn derived(cib: &Cib) -> HashMap<String, Vec<String>> {
    fn walk(el: &Element, out: &mut HashMap<String, Vec<String>>) {
        for ch in &el.children {
            match ch.name.as_str() {
                "template" => {
                    out.entry(ch.id().to_string()).or_default();
                }
                "primitive" => {
                    if let Some(t) = ch.attr("template") {
                        out.entry(t.to_string())
                            .or_default()
                            .push(ch.id().to_string());
                    }
                }
                _ => walk(ch, out),
            }
        }
    }
    let mut out = HashMap::new();
    if let Some(resources) = cib
        .root
        .child("configuration")
        .and_then(|c| c.child("resources"))
    {
        walk(resources, &mut out);
    }
    out
}

/// `cib` with every template a constraint names replaced by its primitives, or `None` when no
/// constraint names a template (the common case: nothing is copied).
pub(crate) fn expand(cib: &Cib) -> Option<Cib> {
    let map = derived(cib);
    if map.is_empty() {
        return None;
    }
    let is_t = |id: &str| map.contains_key(id);
    let sets_name = |sets: &[RscSet]| sets.iter().any(|s| s.resources.iter().any(|r| is_t(r)));
    let names = cib.constraints.iter().any(|k| match k {
        Constraint::Location(l) => l.rsc.iter().any(|r| is_t(r)) || sets_name(&l.sets),
        Constraint::Colocation(co) => is_t(&co.rsc) || is_t(&co.with_rsc) || sets_name(&co.sets),
        Constraint::Order(o) => is_t(&o.first) || is_t(&o.then) || sets_name(&o.sets),
        Constraint::Ticket(tk) => is_t(&tk.rsc) || sets_name(&tk.sets),
    });
    if !names {
        return None;
    }
    let members = |id: &str| -> Vec<String> {
        match map.get(id) {
            Some(list) => list.clone(),
            None => vec![id.to_string()],
        }
    };
    let expand_sets = |sets: &mut Vec<RscSet>| {
        for s in sets.iter_mut() {
            s.resources = s.resources.iter().flat_map(|r| members(r)).collect();
        }
    };
    // One side of a simple constraint as a set.
    let side =
        |cid: &str, n: usize, id: &str, role: Option<String>, action: Option<String>| RscSet {
            id: format!("{cid}-{n}"),
            resources: members(id),
            sequential: !is_t(id),
            require_all: true,
            role,
            action,
            score: None,
            kind: None,
        };
    let mut out = cib.clone();
    // A colocation may name a template on one side only; one naming two is ignored.
    out.constraints.retain(
        |k| !matches!(k, Constraint::Colocation(co) if is_t(&co.rsc) && is_t(&co.with_rsc)),
    );
    for k in out.constraints.iter_mut() {
        match k {
            Constraint::Location(l) => {
                l.rsc = l.rsc.iter().flat_map(|r| members(r)).collect();
                expand_sets(&mut l.sets);
            }
            Constraint::Colocation(co) => {
                if co.sets.is_empty() && (is_t(&co.rsc) || is_t(&co.with_rsc)) {
                    let sets = vec![
                        side(&co.id, 0, &co.rsc, co.rsc_role.clone(), None),
                        side(&co.id, 1, &co.with_rsc, co.with_rsc_role.clone(), None),
                    ];
                    *co = Colocation {
                        sets,
                        rsc: String::new(),
                        with_rsc: String::new(),
                        rsc_role: None,
                        with_rsc_role: None,
                        ..co.clone()
                    };
                } else {
                    expand_sets(&mut co.sets);
                }
            }
            Constraint::Order(o) => {
                if o.sets.is_empty() && (is_t(&o.first) || is_t(&o.then)) {
                    let fa = o.first_action.clone().unwrap_or_else(|| "start".into());
                    let ta = o.then_action.clone().unwrap_or_else(|| fa.clone());
                    let mut first = side(&o.id, 0, &o.first, None, Some(fa));
                    let mut then = side(&o.id, 1, &o.then, None, Some(ta));
                    if o.require_all == Some(false) {
                        first.require_all = false;
                    }
                    then.kind = None;
                    *o = Order {
                        sets: vec![first, then],
                        first: String::new(),
                        then: String::new(),
                        first_action: None,
                        then_action: None,
                        require_all: None,
                        ..o.clone()
                    };
                } else {
                    expand_sets(&mut o.sets);
                }
            }
            Constraint::Ticket(tk) => {
                if tk.sets.is_empty() && is_t(&tk.rsc) {
                    let set = side(&tk.id, 0, &tk.rsc, tk.rsc_role.clone(), None);
                    *tk = TicketConstraint {
                        sets: vec![set],
                        rsc: String::new(),
                        rsc_role: None,
                        ..tk.clone()
                    };
                } else {
                    expand_sets(&mut tk.sets);
                }
            }
        }
    }
    Some(out)
}
