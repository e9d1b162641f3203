//! Pacemaker Remote and guest nodes: their connection resources, when such a node is up or
//! unclean, where connections may run, the orderings around a connection, and fencing a
//! node whose connection cannot be recovered.
//!
//! A remote node is named after its `ocf:pacemaker:remote` connection resource. A guest node
//! is named by a primitive's `remote-node` meta-attribute: that primitive is its container,
//! and an implicit connection resource of the node's name runs next to it.

use std::collections::HashMap;

use cib::model::{Agent, Cib, OpDef, ResourceKind};
use cib::Score;

use crate::actions::{ActionKind, Builder};
use crate::assign::{Coloc, Constraints};
use crate::cluster::{Cluster, NodeKind, Rsc, Variant};

/// Whether `agent` is Pacemaker Remote's connection agent.
pub fn is_remote_agent(agent: Option<&Agent>) -> bool {
    agent.is_some_and(|a| {
        a.class == "ocf" && a.provider.as_deref() == Some("pacemaker") && a.kind == "remote"
    })
}

/// How many remote and guest nodes the configuration defines (they count as nodes for a
/// clone's default clone-max).
pub fn configured_count(cib: &Cib) -> usize {
    fn walk(r: &cib::model::Resource, n: &mut usize) {
        match &r.kind {
            ResourceKind::Primitive { agent, .. } => {
                let guest = r
                    .meta
                    .iter()
                    .any(|set| set.pairs.iter().any(|(k, _)| k == "remote-node"));
                if is_remote_agent(Some(agent)) || guest {
                    *n += 1;
                }
            }
            ResourceKind::Group(members) => members.iter().for_each(|m| walk(m, n)),
            ResourceKind::Clone { child, .. } => walk(child, n),
            ResourceKind::Bundle(_) => {}
        }
    }
    let mut n = 0;
    cib.resources.iter().for_each(|r| walk(r, &mut n));
    n
}

/// Adds the implicit connection resource of every guest node (a primitive with the
/// `remote-node` meta-attribute), as a hidden top-level primitive named after the node.
pub fn add_guest_connections(c: &mut Cluster) {
    let guests: Vec<(usize, String)> = c
        .rscs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.variant == Variant::Primitive && !is_remote_agent(r.agent.as_ref()))
        .filter_map(|(i, r)| r.meta.get("remote-node").map(|n| (i, n.clone())))
        .collect();
    for (container, name) in guests {
        let mut r = Rsc::new(&name, &name, Variant::Primitive, None);
        r.agent = Some(Agent {
            class: "ocf".into(),
            provider: Some("pacemaker".into()),
            kind: "remote".into(),
        });
        let interval = 30_000;
        r.ops = vec![OpDef {
            id: format!("{name}-monitor-interval-30s"),
            name: "monitor".into(),
            interval_ms: interval,
            ..OpDef::default()
        }];
        let cm = &c.rscs[container].meta;
        for (param, meta) in [
            ("addr", "remote-addr"),
            ("port", "remote-port"),
            ("server", "remote-addr"),
        ] {
            if let Some(v) = cm.get(meta) {
                r.params.insert(param.into(), v.clone());
            }
        }
        r.managed = c.rscs[container].managed;
        r.container = Some(container);
        let i = c.rscs.len();
        c.rscs.push(r);
        c.top.push(i);
    }
}

/// The kind of node resource `r` connects to, when it is a connection resource (`unpack`
/// creates the node from it).
pub fn node_for(c: &Cluster, r: usize) -> Option<NodeKind> {
    let rsc = &c.rscs[r];
    if rsc.variant != Variant::Primitive || !is_remote_agent(rsc.agent.as_ref()) {
        return None;
    }
    Some(if rsc.container.is_some() {
        NodeKind::Guest
    } else {
        NodeKind::Remote
    })
}

/// Whether resource `r` is some node's connection.
pub fn is_connection(c: &Cluster, r: usize) -> bool {
    node_for(c, r).is_some()
}

/// Whether unit `u` may run only on cluster members: fencing devices, connections and the
/// containers of guest nodes.
pub fn members_only(c: &Cluster, u: usize) -> bool {
    c.primitives(u).iter().any(|&p| {
        let r = &c.rscs[p];
        r.agent.as_ref().is_some_and(|a| a.class == "stonith")
            || is_remote_agent(r.agent.as_ref())
            || r.meta.contains_key("remote-node")
    })
}

