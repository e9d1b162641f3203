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
    fn walk<'a>(r: &'a cib::model::Resource, names: &mut Vec<&'a str>) {
        match &r.kind {
            ResourceKind::Primitive { agent, .. } => {
                let guest = r
                    .meta
                    .iter()
                    .flat_map(|set| set.pairs.iter())
                    .find(|(k, _)| k == "remote-node");
                if let Some((_, g)) = guest {
                    names.push(g.as_deref().unwrap_or(&r.id));
                } else if is_remote_agent(Some(agent)) {
                    names.push(&r.id);
                }
            }
            ResourceKind::Group(members) => members.iter().for_each(|m| walk(m, names)),
            ResourceKind::Clone { child, .. } => walk(child, names),
            // A bundle's guest nodes exist only once the bundle is unpacked.
            ResourceKind::Bundle(_) => {}
        }
    }
    let mut names = Vec::new();
    cib.resources.iter().for_each(|r| walk(r, &mut names));
    // Remote nodes still listed without a connection count too.
    let stale = cib
        .nodes
        .iter()
        .filter(|d| d.kind == "remote" && !names.contains(&d.uname.as_str()))
        .count();
    names.len() + stale
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

/// Where connection failures count: a guest connection's fail counts are added to its
/// container's (a guest whose connection keeps failing counts against the container's
/// `migration-threshold`). A remote node's connection is banned by its own recorded fail
/// counts only in CIBs older than feature set 3.0.13; newer ones recover it in place
/// (after fencing the node when needed). Bundles place their replicas themselves.
pub fn connection_failcounts(c: &mut Cluster, cib: &Cib) {
    let remote_bans = cib
        .root
        .attr("crm_feature_set")
        .is_some_and(|v| feature_set_below(v, [3, 0, 13]));
    for i in 0..c.rscs.len() {
        let r = &c.rscs[i];
        if r.failcount.is_empty() || r.parent.is_some() || !is_remote_agent(r.agent.as_ref()) {
            continue;
        }
        let Some(k) = r.container else {
            if !remote_bans {
                c.rscs[i].failcount.clear();
            }
            continue;
        };
        let counts: Vec<(usize, i64)> = r.failcount.iter().map(|(&n, &f)| (n, f)).collect();
        for (n, f) in counts {
            let slot = c.rscs[k].failcount.entry(n).or_insert(0);
            *slot = Score(*slot).plus(Score(f)).0;
        }
    }
}

/// Whether the dotted version `v` is below `than` (unparsable parts count as 0).
fn feature_set_below(v: &str, than: [u64; 3]) -> bool {
    let mut parts = v.trim().split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let got = [
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    ];
    got < than
}

/// Reads the node histories in Pacemaker's order, calling `unpack` on each: cluster members
/// first, then remote and guest nodes whose connection (and a guest's container) the
/// histories read so far show running, in status order, repeatedly; returns the rest (nodes
/// that are down), to be read last in status order. Anonymous clone instances are numbered
/// in this order, so an instance left on a down guest comes after those on live nodes.
pub(crate) fn history_order<'a>(
    c: &mut Cluster,
    cib: &'a Cib,
    unpack: &mut dyn FnMut(&mut Cluster, &'a cib::model::NodeState),
) -> Vec<&'a cib::model::NodeState> {
    let node_of = |c: &Cluster, st: &cib::model::NodeState| {
        c.nodes
            .iter()
            .position(|n| n.id == st.id || n.name == st.uname)
    };
    let mut pending = Vec::new();
    for st in &cib.status {
        match node_of(c, st) {
            Some(n) if c.nodes[n].kind != NodeKind::Member => pending.push((n, st)),
            _ => unpack(c, st),
        }
    }
    loop {
        let before = pending.len();
        let mut rest = Vec::with_capacity(before);
        for (n, st) in pending {
            let up = c.nodes[n].connection.is_some_and(|conn| {
                let r = &c.rscs[conn];
                !r.running.is_empty() && r.container.is_none_or(|k| !c.rscs[k].running.is_empty())
            });
            if up {
                unpack(c, st);
            } else {
                rest.push((n, st));
            }
        }
        pending = rest;
        if pending.len() == before {
            break;
        }
    }
    pending.into_iter().map(|(_, st)| st).collect()
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
    // A bundle places its containers itself (its connections are members-only).
    if c.rscs[u].variant == Variant::Bundle {
        return false;
    }
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

