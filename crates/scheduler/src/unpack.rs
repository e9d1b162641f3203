//! Building the working set from a CIB: options, nodes, resources and their state from history.

use std::collections::HashMap;

use cib::model::{resolve_sets, Cib, LrmOp, LrmResource, NodeState, ResourceKind};
use cib::rule::RuleContext;
use cib::Score;

use crate::cluster::{Cluster, Node, NodeKind, Role, Rsc, Variant};
use crate::digest::RecordDigests;
use crate::on_fail::OnFail;
use crate::rsc_lookup::RscLookup;

fn truthy(v: Option<&String>, default: bool) -> bool {
    v.map(|v| cib::model::is_true(v)).unwrap_or(default)
}

fn flag_on(v: &Option<String>) -> bool {
    match v.as_deref() {
        None => false,
        Some(s) => {
            cib::model::is_true(s)
                || s.parse::<i64>().map(|n| n > 0).unwrap_or(false)
                || s == "online"
        }
    }
}

/// Builds the working set from `cib` evaluated at `now` (seconds since the epoch).
pub fn unpack(cib: &Cib, now: i64) -> Cluster {
    let options = cib.cluster_options(Some(now));
    let mut c = Cluster {
        have_quorum: cib.have_quorum,
        stonith_enabled: truthy(options.get("stonith-enabled"), true),
        symmetric: truthy(options.get("symmetric-cluster"), true),
        maintenance_mode: truthy(options.get("maintenance-mode"), false),
        no_quorum_policy: options
            .get("no-quorum-policy")
            .cloned()
            .unwrap_or_else(|| "stop".to_string()),
        options,
        now,
        ..Cluster::default()
    };
    unpack_nodes(&mut c, cib);
    let panic = cib
        .root
        .attr("no-quorum-panic")
        .is_some_and(|v| cib::model::is_true(v) || v == "1");
    crate::fencing::apply_suicide(&mut c, panic);
    // Remote and guest nodes count towards a clone's default clone-max.
    let mut remote_count = crate::remote::configured_count(cib);
    for r in &cib.resources {
        let i = build(&mut c, cib, r, None, None, remote_count);
        c.top.push(i);
        // A bundle's guest nodes count for the clones configured after it.
        if let ResourceKind::Bundle(b) = &r.kind {
            remote_count += crate::bundle::guest_count(b);
        }
    }
    crate::remote::add_guest_connections(&mut c);
    add_remote_nodes(&mut c, cib);
    c.nodes
        .sort_by(|a, b| crate::report::natural_cmp(&a.name, &b.name));
    crate::bundle::after_nodes(&mut c);
    for n in 0..c.nodes.len() {
        c.nodes[n].health = crate::health::colour(&c, &c.nodes[n]);
    }
    let mut lookup = RscLookup::build(&c);
    c.status_rank = crate::multi_active::status_ranks(&c, cib);
    // Members first, then the remote and guest nodes that are up, then those that are down.
    let down =
        crate::remote::history_order(&mut c, cib, &mut |c, st| unpack_history(c, &mut lookup, st));
    for st in down {
        unpack_history(&mut c, &mut lookup, st);
    }
    c.rsc_lookup = std::sync::Arc::new(lookup);
    crate::migration_history::apply(&mut c, cib);
    let prio: Vec<i64> = c.top.iter().map(|&r| c.rscs[r].priority).collect();
    let mut order: Vec<(i64, usize)> = prio.into_iter().zip(c.top.iter().copied()).collect();
    order.sort_by_key(|&(p, _)| std::cmp::Reverse(p));
    c.top = order.into_iter().map(|(_, r)| r).collect();
    post_state(&mut c);
    crate::remote::connection_failcounts(&mut c, cib);
    crate::remote::node_states(&mut c, cib);
    c
}

fn unpack_nodes(c: &mut Cluster, cib: &Cib) {
    for def in &cib.nodes {
        if def.kind == "remote" {
            // Remote nodes are created from their connection resources.
            continue;
        }
        let state = cib
            .status
            .iter()
            .find(|s| s.id == def.id || s.uname == def.uname);
        let mut node = Node {
            name: def.uname.clone(),
            id: def.id.clone(),
            kind: NodeKind::Member,
            online: false,
            unclean: false,
            unclean_reason: String::new(),
            standby: false,
            maintenance: false,
            pending: false,
            shutdown: false,
            is_dc: cib.dc_uuid.as_deref() == Some(def.id.as_str()),
            attrs: HashMap::new(),
            health: None,
            connection: None,
            has_state: state.is_some(),
            capacity: HashMap::new(),
            fencing: None,
            remote_up: false,
        };
        let ctx = RuleContext {
            now: Some(c.now),
            ..RuleContext::default()
        };
        resolve_sets(&def.attrs, &ctx, &mut node.attrs);
        let mut util = HashMap::new();
        resolve_sets(&def.utilization, &ctx, &mut util);
        node.capacity = util
            .into_iter()
            .filter_map(|(k, v)| v.parse().ok().map(|n| (k, n)))
            .collect();
        if let Some(st) = state {
            for (k, v) in &st.attrs {
                node.attrs.insert(k.clone(), v.clone());
            }
            member_status(c, &mut node, st);
        } else if c.stonith_enabled && truthy(c.options.get("startup-fencing"), true) {
            node.unclean = true;
            node.unclean_reason = "node is unclean".into();
        }

        finish_node_attrs(&mut node);
        c.nodes.push(node);
    }
}

