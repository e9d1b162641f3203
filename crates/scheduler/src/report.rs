//! The cluster status in crm_mon's text layout, as crm_simulate prints it.

use std::cmp::Ordering;
use std::fmt::Write;

use crate::cluster::{Cluster, NodeKind, Role, Variant};

/// Compares names the way Pacemaker sorts node names: digit runs compare numerically.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < ab.len() && j < bb.len() {
        if ab[i].is_ascii_digit() && bb[j].is_ascii_digit() {
            let si = i;
            while i < ab.len() && ab[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < bb.len() && bb[j].is_ascii_digit() {
                j += 1;
            }
            let na = a[si..i].trim_start_matches('0');
            let nb = b[sj..j].trim_start_matches('0');
            let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if ord != Ordering::Equal {
                return ord;
            }
        } else {
            let (ca, cb) = (ab[i].to_ascii_lowercase(), bb[j].to_ascii_lowercase());
            if ca != cb {
                return ca.cmp(&cb);
            }
            i += 1;
            j += 1;
        }
    }
    (ab.len() - i).cmp(&(bb.len() - j))
}

/// The "Node List" and "Full List of Resources" blocks.
pub fn status_text(c: &Cluster) -> String {
    let mut out = String::new();
    out.push_str("  * Node List:\n");
    let mut online = Vec::new();
    let mut offline = Vec::new();
    let mut remote_online = Vec::new();
    let mut remote_offline = Vec::new();
    let mut guest_online = Vec::new();
    for (i, n) in c.nodes.iter().enumerate() {
        let prefix = match n.kind {
            NodeKind::Member => "Node",
            NodeKind::Remote => "RemoteNode",
            NodeKind::Guest => "GuestNode",
        };
        let has_active = c
            .rscs
            .iter()
            .any(|r| r.variant == Variant::Primitive && r.running.contains_key(&i));
        let special = if n.unclean {
            Some(if n.online {
                "UNCLEAN (online)".to_string()
            } else {
                "UNCLEAN (offline)".to_string()
            })
        } else if n.pending {
            Some("pending".to_string())
        } else if n.standby {
            Some(if !n.online {
                "OFFLINE (standby)".to_string()
            } else if has_active {
                "standby (with active resources)".to_string()
            } else {
                "standby".to_string()
            })
        } else if n.maintenance {
            Some(if n.online {
                "maintenance".to_string()
            } else {
                "OFFLINE (maintenance)".to_string()
            })
        } else if let (true, Some(h)) = (n.online, n.health) {
            Some(format!("online (health is {h})"))
        } else {
            None
        };
        if let Some(s) = special {
            let _ = writeln!(out, "    * {prefix} {}: {s}", n.name);
            continue;
        }
        match (n.kind, n.online) {
            (NodeKind::Member, true) => online.push(n.name.as_str()),
            (NodeKind::Member, false) => offline.push(n.name.as_str()),
            (NodeKind::Remote, true) => remote_online.push(n.name.as_str()),
            (NodeKind::Remote, false) => remote_offline.push(n.name.as_str()),
            (NodeKind::Guest, true) => guest_online.push(n.name.as_str()),
            (NodeKind::Guest, false) => {}
        }
    }
    for (label, list) in [
        ("Online", &online),
        ("OFFLINE", &offline),
        ("RemoteOnline", &remote_online),
        ("RemoteOFFLINE", &remote_offline),
        ("GuestOnline", &guest_online),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "    * {label}: [ {} ]", list.join(" "));
        }
    }
    out.push('\n');
    out.push_str("  * Full List of Resources:\n");
    let mut any = false;
    for &r in &c.top {
        if c.rscs[r].orphan && c.rscs[r].running.is_empty() || c.rscs[r].container.is_some() {
            continue;
        }
        any = true;
        print_rsc(c, r, 2, &mut out);
    }
    if !any {
        out.push_str("    * No resources\n");
    }
    out
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn disabled(c: &Cluster, r: usize) -> bool {
    c.rscs[r].target_role == Some(Role::Stopped)
}

