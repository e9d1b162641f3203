//! The transition graph written out: Pacemaker's transition-graph XML (`crm_simulate -G`)
//! and its dot rendering (`crm_simulate -D`).
//!
//! Actions are named as Pacemaker names them: an operation key `<resource>_<task>_<interval>`
//! where the resource is the name its history uses (the bare id for anonymous clone instances
//! recorded that way, with the instance's own key as `internal_operation_key`), notifications
//! as `<instance>_<pre|post>_notify_<phase>_0`, cancellations by the key of the monitor they
//! cancel, fencing as `stonith-<node>-reboot` and shutdowns as `do_shutdown-<node>`.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::actions::{graph_order, Action, ActionKind, Transition};
use crate::cluster::{Cluster, Variant};
use crate::Schedule;

/// Default operation timeout (ms) when neither the op nor op_defaults set one.
const DEFAULT_TIMEOUT_MS: u64 = 20_000;

/// How one action is named and described in the graph.
struct Named {
    /// Element name: rsc_op, pseudo_event or crm_event.
    tag: &'static str,
    /// The `operation` attribute.
    operation: String,
    /// The `operation_key` attribute.
    key: String,
    /// The `internal_operation_key` attribute, when it differs from the key.
    internal: Option<String>,
    /// Node name and uuid.
    node: Option<(String, String)>,
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The notification an instance's `notify` operation carries out: ("pre"|"post", phase),
/// read from the clone's notification pseudo action it waits for.
fn notify_phase(t: &Transition, a: &Action) -> Option<(&'static str, String)> {
    a.after.iter().find_map(|&d| {
        let task = &t.actions[d].task;
        if let Some(phase) = task.strip_prefix("pre_notify_") {
            Some(("pre", phase.to_string()))
        } else {
            task.strip_prefix("post_notify_").map(|done| {
                let phase = match done {
                    "running" => "start",
                    "stopped" => "stop",
                    "promoted" => "promote",
                    "demoted" => "demote",
                    other => other,
                };
                ("post", phase.to_string())
            })
        }
    })
}

/// The name a primitive's operation keys use: the name its history records it under (the
/// bare id for anonymous clone instances found that way), else its own id.
fn key_name(c: &Cluster, p: usize) -> String {
    let r = &c.rscs[p];
    r.history_name.clone().unwrap_or_else(|| r.id.clone())
}

/// For a clone's notification pseudo action (`pre_notify_start`,
/// `confirmed-post_notify_running` ...): (type, key type, operation, key operation).
fn notify_pseudo(task: &str) -> Option<(&'static str, &'static str, &str, &str)> {
    let (confirmed, rest) = match task.strip_prefix("confirmed-") {
        Some(rest) => (true, rest),
        None => (false, task),
    };
    let (kind, key_op) = if let Some(op) = rest.strip_prefix("pre_notify_") {
        ("pre", op)
    } else {
        ("post", rest.strip_prefix("post_notify_")?)
    };
    let op = match (kind, key_op) {
        ("post", "running") => "start",
        ("post", "stopped") => "stop",
        ("post", "promoted") => "promote",
        ("post", "demoted") => "demote",
        (_, other) => other,
    };
    let key_type = match (confirmed, kind) {
        (true, "pre") => "confirmed-pre",
        (true, _) => "confirmed-post",
        (false, "pre") => "pre",
        (false, _) => "post",
    };
    Some((kind, key_type, op, key_op))
}

/// The operation part of a key: task and interval as Pacemaker spells them.
fn op_part(t: &Transition, a: &Action) -> String {
    match a.task.as_str() {
        "cancel" => format!("monitor_{}", a.interval_ms),
        "notify" => match notify_phase(t, a) {
            Some((kind, phase)) => format!("{kind}_notify_{phase}_0"),
            None => "notify_0".to_string(),
        },
        task => format!("{task}_{}", a.interval_ms),
    }
}

fn node_of(c: &Cluster, a: &Action) -> Option<(String, String)> {
    a.node
        .and_then(|n| c.nodes.get(n))
        .map(|n| (n.name.clone(), n.id.clone()))
}

fn name_action(c: &Cluster, t: &Transition, a: &Action) -> Named {
    let node = node_of(c, a);
    match a.kind {
        ActionKind::Resource => {
            let op = op_part(t, a);
            let (key, internal) = match a.rsc {
                Some(p) => {
                    let shown = key_name(c, p);
                    let own = &c.rscs[p].id;
                    let internal = (shown != *own).then(|| format!("{own}_{op}"));
                    (format!("{shown}_{op}"), internal)
                }
                // Histories of resources gone from the configuration carry the id in their label.
                None => {
                    let id = a.label.split(' ').next().unwrap_or_default();
                    (format!("{id}_{op}"), None)
                }
            };
            Named {
                tag: "rsc_op",
                operation: a.task.clone(),
                key,
                internal,
                node,
            }
        }
        ActionKind::Pseudo => {
            let operation = if a.task.starts_with("confirmed-") {
                "notified".to_string()
            } else if a.task.contains("_notify_") {
                "notify".to_string()
            } else {
                a.task.clone()
            };
            let primitive = a.rsc.filter(|&r| c.rscs[r].variant == Variant::Primitive);
            let (key, internal) = match primitive {
                Some(p) => {
                    let op = format!("{}_{}", a.task, a.interval_ms);
                    let shown = key_name(c, p);
                    let own = &c.rscs[p].id;
                    let internal = (shown != *own).then(|| format!("{own}_{op}"));
                    (format!("{shown}_{op}"), internal)
                }
                None => (a.label.clone(), None),
            };
            // Pseudo actions carry no node, except the fencing of guest nodes.
            let node = node.filter(|_| a.task.starts_with("stonith"));
            Named {
                tag: "pseudo_event",
                operation,
                key,
                internal,
                node,
            }
        }
        ActionKind::Fence => {
            let target = node.as_ref().map(|n| n.0.clone()).unwrap_or_default();
            Named {
                tag: "crm_event",
                operation: "stonith".into(),
                key: format!("stonith-{target}-reboot"),
                internal: None,
                node,
            }
        }
        ActionKind::Cluster => {
            let operation = a.task.split(' ').next().unwrap_or_default().to_string();
            let key = match (operation.as_str(), &node, a.rsc) {
                ("do_shutdown", Some((name, _)), _) => format!("do_shutdown-{name}"),
                // A resource's cluster action (clear_failcount) is keyed like its operations.
                (_, _, Some(p)) => format!("{}_{operation}_0", key_name(c, p)),
                _ => operation.clone(),
            };
            Named {
                tag: "crm_event",
                operation,
                key,
                internal: None,
                node,
            }
        }
    }
}

/// The opening of an action element (without its closing `>` or `/>`).
fn head(i: usize, n: &Named) -> String {
    let mut s = format!(
        "<{} id=\"{i}\" operation=\"{}\" operation_key=\"{}\"",
        n.tag,
        xml_escape(&n.operation),
        xml_escape(&n.key)
    );
    if let Some(k) = &n.internal {
        let _ = write!(s, " internal_operation_key=\"{}\"", xml_escape(k));
    }
    if let Some((name, uuid)) = &n.node {
        let _ = write!(
            s,
            " on_node=\"{}\" on_node_uuid=\"{}\"",
            xml_escape(name),
            xml_escape(uuid)
        );
    }
    s
}

/// Milliseconds of a duration attribute (`20s`, `2min`, `500ms`, plain seconds).
fn duration_ms(text: &str) -> Option<u64> {
    cib::rule::parse_interval_ms(text)
}

/// The configuration's `op_defaults` meta-attributes (rules are not evaluated).
pub(crate) fn op_defaults(cib: &cib::Cib) -> Vec<(String, String)> {
    let mut m = std::collections::HashMap::new();
    cib::model::resolve_sets(&cib.op_defaults, &cib::rule::RuleContext::default(), &mut m);
    let mut out: Vec<(String, String)> = m.into_iter().collect();
    out.sort();
    out
}

/// The `CRM_meta_*` attributes every action of the graph starts from: the op_defaults
/// (durations in ms), and the default timeout.
fn base_attrs(t: &Transition) -> BTreeMap<String, String> {
    let mut attrs = BTreeMap::new();
    attrs.insert("CRM_meta_timeout".into(), DEFAULT_TIMEOUT_MS.to_string());
    for (k, v) in &t.op_defaults {
        let value = match k.as_str() {
            "timeout" | "interval" | "start-delay" => match duration_ms(v) {
                Some(ms) => ms.to_string(),
                None => continue,
            },
            _ => v.clone(),
        };
        attrs.insert(format!("CRM_meta_{}", k.replace('-', "_")), value);
    }
    attrs
}

/// The clone meta-attributes (`CRM_meta_clone_max` ...) of an action of resource `r` inside
/// a clone (or of the clone itself), with the instance number for primitives.
fn clone_meta(c: &Cluster, p: usize, attrs: &mut BTreeMap<String, String>) {
    let k = if c.rscs[p].variant == Variant::Clone {
        p
    } else {
        let Some(k) = c.clone_ancestor(p) else {
            return;
        };
        k
    };
    let clone = &c.rscs[k];
    if c.rscs[p].variant == Variant::Primitive {
        let inst = crate::unpack::instance_root(c, p);
        if let Some((_, num)) = c.rscs[inst].id.rsplit_once(':') {
            attrs.insert("CRM_meta_clone".into(), num.to_string());
        }
    }
    attrs.insert("CRM_meta_clone_max".into(), clone.clone_max.to_string());
    attrs.insert(
        "CRM_meta_clone_node_max".into(),
        clone.clone_node_max.to_string(),
    );
    attrs.insert("CRM_meta_globally_unique".into(), clone.unique.to_string());
    attrs.insert(
        "CRM_meta_notify".into(),
        clone.meta_bool("notify", false).to_string(),
    );
    if clone.promotable {
        for (name, v) in [
            ("master_max", clone.promoted_max),
            ("master_node_max", clone.promoted_node_max),
            ("promoted_max", clone.promoted_max),
            ("promoted_node_max", clone.promoted_node_max),
        ] {
            attrs.insert(format!("CRM_meta_{name}"), v.to_string());
        }
    }
}

/// The `attributes` of a resource action: the resource's parameters and the operation's
/// meta-attributes as `CRM_meta_*`.
fn rsc_op_attrs(c: &Cluster, t: &Transition, a: &Action) -> BTreeMap<String, String> {
    let mut attrs = base_attrs(t);
    if let Some((name, uuid)) = node_of(c, a) {
        attrs.insert("CRM_meta_on_node".into(), name);
        attrs.insert("CRM_meta_on_node_uuid".into(), uuid);
    }
    let Some(p) = a.rsc else {
        return attrs;
    };
    let r = &c.rscs[p];
    clone_meta(c, p, &mut attrs);
    let op_name = if a.task == "cancel" {
        "monitor"
    } else {
        a.task.as_str()
    };
    let def = r
        .ops
        .iter()
        .find(|o| o.name == op_name && o.interval_ms == a.interval_ms);
    let mut timeout: u64 = attrs
        .get("CRM_meta_timeout")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_TIMEOUT_MS);
    if let Some(o) = def {
        attrs.insert("CRM_meta_name".into(), o.name.clone());
        if let Some(ms) = o.get("timeout").as_deref().and_then(duration_ms) {
            timeout = ms;
        }
        if let Some(ms) = o.get("start-delay").as_deref().and_then(duration_ms) {
            if ms > 0 {
                attrs.insert("CRM_meta_start_delay".into(), ms.to_string());
            }
        }
        if let Some(v) = o.get("on-fail") {
            attrs.insert("CRM_meta_on_fail".into(), v);
        }
        if let Some(v) = &o.role {
            let role = crate::cluster::Role::parse(v).map_or(v.as_str(), |r| r.name());
            attrs.insert("CRM_meta_role".into(), role.to_string());
        }
    }
    attrs.insert("CRM_meta_timeout".into(), timeout.to_string());
    if a.interval_ms > 0 {
        attrs.insert("CRM_meta_interval".into(), a.interval_ms.to_string());
    }
    match a.task.as_str() {
        "monitor" if a.interval_ms == 0 => {
            attrs.insert("CRM_meta_op_target_rc".into(), "7".into());
        }
        "monitor"
            if def
                .and_then(|o| o.role.as_deref())
                .and_then(crate::cluster::Role::parse)
                == Some(crate::cluster::Role::Promoted) =>
        {
            attrs.insert("CRM_meta_op_target_rc".into(), "8".into());
        }
        "cancel" => {
            attrs.insert("CRM_meta_operation".into(), "monitor".into());
        }
        "migrate_to" | "migrate_from" => {
            // From where it runs to where it is placed.
            let source = r.running.keys().next().copied();
            let target = r.next;
            if let (Some(s), Some(d)) = (source, target) {
                attrs.insert("CRM_meta_migrate_source".into(), c.nodes[s].name.clone());
                attrs.insert("CRM_meta_migrate_target".into(), c.nodes[d].name.clone());
            }
            if a.task == "migrate_to" {
                attrs.insert("CRM_meta_record_pending".into(), "true".into());
            }
        }
        "notify" => {
            if let Some((kind, phase)) = notify_phase(t, a) {
                let done = match phase.as_str() {
                    "start" => "running",
                    "stop" => "stopped",
                    "promote" => "promoted",
                    "demote" => "demoted",
                    other => other,
                };
                let key_op = if kind == "pre" { phase.as_str() } else { done };
                attrs.insert("CRM_meta_notify_type".into(), kind.to_string());
                attrs.insert("CRM_meta_notify_key_type".into(), kind.to_string());
                attrs.insert("CRM_meta_notify_operation".into(), phase.clone());
                attrs.insert("CRM_meta_notify_key_operation".into(), key_op.to_string());
            }
        }
        _ => {}
    }
    if a.task != "cancel" {
        for (k, v) in &r.params {
            attrs.insert(k.clone(), v.clone());
        }
    }
    attrs
}