fn finish_node_attrs(node: &mut Node) {
    node.attrs.insert("#uname".into(), node.name.clone());
    node.attrs.insert("#id".into(), node.id.clone());
    let kind = match node.kind {
        NodeKind::Member => "cluster",
        NodeKind::Remote => "remote",
        NodeKind::Guest => "container",
    };
    node.attrs.insert("#kind".into(), kind.into());
    node.attrs.insert(
        "#is_dc".into(),
        if node.is_dc { "true" } else { "false" }.into(),
    );
    node.standby = truthy(node.attrs.get("standby"), false);
    node.maintenance = truthy(node.attrs.get("maintenance"), false);
    if let Some(s) = node.attrs.get("shutdown") {
        if s != "0" && !s.is_empty() {
            node.shutdown = true;
        }
    }
}

fn member_status(c: &Cluster, node: &mut Node, st: &NodeState) {
    let in_ccm = flag_on(&st.in_ccm);
    let crmd = flag_on(&st.crmd);
    let join = st.join.as_deref().unwrap_or("down");
    let expected = st.expected.as_deref().unwrap_or("down");
    if in_ccm && crmd && join == "member" {
        node.online = true;
    } else if in_ccm && crmd && (join == "pending" || join == "banned") {
        node.pending = join == "pending";
    } else if st.in_ccm.is_none() && c.stonith_enabled {
        // No membership record at all: the node may be running anything.
        node.unclean = true;
        node.unclean_reason = "peer has not been seen by the cluster".into();
    } else if !in_ccm {
        if expected == "member" && c.stonith_enabled {
            node.unclean = true;
            node.unclean_reason = "peer is no longer part of the cluster".into();
        }
    } else if !crmd && expected == "member" {
        // Without fencing the node is still shown unclean, but nothing is done about it.
        node.unclean = true;
        node.unclean_reason = "peer process is no longer available".into();
    }
}

fn rsc_meta(
    c: &Cluster,
    cib: &Cib,
    r: &cib::model::Resource,
    parent: Option<usize>,
) -> HashMap<String, String> {
    let mut meta = HashMap::new();
    let (class, provider, kind) = match &r.kind {
        ResourceKind::Primitive { agent, .. } => (
            agent.class.as_str(),
            agent.provider.as_deref(),
            agent.kind.as_str(),
        ),
        _ => ("", None, ""),
    };
    let ctx = RuleContext {
        now: Some(c.now),
        rsc: Some((class, provider, kind)),
        ..RuleContext::default()
    };
    resolve_sets(&cib.rsc_defaults, &ctx, &mut meta);
    if let Some(p) = parent {
        for (k, v) in &c.rscs[p].meta {
            meta.insert(k.clone(), v.clone());
        }
    }
    let mut own = HashMap::new();
    resolve_sets(&r.meta, &ctx, &mut own);
    meta.extend(own);
    meta
}

