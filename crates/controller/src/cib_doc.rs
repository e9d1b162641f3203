//! Edits of the CIB document tree: administrators' changes, node states, operation history
//! and transient attributes, each reporting which part changed so versions bump as
//! Pacemaker bumps them.

use cib::xml::Element;

use crate::error::ControllerError;
use crate::message::{CibOp, ExecAction, OpRecord};
use crate::version::CibVersion;

/// The feature set written on results and the root, as Pacemaker 2.1.5 writes it.
pub const FEATURE_SET: &str = "3.16.1";

/// Which parts of the CIB an edit touched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// The configuration section changed (epoch bumps).
    pub config: bool,
    /// The status section changed (num_updates bumps).
    pub status: bool,
}

impl Change {
    /// Both changes combined.
    pub fn or(self, other: Change) -> Change {
        Change {
            config: self.config || other.config,
            status: self.status || other.status,
        }
    }

    /// True when anything changed.
    pub fn any(self) -> bool {
        self.config || self.status
    }
}

/// Bumps the version for `change`: epoch (and num_updates reset) on configuration
/// changes, num_updates on status-only changes.
pub fn bump(root: &mut Element, change: Change) {
    let mut v = CibVersion::of(root);
    if change.config {
        v.epoch += 1;
        v.num_updates = 0;
    } else if change.status {
        v.num_updates += 1;
    } else {
        return;
    }
    v.write(root);
}

/// The section `name` of the configuration, created when missing.
pub fn config_section<'a>(root: &'a mut Element, name: &str) -> &'a mut Element {
    let config = child_or_insert(root, "configuration");
    child_or_insert(config, name)
}

fn child_or_insert<'a>(el: &'a mut Element, name: &str) -> &'a mut Element {
    let pos = match el.children.iter().position(|c| c.name == name) {
        Some(p) => p,
        None => {
            el.children.push(Element::new(name));
            el.children.len() - 1
        }
    };
    &mut el.children[pos]
}

fn default_section(name: &str) -> Option<&'static str> {
    Some(match name {
        "primitive" | "group" | "clone" | "master" | "bundle" | "template" => "resources",
        "rsc_location" | "rsc_colocation" | "rsc_order" | "rsc_ticket" => "constraints",
        "cluster_property_set" => "crm_config",
        "node" => "nodes",
        "fencing-level" => "fencing-topology",
        "tag" => "tags",
        _ => return None,
    })
}

const SECTIONS: &[&str] = &[
    "crm_config",
    "nodes",
    "resources",
    "constraints",
    "rsc_defaults",
    "op_defaults",
    "fencing-topology",
    "tags",
];

/// Index path from `el` to the first descendant named `name` with id `id`.
fn find_path(el: &Element, name: &str, id: &str, depth: usize) -> Option<Vec<usize>> {
    if depth > cib::limits::MAX_DEPTH {
        return None;
    }
    for (i, c) in el.children.iter().enumerate() {
        if c.name == name && c.id() == id {
            return Some(vec![i]);
        }
        if let Some(mut p) = find_path(c, name, id, depth + 1) {
            p.insert(0, i);
            return Some(p);
        }
    }
    None
}

fn at_path<'a>(mut el: &'a mut Element, path: &[usize]) -> &'a mut Element {
    for &i in path {
        el = &mut el.children[i];
    }
    el
}

fn merge(into: &mut Element, from: &Element) {
    for (k, v) in &from.attrs {
        into.set_attr(k, v);
    }
    for c in &from.children {
        let slot = into
            .children
            .iter()
            .position(|x| x.name == c.name && x.id() == c.id());
        match slot {
            Some(i) => merge(&mut into.children[i], c),
            None => into.children.push(c.clone()),
        }
    }
}