/// Whether `name` can be written as an XML attribute name.
fn xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.' | ':'))
}

/// The `attributes` element; names that cannot be XML attribute names (a heartbeat agent's
/// positional parameters `1`, `2` ...) are written as `param` children.
fn attrs_xml(attrs: &BTreeMap<String, String>) -> String {
    let mut s = String::from("<attributes");
    let mut params = Vec::new();
    for (k, v) in attrs {
        if xml_name(k) {
            let _ = write!(s, " {k}=\"{}\"", xml_escape(v));
        } else {
            params.push((k, v));
        }
    }
    if params.is_empty() {
        s.push_str("/>");
        return s;
    }
    s.push_str(">\n");
    for (k, v) in params {
        let _ = writeln!(
            s,
            "          <param name=\"{}\" value=\"{}\"/>",
            xml_escape(k),
            xml_escape(v)
        );
    }
    s.push_str("        </attributes>");
    s
}

/// The full element of action `i` (as listed in a synapse's action set).
fn full_element(c: &Cluster, t: &Transition, i: usize, n: &Named) -> String {
    let a = &t.actions[i];
    let mut s = head(i, n);
    s.push_str(">\n");
    let downed = |s: &mut String| {
        if let Some((_, uuid)) = &n.node {
            let _ = write!(
                s,
                "        <downed>\n          <node id=\"{}\"/>\n        </downed>\n",
                xml_escape(uuid)
            );
        }
    };
    match a.kind {
        ActionKind::Resource => {
            if let Some(p) = a.rsc {
                let r = &c.rscs[p];
                let shown = key_name(c, p);
                let anonymous = c.clone_ancestor(p).is_some_and(|k| !c.rscs[k].unique);
                let id = if anonymous && r.history_name.is_none() {
                    r.config_id.clone()
                } else {
                    shown
                };
                write_primitive(&mut s, &id, &r.id, r.agent.as_ref());
            }
            let _ = writeln!(s, "        {}", attrs_xml(&rsc_op_attrs(c, t, a)));
        }
        ActionKind::Pseudo => {
            // A primitive's pseudo action (a stop implied by fencing, a migration's start)
            // carries what the real operation would, without a node.
            let primitive = a.rsc.filter(|&r| c.rscs[r].variant == Variant::Primitive);
            let mut attrs = match primitive {
                Some(_) => {
                    let mut at = rsc_op_attrs(c, t, a);
                    at.remove("CRM_meta_on_node");
                    at.remove("CRM_meta_on_node_uuid");
                    at
                }
                None => base_attrs(t),
            };
            if let (Some(r), None) = (a.rsc, primitive) {
                clone_meta(c, r, &mut attrs);
            }
            if let Some((kind, key_type, op, key_op)) = notify_pseudo(&a.task) {
                attrs.insert("CRM_meta_notify_type".into(), kind.into());
                attrs.insert("CRM_meta_notify_key_type".into(), key_type.into());
                attrs.insert("CRM_meta_notify_operation".into(), op.into());
                attrs.insert("CRM_meta_notify_key_operation".into(), key_op.into());
            }
            if let Some((name, uuid)) = &n.node {
                attrs.insert("CRM_meta_on_node".to_string(), name.clone());
                attrs.insert("CRM_meta_on_node_uuid".to_string(), uuid.clone());
                attrs.insert("CRM_meta_stonith_action".to_string(), "reboot".to_string());
            }
            let _ = writeln!(s, "        {}", attrs_xml(&attrs));
            if a.task.starts_with("stonith") {
                downed(&mut s);
            }
        }
        ActionKind::Fence => {
            let mut attrs = BTreeMap::new();
            if let Some((name, uuid)) = &n.node {
                attrs.insert("CRM_meta_on_node".to_string(), name.clone());
                attrs.insert("CRM_meta_on_node_uuid".to_string(), uuid.clone());
            }
            attrs.insert("CRM_meta_stonith_action".into(), "reboot".into());
            let _ = writeln!(s, "        {}", attrs_xml(&attrs));
            downed(&mut s);
        }
        ActionKind::Cluster => {
            let mut attrs = BTreeMap::new();
            if let Some(p) = a.rsc {
                // A resource's cluster action names it and carries its parameters.
                let r = &c.rscs[p];
                let id = crate::failure_expiry::cluster_action_rsc_id(c, p);
                write_primitive(&mut s, id, &key_name(c, p), r.agent.as_ref());
                attrs = rsc_op_attrs(c, t, a);
            }
            if let Some((name, uuid)) = &n.node {
                attrs.insert("CRM_meta_on_node".to_string(), name.clone());
                attrs.insert("CRM_meta_on_node_uuid".to_string(), uuid.clone());
            }
            attrs.insert("CRM_meta_op_no_wait".into(), "true".into());
            let _ = writeln!(s, "        {}", attrs_xml(&attrs));
            if n.operation == "do_shutdown" {
                downed(&mut s);
            }
        }
    }
    let _ = write!(s, "      </{}>", n.tag);
    s
}

