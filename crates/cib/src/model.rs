//! The typed CIB: configuration and status, read from an [`Element`] tree.

use std::collections::HashMap;

use crate::error::CibError;
use crate::limits;
use crate::rule::{parse_datetime, parse_interval_ms, Rule, RuleContext};
use crate::score::Score;
use crate::xml::{self, Element};

/// A whole CIB document.
#[derive(Clone, Debug, Default)]
pub struct Cib {
    /// The document as read (written back by `-O`).
    pub root: Element,
    /// `have-quorum` on the root element.
    pub have_quorum: bool,
    /// `dc-uuid` on the root element.
    pub dc_uuid: Option<String>,
    /// `execution-date` on the root element, seconds since the epoch.
    pub execution_date: Option<i64>,
    /// `cluster_property_set`s of crm_config.
    pub crm_config: Vec<NvSet>,
    /// Configured nodes.
    pub nodes: Vec<NodeDef>,
    /// Top-level resources, in configuration order.
    pub resources: Vec<Resource>,
    /// Constraints, in configuration order.
    pub constraints: Vec<Constraint>,
    /// `rsc_defaults` meta-attribute sets.
    pub rsc_defaults: Vec<NvSet>,
    /// `op_defaults` meta-attribute sets.
    pub op_defaults: Vec<NvSet>,
    /// Tags: tag id to the ids it names.
    pub tags: HashMap<String, Vec<String>>,
    /// Fencing topology levels.
    pub fencing_levels: Vec<FencingLevel>,
    /// `node_state` entries of the status section.
    pub status: Vec<NodeState>,
    /// Ticket states from the status section.
    pub tickets: Vec<TicketState>,
}

/// A set of name/value pairs (`meta_attributes`, `instance_attributes`, ...).
#[derive(Clone, Debug, Default)]
pub struct NvSet {
    /// The set's id.
    pub id: String,
    /// Precedence among sets: higher first.
    pub score: i64,
    /// Rule that must pass for the set to apply.
    pub rule: Option<Rule>,
    /// The pairs; a value of `None` unsets.
    pub pairs: Vec<(String, Option<String>)>,
}

/// Merges sets into one map: sets sorted by score (highest first), the first value for a name wins.
pub fn resolve_sets(sets: &[NvSet], ctx: &RuleContext<'_>, into: &mut HashMap<String, String>) {
    let mut order: Vec<&NvSet> = sets.iter().collect();
    order.sort_by_key(|s| std::cmp::Reverse(s.score));
    let mut seen: Vec<String> = Vec::new();
    for set in order {
        if let Some(rule) = &set.rule {
            if !rule.eval(ctx) {
                continue;
            }
        }
        for (k, v) in &set.pairs {
            if seen.contains(k) {
                continue;
            }
            seen.push(k.clone());
            match v {
                Some(v) => {
                    into.insert(k.clone(), v.clone());
                }
                None => {
                    into.remove(k);
                }
            }
        }
    }
}

/// A configured node.
#[derive(Clone, Debug, Default)]
pub struct NodeDef {
    /// Node id.
    pub id: String,
    /// Node name.
    pub uname: String,
    /// `member`, `remote`, `ping` ...
    pub kind: String,
    /// Node attribute sets.
    pub attrs: Vec<NvSet>,
    /// Utilization sets.
    pub utilization: Vec<NvSet>,
    /// Line in the source.
    pub line: u32,
}

/// A resource agent's identity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Agent {
    /// ocf, lsb, systemd, service, stonith ...
    pub class: String,
    /// OCF provider.
    pub provider: Option<String>,
    /// Agent name.
    pub kind: String,
}

impl Agent {
    /// `class:provider:type` (or `class:type`) as crm_mon prints it.
    pub fn spec(&self) -> String {
        match &self.provider {
            Some(p) => format!("{}:{}:{}", self.class, p, self.kind),
            None => format!("{}:{}", self.class, self.kind),
        }
    }
}

/// A configured operation.
#[derive(Clone, Debug, Default)]
pub struct OpDef {
    /// Op id.
    pub id: String,
    /// Operation name (monitor, start ...).
    pub name: String,
    /// Interval in ms.
    pub interval_ms: u64,
    /// Role the op is for (Promoted/Unpromoted/Started ...).
    pub role: Option<String>,
    /// Every attribute of the `<op>` element.
    pub attrs: Vec<(String, String)>,
    /// `meta_attributes` of the op.
    pub meta: Vec<NvSet>,
    /// `instance_attributes` of the op.
    pub instance: Vec<NvSet>,
}