/// Applies an administrator's change to the document (without bumping the version).
pub fn apply_admin(root: &mut Element, op: &CibOp, now_s: i64) -> Result<Change, ControllerError> {
    let config_change = Change {
        config: true,
        status: false,
    };
    match op {
        CibOp::Replace(x) if x.name == "cib" => {
            let cur = CibVersion::of(root);
            let new = CibVersion::of(x);
            let config = x
                .child("configuration")
                .ok_or_else(|| ControllerError::update("/cib", "no <configuration> section"))?;
            cib::Cib::from_element(x.clone())
                .map_err(|e| ControllerError::update("/cib", e.to_string()))?;
            let slot = child_or_insert(root, "configuration");
            *slot = config.clone();
            // The replacement's own version is kept when newer; the bump follows.
            if new > cur {
                let mut v = new;
                v.epoch = v.epoch.saturating_sub(1);
                v.write(root);
            }
            Ok(config_change)
        }
        CibOp::Replace(x) if x.name == "configuration" => {
            *child_or_insert(root, "configuration") = x.clone();
            Ok(config_change)
        }
        CibOp::Replace(x) if SECTIONS.contains(&x.name.as_str()) => {
            *config_section(root, &x.name) = x.clone();
            Ok(config_change)
        }
        CibOp::Replace(x) | CibOp::Modify(x) => {
            let is_modify = matches!(op, CibOp::Modify(_));
            if is_modify && SECTIONS.contains(&x.name.as_str()) {
                merge(config_section(root, &x.name), x);
                return Ok(config_change);
            }
            if x.attr("id").is_none() {
                return Err(ControllerError::update(
                    format!("/{}", x.name),
                    "element has no id to match",
                ));
            }
            let config = child_or_insert(root, "configuration");
            let path = find_path(config, &x.name, x.id(), 0).ok_or_else(|| {
                ControllerError::update(
                    format!("/cib/configuration//{}", x.describe()),
                    "no such element",
                )
            })?;
            let target = at_path(config, &path);
            if is_modify {
                merge(target, x);
            } else {
                *target = x.clone();
            }
            Ok(config_change)
        }
        CibOp::Create { section, xml } => {
            let sec = match section.as_deref() {
                Some(s) if SECTIONS.contains(&s) => s.to_string(),
                Some(s) => {
                    return Err(ControllerError::update(
                        format!("/cib/configuration/{s}"),
                        "unknown section",
                    ))
                }
                None => default_section(&xml.name)
                    .ok_or_else(|| {
                        ControllerError::update(
                            format!("/{}", xml.describe()),
                            "cannot tell which section it belongs to",
                        )
                    })?
                    .to_string(),
            };
            if let Some(id) = xml.attr("id") {
                if find_path(child_or_insert(root, "configuration"), &xml.name, id, 0).is_some() {
                    return Err(ControllerError::update(
                        format!("/cib/configuration/{sec}/{}", xml.describe()),
                        "an element with this id already exists",
                    ));
                }
            }
            config_section(root, &sec).children.push(xml.clone());
            Ok(config_change)
        }
        CibOp::Delete(x) => {
            let config = child_or_insert(root, "configuration");
            let path = find_path(config, &x.name, x.id(), 0).ok_or_else(|| {
                ControllerError::update(
                    format!("/cib/configuration//{}", x.describe()),
                    "no such element",
                )
            })?;
            let (last, parent) = path.split_last().ok_or_else(|| {
                ControllerError::update("/cib/configuration", "cannot delete the section root")
            })?;
            at_path(config, parent).children.remove(*last);
            Ok(config_change)
        }
        CibOp::SetAttr { node, name, value } => {
            let id = node_id_of(root, node).ok_or_else(|| {
                ControllerError::update(
                    format!("/cib/configuration/nodes/node[@uname='{node}']"),
                    "unknown node",
                )
            })?;
            Ok(set_transient(root, &id, node, name, value.as_deref()))
        }
        CibOp::Cleanup { rsc, node } => Ok(cleanup(root, rsc, node.as_deref(), now_s)),
    }
}

/// The node id recorded for node name `uname` in the configuration's nodes section.
pub fn node_id_of(root: &Element, uname: &str) -> Option<String> {
    root.child("configuration")?
        .child("nodes")?
        .children_named("node")
        .find(|n| n.attr("uname") == Some(uname))
        .map(|n| n.id().to_string())
}