fn build(
    c: &mut Cluster,
    cib: &Cib,
    r: &cib::model::Resource,
    parent: Option<usize>,
    suffix: Option<usize>,
    remote_count: usize,
) -> usize {
    let id = match suffix {
        Some(n) => format!("{}:{n}", r.id),
        None => r.id.clone(),
    };
    let variant = match &r.kind {
        ResourceKind::Primitive { .. } => Variant::Primitive,
        ResourceKind::Group(_) => Variant::Group,
        ResourceKind::Clone { .. } => Variant::Clone,
        ResourceKind::Bundle(_) => Variant::Bundle,
    };
    let mut rsc = Rsc::new(&id, &r.id, variant, parent);
    rsc.meta = rsc_meta(c, cib, r, parent);
    let ctx = RuleContext {
        now: Some(c.now),
        ..RuleContext::default()
    };
    // Instance attributes of the enclosing group and clone are the members' defaults.
    if let Some(p) = parent {
        rsc.params = c.rscs[p].params.clone();
    }
    resolve_sets(&r.instance, &ctx, &mut rsc.params);
    let mut util = HashMap::new();
    resolve_sets(&r.utilization, &ctx, &mut util);
    rsc.utilization = util
        .into_iter()
        .filter_map(|(k, v)| v.parse().ok().map(|n| (k, n)))
        .collect();
    let m = rsc.meta.clone();
    let num = |k: &str| m.get(k).and_then(|v| Score::parse(v)).map(|s| s.0);
    rsc.managed = truthy(m.get("is-managed"), true)
        && !c.maintenance_mode
        && !truthy(m.get("maintenance"), false);
    rsc.target_role = m.get("target-role").and_then(|v| Role::parse(v));
    rsc.priority = num("priority").unwrap_or(0);
    rsc.stickiness = num("resource-stickiness")
        .or_else(|| num("default-resource-stickiness"))
        .or_else(|| {
            c.options
                .get("default-resource-stickiness")
                .and_then(|v| Score::parse(v))
                .map(|s| s.0)
        })
        .unwrap_or(0);
    rsc.migration_threshold = num("migration-threshold").unwrap_or(Score::INFINITY);
    if rsc.migration_threshold <= 0 {
        rsc.migration_threshold = Score::INFINITY;
    }
    if let Some(p) = parent {
        let pr = &c.rscs[p];
        rsc.promotable = pr.promotable;
        rsc.unique = pr.unique;
    }
    let idx = c.rscs.len();
    c.rscs.push(rsc);
    match &r.kind {
        ResourceKind::Primitive { agent, ops } => {
            c.rscs[idx].agent = Some(agent.clone());
            c.rscs[idx].ops = ops.clone();
        }
        ResourceKind::Group(members) => {
            for m in members {
                let k = build(c, cib, m, Some(idx), suffix, remote_count);
                c.rscs[idx].children.push(k);
            }
        }
        ResourceKind::Clone {
            master_element,
            child,
        } => {
            let nodes = (c.nodes.len() + remote_count).max(1);
            let cm = &c.rscs[idx].meta;
            let promotable = *master_element || truthy(cm.get("promotable"), false);
            let get = |k: &str| cm.get(k).and_then(|v| v.parse::<usize>().ok());
            let clone_max = get("clone-max").unwrap_or(nodes);
            let clone_node_max = get("clone-node-max").unwrap_or(1);
            let promoted_max = get("promoted-max")
                .or_else(|| get("master-max"))
                .unwrap_or(1);
            let promoted_node_max = get("promoted-node-max")
                .or_else(|| get("master-node-max"))
                .unwrap_or(1);
            let unique = truthy(cm.get("globally-unique"), false);
            {
                let rs = &mut c.rscs[idx];
                rs.promotable = promotable;
                rs.unique = unique;
                rs.clone_max = clone_max;
                rs.clone_node_max = clone_node_max;
                rs.promoted_max = promoted_max;
                rs.promoted_node_max = promoted_node_max;
                if !rs.meta.contains_key("resource-stickiness") {
                    rs.stickiness = 1;
                }
            }
            for i in 0..clone_max {
                let k = build(c, cib, child, Some(idx), Some(i), remote_count);
                c.rscs[idx].children.push(k);
            }
            if clone_max == 0 && matches!(child.kind, ResourceKind::Primitive { .. }) {
                c.empty_clones.push((child.id.clone(), idx));
            }
        }
        ResourceKind::Bundle(b) => {
            let child = |c: &mut Cluster, cib: &Cib, r: &cib::model::Resource, k, n| {
                build(c, cib, r, Some(k), Some(n), remote_count)
            };
            crate::bundle::build(c, cib, b, idx, &child);
        }
    }
    // Clone stickiness applies to instances that did not set their own.
    if let Some(p) = parent {
        if c.rscs[p].variant == Variant::Clone
            && !c.rscs[idx].meta.contains_key("resource-stickiness")
        {
            c.rscs[idx].stickiness = c.rscs[p].stickiness;
        }
        if c.rscs[p].variant == Variant::Group {
            if let Some(gp) = c.rscs[p].parent {
                if c.rscs[gp].variant == Variant::Clone
                    && !c.rscs[idx].meta.contains_key("resource-stickiness")
                {
                    c.rscs[idx].stickiness = c.rscs[gp].stickiness;
                }
            }
        }
    }
    idx
}

fn add_remote_nodes(c: &mut Cluster, cib: &Cib) {
    let mut new_nodes = Vec::new();
    for (i, r) in c.rscs.iter().enumerate() {
        if r.variant != Variant::Primitive {
            continue;
        }
        if let Some(kind) = crate::remote::node_for(c, i) {
            new_nodes.push((r.id.clone(), kind, Some(i)));
        }
    }
    // A remote node still listed in the configuration without a connection resource is a
    // remote node that is down (one whose history shows resources active is not handled
    // yet: it is left out as before).
    for def in cib.nodes.iter().filter(|d| d.kind == "remote") {
        let active = cib
            .status
            .iter()
            .filter(|st| st.uname == def.uname || st.id == def.id)
            .flat_map(|st| st.lrm.iter())
            .any(|lrm| replay(&lrm.ops).role.is_some_and(|r| r.is_active()));
        if !active
            && !new_nodes
                .iter()
                .any(|(name, _, _)| *name == def.uname || *name == def.id)
        {
            new_nodes.push((def.uname.clone(), NodeKind::Remote, None));
        }
    }
    for (name, kind, conn) in new_nodes {
        let state = cib.status.iter().find(|s| s.uname == name || s.id == name);
        let def = cib.nodes.iter().find(|d| d.uname == name || d.id == name);
        let mut node = Node {
            name: name.clone(),
            id: def.map(|d| d.id.clone()).unwrap_or_else(|| name.clone()),
            kind,
            online: false,
            unclean: false,
            unclean_reason: String::new(),
            standby: false,
            maintenance: false,
            pending: false,
            shutdown: false,
            is_dc: false,
            attrs: HashMap::new(),
            health: None,
            connection: conn,
            has_state: state.is_some(),
            capacity: HashMap::new(),
            fencing: None,
            remote_up: false,
        };
        if let Some(d) = def {
            let ctx = RuleContext {
                now: Some(c.now),
                ..RuleContext::default()
            };
            resolve_sets(&d.attrs, &ctx, &mut node.attrs);
        }
        if let Some(st) = state {
            for (k, v) in &st.attrs {
                node.attrs.insert(k.clone(), v.clone());
            }
            let fenced = st
                .raw
                .iter()
                .any(|(k, v)| k == "node_fenced" && v.trim() != "0" && !v.trim().is_empty());
            if fenced {
                c.remote_fenced.push(c.nodes.len());
            }
        }
        finish_node_attrs(&mut node);
        c.nodes.push(node);
    }
}

