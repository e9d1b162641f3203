//! Changes made to the CIB's status before scheduling: nodes up, down or failed, and
//! injected operation results.

use anyhow::{bail, Context};
use cib::xml::Element;

use super::args::SimArgs;

fn status_mut(root: &mut Element) -> &mut Element {
    if root.child("status").is_none() {
        root.children.push(Element::new("status"));
    }
    root.child_mut("status").expect("status just ensured")
}

fn node_id(root: &Element, name: &str) -> String {
    root.child("configuration")
        .and_then(|c| c.child("nodes"))
        .and_then(|n| {
            n.children_named("node")
                .find(|n| n.attr("uname") == Some(name))
        })
        .map(|n| n.id().to_string())
        .unwrap_or_else(|| name.to_string())
}

fn node_state<'a>(root: &'a mut Element, name: &str) -> &'a mut Element {
    let id = node_id(root, name);
    let status = status_mut(root);
    let pos = status
        .children
        .iter()
        .position(|c| c.name == "node_state" && (c.attr("uname") == Some(name) || c.id() == id));
    let i = match pos {
        Some(i) => i,
        None => {
            let mut ns = Element::new("node_state");
            ns.set_attr("id", &id);
            ns.set_attr("uname", name);
            status.children.push(ns);
            status.children.len() - 1
        }
    };
    &mut status.children[i]
}

fn set_state(root: &mut Element, name: &str, in_ccm: &str, crmd: &str, join: &str, expected: &str) {
    let ns = node_state(root, name);
    ns.set_attr("in_ccm", in_ccm);
    ns.set_attr("crmd", crmd);
    ns.set_attr("join", join);
    ns.set_attr("expected", expected);
}

/// Applies `-u`, `-d`, `-F` and `-i` to the document.
pub fn apply(root: &mut Element, args: &SimArgs) -> anyhow::Result<()> {
    for n in &args.node_up {
        set_state(root, n, "true", "online", "member", "member");
    }
    for n in &args.node_down {
        set_state(root, n, "false", "offline", "down", "down");
    }
    for n in &args.node_fail {
        set_state(root, n, "false", "offline", "down", "member");
    }
    for spec in &args.inject {
        inject_op(root, spec).with_context(|| format!("bad operation spec '{spec}'"))?;
    }
    Ok(())
}

/// Records `RSC_TASK_INTERVAL@NODE=RC` in the node's history.
fn inject_op(root: &mut Element, spec: &str) -> anyhow::Result<()> {
    let (key, rc) = spec.rsplit_once('=').context("missing '=RC'")?;
    let rc: i32 = rc.trim().parse().context("RC is not a number")?;
    let (key, node) = key.rsplit_once('@').context("missing '@NODE'")?;
    let (rest, interval) = key.rsplit_once('_').context("missing _INTERVAL")?;
    let interval: u64 = interval.parse().context("INTERVAL is not a number")?;
    let (rsc, task) = rest.rsplit_once('_').context("missing _TASK")?;
    if rsc.is_empty() || task.is_empty() || node.is_empty() {
        bail!("empty resource, task or node");
    }
    // Find the resource's agent in the configuration.
    fn find<'a>(el: &'a Element, id: &str, depth: usize) -> Option<&'a Element> {
        if depth > cib::limits::MAX_DEPTH {
            return None;
        }
        if el.name == "primitive" && el.id() == id {
            return Some(el);
        }
        el.children.iter().find_map(|c| find(c, id, depth + 1))
    }
    let base = rsc
        .rsplit_once(':')
        .map_or(rsc, |(b, n)| if n.parse::<u32>().is_ok() { b } else { rsc });
    let prim = root
        .child("configuration")
        .and_then(|c| c.child("resources"))
        .and_then(|r| find(r, base, 0))
        .cloned()
        .with_context(|| format!("no primitive '{base}' in the configuration"))?;
    let ns = node_state(root, node);
    if ns.attr("in_ccm").is_none() {
        ns.set_attr("in_ccm", "true");
        ns.set_attr("crmd", "online");
        ns.set_attr("join", "member");
        ns.set_attr("expected", "member");
    }
    if ns.child("lrm").is_none() {
        let mut lrm = Element::new("lrm");
        lrm.set_attr("id", node);
        ns.children.push(lrm);
    }
    let lrm = ns.child_mut("lrm").expect("lrm just ensured");
    if lrm.child("lrm_resources").is_none() {
        lrm.children.push(Element::new("lrm_resources"));
    }
    let list = lrm
        .child_mut("lrm_resources")
        .expect("lrm_resources just ensured");
    let pos = list.children.iter().position(|c| c.id() == rsc);
    let i = match pos {
        Some(i) => i,
        None => {
            let mut r = Element::new("lrm_resource");
            r.set_attr("id", rsc);
            for k in ["class", "provider", "type"] {
                if let Some(v) = prim.attr(k) {
                    r.set_attr(k, v);
                }
            }
            list.children.push(r);
            list.children.len() - 1
        }
    };
    let r = &mut list.children[i];
    let max_call = r
        .children
        .iter()
        .filter_map(|o| o.attr("call-id").and_then(|v| v.parse::<i64>().ok()))
        .max()
        .unwrap_or(0);
    let mut op = Element::new("lrm_rsc_op");
    op.set_attr("id", &format!("{rsc}_{task}_{interval}"));
    op.set_attr("operation", task);
    op.set_attr("interval", &interval.to_string());
    op.set_attr("call-id", &(max_call + 1).to_string());
    op.set_attr("rc-code", &rc.to_string());
    op.set_attr("op-status", "0");
    let target = if interval == 0 && task == "monitor" {
        7
    } else {
        0
    };
    op.set_attr(
        "transition-key",
        &format!("0:0:{target}:00000000-0000-0000-0000-000000000000"),
    );
    r.children.retain(|o| {
        !(o.attr("operation") == Some(task) && o.attr("interval") == Some(&interval.to_string()))
    });
    r.children.push(op);
    Ok(())
}