/// The `node_state` for node `id`, created (with `uname`) when missing.
pub fn node_state_mut<'a>(root: &'a mut Element, id: &str, uname: &str) -> &'a mut Element {
    let status = child_or_insert(root, "status");
    let pos = match status
        .children
        .iter()
        .position(|c| c.name == "node_state" && c.id() == id)
    {
        Some(p) => p,
        None => {
            let mut ns = Element::new("node_state");
            ns.set_attr("id", id);
            ns.set_attr("uname", uname);
            status.children.push(ns);
            status.children.len() - 1
        }
    };
    &mut status.children[pos]
}

fn set_attrs(el: &mut Element, pairs: &[(&str, &str)]) -> bool {
    let mut changed = false;
    for (k, v) in pairs {
        if el.attr(k) != Some(v) {
            el.set_attr(k, v);
            changed = true;
        }
    }
    changed
}

/// Records the agreed membership: members get a `<node>` entry and a joined node_state,
/// other known nodes are marked out of the membership (their `expected` is kept, so a
/// node that left without being asked reads as unclean until fenced).
pub fn set_membership(root: &mut Element, members: &[(String, String)]) -> Change {
    let mut change = Change::default();
    for (id, uname) in members {
        let nodes = config_section(root, "nodes");
        if !nodes
            .children
            .iter()
            .any(|n| n.name == "node" && n.id() == id)
        {
            let mut n = Element::new("node");
            n.set_attr("id", id);
            n.set_attr("uname", uname);
            nodes.children.push(n);
            change.config = true;
        }
        let ns = node_state_mut(root, id, uname);
        if ns.attr("in_ccm") != Some("true") {
            // A (re)joining node starts without a pending shutdown request.
            for ta in ns
                .children
                .iter_mut()
                .filter(|c| c.name == "transient_attributes")
            {
                for ia in ta.children.iter_mut() {
                    let before = ia.children.len();
                    ia.children.retain(|nv| nv.attr("name") != Some("shutdown"));
                    change.status |= ia.children.len() != before;
                }
            }
        }
        if set_attrs(
            ns,
            &[
                ("in_ccm", "true"),
                ("crmd", "online"),
                ("crm-debug-origin", "do_state_transition"),
                ("join", "member"),
                ("expected", "member"),
            ],
        ) {
            change.status = true;
        }
    }
    if let Some(status) = root.child_mut("status") {
        for ns in status
            .children
            .iter_mut()
            .filter(|c| c.name == "node_state")
        {
            if members.iter().any(|(id, _)| id == ns.id()) {
                continue;
            }
            // A node that asked to shut down and left is down as expected, not lost.
            let leaving = ns
                .child("transient_attributes")
                .and_then(|t| t.child("instance_attributes"))
                .is_some_and(|ia| {
                    ia.children_named("nvpair").any(|nv| {
                        nv.attr("name") == Some("shutdown") && nv.attr("value") != Some("0")
                    })
                });
            if leaving && ns.attr("expected") != Some("down") {
                ns.set_attr("expected", "down");
                change.status = true;
            }
            if set_attrs(
                ns,
                &[("in_ccm", "false"), ("crmd", "offline"), ("join", "down")],
            ) {
                ns.set_attr("crm-debug-origin", "peer_update_callback");
                change.status = true;
            }
        }
    }
    change
}

/// True when node `id`'s history shows any resource active (last operation a successful
/// start, promote, migrate_from or a monitor finding it running) or in an unknown state
/// after a failure.
pub fn node_active(root: &Element, id: &str) -> bool {
    let Some(lrs) = root
        .child("status")
        .and_then(|s| s.children_named("node_state").find(|n| n.id() == id))
        .and_then(|n| n.child("lrm"))
        .and_then(|l| l.child("lrm_resources"))
    else {
        return false;
    };
    lrs.children_named("lrm_resource").any(|r| {
        let last_id = format!("{}_last_0", r.id());
        let Some(last) = r.children_named("lrm_rsc_op").find(|o| o.id() == last_id) else {
            return false;
        };
        let rc = last.attr("rc-code").unwrap_or("");
        let ok = last.attr("op-status") == Some("0");
        match last.attr("operation").unwrap_or("") {
            "stop" => !(ok && rc == "0"),
            "monitor" => !(ok && rc == "7"),
            _ => true,
        }
    })
}