impl OpDef {
    /// An attribute of the op, looked up on the element then in its meta-attributes.
    pub fn get(&self, key: &str) -> Option<String> {
        if let Some((_, v)) = self.attrs.iter().find(|(k, _)| k == key) {
            return Some(v.clone());
        }
        let mut m = HashMap::new();
        resolve_sets(&self.meta, &RuleContext::default(), &mut m);
        m.get(key).cloned()
    }
}

/// A resource of any variant.
#[derive(Clone, Debug, Default)]
pub struct Resource {
    /// Resource id.
    pub id: String,
    /// Line in the source.
    pub line: u32,
    /// The variant.
    pub kind: ResourceKind,
    /// Meta-attribute sets.
    pub meta: Vec<NvSet>,
    /// Instance-attribute sets.
    pub instance: Vec<NvSet>,
    /// Utilization sets.
    pub utilization: Vec<NvSet>,
}

/// What kind of resource.
#[derive(Clone, Debug)]
pub enum ResourceKind {
    /// A primitive with its agent and operations.
    Primitive {
        /// The agent.
        agent: Agent,
        /// Configured operations.
        ops: Vec<OpDef>,
    },
    /// A group of primitives.
    Group(Vec<Resource>),
    /// A clone (or promotable clone, or the older `master`).
    Clone {
        /// True for the `master` element.
        master_element: bool,
        /// The cloned resource.
        child: Box<Resource>,
    },
    /// A bundle.
    Bundle(Box<Bundle>),
}

impl Default for ResourceKind {
    fn default() -> Self {
        ResourceKind::Group(Vec::new())
    }
}

/// A bundle's configuration.
#[derive(Clone, Debug, Default)]
pub struct Bundle {
    /// docker, podman or rkt.
    pub runtime: String,
    /// Container image.
    pub image: String,
    /// Replicas.
    pub replicas: u32,
    /// Replicas per host.
    pub replicas_per_host: u32,
    /// Promoted replicas allowed.
    pub promoted_max: u32,
    /// First IP address for replicas.
    pub ip_range_start: Option<String>,
    /// Remote control port.
    pub control_port: Option<String>,
    /// Host interface the replicas' IP addresses are added to.
    pub host_interface: Option<String>,
    /// Netmask (CIDR bits) of the replicas' IP addresses.
    pub host_netmask: Option<String>,
    /// Whether the bundle creates IP resources.
    pub has_network: bool,
    /// Resource inside the bundle.
    pub child: Option<Resource>,
    /// Every attribute of the container element.
    pub container_attrs: Vec<(String, String)>,
}

/// A `resource_set` in a constraint.
#[derive(Clone, Debug, Default)]
pub struct RscSet {
    /// Set id.
    pub id: String,
    /// Member resource ids (tags expanded).
    pub resources: Vec<String>,
    /// Whether members are ordered/colocated among themselves.
    pub sequential: bool,
    /// Whether all members are needed (ordering).
    pub require_all: bool,
    /// Role filter.
    pub role: Option<String>,
    /// Action for ordering.
    pub action: Option<String>,
    /// Score of the set.
    pub score: Option<Score>,
    /// Ordering kind of the set.
    pub kind: Option<String>,
}

/// A location constraint.
#[derive(Clone, Debug, Default)]
pub struct Location {
    /// Constraint id.
    pub id: String,
    /// Resource id (tags expanded).
    pub rsc: Vec<String>,
    /// Regular expression on resource ids.
    pub rsc_pattern: Option<String>,
    /// Role filter.
    pub role: Option<String>,
    /// Node name, for the simple form.
    pub node: Option<String>,
    /// Score, for the simple form.
    pub score: Option<Score>,
    /// Rules, for the rule form.
    pub rules: Vec<Rule>,
    /// Resource sets.
    pub sets: Vec<RscSet>,
    /// always, never or exclusive.
    pub discovery: Option<String>,
}