/// The node an inactive resource is still leaving (a pending stop or migration recorded
/// there), with the word status shows for it (`Stopping`, `Migrating`).
fn leaving(rsc: &crate::cluster::Rsc) -> Option<(usize, &'static str)> {
    rsc.pending
        .iter()
        .find_map(|(&n, task)| match task.as_str() {
            "stop" => Some((n, "Stopping")),
            "migrate_to" => Some((n, "Migrating")),
            _ => None,
        })
}

fn primitive_line(c: &Cluster, r: usize) -> String {
    let rsc = &c.rscs[r];
    let agent = rsc.agent.as_ref().map(|a| a.spec()).unwrap_or_default();
    let mut state = String::new();
    let mut flags: Vec<&str> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    if rsc.orphan {
        state.push_str("ORPHANED ");
    }
    let mut nodes: Vec<usize> = rsc.running.keys().copied().collect();
    if nodes.len() > 1 {
        crate::multi_active::listing_order(c, rsc, &mut nodes);
    }
    let failed = nodes
        .iter()
        .any(|n| rsc.failed_on.contains(n) || rsc.demote_failed_on.contains(n));
    let role = rsc.role();
    if nodes.is_empty() {
        // A history holding only a stop or migration still in progress: the resource is
        // leaving that node.
        match leaving(rsc) {
            Some((n, word)) => {
                let _ = write!(state, "{word} {}", c.nodes[n].name);
            }
            None if rsc.failed_stopped => state.push_str("FAILED"),
            None => state.push_str("Stopped"),
        }
    } else {
        let pending = nodes.iter().find_map(|n| rsc.pending.get(n));
        let word = match pending.map(String::as_str) {
            Some("start") if role == Role::Started && !failed => "Starting".to_string(),
            Some("stop") if !failed => "Stopping".to_string(),
            Some("migrate_to") | Some("migrate_from") if !failed => "Migrating".to_string(),
            Some("promote") if !failed => "Promoting".to_string(),
            Some("demote") if !failed => "Demoting".to_string(),
            _ => {
                if failed {
                    if role == Role::Promoted {
                        "FAILED Promoted".to_string()
                    } else {
                        "FAILED".to_string()
                    }
                } else {
                    role.name().to_string()
                }
            }
        };
        state.push_str(&word);
        if nodes.len() > 1 {
            names = nodes.iter().map(|&n| c.nodes[n].name.as_str()).collect();
        } else if nodes.len() == 1 {
            let _ = write!(state, " {}", c.nodes[nodes[0]].name);
            // Resources are flagged on lost nodes; a member still online but to be fenced
            // shows them as they are.
            if c.nodes[nodes[0]].unclean && !c.nodes[nodes[0]].online {
                flags.push("UNCLEAN");
            }
        }
        if pending.is_some_and(|p| p == "monitor") {
            flags.push("Monitoring");
        }
    }
    if disabled(c, r) && !rsc.orphan {
        flags.push("disabled");
    }
    if !rsc.managed {
        flags.push("unmanaged");
    }
    if rsc.blocked && !nodes.is_empty() {
        flags.push("blocked");
    }
    if rsc.failure_ignored {
        flags.push("failure ignored");
    }
    if !flags.is_empty() {
        let _ = write!(state, " ({})", flags.join(", "));
    }
    // Active on several nodes: the flags come before the node list.
    if !names.is_empty() {
        let _ = write!(state, " [ {} ]", names.join(" "));
    }
    let anonymous = c.clone_ancestor(r).is_some_and(|k| !c.rscs[k].unique);
    let name = if anonymous { &rsc.config_id } else { &rsc.id };
    format!("{name}\t({agent}):\t {state}")
}

fn print_rsc(c: &Cluster, r: usize, depth: usize, out: &mut String) {
    let rsc = &c.rscs[r];
    match rsc.variant {
        Variant::Primitive => {
            indent(out, depth);
            let _ = writeln!(out, "* {}", primitive_line(c, r));
        }
        Variant::Group => {
            indent(out, depth);
            let mut flags = Vec::new();
            if !rsc.managed {
                flags.push("unmanaged");
            }
            if disabled(c, r) && c.rscs[r].parent.is_none() {
                flags.push("disabled");
            }
            let f = if flags.is_empty() {
                String::new()
            } else {
                format!(" ({})", flags.join(", "))
            };
            let _ = writeln!(out, "* Resource Group: {}{f}:", rsc.id);
            for &k in &rsc.children {
                print_rsc(c, k, depth + 1, out);
            }
        }
        Variant::Clone => print_clone(c, r, depth, out),
        Variant::Bundle => crate::bundle::print(c, r, depth, out, &primitive_line),
    }
}