/// Bans unit `u` from remote and guest nodes when it may run only on members.
pub fn ban_non_members(c: &Cluster, u: usize, s: &mut [Score]) {
    if !c.nodes.iter().any(|n| n.kind != NodeKind::Member) || !members_only(c, u) {
        return;
    }
    for (n, v) in s.iter_mut().enumerate() {
        if c.nodes[n].kind != NodeKind::Member {
            *v = Score::NEG_INF;
        }
    }
}

/// Whether the connection's last recorded operation anywhere was a successful stop.
fn cleanly_stopped(cib: &Cib, id: &str) -> bool {
    let mut last: Option<(i64, bool)> = None;
    for st in &cib.status {
        for lrm in st.lrm.iter().filter(|l| l.id == id) {
            for op in &lrm.ops {
                if op.call_id < 0 {
                    continue;
                }
                let stop_ok = op.operation == "stop" && op.rc_code == 0 && op.op_status == 0;
                if last.is_none_or(|(c, _)| op.call_id > c) {
                    last = Some((op.call_id, stop_ok));
                }
            }
        }
    }
    last.is_some_and(|(_, ok)| ok)
}

/// Whether a resource has failed on a node it is active on.
fn failed(r: &Rsc) -> bool {
    r.running.keys().any(|n| r.failed_on.contains(n))
}

/// Sets the state of remote and guest nodes from their connections' (and containers')
/// histories: up while the connection runs unfailed, unclean when never seen or when the
/// connection failed, and marked for fencing when the connection failed.
pub fn node_states(c: &mut Cluster, cib: &Cib) {
    let startup_fencing = c.stonith_enabled
        && c.options
            .get("startup-fencing")
            .is_none_or(|v| cib::model::is_true(v));
    // Nodes with any resource history (one pass over the resources).
    let mut seen = vec![false; c.nodes.len()];
    for r in &c.rscs {
        for &n in &r.known_on {
            seen[n] = true;
        }
    }
    for n in 0..c.nodes.len() {
        let Some(conn) = c.nodes[n].connection else {
            continue;
        };
        let kind = c.nodes[n].kind;
        let container = c.rscs[conn].container;
        let conn_running = !c.rscs[conn].running.is_empty();
        let conn_failed = failed(&c.rscs[conn]);
        let container_failed = container.is_some_and(|k| failed(&c.rscs[k]));
        let container_down = container.is_some_and(|k| c.rscs[k].running.is_empty());
        let online = conn_running && !conn_failed && !container_failed && !container_down;
        let node = &mut c.nodes[n];
        node.online = online;
        node.remote_up = online;
        match kind {
            NodeKind::Remote => {
                // Unseen nodes are unclean until their connection runs or stopped cleanly.
                node.unclean =
                    !online && startup_fencing && !cleanly_stopped(cib, &c.rscs[conn].id);
                let reconnect = c.rscs[conn]
                    .meta
                    .get("reconnect_interval")
                    .and_then(|v| cib::rule::parse_interval_ms(v))
                    .is_some_and(|ms| ms > 0);
                // A connection that failed once up leaves the node's resources unknown.
                if conn_failed && seen[n] && c.stonith_enabled && !reconnect {
                    node.fencing = Some("remote connection is unrecoverable".into());
                }
            }
            NodeKind::Guest => {
                node.unclean = false;
                if (conn_failed || container_failed) && c.stonith_enabled {
                    node.fencing = Some("guest is unclean".into());
                }
            }
            NodeKind::Member => {}
        }
    }
}

/// Colocates each guest node's connection with its container.
pub fn add_colocations(c: &Cluster, k: &mut Constraints) {
    for (i, r) in c.rscs.iter().enumerate() {
        let Some(container) = r.container else {
            continue;
        };
        let primary = c.top_of(container);
        k.colocs.push(Coloc {
            id: format!("{}-with-container", r.id),
            dep: i,
            primary,
            score: Score(Score::INFINITY),
            dep_role: None,
            primary_role: None,
            influence: true,
        });
    }
}

/// Placement order: connection resources first (their nodes' availability depends on them),
/// keeping the given order otherwise.
pub fn connections_first(c: &Cluster, order: Vec<usize>) -> Vec<usize> {
    let (first, rest): (Vec<usize>, Vec<usize>) =
        order.into_iter().partition(|&r| is_connection(c, r));
    first.into_iter().chain(rest).collect()
}