fn strip_instance(id: &str) -> (&str, Option<usize>) {
    if let Some((base, n)) = id.rsplit_once(':') {
        if let Ok(n) = n.parse::<usize>() {
            return (base, Some(n));
        }
    }
    (id, None)
}

/// Outcome of replaying one resource's history on one node.
#[derive(Debug, Default)]
struct Replay {
    role: Option<Role>,
    failed: bool,
    stop_failed: bool,
    start_failed: bool,
    pending: Option<String>,
    not_installed: bool,
    /// Operation and interval of the latest failed operation.
    failed_op: Option<(String, u64)>,
    /// That failure is only a `last_failure` record of a call whose own record succeeded.
    failed_op_stale: bool,
    /// That stale-looking failure was recorded after the success of the same call.
    failed_since_success: bool,
    /// Exit code and execution status of the failed operations other than probes.
    error_results: Vec<(i32, i32)>,
    /// Digests of the records compared with the definition: every successful start,
    /// promote, migrate_from and probe that found it running since it last stopped, with
    /// each operation's name and interval (its own instance attributes are digested too).
    digests: Vec<(RecordDigests, (String, u64))>,
    /// Some operation of the history completed (not pending, not cancelled).
    completed: bool,
}

/// Execution status of an operation whose agent is not installed.
const EXEC_NOT_INSTALLED: i32 = 7;

/// Execution status of an operation that ran and reported an error.
const EXEC_ERROR: i32 = 4;

/// OCF exit code of an agent running but degraded.
const OCF_DEGRADED: i32 = 190;

/// OCF exit code of an agent promoted but degraded.
const OCF_DEGRADED_PROMOTED: i32 = 191;

/// The exit code an operation counts as: the degraded codes are successes (running, or
/// promoted) that only warn.
fn remap_degraded(rc: i32) -> i32 {
    match rc {
        OCF_DEGRADED => 0,
        OCF_DEGRADED_PROMOTED => 8,
        rc => rc,
    }
}

fn replay(ops: &[LrmOp]) -> Replay {
    let mut sorted: Vec<&LrmOp> = ops.iter().collect();
    sorted.sort_by_key(|o| if o.call_id < 0 { i64::MAX } else { o.call_id });
    let mut out = Replay {
        role: Some(Role::Stopped),
        ..Replay::default()
    };
    for op in sorted {
        let expected = op.target_rc.unwrap_or(0);
        let task = op.operation.as_str();
        if op.op_status == -1 || op.call_id == -1 {
            // A notification in flight changes nothing about the resource.
            if task == "notify" {
                continue;
            }
            out.pending = Some(task.to_string());
            match task {
                "start" | "migrate_from" => {
                    out.role = Some(Role::Started);
                    // A start still in flight is compared with the definition too (what
                    // could be reloaded restarts instead: `agent_change::restarts`).
                    out.digests
                        .push((RecordDigests::of(op), (task.to_string(), op.interval_ms)));
                }
                "promote" => out.role = Some(Role::Promoted),
                _ => {}
            }
            continue;
        }
        if op.op_status == 1 {
            continue; // cancelled
        }
        out.completed = true;
        let rc = remap_degraded(op.rc_code);
        // An execution status of "error" with the expected exit code is a success (old
        // histories recorded results that way).
        let exec_failed = !(op.op_status == 0 || op.op_status == EXEC_ERROR && rc == expected);
        let probe_not_running = task == "monitor" && op.interval_ms == 0 && matches!(rc, 7 | 8);
        if (rc != expected || exec_failed) && !probe_not_running {
            out.failed_op = Some((task.to_string(), op.interval_ms));
            let probe = task == "monitor" && op.interval_ms == 0;
            // A probe reporting a hard error (bad arguments, unimplemented, no permission)
            // counts like any other operation.
            if !probe || op.op_status == 0 && (2..=4).contains(&rc) {
                out.error_results.push((rc, op.op_status));
            }
            let success = ops.iter().find(|o| {
                !std::ptr::eq(*o, op)
                    && o.call_id == op.call_id
                    && o.op_status == 0
                    && remap_degraded(o.rc_code) == o.target_rc.unwrap_or(0)
            });
            out.failed_op_stale = op.id.contains("_last_failure_") && success.is_some();
            // A recurring call that succeeded, then failed later (its failure's result
            // changed after the success was recorded).
            let rc_change = |o: &LrmOp| {
                o.get("last-rc-change")
                    .and_then(|v| v.trim().parse::<i64>().ok())
            };
            out.failed_since_success = success.is_some_and(|s| {
                s.interval_ms > 0
                    && matches!((rc_change(s), rc_change(op)), (Some(a), Some(b)) if b > a)
            });
        }
        if op.interval_ms > 0 && task == "monitor" {
            if rc == expected && !exec_failed {
                if rc == 8 {
                    out.role = Some(Role::Promoted);
                } else if rc == 0 && out.role == Some(Role::Stopped) {
                    out.role = Some(Role::Started);
                } else if rc == 7 {
                    // A monitor expecting "not running" confirmed it.
                    out.role = Some(Role::Stopped);
                }
                continue;
            }
            match rc {
                7 => {
                    out.failed = true;
                }
                8 => {
                    out.role = Some(Role::Promoted);
                    out.failed = true;
                }
                // A monitor expecting "not running" found it running.
                0 if expected == 7 => {
                    out.role = Some(Role::Started);
                    out.failed = true;
                }
                _ => out.failed = true,
            }
            continue;
        }
        if task == "stop" || probe_not_running && rc == 7 {
            out.digests.clear();
        } else if crate::digest::compared(task, op.interval_ms, rc, expected, exec_failed) {
            // `op-digest` covers every parameter, secure ones (`op-secure-params`) included.
            out.digests
                .push((RecordDigests::of(op), (task.to_string(), op.interval_ms)));
        }
        match task {
            "monitor" => match rc {
                0 => {
                    out.role = Some(Role::Started);
                    out.failed = exec_failed;
                }
                7 => {
                    out.role = Some(Role::Stopped);
                    out.failed = false;
                }
                8 => out.role = Some(Role::Promoted),
                5 => {
                    out.role = Some(Role::Stopped);
                    out.not_installed = true;
                }
                _ => {
                    out.failed = true;
                    out.role = Some(Role::Started);
                }
            },
            "start" | "migrate_from" => {
                out.role = Some(Role::Started);
                out.failed = rc != expected || exec_failed;
                out.start_failed = out.failed && task == "start";
            }
            "stop" => {
                if rc == expected && !exec_failed {
                    out.role = Some(Role::Stopped);
                    out.failed = false;
                    out.stop_failed = false;
                } else {
                    out.failed = true;
                    out.stop_failed = true;
                    out.role = Some(Role::Started);
                }
            }
            "migrate_to" => {
                if rc == expected && !exec_failed {
                    out.role = Some(Role::Started);
                } else {
                    out.failed = true;
                }
            }
            "promote" => {
                out.role = Some(Role::Promoted);
                out.failed = rc != expected || exec_failed;
            }
            "demote" => {
                if rc == expected && !exec_failed {
                    out.role = Some(Role::Unpromoted);
                } else {
                    // A failed demote counts as unpromoted (the recovery stops it anyway),
                    // even when the agent said it is not running.
                    out.failed = true;
                    out.role = Some(Role::Unpromoted);
                }
            }
            // Any other operation of the agent that failed (an asynchronous monitor...).
            // A successful reload means the agent was running.
            "reload" | "reload-agent" => {
                if rc == expected && !exec_failed && out.role == Some(Role::Stopped) {
                    out.role = Some(Role::Started);
                }
            }
            "notify" | "cancel" | "delete" | "meta-data" => {}
            _ => {
                if rc != expected || exec_failed {
                    out.failed = true;
                }
            }
        }
    }
    out
}

