//! The scheduler's working set: nodes and resource instances with their current state.

use std::collections::{BTreeMap, HashMap};

use cib::model::{Agent, OpDef};
use cib::Score;

/// A resource role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Not known.
    Unknown,
    /// Not running.
    Stopped,
    /// Running (not promotable).
    Started,
    /// Running in the unpromoted role.
    Unpromoted,
    /// Running in the promoted role.
    Promoted,
}

impl Role {
    /// Parses target-role / role spellings, old and new.
    pub fn parse(text: &str) -> Option<Role> {
        match text.to_ascii_lowercase().as_str() {
            "stopped" => Some(Role::Stopped),
            "started" => Some(Role::Started),
            "slave" | "unpromoted" => Some(Role::Unpromoted),
            "master" | "promoted" => Some(Role::Promoted),
            _ => None,
        }
    }

    /// The name crm_mon prints.
    pub fn name(self) -> &'static str {
        match self {
            Role::Unknown => "Unknown",
            Role::Stopped => "Stopped",
            Role::Started => "Started",
            Role::Unpromoted => "Unpromoted",
            Role::Promoted => "Promoted",
        }
    }

    /// True for any running role.
    pub fn is_active(self) -> bool {
        matches!(self, Role::Started | Role::Unpromoted | Role::Promoted)
    }
}

/// What kind of node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A full cluster member.
    Member,
    /// A Pacemaker Remote node with its own connection resource.
    Remote,
    /// A guest node inside a container resource.
    Guest,
}

/// One node and its state.
#[derive(Clone, Debug)]
pub struct Node {
    /// Node name.
    pub name: String,
    /// Node id.
    pub id: String,
    /// Member, remote or guest.
    pub kind: NodeKind,
    /// Up and able to run resources (before standby).
    pub online: bool,
    /// Must be fenced before its resources can be recovered.
    pub unclean: bool,
    /// Why it is unclean (fencing reason).
    pub unclean_reason: String,
    /// In standby.
    pub standby: bool,
    /// In maintenance mode.
    pub maintenance: bool,
    /// Joining, not yet a member.
    pub pending: bool,
    /// Shutting down.
    pub shutdown: bool,
    /// The DC.
    pub is_dc: bool,
    /// Node attributes (configured, then transient), plus #uname/#id/#kind/#is_dc.
    pub attrs: HashMap<String, String>,
    /// Health colour when node health is in use and not green.
    pub health: Option<&'static str>,
    /// Connection/container resource for remote and guest nodes.
    pub connection: Option<usize>,
    /// Whether a node_state entry exists.
    pub has_state: bool,
    /// Node utilization capacity.
    pub capacity: HashMap<String, i64>,
    /// Scheduled for fencing by policy (not because it is unclean), with the reason.
    pub fencing: Option<String>,
    /// Remote and guest nodes: the connection is (or, once connections are placed, will be)
    /// up, so the node can host resources.
    pub remote_up: bool,
}

impl Node {
    /// Able to host resources now (online, clean, not standby or pending or in maintenance).
    pub fn can_run(&self) -> bool {
        let up = match self.kind {
            NodeKind::Member => {
                self.online && !self.unclean && !self.pending && self.fencing.is_none()
            }
            // A guest's resources come back with its recovered container.
            NodeKind::Guest => self.remote_up,
            NodeKind::Remote => self.remote_up && self.fencing.is_none(),
        };
        up && !self.standby && !self.maintenance && !self.shutdown
    }
}

/// Resource variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// A primitive.
    Primitive,
    /// A group.
    Group,
    /// A clone or promotable clone.
    Clone,
    /// A bundle.
    Bundle,
}