/// Whether any node outside `members` has resources active per `root`'s status.
pub fn active_outside(root: &Element, members: &[crate::Member]) -> bool {
    let Some(status) = root.child("status") else {
        return false;
    };
    status.children_named("node_state").any(|ns| {
        let id = ns.id();
        !members.iter().any(|m| m.id.to_string() == id) && node_active(root, id)
    })
}

/// Forgets the operation history and transient attributes of nodes outside `members`
/// (used when fencing is disabled: a node that left is taken as cleanly down, and it
/// resends its own history when it rejoins).
pub fn forget_departed(root: &mut Element, members: &[(String, String)]) -> Change {
    let mut changed = false;
    if let Some(status) = root.child_mut("status") {
        for ns in status
            .children
            .iter_mut()
            .filter(|c| c.name == "node_state")
        {
            if members.iter().any(|(id, _)| id == ns.id()) {
                continue;
            }
            let before = ns.children.len();
            ns.children
                .retain(|c| c.name != "lrm" && c.name != "transient_attributes");
            changed |= ns.children.len() != before;
        }
    }
    Change {
        config: false,
        status: changed,
    }
}

/// Records that node `uname` was fenced: down, expected down, history and transient
/// attributes erased.
pub fn mark_fenced(root: &mut Element, uname: &str) -> Change {
    let Some(id) = node_id_of(root, uname) else {
        return Change::default();
    };
    let ns = node_state_mut(root, &id, uname);
    set_attrs(
        ns,
        &[
            ("in_ccm", "false"),
            ("crmd", "offline"),
            ("join", "down"),
            ("expected", "down"),
            ("crm-debug-origin", "send_stonith_update"),
        ],
    );
    ns.children
        .retain(|c| c.name != "lrm" && c.name != "transient_attributes");
    Change {
        config: false,
        status: true,
    }
}

/// Sets or deletes one transient attribute of node `id`.
pub fn set_transient(
    root: &mut Element,
    id: &str,
    uname: &str,
    name: &str,
    value: Option<&str>,
) -> Change {
    let ns = node_state_mut(root, id, uname);
    let ta = match ns
        .children
        .iter()
        .position(|c| c.name == "transient_attributes")
    {
        Some(p) => &mut ns.children[p],
        None => {
            let mut ta = Element::new("transient_attributes");
            ta.set_attr("id", id);
            ns.children.push(ta);
            let last = ns.children.len() - 1;
            &mut ns.children[last]
        }
    };
    let set_id = format!("status-{id}");
    let ia = match ta
        .children
        .iter()
        .position(|c| c.name == "instance_attributes")
    {
        Some(p) => &mut ta.children[p],
        None => {
            let mut ia = Element::new("instance_attributes");
            ia.set_attr("id", &set_id);
            ta.children.push(ia);
            let last = ta.children.len() - 1;
            &mut ta.children[last]
        }
    };
    let pos = ia
        .children
        .iter()
        .position(|c| c.name == "nvpair" && c.attr("name") == Some(name));
    let changed = match (pos, value) {
        (Some(p), None) => {
            ia.children.remove(p);
            true
        }
        (None, None) => false,
        (Some(p), Some(v)) => {
            let nv = &mut ia.children[p];
            let changed = nv.attr("value") != Some(v);
            nv.set_attr("value", v);
            changed
        }
        (None, Some(v)) => {
            let mut nv = Element::new("nvpair");
            nv.set_attr("id", &format!("{set_id}-{name}"));
            nv.set_attr("name", name);
            nv.set_attr("value", v);
            ia.children.push(nv);
            true
        }
    };
    Change {
        config: false,
        status: changed,
    }
}

/// The value of a transient attribute.
pub fn transient(root: &Element, id: &str, name: &str) -> Option<String> {
    root.child("status")?
        .children_named("node_state")
        .find(|n| n.id() == id)?
        .child("transient_attributes")?
        .child("instance_attributes")?
        .children_named("nvpair")
        .find(|nv| nv.attr("name") == Some(name))?
        .attr("value")
        .map(str::to_string)
}

/// Resource id in the configuration for a history id (`rsc:N` → `rsc`).
pub fn base_id(rsc: &str) -> &str {
    rsc.split(':').next().unwrap_or(rsc)
}