/// Whether the connection's latest recorded operation on a node it is active on is a failed
/// start (call ids only order the operations of one node).
fn start_failed(c: &Cluster, cib: &Cib, conn: usize) -> bool {
    let r = &c.rscs[conn];
    cib.status
        .iter()
        .filter(|st| {
            r.running
                .keys()
                .any(|&n| c.nodes[n].id == st.id || c.nodes[n].name == st.uname)
        })
        .any(|st| {
            let mut last: Option<(i64, bool)> = None;
            for lrm in st.lrm.iter().filter(|l| l.id == r.id) {
                for op in lrm.ops.iter().filter(|o| o.call_id >= 0) {
                    let failed_start =
                        op.operation == "start" && (op.rc_code != 0 || op.op_status != 0);
                    if last.is_none_or(|(c, _)| op.call_id > c) {
                        last = Some((op.call_id, failed_start));
                    }
                }
            }
            last.is_some_and(|(_, f)| f)
        })
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
    // Nodes with any resource history, and with active resources (one pass).
    let mut seen = vec![false; c.nodes.len()];
    // The first resource (in configuration order) active on each node.
    let mut active: Vec<Option<usize>> = vec![None; c.nodes.len()];
    for (i, r) in c.rscs.iter().enumerate() {
        for &n in &r.known_on {
            seen[n] = true;
        }
        if r.variant == Variant::Primitive {
            for &n in r.running.keys() {
                active[n].get_or_insert(i);
            }
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
        // A guest whose container runs on a lost host is lost with it.
        let host_lost =
            container.is_some_and(|k| c.rscs[k].running.keys().any(|&h| host_is_lost(&c.nodes[h])));
        let online =
            conn_running && !conn_failed && !container_failed && !container_down && !host_lost;
        let conn_start_failed = conn_failed && start_failed(c, cib, conn);
        let node = &mut c.nodes[n];
        node.online = online;
        node.remote_up = online;
        match kind {
            NodeKind::Remote => {
                // A node never seen, or left with active resources by a connection that did
                // not stop cleanly, is unclean until its connection runs again.
                node.unclean = !online
                    && startup_fencing
                    && (!node.has_state || active[n].is_some())
                    && !cleanly_stopped(cib, &c.rscs[conn].id);
                let reconnect = c.rscs[conn]
                    .params
                    .get("reconnect_interval")
                    .and_then(|v| cib::rule::parse_interval_ms(v))
                    .is_some_and(|ms| ms > 0);
                // A connection that failed once up leaves the node's resources unknown; one
                // that failed to start leaves whatever ran there in doubt.
                if conn_failed && c.stonith_enabled {
                    if !conn_start_failed {
                        if seen[n] || node.has_state {
                            node.fencing = Some("remote connection is unrecoverable".into());
                            node.unclean = true;
                        }
                    } else if let Some(r) = active[n] {
                        node.fencing =
                            Some(format!("{} is thought to be active there", c.rscs[r].id));
                    }
                }
                // With a reconnect interval, a lost connection is retried later, not now.
                if conn_failed && reconnect {
                    c.rscs[conn].stopped_by_failure = true;
                }
            }
            NodeKind::Guest => {
                node.unclean = false;
                node.fencing = None;
            }
            NodeKind::Member => {}
        }
    }
    // A guest's connection goes wherever its container goes, even in an asymmetric cluster.
    let all: Vec<usize> = (0..c.nodes.len()).collect();
    for r in c.rscs.iter_mut().filter(|r| r.container.is_some()) {
        r.allowed_any = all.clone();
    }
    guest_fencing(c, &seen);
    fail_on_fenced_guests(c);
}

/// Which guest nodes are unclean and must be "fenced" (by recovering their container): the
/// container or the connection failed, the container's host is lost, resources are active
/// there while the guest is down, or a resource there failed with `on-fail=fence` or failed
/// to stop. The container of an unclean guest that is still up is recovered.
fn guest_fencing(c: &mut Cluster, _seen: &[bool]) {
    if !c.stonith_enabled || !c.nodes.iter().any(|n| n.kind == NodeKind::Guest) {
        return;
    }
    let nn = c.nodes.len();
    // Per node: something active there, and something that failed in a way needing fencing.
    let mut active = vec![false; nn];
    let mut fence_failure = vec![false; nn];
    for r in &c.rscs {
        if r.variant != Variant::Primitive {
            continue;
        }
        let fences = r.ops.iter().any(|o| {
            o.get("on-fail")
                .is_some_and(|v| v.eq_ignore_ascii_case("fence"))
        });
        for &n in r.running.keys() {
            active[n] = true;
            if r.stop_failed_on.contains(&n) || fences && r.failed_on.contains(&n) {
                fence_failure[n] = true;
            }
        }
    }
    for n in 0..nn {
        let node = &c.nodes[n];
        let (NodeKind::Guest, Some(conn)) = (node.kind, node.connection) else {
            continue;
        };
        let Some(container) = c.rscs[conn].container else {
            continue;
        };
        let k = &c.rscs[container];
        let host_lost = k.running.keys().any(|&h| host_is_lost(&c.nodes[h]));
        let unclean = failed(k)
            || failed(&c.rscs[conn])
            || host_lost
            || active[n] && !node.online
            || fence_failure[n];
        if !unclean {
            continue;
        }
        c.nodes[n].fencing = Some("guest is unclean".into());
        // A container on a lost host just moves; otherwise it is recovered (also when the
        // connection to its guest failed). Resources left active on a guest that is down
        // fail its container wherever it is (status shows a stopped one `FAILED`).
        let left_active = active[n] && !c.nodes[n].online;
        if left_active && c.rscs[container].running.is_empty() {
            c.rscs[container].failed_stopped = true;
        }
        if (c.nodes[n].online || failed(&c.rscs[conn])) && !host_lost || left_active {
            let hosts: Vec<usize> = c.rscs[container].running.keys().copied().collect();
            for h in hosts {
                if !c.rscs[container].failed_on.contains(&h) {
                    c.rscs[container].failed_on.push(h);
                }
            }
        }
    }
}

/// Whether a guest's container host is lost: an unclean member, or a node to be fenced.
fn host_is_lost(host: &crate::cluster::Node) -> bool {
    host.kind == NodeKind::Member && host.unclean || host.fencing.is_some()
}

/// Resources active on a guest node that is to be fenced have failed there (they are
/// recovered once the container is back).
fn fail_on_fenced_guests(c: &mut Cluster) {
    let fenced: Vec<bool> = c
        .nodes
        .iter()
        .map(|n| n.kind == NodeKind::Guest && n.fencing.is_some() && !n.online)
        .collect();
    if !fenced.iter().any(|&f| f) {
        return;
    }
    for r in &mut c.rscs {
        let on: Vec<usize> = r.running.keys().copied().filter(|&n| fenced[n]).collect();
        for n in on {
            if !r.failed_on.contains(&n) {
                r.failed_on.push(n);
            }
        }
    }
}

/// Resources on a guest node restart when its container (re)starts, and so does the guest's
/// connection: adds them to `restart` with the reason.
pub fn restart_guests(c: &Cluster, restart: &mut HashMap<usize, String>) {
    let mut reasons: HashMap<usize, String> = HashMap::new();
    for (n, node) in c.nodes.iter().enumerate() {
        let Some(conn) = node.connection else {
            continue;
        };
        let Some(container) = c.rscs[conn].container else {
            continue;
        };
        let k = &c.rscs[container];
        let Some(to) = k.next else { continue };
        let migrates = k.running.len() == 1
            && !k.running.contains_key(&to)
            && k.running
                .keys()
                .all(|&from| crate::actions::can_migrate(c, container, from, &[]));
        let restarts = k.managed
            && !migrates
            && (!k.running.contains_key(&to) || failed(k) || restart.contains_key(&container));
        if restarts {
            reasons.insert(n, format!("required {} start", k.id));
        }
    }
    if reasons.is_empty() {
        return;
    }
    for (p, r) in c.rscs.iter().enumerate() {
        if r.variant != Variant::Primitive || !r.managed || failed(r) || restart.contains_key(&p) {
            continue;
        }
        let Some(n) = r.next else { continue };
        let host = match r.container {
            // The connection itself restarts with its container.
            Some(_) => c.nodes.iter().position(|node| node.connection == Some(p)),
            None => Some(n),
        };
        let Some(why) = host.and_then(|h| reasons.get(&h)) else {
            continue;
        };
        if r.running.len() == 1 && r.running.contains_key(&n) {
            restart.insert(p, why.clone());
        }
    }
}

/// Colocates each guest node's connection with its container.
pub fn add_colocations(c: &Cluster, k: &mut Constraints) {
    for (i, r) in c.rscs.iter().enumerate() {
        let Some(container) = r.container else {
            continue;
        };
        // A bundle places its replicas' connections itself.
        if r.parent
            .is_some_and(|p| c.rscs[p].variant == Variant::Bundle)
        {
            continue;
        }
        let primary = c.top_of(container);
        k.colocs.push(Coloc {
            id: format!("{}-with-container", r.id),
            dep: i,
            primary,
            score: Score(Score::INFINITY),
            dep_role: None,
            primary_role: None,
            influence: true,
            node_attribute: None,
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
    let mut seen = vec![false; c.nodes.len()];
    for r in &c.rscs {
        if r.variant == Variant::Primitive {
            for &n in r.running.keys() {
                active[n] = true;
            }
            for &n in &r.known_on {
                seen[n] = true;
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
        if host_lost && c.stonith_enabled {
            let why = if active[n] {
                "resources are active but connection is unrecoverable"
            } else if !seen[n] {
                "resources are in unknown state and connection is unrecoverable"
            } else {
                continue;
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

/// Whether resources may be probed on remote or guest node `n`: a remote node that is up or
/// whose connection will start, a guest node that is up and stays connected.
pub fn probe_on(c: &Cluster, n: usize, fenced: &[usize]) -> bool {
    let node = &c.nodes[n];
    if node.fencing.is_some() {
        return false;
    }
    // With fencing enabled, a remote node may opt out of discovery.
    let opted_out = c.stonith_enabled
        && node
            .attrs
            .get("resource-discovery-enabled")
            .is_some_and(|v| !cib::model::is_true(v));
    if node.kind != NodeKind::Member && opted_out {
        return false;
    }
    match node.kind {
        NodeKind::Remote => node.online || node.remote_up,
        NodeKind::Guest => {
            node.online && node.remote_up && !reconnects(c, n, fenced) && !moves(c, n)
                || connects_in_place(c, n)
        }
        NodeKind::Member => true,
    }
}

/// Whether guest node `n`'s connection leaves the node it runs on (a guest migrating with its
/// container is not probed on the way).
fn moves(c: &Cluster, n: usize) -> bool {
    let Some(conn) = c.nodes[n].connection else {
        return false;
    };
    let r = &c.rscs[conn];
    r.next.is_some_and(|to| !r.running.contains_key(&to))
}

/// Whether guest node `n`'s connection starts next to a container that already runs and
/// stays where it is (the guest is then probed once connected; a guest whose container
/// starts is not).
fn connects_in_place(c: &Cluster, n: usize) -> bool {
    let Some(conn) = c.nodes[n].connection else {
        return false;
    };
    let r = &c.rscs[conn];
    let Some(k) = r.container else {
        return false;
    };
    let kr = &c.rscs[k];
    r.managed
        && r.running.is_empty()
        && r.next.is_some()
        && kr.running.len() == 1
        && kr
            .next
            .is_some_and(|h| kr.running.contains_key(&h) && r.next == Some(h))
        && !failed(kr)
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
        // Connections themselves, and node-level actions (a guest's fencing), are not.
        if a.rsc.is_none_or(|r| conns.contains_key(&r)) {
            continue;
        }
        match a.task.as_str() {
            "stop" | "demote" | "migrate_to" => {
                // A fenced guest's stops are implied by its container's stop.
                if a.kind == ActionKind::Pseudo && c.nodes[n].kind == NodeKind::Guest {
                    continue;
                }
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
    // A guest's connection needs its container; the guest is "fenced" by the container's stop.
    for (&conn, &n) in conns.iter() {
        let Some(container) = c.rscs[conn].container else {
            continue;
        };
        if let Some(f) = b.find(None, "stonith", Some(n)) {
            for s in b.rsc_task(container, "stop") {
                b.order(s, f);
            }
        }
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
        (NodeKind::Guest, Some(container)) => {
            // A guest whose container's host is lost, and which is not started again, is
            // switched off.
            let k = &c.rscs[container];
            let host_lost = k.running.keys().any(|&h| {
                let host = &c.nodes[h];
                host.kind == NodeKind::Member && host.unclean || host.fencing.is_some()
            });
            let action = if host_lost && k.next.is_none() {
                "off"
            } else {
                "reboot"
            };
            (
                format!(
                    "Fence ({action}) {} (resource: {}) '{reason}'",
                    node.name, c.rscs[container].id
                ),
                Some(format!("stonith-{}-{action} on {}", node.name, node.name)),
            )
        }
        _ => (format!("Fence (reboot) {} '{reason}'", node.name), None),
    }
}