/// One resource (or clone instance) in the working set.
#[derive(Clone, Debug)]
pub struct Rsc {
    /// Id as printed (clone instances carry `:N`).
    pub id: String,
    /// Id in the configuration.
    pub config_id: String,
    /// Variant.
    pub variant: Variant,
    /// Parent in the tree.
    pub parent: Option<usize>,
    /// Children in the tree (group members, clone instances).
    pub children: Vec<usize>,
    /// Agent (primitives).
    pub agent: Option<Agent>,
    /// Configured operations (primitives).
    pub ops: Vec<OpDef>,
    /// Effective meta-attributes (defaults, then parents, then own).
    pub meta: HashMap<String, String>,
    /// Instance parameters.
    pub params: HashMap<String, String>,
    /// Utilization.
    pub utilization: HashMap<String, i64>,
    /// Whether the cluster manages it.
    pub managed: bool,
    /// target-role.
    pub target_role: Option<Role>,
    /// Priority.
    pub priority: i64,
    /// Stickiness.
    pub stickiness: i64,
    /// migration-threshold.
    pub migration_threshold: i64,
    /// Promotable clone (or child of one).
    pub promotable: bool,
    /// globally-unique clone.
    pub unique: bool,
    /// Clone parameters.
    pub clone_max: usize,
    /// Instances per node.
    pub clone_node_max: usize,
    /// Promoted instances.
    pub promoted_max: usize,
    /// Promoted instances per node.
    pub promoted_node_max: usize,
    /// Orphan: in the status but not the configuration.
    pub orphan: bool,
    /// Current role on each node where active.
    pub running: BTreeMap<usize, Role>,
    /// Nodes where the resource failed and was not since cleaned up.
    pub failed_on: Vec<usize>,
    /// Nodes where a stop failed (needs fencing or blocks).
    pub stop_failed_on: Vec<usize>,
    /// Nodes where an operation failed with `on-fail=demote`: shown failed, demoted in place
    /// instead of recovered, and not promoted there again.
    pub demote_failed_on: Vec<usize>,
    /// Nodes where the recorded operation digest differs from the configured parameters.
    pub definition_changed_on: Vec<usize>,
    /// Nodes whose history was recorded under another agent (class, provider or type) than
    /// the configured one: that history is deleted there, and the resource restarted.
    pub agent_changed_on: Vec<usize>,
    /// The active node listed before the others (the target of a failed live migration,
    /// found active while reading its source's history).
    pub listed_first: Option<usize>,
    /// The source of a completed live migration whose last record there is still the
    /// migrate_to: it is stopped there, and cannot migrate again in this transition.
    pub dangling_source: Option<usize>,
    /// Active only as the target of a migration whose migrate_from never ran: it cannot
    /// migrate on from there.
    pub half_migrated: bool,
    /// Why it cannot live-migrate in this transition although it could otherwise (it is
    /// ordered after a clone with instances both stopping and starting).
    pub migration_blocked: Option<String>,
    /// Nodes where only reloadable parameters changed (the restart digest still matches).
    pub reload_on: Vec<usize>,
    /// Recurring operations (node, interval) whose recorded digest differs from the
    /// configured operation, so they are scheduled again.
    pub stale_recurring: Vec<(usize, u64)>,
    /// Pending operation per node.
    pub pending: BTreeMap<usize, String>,
    /// Nodes where an operation history exists (probed).
    pub known_on: Vec<usize>,
    /// Failure counts per node.
    pub failcount: HashMap<usize, i64>,
    /// Probe found the agent not installed on these nodes.
    pub not_installed_on: Vec<usize>,
    /// Placement scores per node (index = node index).
    pub scores: Vec<Score>,
    /// Node assigned by placement.
    pub next: Option<usize>,
    /// Role after the transition.
    pub next_role: Role,
    /// Placement done.
    pub assigned: bool,
    /// Cannot act (failed stop without fencing, unmanaged ...).
    pub blocked: bool,
    /// A failed operation with `on-fail=stop` keeps it stopped everywhere.
    pub stopped_by_failure: bool,
    /// A failure was ignored (`on-fail=ignore`): status shows it.
    pub failure_ignored: bool,
    /// Marked failed while active nowhere (the container of a guest node left with active
    /// resources): status shows it `FAILED`.
    pub failed_stopped: bool,
    /// Nodes a location constraint names (asymmetric clusters).
    pub allowed_any: Vec<usize>,
    /// Nodes where probes are not wanted (resource-discovery=never/exclusive).
    pub no_discovery: Vec<usize>,
    /// Reason the resource is stopping, for the summary.
    pub stop_reason: Option<String>,
    /// A start that placement chose but an ordering made unrunnable: (node, reason).
    pub blocked_start: Option<(usize, String)>,
    /// Name the node's history knows the resource by, when that differs from `id`.
    pub history_name: Option<String>,
    /// Recurring operations recorded in the history: (node, op name, interval ms).
    pub recurring: Vec<(usize, String, u64)>,
    /// The container a guest node's implicit connection runs in.
    pub container: Option<usize>,
}

impl Rsc {
    /// A new resource with defaults.
    pub fn new(id: &str, config_id: &str, variant: Variant, parent: Option<usize>) -> Rsc {
        Rsc {
            id: id.to_string(),
            config_id: config_id.to_string(),
            variant,
            parent,
            children: Vec::new(),
            agent: None,
            ops: Vec::new(),
            meta: HashMap::new(),
            params: HashMap::new(),
            utilization: HashMap::new(),
            managed: true,
            target_role: None,
            priority: 0,
            stickiness: 0,
            migration_threshold: Score::INFINITY,
            promotable: false,
            unique: false,
            clone_max: 0,
            clone_node_max: 1,
            promoted_max: 1,
            promoted_node_max: 1,
            orphan: false,
            running: BTreeMap::new(),
            failed_on: Vec::new(),
            stop_failed_on: Vec::new(),
            demote_failed_on: Vec::new(),
            definition_changed_on: Vec::new(),
            agent_changed_on: Vec::new(),
            listed_first: None,
            dangling_source: None,
            half_migrated: false,
            migration_blocked: None,
            reload_on: Vec::new(),
            stale_recurring: Vec::new(),
            pending: BTreeMap::new(),
            known_on: Vec::new(),
            failcount: HashMap::new(),
            not_installed_on: Vec::new(),
            scores: Vec::new(),
            next: None,
            next_role: Role::Stopped,
            assigned: false,
            blocked: false,
            stopped_by_failure: false,
            failure_ignored: false,
            failed_stopped: false,
            allowed_any: Vec::new(),
            no_discovery: Vec::new(),
            stop_reason: None,
            blocked_start: None,
            history_name: None,
            recurring: Vec::new(),
            container: None,
        }
    }