/// A colocation constraint.
#[derive(Clone, Debug, Default)]
pub struct Colocation {
    /// Constraint id.
    pub id: String,
    /// Dependent resource.
    pub rsc: String,
    /// Primary resource.
    pub with_rsc: String,
    /// Role of the dependent.
    pub rsc_role: Option<String>,
    /// Role of the primary.
    pub with_rsc_role: Option<String>,
    /// Score.
    pub score: Score,
    /// Resource sets.
    pub sets: Vec<RscSet>,
    /// `influence` when given.
    pub influence: Option<bool>,
    /// Node attribute to colocate by.
    pub node_attribute: Option<String>,
}

/// An ordering constraint.
#[derive(Clone, Debug, Default)]
pub struct Order {
    /// Constraint id.
    pub id: String,
    /// First resource.
    pub first: String,
    /// Then resource.
    pub then: String,
    /// Action of `first`.
    pub first_action: Option<String>,
    /// Action of `then`.
    pub then_action: Option<String>,
    /// Mandatory, Optional or Serialize.
    pub kind: Option<String>,
    /// Old-style score.
    pub score: Option<Score>,
    /// Whether the reverse applies to stops.
    pub symmetrical: Option<bool>,
    /// Resource sets.
    pub sets: Vec<RscSet>,
    /// require-all on the constraint.
    pub require_all: Option<bool>,
}

/// A ticket constraint.
#[derive(Clone, Debug, Default)]
pub struct TicketConstraint {
    /// Constraint id.
    pub id: String,
    /// Ticket id.
    pub ticket: String,
    /// Resource.
    pub rsc: String,
    /// Role filter.
    pub rsc_role: Option<String>,
    /// stop, demote, fence, freeze.
    pub loss_policy: Option<String>,
    /// Resource sets.
    pub sets: Vec<RscSet>,
}

/// Any constraint.
#[derive(Clone, Debug)]
pub enum Constraint {
    /// rsc_location.
    Location(Location),
    /// rsc_colocation.
    Colocation(Colocation),
    /// rsc_order.
    Order(Order),
    /// rsc_ticket.
    Ticket(TicketConstraint),
}

/// One fencing level.
#[derive(Clone, Debug, Default)]
pub struct FencingLevel {
    /// Level id.
    pub id: String,
    /// Target node name.
    pub target: String,
    /// Index.
    pub index: u32,
    /// Devices, comma-separated in the source.
    pub devices: Vec<String>,
}

/// A ticket's state.
#[derive(Clone, Debug, Default)]
pub struct TicketState {
    /// Ticket id.
    pub id: String,
    /// Granted.
    pub granted: bool,
    /// Standby.
    pub standby: bool,
}

/// One `node_state` entry.
#[derive(Clone, Debug, Default)]
pub struct NodeState {
    /// Node id.
    pub id: String,
    /// Node name.
    pub uname: String,
    /// `in_ccm` (true/false or a timestamp).
    pub in_ccm: Option<String>,
    /// `crmd` (online/offline or a timestamp).
    pub crmd: Option<String>,
    /// `join`.
    pub join: Option<String>,
    /// `expected`.
    pub expected: Option<String>,
    /// `remote_node` flag.
    pub remote_node: bool,
    /// Every attribute of the element.
    pub raw: Vec<(String, String)>,
    /// Transient attributes.
    pub attrs: Vec<(String, String)>,
    /// Operation history per resource.
    pub lrm: Vec<LrmResource>,
    /// Line in the source.
    pub line: u32,
}

/// A resource's operation history on one node.
#[derive(Clone, Debug, Default)]
pub struct LrmResource {
    /// Resource id (may carry a `:N` instance suffix).
    pub id: String,
    /// Agent class.
    pub class: String,
    /// Agent provider.
    pub provider: Option<String>,
    /// Agent type.
    pub kind: String,
    /// Container the resource lives in.
    pub container: Option<String>,
    /// Recorded operations.
    pub ops: Vec<LrmOp>,
}

/// One recorded operation.
#[derive(Clone, Debug, Default)]
pub struct LrmOp {
    /// Entry id.
    pub id: String,
    /// Operation name.
    pub operation: String,
    /// Interval in ms.
    pub interval_ms: u64,
    /// Call id (-1 for pending).
    pub call_id: i64,
    /// Agent return code.
    pub rc_code: i32,
    /// Execution status.
    pub op_status: i32,
    /// Expected rc from the transition key.
    pub target_rc: Option<i32>,
    /// Every attribute.
    pub raw: crate::packed_attrs::PackedAttrs,
    /// Line in the source.
    pub line: u32,
}