fn find_rsc_for_history(
    c: &mut Cluster,
    lookup: &mut RscLookup,
    lrm: &LrmResource,
    node: usize,
    replay_active: bool,
) -> Option<usize> {
    if let Some(i) = crate::bundle::guest_instance(c, node, &lrm.id) {
        return Some(i);
    }
    if let Some(i) = lookup.id(&lrm.id) {
        let r = &c.rscs[i];
        if r.variant == Variant::Primitive {
            let anon_clone = c.clone_ancestor(i).is_some_and(|k| !c.rscs[k].unique);
            if !anon_clone {
                return Some(i);
            }
        }
    }
    let (base, _n) = strip_instance(&lrm.id);
    // Instances of an anonymous clone configured with this primitive id.
    // (An orphan of another instance number is another orphan.)
    let candidates: Vec<usize> = lookup
        .configured_as(base)
        .iter()
        .copied()
        .filter(|&i| !(c.rscs[i].orphan && c.rscs[i].parent.is_none()))
        .collect();
    if candidates.is_empty() {
        // A clone of no instances: what ran of it is an orphaned instance.
        let empty = c
            .empty_clones
            .iter()
            .find(|(id, _)| id == base)
            .map(|e| e.1);
        return empty.and_then(|clone| orphan_instance(c, lookup, clone, lrm));
    }
    let clone = c.clone_ancestor(candidates[0]);
    let Some(clone) = clone else {
        return Some(candidates[0]);
    };
    if replay_active {
        if crate::duplicate_instances::lost_copy(c, clone, candidates[0], node) {
            return orphan_instance(c, lookup, clone, lrm);
        }
        let is_group_clone = instance_root(c, candidates[0]) != candidates[0];
        if !is_group_clone {
            if candidates
                .iter()
                .any(|&i| c.rscs[i].running.contains_key(&node))
            {
                return orphan_instance(c, lookup, clone, lrm);
            }
        } else {
            for &i in &candidates {
                let inst = instance_root(c, i);
                let here = c
                    .primitives(inst)
                    .iter()
                    .any(|&p| c.rscs[p].running.contains_key(&node));
                if here && c.rscs[i].running.is_empty() {
                    return Some(i);
                }
            }
            // Every group instance active here already runs this member: the record is a
            // second copy on the node, held by an orphaned group instance.
            let here = |c: &Cluster, i: usize| {
                c.primitives(instance_root(c, i))
                    .iter()
                    .any(|&p| c.rscs[p].running.contains_key(&node))
            };
            let instances_here = candidates.iter().filter(|&&i| here(c, i)).count();
            if instances_here >= c.rscs[clone].clone_node_max.max(1) {
                return crate::duplicate_instances::orphan_group_instance(c, lookup, clone, base);
            }
        }
        for &i in &candidates {
            let inst = instance_root(c, i);
            if c.primitives(inst)
                .iter()
                .all(|&p| c.rscs[p].running.is_empty() && c.rscs[p].pending.is_empty())
            {
                return Some(i);
            }
        }
        if !is_group_clone {
            return orphan_instance(c, lookup, clone, lrm);
        }
        return None;
    }
    for &i in &candidates {
        if c.rscs[i].known_on.contains(&node) {
            return Some(i);
        }
    }
    for &i in &candidates {
        let inst = instance_root(c, i);
        if c.primitives(inst)
            .iter()
            .all(|&p| c.rscs[p].running.is_empty())
        {
            return Some(i);
        }
    }
    candidates.first().copied()
}