    /// The current role: the highest on any node.
    pub fn role(&self) -> Role {
        self.running
            .values()
            .copied()
            .max()
            .unwrap_or(Role::Stopped)
    }

    /// A meta-attribute as a boolean.
    pub fn meta_bool(&self, key: &str, default: bool) -> bool {
        self.meta
            .get(key)
            .map(|v| cib::model::is_true(v))
            .unwrap_or(default)
    }
}

/// The working set: nodes, resources and cluster options.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    /// Nodes in configuration order (then status-only nodes).
    pub nodes: Vec<Node>,
    /// Clones configured with no instance (`clone-max=0`): their primitive's id and the
    /// clone (histories of that primitive are the clone's orphaned instances).
    pub empty_clones: Vec<(String, usize)>,
    /// Per node, the position of its entry in the status section (the order its
    /// histories were read in; nodes without one come last).
    pub status_rank: Vec<usize>,
    /// Resource arena.
    pub rscs: Vec<Rsc>,
    /// Top-level resources in configuration order.
    pub top: Vec<usize>,
    /// Cluster options.
    pub options: HashMap<String, String>,
    /// Whether the partition has quorum.
    pub have_quorum: bool,
    /// stonith-enabled.
    pub stonith_enabled: bool,
    /// symmetric-cluster.
    pub symmetric: bool,
    /// maintenance-mode.
    pub maintenance_mode: bool,
    /// no-quorum-policy.
    pub no_quorum_policy: String,
    /// Evaluation time.
    pub now: i64,
    /// Histories of top-level orphans (resources no longer configured), in status order:
    /// (orphan resource, node).
    pub orphan_histories: Vec<(usize, usize)>,
    /// Bundles and their implicit resources.
    pub bundles: Vec<crate::bundle::BundleInfo>,
    /// Fail counts the cluster clears, found while reading the history (expired, or of a
    /// last failure with other parameters): (primitive, node), in status order.
    pub clear_failcounts: Vec<(usize, usize)>,
    /// Fail counts the cluster clears because the definition changed where they are
    /// (found once the history is read): (primitive, node).
    pub clear_failcounts_changed: Vec<(usize, usize)>,
    /// Where a primitive has a fail count, expired or not: (primitive, node).
    pub failcount_recorded: Vec<(usize, usize)>,
    /// Remote nodes recorded as fenced since their connection last started (`node_fenced`).
    pub remote_fenced: Vec<usize>,
    /// When the earliest fail count still within its `failure-timeout` expires (seconds
    /// since the epoch): the graph's `recheck-by`.
    pub recheck_by: Option<i64>,
    /// Resources by id, as unpacking left them (see `RscLookup::of`).
    pub(crate) rsc_lookup: std::sync::Arc<crate::rsc_lookup::RscLookup>,
}

impl Cluster {
    /// The index of the node named `name`.
    pub fn node_index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// The index of the resource whose printed id is `id`.
    pub fn rsc_index(&self, id: &str) -> Option<usize> {
        self.rscs.iter().position(|r| r.id == id)
    }

    /// The top-level ancestor of `r`.
    pub fn top_of(&self, mut r: usize) -> usize {
        while let Some(p) = self.rscs[r].parent {
            r = p;
        }
        r
    }

    /// All primitives at or below `r`, in tree order.
    pub fn primitives(&self, r: usize) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect_primitives(r, &mut out);
        out
    }

    fn collect_primitives(&self, r: usize, out: &mut Vec<usize>) {
        if self.rscs[r].variant == Variant::Primitive {
            out.push(r);
        }
        for &c in &self.rscs[r].children {
            self.collect_primitives(c, out);
        }
    }

    /// The clone ancestor of `r`, if any.
    pub fn clone_ancestor(&self, r: usize) -> Option<usize> {
        let mut cur = self.rscs[r].parent;
        while let Some(p) = cur {
            if self.rscs[p].variant == Variant::Clone {
                return Some(p);
            }
            cur = self.rscs[p].parent;
        }
        None
    }

    /// Nodes where `r` (or any primitive below it) is active.
    pub fn active_nodes(&self, r: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for p in self.primitives(r) {
            for &n in self.rscs[p].running.keys() {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        out
    }
}