/// The transition graph in Pacemaker's XML layout: one synapse per action, listing the
/// actions it waits for as triggers.
pub fn xml(s: &Schedule) -> String {
    let c = &s.before;
    let t = &s.transition;
    let names: Vec<Named> = t.actions.iter().map(|a| name_action(c, t, a)).collect();
    let mut out = String::new();
    out.push_str(
        "<transition_graph cluster-delay=\"60s\" stonith-timeout=\"60s\" failed-stop-offset=\"INFINITY\" failed-start-offset=\"INFINITY\" batch-limit=\"0\" transition_id=\"0\"",
    );
    // When the scheduler must run again even if nothing changes (a failure-timeout ends).
    if let Some(t) = c.recheck_by {
        let _ = write!(out, " recheck-by=\"{t}\"");
    }
    out.push_str(">\n");
    for (syn, i) in graph_order(t).into_iter().enumerate() {
        let _ = writeln!(out, "  <synapse id=\"{syn}\">");
        let _ = writeln!(
            out,
            "    <action_set>\n      {}\n    </action_set>",
            full_element(c, t, i, &names[i])
        );
        let after = &t.actions[i].after;
        if after.is_empty() {
            out.push_str("    <inputs/>\n");
        } else {
            out.push_str("    <inputs>\n");
            for &d in after {
                let _ = writeln!(
                    out,
                    "      <trigger>\n        {}/>\n      </trigger>",
                    head(d, &names[d])
                );
            }
            out.push_str("    </inputs>\n");
        }
        out.push_str("  </synapse>\n");
    }
    out.push_str("</transition_graph>\n");
    out
}

