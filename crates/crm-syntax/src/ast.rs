//! The statements of the crm configure language, as parsed (before ids are generated).

/// One `name=value` pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NvPair {
    /// Attribute name.
    pub name: String,
    /// Attribute value.
    pub value: String,
}

/// Which kind of name/value set a section keyword introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    /// `params` / `attributes` → `<instance_attributes>`.
    Instance,
    /// `meta` → `<meta_attributes>`.
    Meta,
    /// `utilization` → `<utilization>`.
    Utilization,
}

impl SetKind {
    /// The CIB element name of this set.
    pub fn element(self) -> &'static str {
        match self {
            SetKind::Instance => "instance_attributes",
            SetKind::Meta => "meta_attributes",
            SetKind::Utilization => "utilization",
        }
    }
}

/// A `params`/`meta`/`utilization` section: an optional `$id=` and its pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrSet {
    /// What kind of set.
    pub kind: SetKind,
    /// The id given with `$id=`, if any.
    pub id: Option<String>,
    /// The pairs, in order.
    pub pairs: Vec<NvPair>,
}

/// A resource agent reference `class[:provider]:type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    /// `ocf`, `stonith`, `lsb`, `systemd`, `service`, ...
    pub class: String,
    /// The OCF provider (`heartbeat` when the agent is written bare).
    pub provider: Option<String>,
    /// The agent name.
    pub kind: String,
}

/// One `op NAME ...` of a primitive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    /// Operation name (`monitor`, `start`, ...).
    pub name: String,
    /// Attributes of the `<op>` element itself, in order.
    pub attrs: Vec<NvPair>,
    /// Nested sets: unknown op attributes and `op_params` (instance), `op_meta` (meta).
    pub sets: Vec<AttrSet>,
}

/// One part of a primitive after its agent, in written order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrimitivePart {
    /// A `params`/`meta`/`utilization` section.
    Set(AttrSet),
    /// An `op` with its `op_params`/`op_meta`.
    Op(Op),
}

/// Which section a `property`-like statement writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultsKind {
    /// `property` → `crm_config/cluster_property_set`.
    Property,
    /// `rsc_defaults` → `rsc_defaults/meta_attributes`.
    RscDefaults,
    /// `op_defaults` → `op_defaults/meta_attributes`.
    OpDefaults,
}

impl DefaultsKind {
    /// The keyword that introduces the statement.
    pub fn keyword(self) -> &'static str {
        match self {
            DefaultsKind::Property => "property",
            DefaultsKind::RscDefaults => "rsc_defaults",
            DefaultsKind::OpDefaults => "op_defaults",
        }
    }
    /// The configuration section the set lives in.
    pub fn section(self) -> &'static str {
        match self {
            DefaultsKind::Property => "crm_config",
            DefaultsKind::RscDefaults => "rsc_defaults",
            DefaultsKind::OpDefaults => "op_defaults",
        }
    }
    /// The set element's name.
    pub fn set_element(self) -> &'static str {
        match self {
            DefaultsKind::Property => "cluster_property_set",
            _ => "meta_attributes",
        }
    }
    /// The set id used when none is given.
    pub fn default_id(self) -> &'static str {
        match self {
            DefaultsKind::Property => "cib-bootstrap-options",
            DefaultsKind::RscDefaults => "rsc-options",
            DefaultsKind::OpDefaults => "op-options",
        }
    }
}

/// How a group of resources in a constraint is bracketed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bracket {
    /// Bare resources: a sequential set.
    None,
    /// `( ... )`: `sequential="false"`.
    Paren,
    /// `[ ... ]`: `require-all="false" sequential="false"`.
    Square,
}

/// A resource reference in a constraint: `id` or `id:role` / `id:action`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RscRef {
    /// The resource (or tag) id.
    pub id: String,
    /// The role (colocation, ticket) or action (order) after the colon.
    pub qualifier: Option<String>,
}

/// A run of resource references sharing a bracket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefGroup {
    /// The bracket around the run.
    pub bracket: Bracket,
    /// The references, in order.
    pub refs: Vec<RscRef>,
    /// `name=value` words written inside the bracket.
    pub attrs: Vec<NvPair>,
}

/// One expression of a location rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expression {
    /// `defined ATTR` / `not_defined ATTR`.
    Defined {
        /// `defined` or `not_defined`.
        operation: String,
        /// The node attribute.
        attribute: String,
    },
    /// `date gt DATE`, `date lt DATE`, `date in start=.. end=..|DURATION`,
    /// `date spec FIELDS` (also written `date_spec`).
    Date(DateExpression),
    /// `ATTR [type:]OP VALUE`.
    Compare {
        /// The node attribute.
        attribute: String,
        /// `lt`, `gt`, `lte`, `gte`, `eq` or `ne`.
        operation: String,
        /// `string`, `integer`, `number` or `version`, if written.
        value_type: Option<String>,
        /// The value compared with.
        value: String,
    },
}