fn print_clone(c: &Cluster, r: usize, depth: usize, out: &mut String) {
    let rsc = &c.rscs[r];
    let child_name = rsc
        .children
        .first()
        .map(|&k| c.rscs[k].config_id.clone())
        .or_else(|| {
            c.empty_clones
                .iter()
                .find(|e| e.1 == r)
                .map(|e| e.0.clone())
        })
        .unwrap_or_default();
    let mut flags = Vec::new();
    if rsc.promotable {
        flags.push("promotable");
    }
    if rsc.unique {
        flags.push("unique");
    }
    if !rsc.managed {
        flags.push("unmanaged");
    }
    if disabled(c, r) {
        flags.push("disabled");
    }
    let f = if flags.is_empty() {
        String::new()
    } else {
        format!(" ({})", flags.join(", "))
    };
    indent(out, depth);
    let _ = writeln!(out, "* Clone Set: {} [{child_name}]{f}:", rsc.id);
    if rsc.unique {
        for &k in &rsc.children {
            print_rsc(c, k, depth + 1, out);
        }
        return;
    }
    let mut promoted: Vec<usize> = Vec::new();
    let mut unpromoted: Vec<usize> = Vec::new();
    let mut started: Vec<usize> = Vec::new();
    let mut active_nodes: Vec<usize> = Vec::new();
    let mut active_instances = 0;
    for &k in &rsc.children {
        let prims = c.primitives(k);
        let mut nodes = c.active_nodes(k);
        // Instances left on a guest node that is down are not listed (nor is the node
        // among the stopped ones).
        nodes.retain(|&n| {
            let listed = c.nodes[n].kind != NodeKind::Guest || c.nodes[n].online;
            if !listed && !active_nodes.contains(&n) {
                active_nodes.push(n);
            }
            listed
        });
        if nodes.is_empty() {
            // An inactive instance still leaving a node is shown on its own line.
            if prims.iter().any(|&p| leaving(&c.rscs[p]).is_some()) {
                print_rsc(c, k, depth + 1, out);
            }
            continue;
        }
        // An instance recorded on a member that left cleanly (its history believed) still
        // leaves that node in the stopped list.
        let left_cleanly = |n: usize| {
            let node = &c.nodes[n];
            node.kind == NodeKind::Member && !node.online && !node.unclean
        };
        // Only instances on online nodes, wholly active (every member of a group), fill the
        // clone's slots in the stopped list.
        let whole = prims.iter().all(|&p| !c.rscs[p].running.is_empty());
        if whole && nodes.iter().any(|&n| c.nodes[n].online) {
            active_instances += 1;
        }
        for &n in &nodes {
            if !active_nodes.contains(&n) && !left_cleanly(n) {
                active_nodes.push(n);
            }
        }
        let simple = nodes.len() == 1
            && prims.iter().all(|&p| {
                let pr = &c.rscs[p];
                pr.failed_on.is_empty()
                    && pr.demote_failed_on.is_empty()
                    && pr.pending.is_empty()
                    && pr.managed
                    && !pr.orphan
                    && pr.running.len() == 1
                    // Lost nodes list their instances apart; a member fencing itself not.
                    && (c.nodes[nodes[0]].online || !c.nodes[nodes[0]].unclean)
            })
            && prims.iter().all(|&p| !c.rscs[p].running.is_empty());
        if !simple {
            print_rsc(c, k, depth + 1, out);
            continue;
        }
        let role = prims
            .iter()
            .map(|&p| c.rscs[p].role())
            .max()
            .unwrap_or(Role::Stopped);
        match role {
            Role::Promoted => promoted.push(nodes[0]),
            Role::Unpromoted => unpromoted.push(nodes[0]),
            _ => started.push(nodes[0]),
        }
    }
    let names = |v: &mut Vec<usize>| -> String {
        let mut names: Vec<&str> = v.iter().map(|&n| c.nodes[n].name.as_str()).collect();
        names.sort_by(|a, b| natural_cmp(a, b));
        names.join(" ")
    };
    for (label, list) in [
        ("Promoted", &mut promoted),
        ("Unpromoted", &mut unpromoted),
        ("Started", &mut started),
    ] {
        if !list.is_empty() {
            indent(out, depth + 1);
            let _ = writeln!(out, "* {label}: [ {} ]", names(list));
        }
    }
    if active_instances < rsc.clone_max {
        let mut stopped: Vec<usize> = (0..c.nodes.len())
            .filter(|n| !active_nodes.contains(n))
            .filter(|&n| clone_allowed_on(c, r, n))
            .collect();
        if !stopped.is_empty() {
            indent(out, depth + 1);
            let label = if disabled(c, r) {
                "Stopped (disabled)"
            } else {
                "Stopped"
            };
            let _ = writeln!(out, "* {label}: [ {} ]", names(&mut stopped));
        }
    }
}