fn cleanup(root: &mut Element, rsc: &str, node: Option<&str>, _now_s: i64) -> Change {
    let mut changed = false;
    let Some(status) = root.child_mut("status") else {
        return Change::default();
    };
    for ns in status
        .children
        .iter_mut()
        .filter(|c| c.name == "node_state")
    {
        if node.is_some_and(|n| ns.attr("uname") != Some(n)) {
            continue;
        }
        for part in ns.children.iter_mut() {
            if part.name == "lrm" {
                if let Some(lr) = part.child_mut("lrm_resources") {
                    let before = lr.children.len();
                    lr.children.retain(|r| base_id(r.id()) != rsc);
                    changed |= lr.children.len() != before;
                }
            }
            if part.name == "transient_attributes" {
                for ia in part.children.iter_mut() {
                    let before = ia.children.len();
                    ia.children.retain(|nv| {
                        let n = nv.attr("name").unwrap_or("");
                        cib::failure_attr::failure_attr(n).is_none_or(|(_, t)| base_id(t) != rsc)
                    });
                    changed |= ia.children.len() != before;
                }
            }
        }
    }
    Change {
        config: false,
        status: changed,
    }
}

/// `rsc_task_interval`, Pacemaker's operation key.
pub fn op_key(rsc: &str, task: &str, interval_ms: u64) -> String {
    format!("{rsc}_{task}_{interval_ms}")
}

fn op_element(rec: &OpRecord, id: &str, uname: &str) -> Element {
    let mut op = Element::new("lrm_rsc_op");
    let key = op_key(&rec.rsc, &rec.task, rec.interval_ms);
    let magic = format!("{}:{};{}", rec.op_status, rec.rc, rec.key);
    let pairs: Vec<(&str, String)> = vec![
        ("id", id.to_string()),
        ("operation_key", key),
        ("operation", rec.task.clone()),
        ("crm-debug-origin", "do_update_resource".to_string()),
        ("crm_feature_set", FEATURE_SET.to_string()),
        ("transition-key", rec.key.clone()),
        ("transition-magic", magic),
        ("exit-reason", rec.exit_reason.clone()),
        ("on_node", uname.to_string()),
        ("call-id", rec.call_id.to_string()),
        ("rc-code", rec.rc.to_string()),
        ("op-status", rec.op_status.to_string()),
        ("interval", rec.interval_ms.to_string()),
        ("last-rc-change", rec.when_s.to_string()),
        ("exec-time", rec.exec_ms.to_string()),
        ("queue-time", rec.queue_ms.to_string()),
    ];
    for (k, v) in pairs {
        op.set_attr(k, &v);
    }
    if let Some(d) = &rec.digest {
        op.set_attr("op-digest", d);
    }
    op
}

fn upsert(list: &mut Vec<Element>, el: Element) {
    match list.iter().position(|c| c.id() == el.id()) {
        Some(p) => list[p] = el,
        None => list.push(el),
    }
}

/// Remembers where resources' history entries sit in their `lrm_resources`, so that
/// recording a result is not a search through every resource. Entries are checked on
/// use, so a stale index (after a sync or a cleanup) only costs a search.
///
/// Whoever removes or replaces history entries other than through [`record_op`] and
/// [`record_pending`] must [`HistoryIndex::clear`] it.
#[derive(Clone, Debug, Default)]
pub struct HistoryIndex {
    pos: std::collections::HashMap<(String, String), usize>,
    /// Nodes whose whole `lrm_resources` is indexed, with its length then.
    complete: std::collections::HashMap<String, usize>,
}

impl HistoryIndex {
    /// Forgets everything (after history was edited behind the index's back).
    pub fn clear(&mut self) {
        self.pos.clear();
        self.complete.clear();
    }
}