/// A resource outside the configuration (`id`, configured as `base`), to be stopped.
pub(crate) fn stopped_orphan(id: &str, base: &str, variant: Variant, parent: Option<usize>) -> Rsc {
    let mut r = Rsc::new(id, base, variant, parent);
    r.orphan = true;
    r.target_role = Some(Role::Stopped);
    r
}

/// A primitive known only from history `lrm`: an orphan of its recorded agent, to be stopped.
pub(crate) fn orphan_rsc(id: &str, base: &str, parent: Option<usize>, lrm: &LrmResource) -> Rsc {
    let mut r = stopped_orphan(id, base, Variant::Primitive, parent);
    r.agent = Some(cib::model::Agent {
        class: lrm.class.clone(),
        provider: lrm.provider.clone(),
        kind: lrm.kind.clone(),
    });
    r
}

fn orphan_instance(
    c: &mut Cluster,
    lookup: &mut RscLookup,
    clone: usize,
    lrm: &LrmResource,
) -> Option<usize> {
    let (base, _) = strip_instance(&lrm.id);
    let n = c.rscs[clone].children.len();
    let mut r = orphan_rsc(&format!("{base}:{n}"), base, Some(clone), lrm);
    r.promotable = c.rscs[clone].promotable;
    r.managed = truthy(c.options.get("stop-orphan-resources"), true) && c.rscs[clone].managed;
    let i = c.rscs.len();
    c.rscs.push(r);
    c.rscs[clone].children.push(i);
    lookup.note(c, i);
    Some(i)
}

/// The direct child of the clone that contains `r`.
pub fn instance_root(c: &Cluster, r: usize) -> usize {
    let mut cur = r;
    while let Some(p) = c.rscs[cur].parent {
        if c.rscs[p].variant == Variant::Clone {
            return cur;
        }
        cur = p;
    }
    cur
}