impl LrmOp {
    /// An attribute of the entry.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.raw.get(key)
    }

    /// Attributes of the entry named like each of `keys` (one pass over them).
    pub fn get_all<const N: usize>(&self, keys: [&str; N]) -> [Option<&str>; N] {
        self.raw.get_all(keys)
    }
}

struct Reader<'a> {
    ids: HashMap<&'a str, &'a Element>,
    tags: HashMap<String, Vec<String>>,
}

fn invalid(el: &Element, path: &str, message: impl Into<String>) -> CibError {
    CibError::Invalid {
        line: el.line,
        path: format!("{path}/{}", el.describe()),
        message: message.into(),
    }
}

fn truthy(v: Option<&str>) -> Option<bool> {
    v.map(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "yes" | "on" | "y" | "1"
        )
    })
}

/// True for Pacemaker's boolean spellings of true.
pub fn is_true(v: &str) -> bool {
    truthy(Some(v)).unwrap_or(false)
}

impl<'a> Reader<'a> {
    fn index(el: &'a Element, ids: &mut HashMap<&'a str, &'a Element>, depth: usize) {
        if depth > limits::MAX_DEPTH {
            return;
        }
        if let Some(id) = el.attr("id") {
            if el.attr("id-ref").is_none() {
                ids.entry(id).or_insert(el);
            }
        }
        for c in &el.children {
            Self::index(c, ids, depth + 1);
        }
    }