/// Once connections are placed: which remote and guest nodes will be up, and which remote
/// nodes must be fenced because resources are active there while the connection cannot be
/// recovered.
pub fn after_connections(c: &mut Cluster) {
    // Whether any resource is active on each node (one pass over the resources).
    let mut active = vec![false; c.nodes.len()];
    for r in &c.rscs {
        if r.variant == Variant::Primitive {
            for &n in r.running.keys() {
                active[n] = true;
            }
        }
    }
    for n in 0..c.nodes.len() {
        let Some(conn) = c.nodes[n].connection else {
            continue;
        };
        let will_run = c.rscs[conn].next.is_some();
        c.nodes[n].remote_up = will_run;
        if c.nodes[n].kind != NodeKind::Remote || will_run || c.nodes[n].fencing.is_some() {
            continue;
        }
        // A connection on a host that is lost cannot be stopped cleanly.
        let host_lost = c.rscs[conn].running.keys().any(|&h| {
            let host = &c.nodes[h];
            host.unclean || host.fencing.is_some()
        });
        if host_lost && active[n] && c.stonith_enabled {
            let why = if c.nodes[n].has_state {
                "resources are active but connection is unrecoverable"
            } else {
                "resources are in unknown state and connection is unrecoverable"
            };
            c.nodes[n].fencing = Some(why.into());
        }
    }
}

/// The node a connection resource connects to.
fn node_of_connection(c: &Cluster) -> HashMap<usize, usize> {
    c.nodes
        .iter()
        .enumerate()
        .filter_map(|(n, node)| node.connection.map(|conn| (conn, n)))
        .collect()
}

/// Whether resource actions on remote or guest node `n` must wait for its connection to
/// start again (so recurring monitors there are set up anew).
pub fn reconnects(c: &Cluster, n: usize, fenced: &[usize]) -> bool {
    let Some(conn) = c.nodes[n].connection else {
        return false;
    };
    let r = &c.rscs[conn];
    let Some(to) = r.next else {
        return false;
    };
    let stays = r.running.len() == 1 && r.running.contains_key(&to) && !failed(r);
    if stays {
        return false;
    }
    match r.running.keys().next() {
        Some(&from) if r.running.len() == 1 && to != from => {
            !crate::actions::can_migrate(c, conn, from, fenced)
        }
        _ => true,
    }
}

/// Orders every action on a remote or guest node after its connection starts, and the stops
/// and demotes there before the connection stops; a guest's connection starts after its
/// container and stops before it.
pub(crate) fn order_actions(b: &mut Builder<'_>) {
    let c = b.c;
    let conns = node_of_connection(c);
    if conns.is_empty() {
        return;
    }
    let mut starts: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut stops: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, a) in b.t.actions.iter().enumerate() {
        let Some(r) = a.rsc else { continue };
        let Some(&n) = conns.get(&r) else { continue };
        if a.interval_ms != 0 {
            continue;
        }
        match a.task.as_str() {
            "start" => starts.entry(n).or_default().push(i),
            "stop" => stops.entry(n).or_default().push(i),
            _ => {}
        }
    }
    let count = b.t.actions.len();
    for i in 0..count {
        let a = &b.t.actions[i];
        let Some(n) = a.node else { continue };
        if c.nodes[n].kind == NodeKind::Member || a.kind == ActionKind::Fence {
            continue;
        }
        if a.rsc.is_some_and(|r| conns.contains_key(&r)) {
            continue;
        }
        match a.task.as_str() {
            "stop" | "demote" | "migrate_to" => {
                for &s in stops.get(&n).map_or(&[][..], Vec::as_slice) {
                    b.order(i, s);
                }
            }
            _ => {
                for &s in starts.get(&n).map_or(&[][..], Vec::as_slice) {
                    b.order(s, i);
                }
            }
        }
    }
    // A guest's connection needs its container.
    for &conn in conns.keys() {
        let Some(container) = c.rscs[conn].container else {
            continue;
        };
        for cs in b.rsc_task(container, "start") {
            for s in b.rsc_task(conn, "start") {
                b.order(cs, s);
            }
        }
        for s in b.rsc_task(container, "stop") {
            for cs in b.rsc_task(conn, "stop") {
                b.order(cs, s);
            }
        }
    }
}

/// The fencing summary line and action label for a remote or guest node.
pub fn fence_text(c: &Cluster, n: usize, reason: &str) -> (String, Option<String>) {
    let node = &c.nodes[n];
    match (node.kind, node.connection.and_then(|k| c.rscs[k].container)) {
        (NodeKind::Guest, Some(container)) => (
            format!(
                "Fence (reboot) {} (resource: {}) '{reason}'",
                node.name, c.rscs[container].id
            ),
            Some(format!("stonith-{}-reboot on {}", node.name, node.name)),
        ),
        _ => (format!("Fence (reboot) {} '{reason}'", node.name), None),
    }
}