fn unpack_history(c: &mut Cluster, lookup: &mut RscLookup, st: &NodeState) {
    let Some(node) = c
        .nodes
        .iter()
        .position(|n| n.id == st.id || n.name == st.uname)
    else {
        return;
    };
    // The history of a member node that is down is not believed, unless the node is to be
    // fenced (its resources then stop implicitly with the fencing).
    let n = &c.nodes[node];
    let believed = n.kind != NodeKind::Member
        || n.online
        || n.pending
        || n.maintenance
        || n.unclean && c.stonith_enabled;
    // A member that left cleanly yet whose history still shows something active: with
    // fencing enabled that is believed, and a managed resource active there makes the node
    // unclean.
    let thought_active = !believed
        && c.stonith_enabled
        && st.lrm.iter().any(|lrm| {
            let rp = replay(&lrm.ops);
            rp.role.is_some_and(|r| r.is_active()) && rp.pending.is_none()
        });
    if !believed && !thought_active {
        return;
    }
    let failures = crate::failure_expiry::NodeFailures::of(&st.attrs);
    // Active histories first so anonymous instances keep their numbering stable.
    for recorded in &st.lrm {
        // Expired failures are read as if they had not happened (failure-timeout).
        let configured = configured_rsc(c, lookup, recorded, node);
        let expiry = configured
            .map(|p| crate::failure_expiry::evaluate(c, p, recorded, &failures))
            .unwrap_or_default();
        let kept = crate::failure_expiry::without_ops(recorded, &expiry.ignored_ops);
        let lrm: &LrmResource = &kept;
        let mut rp = replay(&lrm.ops);
        // What failed on a node that is to be fenced anyway stops with the fencing.
        if crate::fencing::doomed(c, node) {
            rp.failed = false;
            rp.stop_failed = false;
            rp.start_failed = false;
            rp.failed_op = None;
            rp.error_results.clear();
        }
        let active = rp.role.is_some_and(|r| r.is_active()) || rp.pending.is_some();
        let idx = match find_rsc_for_history(c, lookup, lrm, node, active) {
            Some(i) => i,
            None => {
                // Orphan: in the history but not configured (a later history of the same
                // id finds it by id).
                let (base, _) = strip_instance(&lrm.id);
                let mut r = orphan_rsc(&lrm.id, base, None, lrm);
                r.managed =
                    truthy(c.options.get("stop-orphan-resources"), true) && !c.maintenance_mode;
                let i = c.rscs.len();
                c.rscs.push(r);
                c.top.push(i);
                lookup.note(c, i);
                i
            }
        };
        if c.rscs[idx].orphan && c.rscs[idx].parent.is_none() {
            c.orphan_histories.push((idx, node));
        }
        if thought_active && active && c.rscs[idx].managed && !c.nodes[node].unclean {
            c.nodes[node].unclean = true;
            c.nodes[node].unclean_reason =
                format!("{} is thought to be active there", c.rscs[idx].id);
        }
        // A bundle's implicit resources carry no configured parameters to compare.
        let implicit = c.rscs[idx]
            .parent
            .is_some_and(|p| c.rscs[p].variant == Variant::Bundle);
        let agent_changed =
            !c.rscs[idx].orphan && crate::agent_change::differs(c.rscs[idx].agent.as_ref(), lrm);
        let r = &mut c.rscs[idx];
        if agent_changed && !r.agent_changed_on.contains(&node) {
            r.agent_changed_on.push(node);
        }
        // A failed stop configured with on-fail=ignore counts as done.
        if rp.stop_failed
            && rp.failed_op.as_ref().is_some_and(|(t, _)| t == "stop")
            && crate::on_fail::configured(r, "stop", 0) == Some(OnFail::Ignore)
        {
            rp.stop_failed = false;
            rp.failed = false;
            rp.role = Some(Role::Stopped);
            r.failure_ignored = true;
        }
        // Actions are named after the history of an active (or failed) instance, or the bare
        // id; a stopped record under another instance number does not rename it.
        let bare = strip_instance(&lrm.id).1.is_none();
        if lrm.id != r.id && r.history_name.is_none() && (active || rp.failed || bare) {
            r.history_name = Some(lrm.id.clone());
        }
        // A recurring operation recorded before the last start or role change was cancelled
        // by it.
        let last_change = lrm
            .ops
            .iter()
            .filter(|o| {
                o.interval_ms == 0
                    && o.op_status == 0
                    && matches!(
                        o.operation.as_str(),
                        "start" | "promote" | "demote" | "migrate_from"
                    )
            })
            .map(|o| o.call_id)
            .max()
            .unwrap_or(-1);
        for op in &lrm.ops {
            if op.call_id >= 0 && op.call_id < last_change {
                continue;
            }
            if op.interval_ms > 0 && op.op_status != 1 && op.op_status != -1 && op.rc_code != 7
                || op.interval_ms > 0 && op.op_status == 0
            {
                let key = (node, op.operation.clone(), op.interval_ms);
                if !r.recurring.contains(&key) {
                    r.recurring.push(key);
                }
            }
        }
        for op in &lrm.ops {
            let ok = op.op_status == 0 && op.rc_code == op.target_rc.unwrap_or(0);
            if op.interval_ms == 0 || op.operation != "monitor" || !ok {
                continue;
            }
            let recorded = RecordDigests::of(op);
            // Only operations configured with an explicit timeout are compared; the digest
            // also covers the operation's own instance attributes (rule-less sets only).
            let Some(def) = r
                .ops
                .iter()
                .find(|o| o.name == "monitor" && o.interval_ms == op.interval_ms)
                .filter(|o| o.instance.iter().all(|set| set.rule.is_none()))
            else {
                continue;
            };
            let Some(timeout) = def
                .get("timeout")
                .and_then(|t| cib::rule::parse_interval_ms(&t))
            else {
                continue;
            };
            let params = crate::digest::with_op_params(&r.params, def);
            if !recorded.matches(&params, op.interval_ms, timeout)
                && !r.stale_recurring.contains(&(node, op.interval_ms))
            {
                r.stale_recurring.push((node, op.interval_ms));
            }
        }
        // A history holding only a stop, migration or probe in progress, or no operation at
        // all, leaves the state unknown (a probe is asked for again).
        let only_leaving = !rp.completed
            && !rp.failed
            && matches!(
                rp.pending.as_deref(),
                Some("stop" | "migrate_to" | "monitor")
            );
        if !only_leaving && !lrm.ops.is_empty() && !r.known_on.contains(&node) {
            r.known_on.push(node);
        }
        if let Some(role) = rp.role {
            if role.is_active() {
                let role = if role == Role::Started && r.promotable {
                    Role::Unpromoted
                } else {
                    role
                };
                r.running.insert(node, role);
            }
        }
        // OCF agents report hard errors (bad arguments, unimplemented, no permission, not
        // installed: never on this node again) and fatal ones (not configured: nowhere).
        let ocf = r.agent.as_ref().is_some_and(|a| a.class == "ocf");
        let exec_not_installed = rp
            .error_results
            .iter()
            .any(|&(_, status)| status == EXEC_NOT_INSTALLED);
        let mut hard_error = exec_not_installed
            || ocf
                && rp
                    .error_results
                    .iter()
                    .any(|&(rc, _)| (2..=5).contains(&rc));
        let mut fatal_error = ocf && rp.error_results.iter().any(|&(rc, _)| rc == 6);
        let mut failed = rp.failed;
        let mut fence_node = false;
        if let (true, Some((task, interval))) = (failed, &rp.failed_op) {
            if task != "stop" {
                match crate::on_fail::configured(r, task, *interval) {
                    // An ignored failure of a call whose record shows success leaves it
                    // running; a monitor whose latest result failed is still recovered.
                    // A blocked one whose call since succeeded is not blocked either.
                    // An agent's own hard or fatal exit code is ignored too; an executor
                    // that found no agent at all is not.
                    Some(OnFail::Ignore) if rp.failed_op_stale && !exec_not_installed => {
                        r.failure_ignored = true;
                        failed = false;
                        hard_error = false;
                        fatal_error = false;
                    }
                    Some(OnFail::Block)
                        if rp.failed_op_stale && !rp.failed_since_success && !hard_error =>
                    {
                        failed = false
                    }
                    Some(OnFail::Block) => r.blocked = true,
                    Some(OnFail::Stop) => r.stopped_by_failure = true,
                    Some(OnFail::Fence) => fence_node = true,
                    Some(OnFail::Demote) if rp.role == Some(Role::Promoted) => {
                        failed = false;
                        r.demote_failed_on.push(node);
                    }
                    _ => {}
                }
            }
        }
        if failed && rp.role.is_some_and(|r| r.is_active()) {
            r.failed_on.push(node);
        }
        let active = rp.role.is_some_and(|r| r.is_active());
        if active && !r.orphan && !implicit && !agent_changed {
            match crate::digest::compare_records(r, &rp.digests) {
                crate::digest::Change::None => {}
                crate::digest::Change::Reload => r.reload_on.push(node),
                crate::digest::Change::Restart => r.definition_changed_on.push(node),
            }
        }
        if rp.stop_failed {
            r.stop_failed_on.push(node);
        }
        let stop_failed_here = rp.stop_failed && r.running.contains_key(&node);
        if let Some(p) = rp.pending {
            r.pending.insert(node, p);
        }
        if rp.not_installed {
            r.not_installed_on.push(node);
        }
        // Fail counts (an expired one, or one being cleared, no longer counts).
        let raw = if configured == Some(idx) {
            expiry.failcount
        } else {
            failures.of_rsc(&[&lrm.id, &c.rscs[idx].id]).0
        };
        let mut fc: i64 = 0;
        if !expiry.expired && !expiry.clear {
            fc = raw;
        }
        if raw > 0 {
            c.failcount_recorded.push((idx, node));
        }
        if expiry.clear && !c.clear_failcounts.contains(&(idx, node)) {
            c.clear_failcounts.push((idx, node));
        }
        if let Some(at) = expiry.recheck_at {
            c.recheck_by = Some(c.recheck_by.map_or(at, |t| t.min(at)));
        }
        // A remote node's connection counts only the fail counts recorded for it.
        if rp.start_failed
            && rp.failed
            && truthy(c.options.get("start-failure-is-fatal"), true)
            && crate::remote::node_for(c, idx) != Some(NodeKind::Remote)
        {
            fc = Score::INFINITY;
        }
        // An agent found not installed there can never run there (until the failure expires).
        let not_installed = rp.not_installed && !probe_failure_expired(&c.rscs[idx], lrm, c.now);
        if hard_error || not_installed {
            fc = Score::INFINITY;
        }
        if fatal_error {
            c.rscs[idx].stopped_by_failure = true;
        }
        if fc > 0 {
            c.rscs[idx].failcount.insert(node, fc);
        }
        // A failed stop leaves the node in an unknown state: fence it, or block the resource.
        if stop_failed_here {
            crate::fencing::failed_stop(c, idx, node);
        } else if fence_node && failed {
            crate::fencing::failed_with_fence(c, idx, node);
        }
    }
}