/// The name crm_simulate's dot output gives an action: its key, then the node it runs on
/// (pseudo actions of primitives name the node too); cancellations read `Cancel <key>`,
/// fencing `stonith 'reboot' <node>`, shutdowns `do_shutdown <node>`.
fn dot_name(c: &Cluster, a: &Action, n: &Named) -> String {
    let node = a.node.and_then(|i| c.nodes.get(i)).map(|x| x.name.as_str());
    let on = |key: &str| match node {
        Some(name) => format!("{key} {name}"),
        None => key.to_string(),
    };
    match a.kind {
        ActionKind::Fence => format!("stonith 'reboot' {}", node.unwrap_or_default()),
        ActionKind::Cluster if n.operation == "do_shutdown" => {
            format!("do_shutdown {}", node.unwrap_or_default())
        }
        ActionKind::Resource if a.task == "cancel" => on(&format!("Cancel {}", n.key)),
        // A guest node is fenced by a pseudo action named like real fencing.
        ActionKind::Pseudo if a.task.starts_with("stonith") => {
            format!("stonith 'reboot' {}", node.unwrap_or_default())
        }
        _ => on(&n.key),
    }
}

/// The transition graph as a dot digraph, in crm_simulate's layout: every action a node
/// (pseudo actions in orange), every ordering an edge.
pub fn dot(s: &Schedule) -> String {
    let c = &s.before;
    let t = &s.transition;
    let names: Vec<String> = t
        .actions
        .iter()
        .map(|a| dot_name(c, a, &name_action(c, t, a)))
        .collect();
    let mut out = String::from(" digraph \"g\" {\n");
    let order = graph_order(t);
    for &i in &order {
        let font = if t.actions[i].kind == ActionKind::Pseudo {
            "orange"
        } else {
            "black"
        };
        let _ = writeln!(
            out,
            "\"{}\" [ style=bold color=\"green\" fontcolor=\"{font}\"]",
            names[i]
        );
    }
    for &i in &order {
        for &d in &t.actions[i].after {
            let _ = writeln!(out, "\"{}\" -> \"{}\" [ style = bold]", names[d], names[i]);
        }
    }
    out.push_str("}\n");
    out
}

/// An action's `<primitive>` line: its id, the `long-id` when the full name differs, and
/// the agent.
fn write_primitive(s: &mut String, id: &str, long: &str, agent: Option<&cib::model::Agent>) {
    let _ = write!(s, "        <primitive id=\"{}\"", xml_escape(id));
    if long != id {
        let _ = write!(s, " long-id=\"{}\"", xml_escape(long));
    }
    if let Some(ag) = agent {
        let _ = write!(s, " class=\"{}\"", xml_escape(&ag.class));
        if let Some(pv) = &ag.provider {
            let _ = write!(s, " provider=\"{}\"", xml_escape(pv));
        }
        let _ = write!(s, " type=\"{}\"", xml_escape(&ag.kind));
    }
    s.push_str("/>\n");
}