    fn deref(&self, el: &'a Element) -> &'a Element {
        let mut cur = el;
        for _ in 0..limits::MAX_IDREF_HOPS {
            match cur.attr("id-ref") {
                Some(r) if cur.name != "nvpair" => match self.ids.get(r) {
                    Some(t) => cur = t,
                    None => return cur,
                },
                _ => return cur,
            }
        }
        cur
    }

    fn nvset(&self, el: &'a Element) -> NvSet {
        let el = self.deref(el);
        let mut pairs = Vec::new();
        let mut rule = None;
        for c in &el.children {
            match c.name.as_str() {
                "nvpair" => {
                    let target = match c.attr("id-ref") {
                        Some(r) => self.ids.get(r).copied().unwrap_or(c),
                        None => c,
                    };
                    let name = c.attr("name").or(target.attr("name")).unwrap_or("");
                    let value = c.attr("value").or(target.attr("value"));
                    pairs.push((name.to_string(), value.map(str::to_string)));
                }
                "rule" => rule = Some(Rule::from_element(self.deref(c))),
                _ => {}
            }
        }
        NvSet {
            id: el.id().to_string(),
            score: el.attr("score").and_then(Score::parse).map_or(0, |s| s.0),
            rule,
            pairs,
        }
    }

    fn sets(&self, el: &'a Element, name: &str) -> Vec<NvSet> {
        el.children_named(name).map(|c| self.nvset(c)).collect()
    }

    fn expand(&self, id: &str) -> Vec<String> {
        match self.tags.get(id) {
            Some(list) => list.clone(),
            None => vec![id.to_string()],
        }
    }

    fn resource(&self, el: &'a Element, path: &str) -> Result<Resource, CibError> {
        let here = format!("{path}/{}", el.describe());
        let id = el
            .attr("id")
            .ok_or_else(|| invalid(el, path, "resource without an id"))?
            .to_string();
        let kind = match el.name.as_str() {
            "primitive" => {
                let template = el.attr("template").and_then(|t| self.ids.get(t)).copied();
                let src = template.unwrap_or(el);
                let class = el
                    .attr("class")
                    .or(src.attr("class"))
                    .ok_or_else(|| invalid(el, path, "primitive without a class"))?;
                let kind = el
                    .attr("type")
                    .or(src.attr("type"))
                    .ok_or_else(|| invalid(el, path, "primitive without a type"))?;
                let mut ops = Vec::new();
                let mut op_sources = vec![el];
                if let Some(t) = template {
                    op_sources.insert(0, t);
                }
                for s in op_sources {
                    // Ops of earlier sources (the template) that this one overrides; two
                    // definitions within one element both stay (the scheduler sees the clash).
                    let mut earlier = std::mem::take(&mut ops);
                    if let Some(opsel) = s.child("operations") {
                        let opsel = self.deref(opsel);
                        for op in opsel.children_named("op") {
                            let op = self.deref(op);
                            let name = op.attr("name").unwrap_or("").to_string();
                            let interval_ms = match op.attr("interval") {
                                Some(i) => parse_interval_ms(i).ok_or_else(|| {
                                    invalid(op, &here, format!("bad interval '{i}'"))
                                })?,
                                None => 0,
                            };
                            let def = OpDef {
                                id: op.id().to_string(),
                                name,
                                interval_ms,
                                role: op.attr("role").map(str::to_string),
                                attrs: op.attrs.clone(),
                                meta: self.sets(op, "meta_attributes"),
                                instance: self.sets(op, "instance_attributes"),
                            };
                            // Element ops override the template's same name+interval.
                            earlier.retain(|o: &OpDef| {
                                !(o.name == def.name
                                    && o.interval_ms == def.interval_ms
                                    && o.role == def.role)
                            });
                            ops.push(def);
                        }
                    }
                    earlier.append(&mut ops);
                    ops = earlier;
                }
                ResourceKind::Primitive {
                    agent: Agent {
                        class: class.to_string(),
                        provider: el
                            .attr("provider")
                            .or(src.attr("provider"))
                            .map(str::to_string),
                        kind: kind.to_string(),
                    },
                    ops,
                }
            }
            "group" => {
                let mut children = Vec::new();
                for c in el.children_named("primitive") {
                    children.push(self.resource(c, &here)?);
                }
                ResourceKind::Group(children)
            }
            "clone" | "master" => {
                let child = el
                    .children
                    .iter()
                    .find(|c| matches!(c.name.as_str(), "primitive" | "group"))
                    .ok_or_else(|| invalid(el, path, "clone without a resource"))?;
                ResourceKind::Clone {
                    master_element: el.name == "master",
                    child: Box::new(self.resource(child, &here)?),
                }
            }
            "bundle" => {
                let container = el
                    .children
                    .iter()
                    .find(|c| matches!(c.name.as_str(), "docker" | "podman" | "rkt"));
                let network = el.child("network");
                let network_attr = |k: &str| network.and_then(|n| n.attr(k)).map(str::to_string);
                let num = |e: Option<&Element>, k: &str, d: u32| -> u32 {
                    e.and_then(|e| e.attr(k))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(d)
                };
                let child = match el.child("primitive") {
                    Some(p) => Some(self.resource(p, &here)?),
                    None => None,
                };
                let replicas = num(container, "replicas", 0);
                ResourceKind::Bundle(Box::new(Bundle {
                    runtime: container.map(|c| c.name.clone()).unwrap_or_default(),
                    image: container
                        .and_then(|c| c.attr("image"))
                        .unwrap_or("")
                        .to_string(),
                    replicas: if replicas == 0 {
                        num(container, "masters", 0)
                            .max(num(container, "promoted-max", 0))
                            .max(1)
                    } else {
                        replicas
                    },
                    replicas_per_host: num(container, "replicas-per-host", 1),
                    promoted_max: num(container, "promoted-max", 0)
                        .max(num(container, "masters", 0)),
                    ip_range_start: network_attr("ip-range-start"),
                    control_port: network_attr("control-port"),
                    host_interface: network_attr("host-interface"),
                    host_netmask: network_attr("host-netmask"),
                    has_network: network.is_some(),
                    child,
                    container_attrs: container.map(|c| c.attrs.clone()).unwrap_or_default(),
                }))
            }
            other => {
                return Err(invalid(
                    el,
                    path,
                    format!("unknown resource type '{other}'"),
                ))
            }
        };
        let template = el.attr("template").and_then(|t| self.ids.get(t)).copied();
        let mut meta = Vec::new();
        let mut instance = Vec::new();
        let mut utilization = Vec::new();
        if let Some(t) = template {
            // Template sets come after the primitive's own so the primitive wins ties.
            meta.extend(self.sets(t, "meta_attributes"));
            instance.extend(self.sets(t, "instance_attributes"));
            utilization.extend(self.sets(t, "utilization"));
            for s in meta.iter_mut().chain(instance.iter_mut()) {
                s.score -= 1;
            }
        }
        meta.splice(0..0, self.sets(el, "meta_attributes"));
        instance.splice(0..0, self.sets(el, "instance_attributes"));
        utilization.splice(0..0, self.sets(el, "utilization"));
        Ok(Resource {
            id,
            line: el.line,
            kind,
            meta,
            instance,
            utilization,
        })
    }

    fn rsc_sets(&self, el: &'a Element) -> Vec<RscSet> {
        el.children_named("resource_set")
            .map(|s| {
                let s = self.deref(s);
                RscSet {
                    id: s.id().to_string(),
                    resources: s
                        .children_named("resource_ref")
                        .flat_map(|r| self.expand(r.id()))
                        .collect(),
                    sequential: truthy(s.attr("sequential")).unwrap_or(true),
                    require_all: truthy(s.attr("require-all")).unwrap_or(true),
                    role: s.attr("role").map(str::to_string),
                    action: s.attr("action").map(str::to_string),
                    score: s.attr("score").and_then(Score::parse),
                    kind: s.attr("kind").map(str::to_string),
                }
            })
            .collect()
    }

    fn constraint(&self, el: &'a Element, path: &str) -> Result<Option<Constraint>, CibError> {
        let id = el.id().to_string();
        let sets = self.rsc_sets(el);
        let score = |key: &str| -> Result<Option<Score>, CibError> {
            match el.attr(key) {
                None => Ok(None),
                Some(v) => Score::parse(v)
                    .map(Some)
                    .ok_or_else(|| invalid(el, path, format!("invalid score '{v}'"))),
            }
        };
        Ok(Some(match el.name.as_str() {
            "rsc_location" => Constraint::Location(Location {
                id,
                rsc: el.attr("rsc").map(|r| self.expand(r)).unwrap_or_default(),
                rsc_pattern: el.attr("rsc-pattern").map(str::to_string),
                role: el.attr("role").map(str::to_string),
                node: el.attr("node").map(str::to_string),
                score: score("score")?,
                rules: el
                    .children_named("rule")
                    .map(|r| Rule::from_element(self.deref(r)))
                    .collect(),
                sets,
                discovery: el.attr("resource-discovery").map(str::to_string),
            }),
            "rsc_colocation" => Constraint::Colocation(Colocation {
                id,
                rsc: el.attr("rsc").unwrap_or("").to_string(),
                with_rsc: el.attr("with-rsc").unwrap_or("").to_string(),
                rsc_role: el.attr("rsc-role").map(str::to_string),
                with_rsc_role: el.attr("with-rsc-role").map(str::to_string),
                score: score("score")?.unwrap_or(Score::ZERO),
                sets,
                influence: truthy(el.attr("influence")),
                node_attribute: el.attr("node-attribute").map(str::to_string),
            }),
            "rsc_order" => Constraint::Order(Order {
                id,
                first: el.attr("first").unwrap_or("").to_string(),
                then: el.attr("then").unwrap_or("").to_string(),
                first_action: el.attr("first-action").map(str::to_string),
                then_action: el.attr("then-action").map(str::to_string),
                kind: el.attr("kind").map(str::to_string),
                score: score("score")?,
                symmetrical: truthy(el.attr("symmetrical")),
                sets,
                require_all: truthy(el.attr("require-all")),
            }),
            "rsc_ticket" => Constraint::Ticket(TicketConstraint {
                id,
                ticket: el.attr("ticket").unwrap_or("").to_string(),
                rsc: el.attr("rsc").unwrap_or("").to_string(),
                rsc_role: el.attr("rsc-role").map(str::to_string),
                loss_policy: el.attr("loss-policy").map(str::to_string),
                sets,
            }),
            _ => return Ok(None),
        }))
    }
}

impl Cib {
    /// Parses a CIB document from XML text.
    pub fn parse(text: &str) -> Result<Cib, CibError> {
        let root = xml::parse(text)?;
        Cib::from_element(root)
    }