/// A `date` expression of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateExpression {
    /// `gt`, `lt`, `in_range` or `date_spec`.
    pub operation: String,
    /// `start=` (or the date of `gt`).
    pub start: Option<String>,
    /// `end=` (or the date of `lt`).
    pub end: Option<String>,
    /// Duration parts (`years=`, `months=`, ... `seconds=`) for `in_range`.
    pub duration: Vec<NvPair>,
    /// The fields of a `date_spec` (`hours=9-16`, `weekdays=1-5`, ...).
    pub spec: Vec<NvPair>,
}

/// A `rule` of a location constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `$id=`.
    pub id: Option<String>,
    /// `$role=`.
    pub role: Option<String>,
    /// The score (`SCORE:`), normalised; `None` means INFINITY.
    pub score: Option<String>,
    /// A node attribute whose value is the score (`ATTR:`).
    pub score_attribute: Option<String>,
    /// `or` when the expressions are joined with `or`; `None` for `and`.
    pub boolean_op: Option<String>,
    /// The expressions.
    pub expressions: Vec<Expression>,
}

/// Where a location constraint places its resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocationTarget {
    /// `SCORE: NODE`.
    Node {
        /// Normalised score.
        score: String,
        /// Node name.
        node: String,
    },
    /// One or more `rule`s.
    Rules(Vec<Rule>),
}

/// One fencing level: a target and its comma-joined device list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FencingLevel {
    /// What the level applies to, as written without the node's colon: a node name,
    /// `attr:NAME=VALUE` (nodes with that attribute) or `pattern:REGEX` (matching names).
    pub target: String,
    /// Devices, as written (`f1,f2`).
    pub devices: String,
}

/// What a statement does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `property`, `rsc_defaults`, `op_defaults`.
    Defaults {
        /// Which statement.
        kind: DefaultsKind,
        /// The set id (`$id=X` or `X:`), if given.
        id: Option<String>,
        /// The pairs.
        pairs: Vec<NvPair>,
    },
    /// `primitive ID AGENT ...`.
    Primitive {
        /// Resource id.
        id: String,
        /// The agent.
        agent: Agent,
        /// Sections and ops, in written order.
        parts: Vec<PrimitivePart>,
    },
    /// `group ID RSC... [meta ...]`.
    Group {
        /// Group id.
        id: String,
        /// Member resources, in order.
        members: Vec<String>,
        /// `params`/`meta` sections.
        sets: Vec<AttrSet>,
    },
    /// `clone ID RSC ...` and `ms ID RSC ...`.
    Clone {
        /// Clone id.
        id: String,
        /// True for `ms` (written as `<master>`, as crmsh 4.4 does).
        ms: bool,
        /// The cloned resource.
        child: String,
        /// `params`/`meta` sections.
        sets: Vec<AttrSet>,
    },
    /// `location ID RSC ...`.
    Location {
        /// Constraint id.
        id: String,
        /// The resource.
        rsc: String,
        /// `role=`, `resource-discovery=` and similar attributes.
        attrs: Vec<NvPair>,
        /// Node and score, or rules.
        target: LocationTarget,
    },
    /// `colocation ID SCORE: RSC...`.
    Colocation {
        /// Constraint id.
        id: String,
        /// Normalised score.
        score: String,
        /// The resources.
        groups: Vec<RefGroup>,
        /// Trailing attributes (`node-attribute=`).
        attrs: Vec<NvPair>,
    },
    /// `order ID [KIND:|SCORE:] RSC...`.
    Order {
        /// Constraint id.
        id: String,
        /// `Mandatory`, `Optional` or `Serialize` (from a kind or a score), if written.
        kind: Option<String>,
        /// The resources.
        groups: Vec<RefGroup>,
        /// Trailing attributes (`symmetrical=`).
        attrs: Vec<NvPair>,
    },
    /// `rsc_ticket ID TICKET: RSC... [loss-policy=...]`.
    RscTicket {
        /// Constraint id.
        id: String,
        /// The ticket.
        ticket: String,
        /// The resources.
        groups: Vec<RefGroup>,
        /// Trailing attributes (`loss-policy=`).
        attrs: Vec<NvPair>,
    },
    /// `tag ID[:] RSC...`.
    Tag {
        /// Tag id.
        id: String,
        /// Tagged objects.
        refs: Vec<String>,
    },
    /// `fencing_topology TARGET: DEVICES... ...`.
    FencingTopology {
        /// The levels, in written order.
        levels: Vec<FencingLevel>,
    },
    /// `node [ID:] UNAME[:TYPE] [attributes ...] [utilization ...]`.
    Node {
        /// Node id, if given.
        id: Option<String>,
        /// Node name.
        uname: String,
        /// Node type (`member`, `remote`, ...), if given.
        node_type: Option<String>,
        /// `description=`, if given.
        description: Option<String>,
        /// `attributes`/`utilization` sections.
        sets: Vec<AttrSet>,
    },
    /// `delete ID...`.
    Delete {
        /// The ids to delete.
        ids: Vec<String>,
    },
}

/// One parsed statement and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// 1-based line of the statement's first word.
    pub line: usize,
    /// What it does.
    pub command: Command,
}