/// The `lrm_resource` entry for `rec`'s resource on node `node_id`, created when missing.
fn lrm_resource_mut<'a>(
    root: &'a mut Element,
    node_id: &str,
    rec: &OpRecord,
    index: &mut HistoryIndex,
) -> &'a mut Element {
    let ns = node_state_mut(root, node_id, &rec.node);
    ns.set_attr("crm-debug-origin", "do_update_resource");
    let lrm = match ns.children.iter().position(|c| c.name == "lrm") {
        Some(p) => &mut ns.children[p],
        None => {
            let mut l = Element::new("lrm");
            l.set_attr("id", node_id);
            ns.children.push(l);
            let last = ns.children.len() - 1;
            &mut ns.children[last]
        }
    };
    let lrs = child_or_insert(lrm, "lrm_resources");
    if index.complete.get(node_id) != Some(&lrs.children.len()) {
        index.pos.retain(|(n, _), _| n != node_id);
        for (i, c) in lrs.children.iter().enumerate() {
            if c.name == "lrm_resource" {
                index
                    .pos
                    .insert((node_id.to_string(), c.id().to_string()), i);
            }
        }
        index
            .complete
            .insert(node_id.to_string(), lrs.children.len());
    }
    let key = (node_id.to_string(), rec.rsc.clone());
    let hinted = index.pos.get(&key).copied();
    let valid = hinted.filter(|&p| {
        lrs.children
            .get(p)
            .is_some_and(|c| c.name == "lrm_resource" && c.id() == rec.rsc)
    });
    let found = match (hinted, valid) {
        (_, Some(p)) => Some(p),
        // Stale index: search (and it is rebuilt on the next length change).
        (Some(_), None) => lrs
            .children
            .iter()
            .position(|c| c.name == "lrm_resource" && c.id() == rec.rsc),
        (None, None) => None,
    };
    match found {
        Some(p) => {
            index.pos.insert(key, p);
            &mut lrs.children[p]
        }
        None => {
            index.pos.insert(key, lrs.children.len());
            index
                .complete
                .insert(node_id.to_string(), lrs.children.len() + 1);
            let mut r = Element::new("lrm_resource");
            r.set_attr("id", &rec.rsc);
            r.set_attr("type", &rec.kind);
            r.set_attr("class", &rec.class);
            if let Some(p) = &rec.provider {
                r.set_attr("provider", p);
            }
            lrs.children.push(r);
            let last = lrs.children.len() - 1;
            &mut lrs.children[last]
        }
    }
}

/// Records an operation result in node `node_id`'s history as Pacemaker does:
/// `RSC_last_0` for the last one-shot operation (and probes), `RSC_monitor_N` for a
/// recurring monitor, `RSC_last_failure_0` for a failure; a successful stop drops the
/// recurring entries. Returns true when the result is a failure.
pub fn record_op(
    root: &mut Element,
    node_id: &str,
    rec: &OpRecord,
    index: &mut HistoryIndex,
) -> bool {
    let lr = lrm_resource_mut(root, node_id, rec, index);
    if rec.task == "cancel" {
        // A cancelled recurring monitor leaves the history, as Pacemaker's does.
        let gone = op_key(&rec.rsc, "monitor", rec.interval_ms);
        lr.children.retain(|o| o.id() != gone);
        return !rec.succeeded();
    }
    // Probes expect 7 (not running); a probe finding the resource running (0) is not a failure.
    let probe = rec.task == "monitor" && rec.interval_ms == 0;
    let failed = if probe {
        rec.op_status != 0 || !matches!(rec.rc, 0 | 7 | 8)
    } else {
        !rec.succeeded()
    };
    let id = if rec.interval_ms > 0 {
        op_key(&rec.rsc, &rec.task, rec.interval_ms)
    } else {
        format!("{}_last_0", rec.rsc)
    };
    upsert(&mut lr.children, op_element(rec, &id, &rec.node));
    if failed {
        let fid = format!("{}_last_failure_0", rec.rsc);
        upsert(&mut lr.children, op_element(rec, &fid, &rec.node));
    }
    if rec.interval_ms == 0 && rec.task == "stop" && !failed {
        lr.children.retain(|o| {
            o.id().ends_with("_last_failure_0")
                || o.attr("interval")
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
                    == 0
        });
    }
    failed
}