/// The configured primitive history `lrm` on `node` belongs to, looked up before its
/// replay decides which instance of an anonymous clone it is (they share a definition).
fn configured_rsc(
    c: &Cluster,
    lookup: &RscLookup,
    lrm: &LrmResource,
    node: usize,
) -> Option<usize> {
    if let Some(i) = crate::bundle::guest_instance(c, node, &lrm.id) {
        return Some(i);
    }
    if let Some(i) = lookup.id(&lrm.id) {
        if c.rscs[i].variant == Variant::Primitive {
            return Some(i);
        }
    }
    let (base, _) = strip_instance(&lrm.id);
    lookup.configured_as(base).first().copied()
}

/// Whether the failed probes in `lrm` all happened at least the resource's
/// `failure-timeout` before `now`.
fn probe_failure_expired(r: &Rsc, lrm: &LrmResource, now: i64) -> bool {
    let Some(timeout) = r
        .meta
        .get("failure-timeout")
        .and_then(|v| cib::rule::parse_interval_ms(v))
        .filter(|&ms| ms > 0)
    else {
        return false;
    };
    let timeout = i64::try_from(timeout / 1000).unwrap_or(i64::MAX);
    lrm.ops
        .iter()
        .filter(|o| o.operation == "monitor" && o.interval_ms == 0 && o.rc_code == 5)
        .all(|o| {
            o.get("last-rc-change")
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|t| t.saturating_add(timeout) <= now)
        })
}

/// The parameters without those that are really meta-attributes (old configurations kept
/// `target_role` and `is_managed` among the instance attributes).
fn post_state(c: &mut Cluster) {
    crate::maintenance::unmanage_on_maintenance_nodes(c);
    crate::container::add_failcounts(c);
    crate::failure_expiry::note_changed_definitions(c);
    crate::blocked::apply_multiple_active(c);
    // Unpromoted is only meaningful for promotable clones.
    for r in &mut c.rscs {
        if !r.promotable {
            for role in r.running.values_mut() {
                if *role == Role::Unpromoted {
                    *role = Role::Started;
                }
            }
        }
    }
    // Remote/guest nodes are online when their connection resource runs.
    for n in 0..c.nodes.len() {
        if let Some(conn) = c.nodes[n].connection {
            let running = !c.rscs[conn].running.is_empty();
            let conn_failed = !c.rscs[conn].failed_on.is_empty();
            c.nodes[n].online = running && !conn_failed;
        }
    }
}
