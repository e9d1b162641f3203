//! Pacemaker-compatible policy engine: a pure function from a CIB to scores and a transition graph.
//!
//! [`schedule`] unpacks the CIB into a working set ([`cluster`]), assigns resources to nodes
//! ([`assign`]), plans the actions ([`actions`]) and applies them ([`simulate`]); [`report`]
//! prints the results in crm_simulate's layout.

#![allow(clippy::needless_range_loop, clippy::type_complexity)]

mod action_index;
pub mod actions;
mod agent_change;
pub mod assign;
mod blocked;
mod blocked_group;
pub mod bundle;
mod clone_order;
pub mod cluster;
mod coloc_attr;
mod coloc_stops;
pub mod container;
pub mod digest;
mod discovery;
mod duplicate_instances;
pub mod failure_expiry;
mod fast_hash;
pub mod fencing;
mod graph;
mod graph_out;
pub mod health;
mod interleave;
mod live_migration;
pub mod maintenance;
mod migration_history;
mod multi_active;
mod notify;
pub mod on_fail;
mod one_or_more;
pub mod orders;
mod orphans;
mod pending_nodes;
mod promotion;
mod quorum;
pub mod remote;
pub mod report;
mod rsc_lookup;
pub mod rsc_pattern;
pub mod simulate;
mod stopped_monitor;
mod tags;
mod templates;
mod unmanaged;
pub mod unpack;
pub mod utilization;

use cib::Cib;

pub use actions::{Action, ActionKind, Transition};
pub use cluster::{Cluster, Role};

/// Everything the scheduler decided for one CIB.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// The cluster as the CIB describes it, with placement results.
    pub before: Cluster,
    /// The planned transition.
    pub transition: Transition,
    /// The cluster once the transition ran.
    pub after: Cluster,
}

/// Runs the scheduler on `cib` at time `now` (seconds since the epoch).
pub fn schedule(cib: &Cib, now: i64) -> Schedule {
    schedule_with(cib, now, true)
}

/// [`schedule`], with the revised cluster ([`Schedule::after`]) computed only when `revised`
/// is true (otherwise it is an empty [`Cluster`]): `crm_simulate -R` prints no revised
/// status, and copying a large cluster's working set is a sizeable part of its run.
pub fn schedule_with(cib: &Cib, now: i64, revised: bool) -> Schedule {
    let expanded = templates::expand(cib);
    let cib = expanded.as_ref().unwrap_or(cib);
    let mut c = unpack::unpack(cib, now);
    let mut k = assign::collect(&mut c, cib);
    remote::add_colocations(&c, &mut k);
    assign::Assigner::new(&mut c, &k).run();
    pending_nodes::block_unprobed_starts(&mut c);
    let changed = orders::definition_changes(&c);
    let mut restart = orders::propagate(&mut c, cib, changed);
    if coloc_stops::apply(&mut c, &k) {
        restart = orders::propagate(&mut c, cib, restart);
    }
    remote::restart_guests(&c, &mut restart);
    quorum::apply_demote(&mut c);
    let mut transition = actions::plan(&c, cib, &restart);
    transition.op_defaults = graph_out::op_defaults(cib);
    let after = if revised {
        simulate::apply(&c, &transition)
    } else {
        Cluster::default()
    };
    Schedule {
        before: c,
        transition,
        after,
    }
}

/// The text `crm_simulate -S` prints for a schedule (`simulate` adds the execution and the
/// revised status).
pub fn simulation_text(s: &Schedule, simulate: bool) -> String {
    let mut out = String::new();
    out.push_str("Current cluster status:\n");
    out.push_str(&report::status_text(&s.before));
    out.push('\n');
    out.push_str("Transition Summary:\n");
    for line in &s.transition.summary {
        out.push_str("  * ");
        out.push_str(line);
        out.push('\n');
    }
    if simulate {
        out.push('\n');
        out.push_str("Executing Cluster Transition:\n");
        for i in actions::execution_order(&s.transition) {
            let a = &s.transition.actions[i];
            let prefix = match a.kind {
                ActionKind::Resource => "Resource action: ",
                ActionKind::Pseudo => "Pseudo action:   ",
                ActionKind::Fence => "Fencing ",
                ActionKind::Cluster => "Cluster action:  ",
            };
            out.push_str("  * ");
            out.push_str(prefix);
            out.push_str(&a.label);
            out.push('\n');
        }
        out.push('\n');
        out.push_str("Revised Cluster Status:\n");
        out.push_str(&report::status_text(&s.after));
    }
    out
}
