//! Bundles: containerized services. Each replica of a bundle is a container (`B-docker-N`,
//! `B-podman-N` or `B-rkt-N`), optionally an IP address (`B-ip-ADDR`, `ocf:heartbeat:IPaddr2`)
//! and, when the bundle holds a primitive, a Pacemaker Remote connection (`B-N`) making the
//! container the guest node `B-N`, where instance `N` of the bundle's implicit clone
//! (`B-clone`, or `B-master` when promotable) runs.
//!
//! Replicas are placed like clone instances (at most `replicas-per-host` per node); the IP
//! and the connection follow their container (a connection for a container on a remote node
//! runs on a cluster member), and each primitive instance runs only on its own replica's
//! guest node.

use std::fmt::Write;

use cib::model::{Agent, Cib, OpDef};
use cib::Score;

use crate::actions::Builder;
use crate::assign::Assigner;
use crate::cluster::{Cluster, NodeKind, Role, Rsc, Variant};

/// One replica of a bundle.
#[derive(Clone, Debug)]
pub struct Replica {
    /// The implicit IP address resource, when the bundle has `ip-range-start`.
    pub ip: Option<usize>,
    /// The address that IP resource manages.
    pub ip_addr: Option<String>,
    /// The container resource.
    pub container: usize,
    /// The remote connection resource, when the bundle holds a primitive.
    pub conn: Option<usize>,
    /// The primitive's instance for this replica.
    pub child: Option<usize>,
}

/// A bundle's implicit resources.
#[derive(Clone, Debug)]
pub struct BundleInfo {
    /// The bundle resource itself.
    pub rsc: usize,
    /// Container image (for the status display).
    pub image: String,
    /// Replicas, in order.
    pub replicas: Vec<Replica>,
    /// The implicit clone of the bundle's primitive.
    pub clone: Option<usize>,
    /// Replicas allowed on one node.
    pub per_host: usize,
}

/// The `N`th address after `start` (IPv4 only), or `None` past the end of the space.
fn nth_address(start: &str, n: u32) -> Option<String> {
    let mut v: u32 = 0;
    let mut parts = 0;
    for part in start.split('.') {
        v = v
            .checked_mul(256)?
            .checked_add(part.parse::<u8>().ok()?.into())?;
        parts += 1;
    }
    if parts != 4 {
        return None;
    }
    let v = v.checked_add(n)?;
    let b = v.to_be_bytes();
    Some(format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]))
}

/// An implicit primitive of bundle `bundle`, inheriting its meta-attributes.
fn implicit(c: &Cluster, bundle: usize, id: &str, agent: Agent, interval_ms: u64) -> Rsc {
    let b = &c.rscs[bundle];
    let mut r = Rsc::new(id, id, Variant::Primitive, Some(bundle));
    r.agent = Some(agent);
    r.ops = vec![OpDef {
        id: format!("{id}-monitor-interval-{}s", interval_ms / 1000),
        name: "monitor".into(),
        interval_ms,
        ..OpDef::default()
    }];
    r.meta = b.meta.clone();
    r.managed = b.managed;
    r.target_role = b.target_role;
    r.priority = b.priority;
    r.stickiness = b.stickiness;
    r.migration_threshold = b.migration_threshold;
    r
}

fn push_child(c: &mut Cluster, parent: usize, r: Rsc) -> usize {
    let i = c.rscs.len();
    c.rscs.push(r);
    c.rscs[parent].children.push(i);
    i
}

