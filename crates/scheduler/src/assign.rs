//! Placement: node scores from constraints, stickiness and colocation; node choice for each
//! resource, clone instance and promotion.

use std::collections::HashMap;

use cib::model::{Cib, Constraint};
use cib::rule::RuleContext;
use cib::Score;

use crate::cluster::{Cluster, Role, Variant};
use crate::rsc_lookup::RscLookup;
use crate::utilization::{self, Ledger, Strategy};

/// A colocation between two placement units.
#[derive(Clone, Debug)]
pub struct Coloc {
    /// Constraint id.
    pub id: String,
    /// Dependent unit.
    pub dep: usize,
    /// Primary unit.
    pub primary: usize,
    /// Score.
    pub score: Score,
    /// Role of the dependent.
    pub dep_role: Option<Role>,
    /// Role of the primary.
    pub primary_role: Option<Role>,
    /// Whether the dependent's preferences influence the primary.
    pub influence: bool,
    /// `node-attribute`: nodes alike in this attribute count as one place (`None` for
    /// the node itself).
    pub node_attribute: Option<String>,
}

/// Placement inputs derived from the constraints.
#[derive(Clone, Debug, Default)]
pub struct Constraints {
    /// Location scores by configuration id: per node.
    pub loc: HashMap<String, Vec<Score>>,
    /// Promotion location scores (role=Promoted) by configuration id: per node.
    pub loc_promoted: HashMap<String, Vec<Score>>,
    /// Colocations between units.
    pub colocs: Vec<Coloc>,
    /// Units depending on tickets that are not granted (or in standby).
    pub revoked: Vec<TicketLoss>,
}

/// A unit whose ticket is not granted.
#[derive(Clone, Debug)]
pub struct TicketLoss {
    /// The unit.
    pub unit: usize,
    /// Only the promoted role depends on the ticket.
    pub promoted_only: bool,
    /// stop, demote, fence or freeze.
    pub policy: String,
    /// The ticket was granted but is in standby.
    pub standby: bool,
}

/// The unit placed for configuration id `id`: the resource itself, or its group or clone.
pub fn unit_of(c: &Cluster, id: &str) -> Option<usize> {
    unit_of_in(c, &RscLookup::of(c), id)
}

/// [`unit_of`] with a prebuilt index of `c`'s resources.
fn unit_of_in(c: &Cluster, lookup: &RscLookup, id: &str) -> Option<usize> {
    let first = match (lookup.id(id), lookup.configured(id).first().copied()) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let mut unit = first;
    let mut cur = first;
    while let Some(p) = c.rscs[cur].parent {
        match c.rscs[p].variant {
            Variant::Clone | Variant::Bundle => unit = p,
            Variant::Group => {
                if c.rscs[unit].variant != Variant::Clone {
                    unit = p;
                }
            }
            Variant::Primitive => {}
        }
        cur = p;
    }
    Some(unit)
}

fn add(v: &mut [Score], n: usize, s: Score) {
    if let Some(slot) = v.get_mut(n) {
        *slot = slot.plus(s);
    }
}