    /// Builds the typed model from a parsed tree.
    pub fn from_element(root: Element) -> Result<Cib, CibError> {
        if root.name != "cib" {
            return Err(invalid(&root, "", "root element is not <cib>"));
        }
        let mut cib = Cib {
            have_quorum: root.attr("have-quorum").is_some_and(is_true),
            dc_uuid: root.attr("dc-uuid").map(str::to_string),
            execution_date: root.attr("execution-date").and_then(|v| v.parse().ok()),
            ..Cib::default()
        };
        {
            // id-refs resolve within the configuration; the status section (most of a large
            // CIB) holds no referenced ids.
            let mut ids = HashMap::new();
            if let Some(config) = root.child("configuration") {
                Reader::index(config, &mut ids, 1);
            }
            let mut reader = Reader {
                ids,
                tags: HashMap::new(),
            };
            let config = root
                .child("configuration")
                .ok_or_else(|| invalid(&root, "", "no <configuration> section"))?;
            let cpath = "/cib/configuration";
            if let Some(tags) = config.child("tags") {
                for t in tags.children_named("tag") {
                    let list = t
                        .children_named("obj_ref")
                        .map(|o| o.id().to_string())
                        .collect();
                    reader.tags.insert(t.id().to_string(), list);
                }
            }
            if let Some(c) = config.child("crm_config") {
                cib.crm_config = reader.sets(c, "cluster_property_set");
            }
            if let Some(nodes) = config.child("nodes") {
                for n in nodes.children_named("node") {
                    let id = n.id().to_string();
                    cib.nodes.push(NodeDef {
                        uname: n.attr("uname").unwrap_or(&id).to_string(),
                        id,
                        kind: n.attr("type").unwrap_or("member").to_string(),
                        attrs: reader.sets(n, "instance_attributes"),
                        utilization: reader.sets(n, "utilization"),
                        line: n.line,
                    });
                }
            }
            if let Some(res) = config.child("resources") {
                let rpath = format!("{cpath}/resources");
                for r in &res.children {
                    if matches!(
                        r.name.as_str(),
                        "primitive" | "group" | "clone" | "master" | "bundle"
                    ) {
                        cib.resources.push(reader.resource(r, &rpath)?);
                    }
                }
            }
            if let Some(cons) = config.child("constraints") {
                let kpath = format!("{cpath}/constraints");
                for c in &cons.children {
                    let c = reader.deref(c);
                    if let Some(k) = reader.constraint(c, &kpath)? {
                        cib.constraints.push(k);
                    }
                }
            }
            if let Some(d) = config.child("rsc_defaults") {
                cib.rsc_defaults = reader.sets(d, "meta_attributes");
            }
            if let Some(d) = config.child("op_defaults") {
                cib.op_defaults = reader.sets(d, "meta_attributes");
            }
            if let Some(ft) = config.child("fencing-topology") {
                for l in ft.children_named("fencing-level") {
                    cib.fencing_levels.push(FencingLevel {
                        id: l.id().to_string(),
                        target: l.attr("target").unwrap_or("").to_string(),
                        index: l.attr("index").and_then(|i| i.parse().ok()).unwrap_or(0),
                        devices: l
                            .attr("devices")
                            .unwrap_or("")
                            .split(',')
                            .map(str::to_string)
                            .collect(),
                    });
                }
            }
            cib.tags = reader.tags.clone();
            if let Some(status) = root.child("status") {
                for ns in status.children_named("node_state") {
                    cib.status.push(node_state(ns));
                }
                if let Some(t) = status.child("tickets") {
                    for ts in t.children_named("ticket_state") {
                        cib.tickets.push(TicketState {
                            id: ts.id().to_string(),
                            granted: ts.attr("granted").is_some_and(is_true),
                            standby: ts.attr("standby").is_some_and(is_true),
                        });
                    }
                }
            }
        }
        cib.root = root;
        Ok(cib)
    }