/// Creates bundle `idx`'s implicit resources (configuration `b`), and its primitive's clone
/// instances through `build_child`.
pub(crate) fn build(
    c: &mut Cluster,
    cib: &Cib,
    b: &cib::model::Bundle,
    idx: usize,
    build_child: &dyn Fn(&mut Cluster, &Cib, &cib::model::Resource, usize, usize) -> usize,
) {
    let id = c.rscs[idx].id.clone();
    let replicas = b.replicas.max(1);
    let promotable = b.promoted_max > 0;
    let runtime = if b.runtime.is_empty() {
        "docker"
    } else {
        b.runtime.as_str()
    };
    {
        let r = &mut c.rscs[idx];
        r.clone_max = replicas as usize;
        r.clone_node_max = b.replicas_per_host.max(1) as usize;
        r.promotable = promotable;
        r.promoted_max = b.promoted_max as usize;
        r.unique = b.replicas_per_host > 1;
    }
    let mut info = BundleInfo {
        rsc: idx,
        image: b.image.clone(),
        replicas: Vec::new(),
        clone: None,
        per_host: b.replicas_per_host.max(1) as usize,
    };
    let heartbeat = |kind: &str| Agent {
        class: "ocf".into(),
        provider: Some("heartbeat".into()),
        kind: kind.into(),
    };
    for n in 0..replicas {
        let ip_addr = b.ip_range_start.as_deref().and_then(|s| nth_address(s, n));
        let ip = ip_addr.as_ref().map(|addr| {
            let mut r = implicit(
                c,
                idx,
                &format!("{id}-ip-{addr}"),
                heartbeat("IPaddr2"),
                60_000,
            );
            r.params.insert("ip".into(), addr.clone());
            if let Some(nic) = &b.host_interface {
                r.params.insert("nic".into(), nic.clone());
            }
            if let Some(mask) = &b.host_netmask {
                r.params.insert("cidr_netmask".into(), mask.clone());
            }
            push_child(c, idx, r)
        });
        let mut k = implicit(
            c,
            idx,
            &format!("{id}-{runtime}-{n}"),
            heartbeat(runtime),
            60_000,
        );
        k.params.insert("image".into(), b.image.clone());
        let container = push_child(c, idx, k);
        let conn = b.child.as_ref().map(|_| {
            let name = format!("{id}-{n}");
            let mut r = implicit(
                c,
                idx,
                &name,
                Agent {
                    class: "ocf".into(),
                    provider: Some("pacemaker".into()),
                    kind: "remote".into(),
                },
                30_000,
            );
            r.container = Some(container);
            r.params
                .insert("addr".into(), ip_addr.clone().unwrap_or(name));
            if let Some(port) = &b.control_port {
                r.params.insert("port".into(), port.clone());
            }
            push_child(c, idx, r)
        });
        info.replicas.push(Replica {
            ip,
            ip_addr,
            container,
            conn,
            child: None,
        });
    }
    if let Some(child) = &b.child {
        let suffix = if promotable { "master" } else { "clone" };
        let clone_id = format!("{id}-{suffix}");
        let mut k = Rsc::new(&clone_id, &clone_id, Variant::Clone, Some(idx));
        k.meta = c.rscs[idx].meta.clone();
        k.managed = c.rscs[idx].managed;
        k.target_role = c.rscs[idx].target_role;
        k.priority = c.rscs[idx].priority;
        k.promotable = promotable;
        k.unique = b.replicas_per_host > 1;
        k.clone_max = replicas as usize;
        k.clone_node_max = 1;
        k.promoted_max = b.promoted_max as usize;
        k.promoted_node_max = 1;
        k.stickiness = c.rscs[idx].stickiness;
        let clone = push_child(c, idx, k);
        for n in 0..replicas as usize {
            let inst = build_child(c, cib, child, clone, n);
            c.rscs[clone].children.push(inst);
            info.replicas[n].child = Some(inst);
        }
        // The primitive's clone options (notify, ordered ...) are the implicit clone's.
        if let Some(&first) = c.rscs[clone].children.first() {
            for key in ["notify", "ordered", "interleave"] {
                if let Some(v) = c.rscs[first].meta.get(key).cloned() {
                    c.rscs[clone].meta.insert(key.to_string(), v);
                }
            }
        }
        info.clone = Some(clone);
    }
    c.bundles.push(info);
}

/// How many guest nodes the bundles of `cib` define.
pub fn guest_count(b: &cib::model::Bundle) -> usize {
    if b.child.is_some() {
        b.replicas.max(1) as usize
    } else {
        0
    }
}

/// Whether node `n` is the guest node of a bundle replica that is not up yet (clones place
/// no instance there in this transition).
pub fn is_bundle_guest(c: &Cluster, n: usize) -> bool {
    c.nodes[n].kind == NodeKind::Guest
        && !c.nodes[n].online
        && c.nodes[n]
            .connection
            .and_then(|k| c.rscs[k].parent)
            .is_some_and(|p| c.rscs[p].variant == Variant::Bundle)
}