/// Records a dispatched one-shot action as pending (`op-status=-1`, `call-id=-1`,
/// `rc-code=193`) in `RSC_last_0`, as Pacemaker's record-pending does, so that a DC
/// elected while it runs sees it in progress. Probes, recurring monitors and fencing are
/// not recorded. Returns whether anything was written.
pub fn record_pending(
    root: &mut Element,
    node_id: &str,
    a: &ExecAction,
    when_s: i64,
    index: &mut HistoryIndex,
) -> bool {
    let probe_or_recurring = a.task == "monitor" || a.interval_ms > 0;
    if a.fence_target.is_some() || probe_or_recurring {
        return false;
    }
    let rec = OpRecord {
        node: a.node.clone(),
        rsc: a.rsc.clone(),
        class: a.class.clone(),
        provider: a.provider.clone(),
        kind: a.kind.clone(),
        task: a.task.clone(),
        interval_ms: 0,
        rc: 193,
        op_status: -1,
        call_id: 0,
        key: a.key.clone(),
        exit_reason: String::new(),
        exec_ms: 0,
        queue_ms: 0,
        when_s,
        fence_target: None,
        digest: a.digest.clone(),
    };
    let lr = lrm_resource_mut(root, node_id, &rec, index);
    let id = format!("{}_last_0", rec.rsc);
    let mut op = op_element(&rec, &id, &rec.node);
    op.set_attr("call-id", "-1");
    upsert(&mut lr.children, op);
    true
}

/// Bumps `fail-count-RSC#TASK_INTERVAL` (to INFINITY for `infinite`) and sets
/// `last-failure-RSC#TASK_INTERVAL` on node `id`.
pub fn count_failure(
    root: &mut Element,
    id: &str,
    uname: &str,
    rec: &OpRecord,
    infinite: bool,
) -> Change {
    let rsc = &rec.rsc;
    let suffix = format!("{rsc}#{}_{}", rec.task, rec.interval_ms);
    let fc_name = format!("fail-count-{suffix}");
    let old = transient(root, id, &fc_name)
        .and_then(|v| cib::Score::parse(&v).map(|s| s.0))
        .unwrap_or(0);
    let new = if infinite || old >= crate::limits::INFINITY {
        "INFINITY".to_string()
    } else {
        (old + 1).to_string()
    };
    let a = set_transient(root, id, uname, &fc_name, Some(&new));
    let b = set_transient(
        root,
        id,
        uname,
        &format!("last-failure-{suffix}"),
        Some(&rec.when_s.to_string()),
    );
    a.or(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Element {
        cib::xml::parse(
            "<cib epoch=\"1\" num_updates=\"4\" admin_epoch=\"0\"><configuration><crm_config/>\
             <nodes/><resources><primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\
             </resources><constraints/></configuration><status/></cib>",
        )
        .expect("test CIB")
    }

    #[test]
    fn create_modify_delete_and_version_bumps() {
        let mut r = root();
        let mut p = Element::new("primitive");
        p.set_attr("id", "b");
        let ch = apply_admin(
            &mut r,
            &CibOp::Create {
                section: None,
                xml: p.clone(),
            },
            0,
        )
        .expect("create");
        bump(&mut r, ch);
        assert_eq!(CibVersion::of(&r).dotted(), "0.2.0");
        let err = apply_admin(
            &mut r,
            &CibOp::Create {
                section: None,
                xml: p,
            },
            0,
        )
        .expect_err("duplicate id");
        assert!(err.to_string().contains("already exists"), "{err}");
        let mut m = Element::new("primitive");
        m.set_attr("id", "a");
        m.set_attr("description", "x");
        apply_admin(&mut r, &CibOp::Modify(m), 0).expect("modify");
        let a = r
            .child("configuration")
            .and_then(|c| c.child("resources"))
            .and_then(|c| c.children.first())
            .expect("a");
        assert_eq!(a.attr("description"), Some("x"));
        assert_eq!(a.attr("type"), Some("Dummy"));
        let mut d = Element::new("primitive");
        d.set_attr("id", "zz");
        let err = apply_admin(&mut r, &CibOp::Delete(d), 0).expect_err("missing");
        assert!(err.to_string().contains("primitive[@id='zz']"), "{err}");
        let ch = set_membership(&mut r, &[("1".into(), "n1".into())]);
        assert!(ch.config && ch.status);
        let ch = set_transient(&mut r, "1", "n1", "pingd", Some("5"));
        bump(&mut r, ch);
        assert_eq!(transient(&r, "1", "pingd").as_deref(), Some("5"));
    }
}