    /// Cluster options from crm_config, evaluated at `now`.
    pub fn cluster_options(&self, now: Option<i64>) -> HashMap<String, String> {
        let mut m = HashMap::new();
        let ctx = RuleContext {
            now,
            ..RuleContext::default()
        };
        resolve_sets(&self.crm_config, &ctx, &mut m);
        m
    }
}

fn node_state(ns: &Element) -> NodeState {
    let mut state = NodeState {
        id: ns.id().to_string(),
        uname: ns.attr("uname").unwrap_or(ns.id()).to_string(),
        in_ccm: ns.attr("in_ccm").map(str::to_string),
        crmd: ns.attr("crmd").map(str::to_string),
        join: ns.attr("join").map(str::to_string),
        expected: ns.attr("expected").map(str::to_string),
        remote_node: ns.attr("remote_node").is_some_and(is_true),
        raw: ns.attrs.clone(),
        line: ns.line,
        ..NodeState::default()
    };
    if let Some(ta) = ns.child("transient_attributes") {
        for ia in ta.children_named("instance_attributes") {
            for p in ia.children_named("nvpair") {
                if let (Some(n), Some(v)) = (p.attr("name"), p.attr("value")) {
                    state.attrs.push((n.to_string(), v.to_string()));
                }
            }
        }
    }
    if let Some(lrm) = ns.child("lrm") {
        if let Some(rs) = lrm.child("lrm_resources") {
            for r in rs.children_named("lrm_resource") {
                let ops = r
                    .children_named("lrm_rsc_op")
                    .map(|o| {
                        let target_rc = o
                            .attr("transition-key")
                            .and_then(|k| k.split(':').nth(2))
                            .and_then(|v| v.parse().ok());
                        LrmOp {
                            id: o.id().to_string(),
                            operation: o.attr("operation").unwrap_or("").to_string(),
                            interval_ms: o
                                .attr("interval")
                                .and_then(|i| i.parse().ok())
                                .unwrap_or(0),
                            call_id: o.attr("call-id").and_then(|i| i.parse().ok()).unwrap_or(0),
                            rc_code: o.attr("rc-code").and_then(|i| i.parse().ok()).unwrap_or(0),
                            op_status: o
                                .attr("op-status")
                                .and_then(|i| i.parse().ok())
                                .unwrap_or(0),
                            target_rc,
                            raw: crate::packed_attrs::PackedAttrs::new(
                                o.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                            ),
                            line: o.line,
                        }
                    })
                    .collect();
                state.lrm.push(LrmResource {
                    id: r.id().to_string(),
                    class: r.attr("class").unwrap_or("").to_string(),
                    provider: r.attr("provider").map(str::to_string),
                    kind: r.attr("type").unwrap_or("").to_string(),
                    container: r.attr("container").map(str::to_string),
                    ops,
                });
            }
        }
    }
    state
}

/// Parses a date for `-t`, as [`parse_datetime`].
pub fn parse_time(text: &str) -> Option<i64> {
    parse_datetime(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_cib() {
        let text = r#"<cib have-quorum="1"><configuration><crm_config/>
<nodes><node id="1" uname="n1"/></nodes>
<resources><group id="g"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy">
<meta_attributes id="m"><nvpair id="m1" name="target-role" value="Stopped"/></meta_attributes>
</primitive></group></resources>
<constraints><rsc_location id="l" rsc="g" node="n1" score="INFINITY"/></constraints>
</configuration><status/></cib>"#;
        let cib = Cib::parse(text).expect("valid CIB");
        assert!(cib.have_quorum);
        assert_eq!(cib.nodes[0].uname, "n1");
        assert_eq!(cib.resources.len(), 1);
        assert_eq!(cib.constraints.len(), 1);
    }

    #[test]
    fn element_ops_override_the_template_and_keep_their_own_duplicates() {
        let text = r#"<cib><configuration><resources>
<template id="t" class="ocf" provider="heartbeat" type="Dummy"><operations>
<op id="t-mon" name="monitor" interval="10s" timeout="5s"/>
<op id="t-start" name="start" interval="0" timeout="9s"/></operations></template>
<primitive id="a" template="t"><operations>
<op id="a-mon" name="monitor" interval="10s" timeout="20s"/>
<op id="a-mon2" name="monitor" interval="10" timeout="30s"/></operations></primitive>
</resources><constraints/></configuration><status/></cib>"#;
        let cib = Cib::parse(text).expect("valid CIB");
        let a = cib.resources.iter().find(|r| r.id == "a").expect("a");
        let ResourceKind::Primitive { ops, .. } = &a.kind else {
            panic!("not a primitive: {:?}", a.kind);
        };
        let ids: Vec<&str> = ops.iter().map(|o| o.id.as_str()).collect();
        // The template's monitor gives way; the element's two monitors of one interval both
        // stay (Pacemaker then schedules neither), and the template's start is kept.
        assert_eq!(ids, ["t-start", "a-mon", "a-mon2"]);
    }

    #[test]
    fn bad_score_names_the_element() {
        let text = r#"<cib><configuration><resources/>
<constraints><rsc_location id="l" rsc="g" node="n1" score="lots"/></constraints>
</configuration></cib>"#;
        let err = Cib::parse(text).expect_err("bad score");
        let msg = err.to_string();
        assert!(msg.contains("rsc_location[@id='l']"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
    }
}