/// Bans unit `u` (not a bundle) from bundle guest nodes that no constraint prefers for it:
/// such nodes are meant for the bundle's own primitive.
pub(crate) fn ban_guests(c: &Cluster, u: usize, s: &mut [Score]) {
    if c.bundles.is_empty() || c.rscs[u].variant == Variant::Bundle {
        return;
    }
    for (n, v) in s.iter_mut().enumerate() {
        if v.0 <= 0 && is_any_bundle_guest(c, n) {
            *v = Score::NEG_INF;
        }
    }
}

/// Whether bundle guest node `n` goes away in this transition (its connection stops or moves).
pub(crate) fn guest_leaving(c: &Cluster, n: usize) -> bool {
    if !is_any_bundle_guest(c, n) {
        return false;
    }
    let Some(conn) = c.nodes[n].connection else {
        return false;
    };
    let r = &c.rscs[conn];
    r.next.is_none_or(|to| !r.running.contains_key(&to))
}

/// Whether node `n` is the guest node of a bundle replica.
pub(crate) fn is_any_bundle_guest(c: &Cluster, n: usize) -> bool {
    c.nodes[n].kind == NodeKind::Guest
        && c.nodes[n]
            .connection
            .and_then(|k| c.rscs[k].parent)
            .is_some_and(|p| c.rscs[p].variant == Variant::Bundle)
}

/// Whether probing primitive `p` on node `n` is excluded: only a bundle's own primitive is
/// probed on its guest nodes.
pub(crate) fn probe_excluded(c: &Cluster, p: usize, n: usize) -> bool {
    !c.bundles.is_empty()
        && is_any_bundle_guest(c, n)
        && c.clone_ancestor(p)
            .and_then(|k| c.rscs[k].parent)
            .is_none_or(|b| c.rscs[b].variant != Variant::Bundle)
}

/// The primitives a discovery constraint on unit `u` governs: a bundle's constraints govern
/// its containers, addresses and connections, not its primitive's instances.
pub(crate) fn discovery_primitives(c: &Cluster, u: usize) -> Vec<usize> {
    if c.rscs[u].variant != Variant::Bundle {
        return c.primitives(u);
    }
    c.rscs[u]
        .children
        .iter()
        .copied()
        .filter(|&k| c.rscs[k].variant == Variant::Primitive)
        .collect()
}

/// The node whose attributes primitive `p` placed on node `n` reads: the host of `n`'s
/// container when `p` has `container-attribute-target=host` and `n` is a guest node.
pub fn attr_node(c: &Cluster, p: usize, n: usize) -> usize {
    if c.nodes[n].kind != NodeKind::Guest
        || c.rscs[p]
            .meta
            .get("container-attribute-target")
            .map(String::as_str)
            != Some("host")
    {
        return n;
    }
    let host = c.nodes[n]
        .connection
        .and_then(|k| c.rscs[k].container)
        .and_then(|k| {
            let r = &c.rscs[k];
            r.next.or_else(|| r.running.keys().next().copied())
        });
    host.unwrap_or(n)
}

/// The guest node of each connection resource.
fn guest_of_conn(c: &Cluster, conn: usize) -> Option<usize> {
    c.nodes.iter().position(|n| n.connection == Some(conn))
}

/// Once the node list is final: each primitive instance is probed only on its own guest
/// node, and the containers and addresses are not probed on guest nodes.
pub(crate) fn after_nodes(c: &mut Cluster) {
    if c.bundles.is_empty() {
        return;
    }
    let nn = c.nodes.len();
    let guests: Vec<usize> = (0..nn)
        .filter(|&n| c.nodes[n].kind == NodeKind::Guest)
        .collect();
    let bundles = c.bundles.clone();
    for info in &bundles {
        for rep in &info.replicas {
            for p in [rep.ip, Some(rep.container)].into_iter().flatten() {
                c.rscs[p].no_discovery.extend(guests.iter().copied());
            }
            let (Some(conn), Some(child)) = (rep.conn, rep.child) else {
                continue;
            };
            let own = guest_of_conn(c, conn);
            for p in c.primitives(child) {
                let r = &mut c.rscs[p];
                r.no_discovery = (0..nn).filter(|&n| Some(n) != own).collect();
            }
        }
    }
}