/// Collects location and colocation inputs from the CIB.
pub fn collect(c: &mut Cluster, cib: &Cib) -> Constraints {
    let nn = c.nodes.len();
    let mut out = Constraints::default();
    // Resources by id, so each constraint finds its targets without scanning them all.
    let lookup = RscLookup::of(c);
    let unit_of = |c: &Cluster, id: &str| unit_of_in(c, &lookup, id);
    let refs = crate::tags::Refs::new(cib);
    let mut exclusive = crate::discovery::Exclusive::default();
    for k in &cib.constraints {
        match k {
            Constraint::Location(l) => {
                let mut targets: Vec<(String, Option<String>)> =
                    l.rsc.iter().map(|r| (r.clone(), l.role.clone())).collect();
                if let Some(p) = &l.rsc_pattern {
                    for r in crate::rsc_pattern::matching(c, p) {
                        targets.push((r, l.role.clone()));
                    }
                }
                for s in &l.sets {
                    for r in &s.resources {
                        targets.push((r.clone(), s.role.clone().or(l.role.clone())));
                    }
                }
                for (rid, role) in targets {
                    // Per node: the contribution to placement and to promotion (rules
                    // may carry their own role).
                    let mut contrib = vec![Score::ZERO; nn];
                    let mut touched = vec![false; nn];
                    let mut promo = vec![Score::ZERO; nn];
                    let mut promo_touched = vec![false; nn];
                    let is_promoted =
                        |r: Option<&str>| r.and_then(Role::parse) == Some(Role::Promoted);
                    if let (Some(node), Some(score)) = (&l.node, l.score) {
                        if let Some(n) = c.node_index(node) {
                            if is_promoted(role.as_deref()) {
                                promo[n] = score;
                                promo_touched[n] = true;
                            } else {
                                contrib[n] = score;
                                touched[n] = true;
                            }
                        }
                    }
                    // Rules may compare with the resource's own parameters or meta-attributes
                    // (value-source="param" / "meta").
                    let target = lookup.id(&rid).map(|i| &c.rscs[i]);
                    // Parameters set by node-specific rules take their value per node.
                    let node_params: Option<Vec<HashMap<String, String>>> = (!l.rules.is_empty())
                        .then(|| cib.resources.iter().find(|d| d.id == rid))
                        .flatten()
                        .filter(|d| d.instance.iter().any(|set| set.rule.is_some()))
                        .map(|d| {
                            (0..nn)
                                .map(|n| {
                                    let ctx = RuleContext {
                                        node_attrs: Some(&c.nodes[n].attrs),
                                        now: Some(c.now),
                                        ..RuleContext::default()
                                    };
                                    let mut m = HashMap::new();
                                    cib::model::resolve_sets(&d.instance, &ctx, &mut m);
                                    m
                                })
                                .collect()
                        });
                    for rule in &l.rules {
                        let promoted = is_promoted(rule.role.as_deref().or(role.as_deref()));
                        for n in 0..nn {
                            let ctx = RuleContext {
                                node_attrs: Some(&c.nodes[n].attrs),
                                now: Some(c.now),
                                params: match &node_params {
                                    Some(per_node) => per_node.get(n),
                                    None => target.map(|r| &r.params),
                                },
                                meta: target.map(|r| &r.meta),
                                ..RuleContext::default()
                            };
                            if rule.eval(&ctx) {
                                let s = match (&rule.score_attribute, rule.score) {
                                    (Some(attr), _) => c.nodes[n]
                                        .attrs
                                        .get(attr)
                                        .and_then(|v| Score::parse(v))
                                        .unwrap_or(Score::ZERO),
                                    (None, Some(s)) => s,
                                    (None, None) => Score::ZERO,
                                };
                                if promoted {
                                    promo[n] = promo[n].plus(s);
                                    promo_touched[n] = true;
                                } else {
                                    contrib[n] = contrib[n].plus(s);
                                    touched[n] = true;
                                }
                            }
                        }
                    }
                    for (map, add, mask) in [
                        (&mut out.loc, &contrib, &touched),
                        (&mut out.loc_promoted, &promo, &promo_touched),
                    ] {
                        if !mask.iter().any(|&t| t) {
                            continue;
                        }
                        let entry = map
                            .entry(rid.clone())
                            .or_insert_with(|| vec![Score::ZERO; nn]);
                        for n in 0..nn {
                            if mask[n] {
                                entry[n] = entry[n].plus(add[n]);
                            }
                        }
                    }
                    let disc = l.discovery.as_deref();
                    if disc == Some("exclusive") {
                        exclusive.note(&rid, &touched, &contrib);
                    }
                    for &i in lookup.configured(&rid) {
                        let r = &mut c.rscs[i];
                        for n in 0..nn {
                            if touched[n] && !contrib[n].is_neg_inf() && !r.allowed_any.contains(&n)
                            {
                                r.allowed_any.push(n);
                            }
                            // The last constraint naming a node sets its discovery mode.
                            if disc == Some("never") && touched[n] && !r.no_discovery.contains(&n) {
                                r.no_discovery.push(n);
                            } else if disc.is_some_and(|d| d != "never") && touched[n] {
                                r.no_discovery.retain(|&x| x != n);
                            }
                        }
                        // A collective's members (clone instances, group members) are
                        // probed as the constraint on the collective says.
                        if c.rscs[i].variant != Variant::Primitive && disc.is_some() {
                            for p in crate::bundle::discovery_primitives(c, i) {
                                let r = &mut c.rscs[p];
                                for n in (0..nn).filter(|&n| touched[n]) {
                                    if disc == Some("never") {
                                        if !r.no_discovery.contains(&n) {
                                            r.no_discovery.push(n);
                                        }
                                    } else {
                                        r.no_discovery.retain(|&x| x != n);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Constraint::Ticket(tk) => {
                let mut deps: Vec<(String, Option<String>)> = Vec::new();
                if !tk.rsc.is_empty() {
                    deps.push((tk.rsc.clone(), tk.rsc_role.clone()));
                }
                for s in &tk.sets {
                    for r in &s.resources {
                        deps.push((r.clone(), s.role.clone()));
                    }
                }
                let state = cib.tickets.iter().find(|t| t.id == tk.ticket);
                let granted = state.is_some_and(|t| t.granted);
                // Standby only matters for a granted ticket: a revoked one applies its
                // loss-policy whatever its standby flag says.
                let standby = granted && state.is_some_and(|t| t.standby);
                if granted && !standby {
                    continue;
                }
                let deps = deps.into_iter().flat_map(|(rid, role)| {
                    refs.expand(&rid)
                        .into_iter()
                        .map(move |r| (r, role.clone()))
                });
                for (rid, role) in deps {
                    let Some(unit) = unit_of(c, &rid) else {
                        continue;
                    };
                    out.revoked.push(TicketLoss {
                        unit,
                        promoted_only: role.as_deref().and_then(Role::parse)
                            == Some(Role::Promoted),
                        policy: ticket_policy(
                            tk.loss_policy.as_deref(),
                            standby,
                            role.as_deref().and_then(Role::parse) == Some(Role::Promoted),
                        ),
                        standby,
                    });
                }
            }
            Constraint::Colocation(co) => {
                let mut pairs: Vec<(String, String, Option<String>, Option<String>, Score)> =
                    Vec::new();
                if co.sets.is_empty() {
                    pairs.push((
                        co.rsc.clone(),
                        co.with_rsc.clone(),
                        co.rsc_role.clone(),
                        co.with_rsc_role.clone(),
                        co.score,
                    ));
                } else {
                    // Within a sequential set each member depends on the previous one;
                    // each set depends on the next set's first member.
                    for (si, s) in co.sets.iter().enumerate() {
                        let score = s.score.unwrap_or(co.score);
                        if s.sequential && score.0 < 0 {
                            // A sequential set with a negative score keeps every member
                            // away from every earlier one, not just its neighbour.
                            for (j, later) in s.resources.iter().enumerate() {
                                for earlier in &s.resources[..j] {
                                    pairs.push((
                                        later.clone(),
                                        earlier.clone(),
                                        s.role.clone(),
                                        s.role.clone(),
                                        score,
                                    ));
                                }
                            }
                        } else if s.sequential {
                            for w in s.resources.windows(2) {
                                pairs.push((
                                    w[1].clone(),
                                    w[0].clone(),
                                    s.role.clone(),
                                    s.role.clone(),
                                    score,
                                ));
                            }
                        }
                        if let Some(next) = co.sets.get(si + 1) {
                            // A sequential next set is led by its first member; every
                            // member of a non-sequential one is a primary.
                            let primaries = if next.sequential {
                                &next.resources[..next.resources.len().min(1)]
                            } else {
                                &next.resources[..]
                            };
                            for p in primaries {
                                for r in &s.resources {
                                    pairs.push((
                                        r.clone(),
                                        p.clone(),
                                        s.role.clone(),
                                        next.role.clone(),
                                        co.score,
                                    ));
                                }
                            }
                        }
                    }
                }
                // A colocation between two templates or tags places neither.
                let pairs = pairs
                    .into_iter()
                    .filter(|(d, p, ..)| !(refs.is_ref(d) && refs.is_ref(p)));
                let pairs = pairs.flat_map(|(d, p, dr, pr, score)| {
                    let ps = refs.expand(&p);
                    refs.expand(&d).into_iter().flat_map(move |d| {
                        let (dr, pr) = (dr.clone(), pr.clone());
                        ps.clone()
                            .into_iter()
                            .map(move |p| (d.clone(), p, dr.clone(), pr.clone(), score))
                    })
                });
                for (d, p, dr, pr, score) in pairs {
                    let (Some(du), Some(pu)) = (unit_of(c, &d), unit_of(c, &p)) else {
                        continue;
                    };
                    if du == pu {
                        continue;
                    }
                    out.colocs.push(Coloc {
                        id: co.id.clone(),
                        dep: du,
                        primary: pu,
                        score,
                        dep_role: dr.as_deref().and_then(Role::parse),
                        primary_role: pr.as_deref().and_then(Role::parse),
                        influence: co.influence.unwrap_or(true),
                        node_attribute: co.node_attribute.clone().filter(|a| a != "#uname"),
                    });
                }
            }
            _ => {}
        }
    }
    exclusive.apply(c, &lookup, &mut out.loc);
    let unit = |p: usize| unit_of(c, &c.rscs[p].id).unwrap_or(p);
    out.colocs.extend(crate::container::colocations(c, &unit));
    out
}

/// Placement state shared while assigning.
pub struct Assigner<'a> {
    /// The cluster being assigned.
    pub c: &'a mut Cluster,
    /// Constraint inputs.
    pub k: &'a Constraints,
    state: Vec<u8>,
    load: Vec<i64>,
    defer_group_members: bool,
    ledger: Ledger,
    /// Scores of the units being assigned, with the colocations applied so far.
    partial: HashMap<usize, Vec<Score>>,
}

impl<'a> Assigner<'a> {
    /// A new assigner.
    pub fn new(c: &'a mut Cluster, k: &'a Constraints) -> Self {
        let n = c.rscs.len();
        let nn = c.nodes.len();
        let ledger = Ledger::new(c);
        Assigner {
            c,
            k,
            state: vec![0; n],
            load: vec![0; nn],
            defer_group_members: false,
            ledger,
            partial: HashMap::new(),
        }
    }

    /// Assigns every resource.
    pub fn run(&mut self) {
        for t in &self.k.revoked {
            if t.policy != "fence" || t.standby {
                continue;
            }
            for p in self.c.primitives(t.unit) {
                let nodes: Vec<usize> = self.c.rscs[p]
                    .running
                    .iter()
                    .filter(|(_, &role)| !t.promoted_only || role == Role::Promoted)
                    .map(|(&n, _)| n)
                    .collect();
                for n in nodes {
                    self.c.nodes[n].fencing = Some("deadman ticket was lost".to_string());
                }
            }
        }

        let mut order: Vec<usize> = self.c.top.clone();
        order.sort_by_key(|&r| std::cmp::Reverse(self.c.rscs[r].priority));
        if self.ledger.strategy.checks_capacity() {
            order = self.capacity_order(order);
        }
        let order = crate::remote::connections_first(self.c, order);
        let conns = order
            .iter()
            .take_while(|&&r| crate::remote::is_connection(self.c, r))
            .count();
        for &r in &order[..conns] {
            self.assign(r);
        }
        crate::remote::after_connections(self.c);
        for &r in &order[conns..] {
            self.assign(r);
        }
    }

    fn loc_for(&self, id: &str) -> Option<&Vec<Score>> {
        self.k.loc.get(id)
    }

    /// Location scores for configuration ids, added where set.
    fn add_locations(&self, ids: &[String], s: &mut [Score]) {
        for id in ids {
            if let Some(v) = self.loc_for(id) {
                for n in 0..s.len() {
                    if v[n] != Score::ZERO {
                        s[n] = s[n].plus(v[n]);
                    }
                }
            }
        }
    }

    /// A primitive's own contributions: location, failure bans, stickiness, target-role.
    pub(crate) fn primitive_scores(&self, p: usize, with_stickiness: bool) -> Vec<Score> {
        let c = &*self.c;
        let pr = &c.rscs[p];
        let mut s = vec![Score::ZERO; c.nodes.len()];
        self.add_locations(std::slice::from_ref(&pr.config_id), &mut s);
        for (&n, &fc) in &pr.failcount {
            if fc >= pr.migration_threshold {
                s[n] = Score::NEG_INF;
            }
        }
        if !crate::health::exempt(c, p) {
            for (n, node) in c.nodes.iter().enumerate() {
                if let Some(h) = crate::health::node_score(c, node) {
                    s[n] = s[n].plus(h);
                }
            }
        }
        if with_stickiness && pr.managed {
            for &n in pr.running.keys() {
                s[n] = s[n].plus(Score(pr.stickiness));
            }
        }
        if pr.target_role == Some(Role::Stopped) || pr.stopped_by_failure {
            for v in s.iter_mut() {
                *v = Score::NEG_INF;
            }
        }
        s
    }

    /// Base scores for a unit (no colocation): availability, location, stickiness, failures.
    pub(crate) fn base_scores(&self, u: usize, with_stickiness: bool) -> Vec<Score> {
        let c = &*self.c;
        let nn = c.nodes.len();
        let rsc = &c.rscs[u];
        let mut s = vec![
            if c.symmetric {
                Score::ZERO
            } else {
                Score::NEG_INF
            };
            nn
        ];
        if !c.symmetric {
            let mut ids: Vec<&str> = vec![rsc.config_id.as_str()];
            for p in c.primitives(u) {
                ids.push(&c.rscs[p].config_id);
            }
            for &ch in &rsc.children {
                ids.push(&c.rscs[ch].config_id);
            }
            for (i, slot) in s.iter_mut().enumerate() {
                let allowed = ids.iter().any(|id| {
                    c.rscs
                        .iter()
                        .any(|r| r.config_id == *id && r.allowed_any.contains(&i))
                });
                if allowed {
                    *slot = Score::ZERO;
                }
            }
        }
        // Location constraints on the unit and its ancestors.
        let mut ids: Vec<String> = vec![rsc.config_id.clone()];
        let mut cur = rsc.parent;
        while let Some(p) = cur {
            ids.push(c.rscs[p].config_id.clone());
            cur = c.rscs[p].parent;
        }
        match rsc.variant {
            Variant::Primitive => {
                let own = self.primitive_scores(u, with_stickiness);
                for n in 0..nn {
                    s[n] = s[n].plus(own[n]);
                }
                self.add_locations(&ids[1..], &mut s);
            }
            Variant::Group => {
                self.add_locations(&ids, &mut s);
                // The first member leads; later members pull while some node stays usable.
                for (i, &m) in rsc.children.iter().enumerate() {
                    let own = self.primitive_scores(m, with_stickiness);
                    let cand: Vec<Score> = s.iter().zip(&own).map(|(a, b)| a.plus(*b)).collect();
                    let usable = (0..nn).any(|n| cand[n].0 >= 0 && c.nodes[n].can_run());
                    if i == 0 || usable && !self.defer_group_members {
                        s = cand;
                    }
                }
            }
            _ => {
                let mut stack = rsc.children.clone();
                while let Some(k) = stack.pop() {
                    if !ids.contains(&c.rscs[k].config_id) {
                        ids.push(c.rscs[k].config_id.clone());
                    }
                    stack.extend(c.rscs[k].children.iter().copied());
                }
                self.add_locations(&ids, &mut s);
                if rsc.variant == Variant::Clone && !rsc.unique {
                    for p in c.primitives(u) {
                        let pr = &c.rscs[p];
                        for (&n, &fc) in &pr.failcount {
                            if fc >= pr.migration_threshold {
                                s[n] = Score::NEG_INF;
                            }
                        }
                    }
                }
            }
        }

        // stop-all-resources stops everything; clone instances wait for a bundle's guest
        // nodes to be up.
        let bundle_guest_banned = rsc.variant == Variant::Clone;
        let stop_all = c
            .options
            .get("stop-all-resources")
            .is_some_and(|v| cib::model::is_true(v));
        for n in 0..nn {
            if stop_all
                || !c.nodes[n].can_run()
                || bundle_guest_banned && crate::bundle::is_bundle_guest(c, n)
            {
                s[n] = Score::NEG_INF;
            }
        }
        crate::remote::ban_non_members(c, u, &mut s);
        crate::bundle::ban_guests(c, u, &mut s);
        for t in self
            .k
            .revoked
            .iter()
            .filter(|t| t.unit == u && (!t.promoted_only || t.policy == "stop"))
        {
            let running: Vec<usize> = c.active_nodes(u);
            for (n, v) in s.iter_mut().enumerate() {
                if t.policy == "freeze" && running.contains(&n) {
                    continue;
                }
                *v = Score::NEG_INF;
            }
        }
        // A disabled clone or group whose primitives all override that with their own
        // target-role keeps running.
        let overridden = rsc.variant != Variant::Primitive
            && c.primitives(u)
                .iter()
                .all(|&p| c.rscs[p].target_role.is_some_and(|r| r != Role::Stopped));
        if rsc.target_role == Some(Role::Stopped) && !overridden {
            for v in s.iter_mut() {
                *v = Score::NEG_INF;
            }
        }
        s
    }

    fn primary_nodes(&self, co: &Coloc) -> Vec<usize> {
        let c = &*self.c;
        let p = co.primary;
        let mut out = Vec::new();
        match c.rscs[p].variant {
            Variant::Bundle => out = crate::bundle::primary_nodes(c, p, co.primary_role),
            Variant::Clone => {
                for &inst in &c.rscs[p].children {
                    // A blocked instance (failed stop, on-fail=block) hosts no dependents.
                    if c.primitives(inst).iter().any(|&q| c.rscs[q].blocked) {
                        continue;
                    }
                    if let Some(n) = c.rscs[inst].next {
                        // A role-specific colocation counts only the instances in that role.
                        let promoted = c.rscs[inst].next_role == Role::Promoted;
                        match co.primary_role {
                            Some(Role::Promoted) if !promoted => continue,
                            Some(Role::Unpromoted) if promoted => continue,
                            _ => {}
                        }
                        if !out.contains(&n) {
                            out.push(n);
                        }
                    }
                }
            }
            _ => {
                if let Some(n) = c.rscs[p].next {
                    out.push(n);
                }
            }
        }
        out
    }

    pub(crate) fn apply_colocations(&mut self, u: usize, s: &mut [Score]) {
        let mut colocs: Vec<Coloc> = self
            .k
            .colocs
            .iter()
            .filter(|co| co.dep == u)
            .cloned()
            .collect();
        // Primaries with the higher priority are placed first.
        colocs.sort_by_key(|co| std::cmp::Reverse(self.c.rscs[co.primary].priority));
        self.partial.insert(u, s.to_vec());
        for co in &colocs {
            // A colocation loop: the primary is waiting for this unit; it is not applied.
            if self.state[co.primary] == 1 {
                continue;
            }
            let promotable = self.c.rscs[u].promotable;
            if co.dep_role == Some(Role::Promoted)
                || promotable && co.dep_role == Some(Role::Unpromoted)
            {
                // Affects promotion only, which needs the primary placed first.
                self.assign(co.primary);
                continue;
            }
            self.assign(co.primary);
            let mut nodes = self.primary_nodes(co);
            if let Some(attr) = &co.node_attribute {
                nodes = crate::coloc_attr::alike(self.c, attr, &nodes);
            }
            apply_coloc_score(s, &nodes, co.score);
            self.partial.insert(u, s.to_vec());
        }
        self.partial.remove(&u);
        // Dependents' preferences pull the primary (influence).
        let deps: Vec<Coloc> = self
            .k
            .colocs
            .iter()
            .filter(|co| {
                co.primary == u
                    && self.c.rscs[u].variant != Variant::Clone
                    && co.influence
                    && co.score.0 > 0
                    && co.dep_role.is_none_or(|r| r == Role::Started)
                    && co.primary_role.is_none_or(|r| r == Role::Started)
            })
            .cloned()
            .collect();
        for co in deps {
            // A dependent being assigned pulls with what its colocations made of it so far.
            let ds = match self.state[co.dep] {
                0 => self.base_scores(co.dep, true),
                1 => match self.partial.get(&co.dep) {
                    Some(v) => v.clone(),
                    None => continue,
                },
                _ => continue,
            };
            let ds = match &co.node_attribute {
                Some(attr) => crate::coloc_attr::best_alike(self.c, attr, &ds),
                None => ds,
            };
            let mut cand = s.to_vec();
            for n in 0..s.len() {
                let v = if ds[n].is_neg_inf() {
                    if co.score.is_pos_inf() {
                        Score::NEG_INF
                    } else {
                        Score(-Score::INFINITY * co.score.0 / Score::INFINITY)
                    }
                } else if ds[n].is_pos_inf() {
                    Score(co.score.0)
                } else {
                    Score(ds[n].0 * co.score.0.min(Score::INFINITY) / Score::INFINITY)
                };
                cand[n] = cand[n].plus(v);
            }
            if (0..s.len()).any(|n| cand[n].0 >= 0 && self.c.nodes[n].can_run()) {
                s.copy_from_slice(&cand);
            }
        }
    }

    pub(crate) fn choose(
        &self,
        s: &[Score],
        current: Option<usize>,
        exclude: &dyn Fn(usize) -> bool,
    ) -> Option<usize> {
        let c = &*self.c;
        let mut best: Option<usize> = None;
        for n in 0..s.len() {
            if s[n].0 < 0 || exclude(n) {
                continue;
            }
            best = match best {
                None => Some(n),
                Some(b) => {
                    let by_load = match self.ledger.strategy {
                        Strategy::Minimal => std::cmp::Ordering::Equal,
                        Strategy::Balanced => self
                            .ledger
                            .compare_free(c, n, b)
                            .then(self.load[b].cmp(&self.load[n])),
                        _ => self.load[b].cmp(&self.load[n]),
                    };
                    let better = s[n] > s[b]
                        || s[n] == s[b]
                            && (by_load.is_gt()
                                || by_load.is_eq()
                                    && (Some(n) == current
                                        || Some(b) != current
                                            && c.nodes[n].name < c.nodes[b].name));
                    if better {
                        Some(n)
                    } else {
                        Some(b)
                    }
                }
            };
        }
        best
    }

    /// Assigns unit `u` (and first the units it depends on).
    pub fn assign(&mut self, u: usize) {
        if self.state[u] != 0 {
            return;
        }
        self.state[u] = 1;
        match self.c.rscs[u].variant {
            Variant::Clone => self.assign_clone(u),
            Variant::Bundle => crate::bundle::assign(self, u),
            _ => {
                let is_group = self.c.rscs[u].variant == Variant::Group;
                self.defer_group_members = is_group;
                let mut s = self.base_scores(u, true);
                self.defer_group_members = false;
                self.apply_colocations(u, &mut s);
                if is_group {
                    // Later members pull the group while some node stays usable.
                    let members = self.c.rscs[u].children.clone();
                    for &m in members.iter().skip(1) {
                        let own = self.primitive_scores(m, true);
                        let cand: Vec<Score> =
                            s.iter().zip(&own).map(|(a, b)| a.plus(*b)).collect();
                        if (0..cand.len()).any(|n| cand[n].0 >= 0 && self.c.nodes[n].can_run()) {
                            s = cand;
                        }
                    }
                }

                self.ban_insufficient_capacity(u, &mut s, &|_| false);
                let current = self.c.active_nodes(u).first().copied();
                let mut chosen = self.choose(&s, current, &|_| false);
                // An unmanaged primitive stays where it is (nowhere when stopped), so it
                // takes no node's share of the load.
                if self.c.rscs[u].variant == Variant::Primitive && !self.c.rscs[u].managed {
                    chosen = current;
                }
                self.c.rscs[u].scores = s;
                self.set_next(u, chosen);
            }
        }
        self.state[u] = 2;
    }

    pub(crate) fn set_next(&mut self, u: usize, node: Option<usize>) {
        let prims = self.c.primitives(u);
        let mut blocked_from: Option<usize> = None;
        for (i, &p) in prims.iter().enumerate() {
            let mut target = node;
            if let Some(n) = node {
                let pr = &self.c.rscs[p];
                let banned = pr.target_role == Some(Role::Stopped)
                    || pr
                        .failcount
                        .get(&n)
                        .is_some_and(|&fc| fc >= pr.migration_threshold)
                    // A group member banned from the group's node stays stopped (and so do
                    // the members after it).
                    || prims.len() > 1 && self.primitive_scores(p, false)[n] == Score::NEG_INF;
                if banned && blocked_from.is_none() {
                    blocked_from = Some(i);
                }
                if blocked_from.is_some() {
                    target = None;
                }
            }
            let pr = &mut self.c.rscs[p];
            pr.next = target;
            pr.next_role = if target.is_some() {
                if pr.promotable {
                    Role::Unpromoted
                } else {
                    Role::Started
                }
            } else {
                Role::Stopped
            };
            if let Some(n) = target {
                self.load[n] += 1;
                if self.ledger.strategy.checks_capacity() {
                    let need = self.c.rscs[p].utilization.clone();
                    self.ledger.charge(n, &need);
                }
            }
        }
        if self.c.rscs[u].variant != Variant::Primitive {
            self.c.rscs[u].next = node;
            self.c.rscs[u].next_role = if node.is_some() {
                Role::Started
            } else {
                Role::Stopped
            };
        }
        for &k in &self.c.rscs[u].children.clone() {
            if self.c.rscs[k].variant == Variant::Group {
                self.c.rscs[k].next = node;
            }
        }
    }

    /// Under a capacity-checking placement strategy, assignment order within one priority:
    /// resources already running with the higher score where they run first, then the higher
    /// score on the nodes in preference order (most free capacity first), then configuration
    /// order.
    fn capacity_order(&self, order: Vec<usize>) -> Vec<usize> {
        let c = &*self.c;
        let mut nodes: Vec<usize> = (0..c.nodes.len()).collect();
        nodes.sort_by(|&a, &b| {
            let by_load = match self.ledger.strategy {
                Strategy::Balanced => self.ledger.compare_free(c, b, a),
                _ => std::cmp::Ordering::Equal,
            };
            by_load.then(a.cmp(&b))
        });
        let keyed: Vec<(i64, Score, Vec<Score>, usize)> = order
            .into_iter()
            .map(|r| {
                let s = self.base_scores(r, true);
                // A clone has no single current node.
                let active = c.active_nodes(r);
                let current = match (active.as_slice(), c.rscs[r].variant) {
                    (_, Variant::Clone) => Score::NEG_INF,
                    ([n], _) => s.get(*n).copied().unwrap_or(Score::NEG_INF),
                    _ => Score::NEG_INF,
                };
                let by_node = nodes.iter().map(|&n| s[n]).collect();
                (c.rscs[r].priority, current, by_node, r)
            })
            .collect();
        let mut keyed = keyed;
        keyed.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
        keyed.into_iter().map(|k| k.3).collect()
    }

    /// Resources colocated with `u` (or with the clone `u` is an instance of) with a
    /// mandatory score and not yet assigned, found transitively: they must follow it onto
    /// its node.
    fn mandatory_dependents(&self, u: usize) -> Vec<usize> {
        let unit = match self.c.rscs[u].parent {
            Some(p) if self.c.rscs[p].variant == Variant::Clone => p,
            _ => u,
        };
        let mut out: Vec<usize> = Vec::new();
        let mut stack = vec![unit];
        while let Some(x) = stack.pop() {
            for co in &self.k.colocs {
                if co.primary == x
                    && co.score.is_pos_inf()
                    && co.dep_role.is_none_or(|r| r == Role::Started)
                    && self.state[co.dep] == 0
                    && co.dep != unit
                    && !out.contains(&co.dep)
                {
                    out.push(co.dep);
                    stack.push(co.dep);
                }
            }
        }
        out
    }

    /// Bans the nodes without the free capacity `u` needs (with what must follow it there,
    /// when some node not `full` can take all of that) under a capacity-checking strategy.
    fn ban_insufficient_capacity(&self, u: usize, s: &mut [Score], full: &dyn Fn(usize) -> bool) {
        if !self.ledger.strategy.checks_capacity() {
            return;
        }
        let c = &*self.c;
        let own = utilization::demand(c, u);
        let mut total = own.clone();
        for d in self.mandatory_dependents(u) {
            // A clone's own demand is placed instance by instance, not here.
            if c.rscs[d].variant != Variant::Clone {
                utilization::add_demand(&mut total, &utilization::demand(c, d));
            }
        }
        if own.is_empty() && total.is_empty() {
            return;
        }
        let eligible = |n: usize| s[n].0 >= 0 && c.nodes[n].can_run() && !full(n);
        let whole_fits = (0..s.len()).any(|n| eligible(n) && self.ledger.fits(c, n, &total));
        let need = if whole_fits { &total } else { &own };
        for (n, v) in s.iter_mut().enumerate() {
            if !self.ledger.fits(c, n, need) {
                *v = Score::NEG_INF;
            }
        }
    }

    fn assign_clone(&mut self, u: usize) {
        let mut base = self.base_scores(u, false);
        self.apply_colocations(u, &mut base);
        let instances = self.c.rscs[u].children.clone();
        let node_max = self.c.rscs[u].clone_node_max.max(1);
        let clone_max = self.c.rscs[u].clone_max;
        let mut per_node = vec![0usize; self.c.nodes.len()];
        let mut assigned_count = 0usize;
        let mut done = vec![false; instances.len()];
        // Running instances are kept first only up to clone-max / usable nodes per node.
        let usable = (0..self.c.nodes.len())
            .filter(|&n| base[n].0 >= 0 && self.c.nodes[n].can_run())
            .count()
            .max(1);
        let spread = (clone_max / usable).clamp(1, node_max);
        // Instances already running keep their node when it is still their best choice.
        for (i, &inst) in instances.iter().enumerate() {
            let nodes = self.c.active_nodes(inst);
            if nodes.len() != 1 {
                continue;
            }
            let n = nodes[0];
            let mut inst_scores = self.instance_scores(inst, &base);
            let pn = per_node.clone();
            self.ban_insufficient_capacity(inst, &mut inst_scores, &|m| pn[m] >= node_max);
            let best = self.choose(&inst_scores, Some(n), &|x| pn[x] >= spread);
            if best == Some(n) && assigned_count < clone_max {
                per_node[n] += 1;
                assigned_count += 1;
                done[i] = true;
                self.c.rscs[inst].scores = inst_scores;
                self.set_next(inst, Some(n));
            }
        }
        // Active instances whose current node can no longer host them are placed after the
        // inactive ones, so a fresh instance takes the free slot and the stranded one stops.
        let mut rest: Vec<usize> = (0..instances.len()).filter(|&i| !done[i]).collect();
        rest.sort_by_key(|&i| self.stranded(instances[i], &base));
        for i in rest {
            let inst = instances[i];
            if assigned_count >= clone_max {
                self.set_next(inst, None);
                continue;
            }
            let mut inst_scores = self.instance_scores(inst, &base);
            let pn = per_node.clone();
            self.ban_insufficient_capacity(inst, &mut inst_scores, &|m| pn[m] >= node_max);
            let chosen = self.choose(&inst_scores, None, &|n| pn[n] >= node_max);
            if let Some(n) = chosen {
                per_node[n] += 1;
                assigned_count += 1;
            }
            self.c.rscs[inst].scores = inst_scores;
            self.set_next(inst, chosen);
        }
        self.c.rscs[u].scores = base;
        if self.c.rscs[u].promotable {
            self.promote(u);
        }
    }

    /// Whether a clone instance is active on exactly one usable node that its scores now ban
    /// (an instance on a node that cannot run anything simply moves).
    fn stranded(&self, inst: usize, base: &[Score]) -> bool {
        let nodes = self.c.active_nodes(inst);
        if nodes.len() != 1 {
            return false;
        }
        let n = nodes[0];
        self.c.nodes[n].can_run() && self.instance_scores(inst, base)[n].0 < 0
    }

    fn instance_scores(&self, inst: usize, base: &[Score]) -> Vec<Score> {
        let mut s = base.to_vec();
        let c = &*self.c;
        for &p in &c.primitives(inst) {
            let pr = &c.rscs[p];
            for (&n, &fc) in &pr.failcount {
                if fc >= pr.migration_threshold {
                    s[n] = Score::NEG_INF;
                }
            }
            if pr.managed {
                for &n in pr.running.keys() {
                    s[n] = s[n].plus(Score(pr.stickiness));
                }
            }
        }
        s
    }

    pub(crate) fn promote(&mut self, u: usize) {
        let c = &*self.c;
        let instances = c.rscs[u].children.clone();
        let promoted_max = c.rscs[u].promoted_max;
        let node_max = c.rscs[u].promoted_node_max.max(1);
        let mut cands: Vec<(Score, bool, usize, usize)> = Vec::new();
        let mut preferences: Vec<bool> = Vec::new();
        let revoked = self.k.revoked.iter().find(|t| t.unit == u);
        let target_ok = c.rscs[u].target_role != Some(Role::Unpromoted);

        for (i, &inst) in instances.iter().enumerate() {
            let Some(n) = c.rscs[inst].next else { continue };
            let prims = c.primitives(inst);
            let mut score: Option<Score> = None;
            // Whether anything states a promotion preference for this instance here.
            let mut preferred = false;
            for &p in &prims {
                let pr = &c.rscs[p];
                // The name the instance's history records comes before its own.
                let mut keys = vec![format!("master-{}", pr.config_id)];
                if let Some(h) = &pr.history_name {
                    keys.push(format!("master-{h}"));
                }
                keys.push(format!("master-{}", pr.id));
                let an = crate::bundle::attr_node(c, p, n);
                for k in &keys {
                    if let Some(v) = c.nodes[an].attrs.get(k).and_then(|v| Score::parse(v)) {
                        score = Some(score.unwrap_or(Score::ZERO).plus(v));
                        break;
                    }
                }
            }
            // Without a promotion preference an instance starts at -1: only a constraint
            // can then make it eligible.
            preferred |= score.is_some();
            let mut score = Some(score.unwrap_or(Score(-1)));
            let mut ids = vec![c.rscs[u].config_id.clone(), c.rscs[inst].config_id.clone()];
            for &p in &prims {
                ids.push(c.rscs[p].config_id.clone());
            }
            for id in &ids {
                if let Some(v) = self.k.loc_promoted.get(id) {
                    if v[n] != Score::ZERO {
                        preferred = true;
                        score = Some(score.unwrap_or(Score::ZERO).plus(v[n]));
                    }
                }
            }
            for co in self
                .k
                .colocs
                .iter()
                .filter(|co| co.dep == u && co.dep_role == Some(Role::Promoted))
            {
                let nodes = self.primary_nodes(co);
                let mut one = vec![Score::ZERO; c.nodes.len()];
                apply_coloc_score(&mut one, &nodes, co.score);
                score = Some(score.unwrap_or(Score::ZERO).plus(one[n]));
            }
            // Instances that must be unpromoted with (or away from) a primary: where the
            // colocation wants them, promotion counts against the colocation's score.
            for co in self
                .k
                .colocs
                .iter()
                .filter(|co| co.dep == u && co.dep_role == Some(Role::Unpromoted))
            {
                let nodes = self.primary_nodes(co);
                let mut one = vec![Score::ZERO; c.nodes.len()];
                apply_coloc_score(&mut one, &nodes, co.score);
                let against = Score(-one[n].0);
                score = Some(score.unwrap_or(Score::ZERO).plus(against));
            }
            let was_promoted = prims
                .iter()
                .any(|&p| c.rscs[p].running.get(&n) == Some(&Role::Promoted));
            // A promoted instance whose failure asks for demotion stays unpromoted there.
            if prims
                .iter()
                .any(|&p| c.rscs[p].demote_failed_on.contains(&n))
            {
                continue;
            }
            if let Some(t) = revoked {
                if !(t.policy == "freeze" && was_promoted) {
                    continue;
                }
            }

            if let Some(s) = score {
                if target_ok {
                    cands.push((s, was_promoted, i, inst));
                    preferences.push(preferred);
                }
            }
        }
        crate::promotion::add_preferences(self, u, &mut cands, &preferences);
        cands.retain(|cand| cand.0 .0 >= 0);
        // Among equals, an instance being recovered where it is placed comes after the
        // healthy ones (unless it is the promoted one).
        let recovering = |i: usize| {
            let inst = instances[i];
            let c = &*self.c;
            c.rscs[inst].next.is_some_and(|n| {
                c.primitives(inst)
                    .iter()
                    .any(|&p| c.rscs[p].failed_on.contains(&n))
            })
        };
        cands.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(recovering(a.2).cmp(&recovering(b.2)))
                .then(a.2.cmp(&b.2))
        });
        // Instances promoted on lost nodes that cannot be fenced stay promoted, as far as
        // anyone can tell.
        let mut count = crate::promotion::stuck_promoted(self.c, u);
        let mut per_node: HashMap<usize, usize> = HashMap::new();
        for (_, _, _, inst) in cands {
            if count >= promoted_max {
                break;
            }
            let Some(n) = self.c.rscs[inst].next else {
                continue;
            };
            let e = per_node.entry(n).or_insert(0);
            if *e >= node_max {
                continue;
            }
            *e += 1;
            count += 1;
            self.c.rscs[inst].next_role = Role::Promoted;
            for p in self.c.primitives(inst) {
                if self.c.rscs[p].next.is_some() {
                    self.c.rscs[p].next_role = Role::Promoted;
                }
            }
        }
    }
}

/// What losing a ticket does: the configured loss-policy (default stop); a ticket in standby
/// stops what depends on it, or only demotes when just the promoted role depends on it and the
/// policy is not stop.
fn ticket_policy(configured: Option<&str>, standby: bool, promoted_only: bool) -> String {
    let policy = configured.unwrap_or("stop");
    if standby && (policy != "stop" || !promoted_only) {
        if promoted_only {
            "demote".to_string()
        } else {
            "stop".to_string()
        }
    } else {
        policy.to_string()
    }
}

fn apply_coloc_score(s: &mut [Score], nodes: &[usize], score: Score) {
    if score.is_pos_inf() {
        for (n, v) in s.iter_mut().enumerate() {
            if !nodes.contains(&n) {
                *v = Score::NEG_INF;
            }
        }
    } else if score.is_neg_inf() {
        for &n in nodes {
            s[n] = Score::NEG_INF;
        }
    } else {
        for &n in nodes {
            add(s, n, score);
        }
    }
}