fn clone_allowed_on(c: &Cluster, r: usize, n: usize) -> bool {
    if crate::bundle::is_bundle_guest(c, n)
        && c.rscs[r]
            .parent
            .is_none_or(|p| c.rscs[p].variant != Variant::Bundle)
    {
        return false;
    }
    if !c.symmetric {
        return c.rscs[r].scores.get(n).is_some_and(|s| !s.is_neg_inf())
            || c.rscs[r].allowed_any.contains(&n);
    }
    true
}

/// (primitive instances, disabled ones, blocked ones) for the DISABLED/BLOCKED header line.
pub fn instance_counts(c: &Cluster) -> (usize, usize, usize) {
    let mut total = 0;
    let mut disabled_n = 0;
    let mut blocked = 0;
    for (i, r) in c.rscs.iter().enumerate() {
        if r.variant != Variant::Primitive || r.orphan {
            continue;
        }
        total += 1;
        // The nearest explicit target-role decides (a primitive's own one overrides its
        // clone's or group's).
        let mut cur = if r.target_role.is_some() {
            None
        } else {
            Some(i)
        };
        let mut dis = r.target_role == Some(Role::Stopped);
        while let Some(k) = cur {
            if c.rscs[k].target_role == Some(Role::Stopped) {
                dis = true;
            }
            cur = c.rscs[k].parent;
        }
        if dis {
            disabled_n += 1;
        }
        if r.blocked {
            blocked += 1;
        }
    }
    (total, disabled_n, blocked)
}

/// The allocation score lines of `-s`.
pub fn scores_text(c: &Cluster) -> String {
    let mut out = String::new();
    let mut order: Vec<usize> = (0..c.nodes.len()).collect();
    order.sort_by(|&a, &b| c.nodes[a].name.cmp(&c.nodes[b].name));
    for r in &c.rscs {
        if r.scores.is_empty() {
            continue;
        }
        let func = match r.variant {
            Variant::Clone => "pcmk__clone_allocate",
            Variant::Group => "pcmk__group_assign",
            _ => "pcmk__primitive_assign",
        };
        for &n in &order {
            let _ = writeln!(
                out,
                "{func}: {} allocation score on {}: {}",
                r.id, c.nodes[n].name, r.scores[n]
            );
        }
    }
    out
}

/// The "Executing Cluster Transition" lines, in execution order.
pub fn execution_lines(t: &crate::actions::Transition) -> Vec<String> {
    use crate::actions::ActionKind;
    crate::actions::execution_order(t)
        .into_iter()
        .map(|i| {
            let a = &t.actions[i];
            let prefix = match a.kind {
                ActionKind::Resource => "Resource action: ",
                ActionKind::Pseudo => "Pseudo action:   ",
                ActionKind::Fence => "Fencing ",
                ActionKind::Cluster => "Cluster action:  ",
            };
            format!("{prefix}{}", a.label)
        })
        .collect()
}

/// The transition graph in Pacemaker's XML layout (synapses of actions and their inputs).
pub fn graph_xml(s: &crate::Schedule) -> String {
    crate::graph_out::xml(s)
}

/// The transition graph as a dot digraph.
pub fn graph_dot(s: &crate::Schedule) -> String {
    crate::graph_out::dot(s)
}