/// The instance of a bundle's primitive that a history entry `lrm_id` on guest node `node`
/// belongs to.
pub(crate) fn guest_instance(c: &Cluster, node: usize, lrm_id: &str) -> Option<usize> {
    if c.bundles.is_empty() || c.nodes[node].kind != NodeKind::Guest {
        return None;
    }
    let conn = c.nodes[node].connection?;
    let base = lrm_id.rsplit_once(':').map_or(lrm_id, |(b, _)| b);
    c.bundles
        .iter()
        .flat_map(|b| b.replicas.iter())
        .find(|r| r.conn == Some(conn))
        .and_then(|r| r.child)
        // A unique clone's instances are recorded by their own names.
        .filter(|&k| {
            let inst = &c.rscs[k];
            let unique = inst.parent.is_some_and(|p| c.rscs[p].unique);
            inst.config_id == base && (!unique || inst.id == lrm_id)
        })
}

/// The bundle information of bundle resource `r`.
pub fn info(c: &Cluster, r: usize) -> Option<&BundleInfo> {
    c.bundles.iter().find(|b| b.rsc == r)
}

/// The children of bundle `r` in the order their actions are planned: each replica's
/// address, container, connection and primitive instance, then any other instance.
pub(crate) fn plan_sequence(c: &Cluster, r: usize) -> Vec<usize> {
    let Some(info) = info(c, r) else {
        return c.rscs[r].children.clone();
    };
    let mut out = Vec::new();
    for rep in &info.replicas {
        out.extend(rep.ip);
        out.push(rep.container);
        out.extend(rep.conn);
        out.extend(rep.child);
    }
    if let Some(k) = info.clone {
        for &i in &c.rscs[k].children {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}

/// The nodes hosting the replicas of bundle `r` after placement (only those whose instance
/// takes `role`, when given).
pub(crate) fn primary_nodes(c: &Cluster, r: usize, role: Option<Role>) -> Vec<usize> {
    let Some(info) = info(c, r) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rep in &info.replicas {
        let Some(n) = c.rscs[rep.container].next else {
            continue;
        };
        let inst_role = rep.child.map_or(Role::Started, |k| c.rscs[k].next_role);
        match role {
            Some(Role::Promoted) if inst_role != Role::Promoted => continue,
            Some(Role::Unpromoted) if inst_role == Role::Promoted => continue,
            _ => {}
        }
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Places bundle `u`'s replicas, then its primitive's instances on their guest nodes.
pub(crate) fn assign(a: &mut Assigner<'_>, u: usize) {
    let Some(info) = info(a.c, u).cloned() else {
        return;
    };
    let nn = a.c.nodes.len();
    let mut base = a.base_scores(u, false);
    a.apply_colocations(u, &mut base);
    // Containers run on cluster members and remote nodes, never inside guests.
    for n in 0..nn {
        if a.c.nodes[n].kind == NodeKind::Guest {
            base[n] = Score::NEG_INF;
        }
    }
    let replica_scores = |a: &Assigner<'_>, rep: &Replica| -> Vec<Score> {
        let mut s = base.clone();
        for p in [rep.ip, Some(rep.container)].into_iter().flatten() {
            let own = a.primitive_scores(p, true);
            for n in 0..nn {
                s[n] = s[n].plus(own[n]);
            }
        }
        s
    };
    let mut per_node = vec![0usize; nn];
    let mut hosts: Vec<Option<usize>> = vec![None; info.replicas.len()];
    let mut done = vec![false; info.replicas.len()];
    // Replicas keep their node while it stays their best choice.
    for (i, rep) in info.replicas.iter().enumerate() {
        let nodes: Vec<usize> = a.c.rscs[rep.container].running.keys().copied().collect();
        // An unmanaged container stays where it is (nowhere when stopped).
        if !a.c.rscs[rep.container].managed {
            let here = nodes.first().copied();
            if let Some(n) = here {
                per_node[n] += 1;
            }
            hosts[i] = here;
            done[i] = true;
            place_replica(a, rep, here);
            continue;
        }
        let [n] = nodes[..] else { continue };
        let s = replica_scores(a, rep);
        let pn = per_node.clone();
        let best = a.choose(&s, Some(n), &|x| pn[x] >= info.per_host);
        if best == Some(n) {
            per_node[n] += 1;
            hosts[i] = Some(n);
            done[i] = true;
            place_replica(a, rep, Some(n));
        }
    }
    // Nodes up now are preferred to remote nodes whose connection is only starting.
    let starting: Vec<bool> = (0..nn)
        .map(|n| a.c.nodes[n].kind == NodeKind::Remote && !a.c.nodes[n].online)
        .collect();
    for (i, rep) in info.replicas.iter().enumerate() {
        if done[i] {
            continue;
        }
        let s = replica_scores(a, rep);
        let pn = per_node.clone();
        let chosen = a
            .choose(&s, None, &|x| pn[x] >= info.per_host || starting[x])
            .or_else(|| a.choose(&s, None, &|x| pn[x] >= info.per_host));
        if let Some(n) = chosen {
            per_node[n] += 1;
        }
        hosts[i] = chosen;
        place_replica(a, rep, chosen);
    }
    a.c.rscs[u].scores = base;
    a.c.rscs[u].next = hosts.iter().flatten().next().copied();
    a.c.rscs[u].next_role = if a.c.rscs[u].next.is_some() {
        Role::Started
    } else {
        Role::Stopped
    };
    // The primitive's instances run on their replica's guest node.
    let Some(clone) = info.clone else {
        return;
    };
    for rep in &info.replicas {
        let (Some(conn), Some(child)) = (rep.conn, rep.child) else {
            continue;
        };
        let guest = guest_of_conn(a.c, conn);
        let up = a.c.rscs[conn].next.is_some();
        if let Some(g) = guest {
            a.c.nodes[g].remote_up = up;
        }
        let target = guest.filter(|&g| {
            up && a.c.nodes[g].can_run() && {
                let s = a.primitive_scores(child, true);
                s[g].0 > Score::NEG_INF.0
            }
        });
        if let (None, Some(g), Some((_, why))) = (target, guest, &a.c.rscs[conn].blocked_start) {
            let why = why.clone();
            a.c.rscs[child].blocked_start = Some((g, why));
        }
        if let Some(g) = target {
            let mut s = vec![Score::NEG_INF; nn];
            s[g] = Score::ZERO;
            a.c.rscs[child].scores = s;
        }
        a.set_next(child, target);
    }
    let any = info
        .replicas
        .iter()
        .any(|r| r.child.is_some_and(|k| a.c.rscs[k].next.is_some()));
    a.c.rscs[clone].next = None;
    a.c.rscs[clone].next_role = if any { Role::Started } else { Role::Stopped };
    if a.c.rscs[clone].promotable {
        a.promote(clone);
    }
}

/// Places one replica's address and container on `host`, and its connection there too (on
/// a cluster member, when the container runs on a remote node).
fn place_replica(a: &mut Assigner<'_>, rep: &Replica, host: Option<usize>) {
    for p in [rep.ip, Some(rep.container)].into_iter().flatten() {
        a.set_next(p, host);
    }
    let Some(conn) = rep.conn else { return };
    let conn_node = match host {
        Some(h) if a.c.nodes[h].kind == NodeKind::Member => Some(h),
        _ => {
            // Connections run on cluster members only (the bundle's own location constraints
            // place its containers, not their connections).
            let stop_all =
                a.c.options
                    .get("stop-all-resources")
                    .is_some_and(|v| cib::model::is_true(v));
            let own = a.primitive_scores(conn, true);
            let s: Vec<Score> = (0..a.c.nodes.len())
                .map(|n| {
                    let node = &a.c.nodes[n];
                    if stop_all || node.kind != NodeKind::Member || !node.can_run() {
                        Score::NEG_INF
                    } else {
                        own[n]
                    }
                })
                .collect();
            // A running connection stays where it is while it may.
            let current = a.c.rscs[conn].running.keys().next().copied();
            match current {
                Some(n) if s[n].0 >= 0 => Some(n),
                _ => a.choose(&s, current, &|_| false),
            }
        }
    };
    if host.is_none() {
        // The connection is placed, but cannot start without its container (nor be probed).
        a.set_next(conn, None);
        a.c.rscs[conn].no_discovery = (0..a.c.nodes.len()).collect();
        if let Some(n) = conn_node.filter(|_| a.c.rscs[rep.container].managed) {
            let why = format!("unrunnable {} start", a.c.rscs[rep.container].id);
            a.c.rscs[conn].blocked_start = Some((n, why));
        }
        return;
    }
    a.set_next(conn, conn_node);
}

/// The state part of a status line (`Started node1`, `Stopped` ...).
fn state_of(line: &str) -> &str {
    line.rsplit_once(":\t ").map_or(line, |(_, s)| s)
}

/// Prints bundle `r` as crm_mon does: a header, then one line per replica.
pub(crate) fn print(
    c: &Cluster,
    r: usize,
    depth: usize,
    out: &mut String,
    line: &dyn Fn(&Cluster, usize) -> String,
) {
    let rsc = &c.rscs[r];
    let Some(info) = info(c, r) else {
        return;
    };
    let pad = "  ".repeat(depth);
    let set = if info.replicas.len() > 1 { " set" } else { "" };
    let mut flags = String::new();
    if rsc.unique {
        flags.push_str(" (unique)");
    }
    if !rsc.managed {
        flags.push_str(" (unmanaged)");
    }
    let _ = writeln!(
        out,
        "{pad}* Container bundle{set}: {} [{}]{flags}:",
        rsc.id, info.image
    );
    for rep in &info.replicas {
        let k = &c.rscs[rep.container];
        let host = k.running.keys().next().map(|&n| c.nodes[n].name.as_str());
        let (name, shown) = match (rep.conn, rep.child) {
            (Some(conn), Some(child)) => (c.rscs[conn].id.clone(), child),
            _ => (k.id.clone(), rep.container),
        };
        let agent = c.rscs[shown]
            .agent
            .as_ref()
            .map(|a| a.spec())
            .unwrap_or_default();
        let full = line(c, shown);
        let mut state = state_of(&full).to_string();
        if shown != rep.container {
            // The instance shows where its container runs.
            let guest = c.rscs[shown].running.keys().next().copied();
            match (guest, host) {
                (Some(g), Some(h)) => {
                    state = state.replacen(&c.nodes[g].name, h, 1);
                }
                (None, Some(h)) if state.starts_with("Stopped") => {
                    state = format!("Stopped {h}{}", &state["Stopped".len()..]);
                }
                _ => {}
            }
        }
        let ip = rep
            .ip_addr
            .as_ref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        let _ = writeln!(out, "{pad}  * {name}{ip}\t({agent}):\t {state}");
    }
}

/// Orders each replica's actions: its address starts before its container and stops after
/// it, its connection is probed once the container runs, and its primitive's instance starts
/// after the container; the primitive's clone starts after the containers' and instances'
/// probes.
pub(crate) fn order_actions(b: &mut Builder<'_>) {
    let c = b.c;
    if c.bundles.is_empty() {
        return;
    }
    let once = |b: &Builder<'_>, r: usize, task: &str| -> Vec<usize> {
        b.rsc_task(r, task)
            .into_iter()
            .filter(|&i| b.t.actions[i].interval_ms == 0)
            .collect()
    };
    for info in &c.bundles {
        // The primitive's clone starts once the containers and instances are probed.
        let clone_start = info.clone.and_then(|k| b.find(Some(k), "start", None));
        if let Some(cs) = clone_start {
            for rep in &info.replicas {
                for r in [Some(rep.container), rep.child].into_iter().flatten() {
                    for probe in once(b, r, "monitor") {
                        b.order(probe, cs);
                    }
                }
            }
        }
        for rep in &info.replicas {
            let starts = once(b, rep.container, "start");
            let stops = once(b, rep.container, "stop");
            if let Some(ip) = rep.ip {
                for i in once(b, ip, "start") {
                    for &s in &starts {
                        b.order(i, s);
                    }
                }
                for i in once(b, ip, "stop") {
                    for &s in &stops {
                        b.order(s, i);
                    }
                }
            }
            if let Some(conn) = rep.conn {
                for probe in once(b, conn, "monitor") {
                    for &s in &starts {
                        b.order(s, probe);
                    }
                }
            }
            if let Some(child) = rep.child {
                for i in once(b, child, "start") {
                    for &s in &starts {
                        b.order(s, i);
                    }
                }
            }
        }
    }
}
