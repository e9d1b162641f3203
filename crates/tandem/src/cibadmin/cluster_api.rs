//! What the `tandem` resource tools share: finding the CIB (live cluster, `CIB_file` or
//! `CIB_shadow`), reading it, and the CIB changes behind properties, meta attributes, node
//! attributes and constraints.

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use cib::xml::Element;

pub use crate::cib_source::CibSource;

/// Removes `--crm-socket PATH` (or `--crm-socket=PATH`) from `args`; returns the admin
/// socket to use.
pub fn take_socket(args: &mut Vec<String>) -> PathBuf {
    let mut flag = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--crm-socket" && i + 1 < args.len() {
            flag = Some(args[i + 1].clone());
            args.drain(i..i + 2);
            continue;
        }
        if let Some(v) = args[i].strip_prefix("--crm-socket=") {
            flag = Some(v.to_string());
            args.remove(i);
            continue;
        }
        i += 1;
    }
    resource_manager::admin::admin_socket_path(flag.as_deref())
}

/// Help text for the socket flag and the environment choosing the CIB.
pub const SOCKET_HELP: &str =
    "  --crm-socket PATH   resource manager's admin socket (default: $TANDEM_CRM_SOCKET,
                      else crm.sock beside $TANDEM_SOCKET, else /run/tandem/crm.sock)

Environment:
  CIB_file=FILE       read and write the CIB in FILE instead of the live cluster's
                      (changes bump its epoch/num_updates and are written atomically)
  CIB_shadow=NAME     use shadow copy NAME (see crm_shadow); wins over CIB_file
  CIB_shadow_dir=DIR  where shadow copies live (default /var/lib/pacemaker/cib for
                      root, else ~/.cib)
";

/// Sends one admin request to the live cluster, or carries it out on the CIB file.
pub fn call(socket: &CibSource, verb: &str, args: &[&str], body: &str) -> anyhow::Result<String> {
    socket.call(verb, args, body)
}

/// The CIB (live, or the file's).
pub fn query(socket: &CibSource) -> anyhow::Result<Element> {
    socket.query()
}

fn el(name: &str, attrs: &[(&str, &str)]) -> Element {
    let mut e = Element::new(name);
    for (k, v) in attrs {
        e.set_attr(k, v);
    }
    e
}

/// An nvpair id as crmsh and Pacemaker's tools derive it (set id + name).
pub fn nvpair_id(set: &str, name: &str) -> String {
    format!("{set}-{name}")
}

/// Sets (`Some`) or deletes (`None`) an nvpair in a set of an element under `section`,
/// creating the set when needed: `owner_xml` is the owning element (id and name), `set_name`
/// the set element (`meta_attributes`, `instance_attributes`, `cluster_property_set`).
pub fn set_nvpair(
    socket: &CibSource,
    section: &str,
    owner: Option<Element>,
    set_name: &str,
    set_id: &str,
    name: &str,
    value: Option<&str>,
) -> anyhow::Result<()> {
    match value {
        Some(v) => {
            // An nvpair of that name already in one of the owner's sets is updated where it
            // is (as Pacemaker's tools do); otherwise it goes into set `set_id`.
            let cib = query(socket)?;
            let (set_id, id) = cib
                .child("configuration")
                .and_then(|c| existing_nvpair(c, section, owner.as_ref(), set_name, name))
                .unwrap_or_else(|| (set_id.to_string(), nvpair_id(set_id, name)));
            let set_id = set_id.as_str();
            let mut set = el(set_name, &[("id", set_id)]);
            set.children
                .push(el("nvpair", &[("id", &id), ("name", name), ("value", v)]));
            let mut top = el(section, &[]);
            match owner {
                Some(mut o) => {
                    o.children.push(set);
                    top.children.push(o);
                }
                None => top.children.push(set),
            }
            call(socket, "modify", &[], &top.to_xml())?;
        }
        None => {
            let cib = query(socket)?;
            // Delete every nvpair of that name in the owner's sets (ids may differ).
            let mut ids = Vec::new();
            if let Some(config) = cib.child("configuration") {
                collect_nvpairs(
                    config,
                    owner.as_ref().map(|o| o.id()),
                    set_name,
                    name,
                    &mut ids,
                    owner.is_none(),
                );
            }
            for nv in ids {
                let x = el("nvpair", &[("id", &nv)]);
                call(socket, "delete", &[], &x.to_xml())?;
            }
            // An emptied set stays, as with Pacemaker's crm_resource and crm_attribute.
        }
    }
    Ok(())
}

/// The set id and nvpair id of the first nvpair named `name` in a `set_name` set of the
/// owner (by id, under `section`), or of `section` itself when there is no owner.
fn existing_nvpair(
    config: &Element,
    section: &str,
    owner: Option<&Element>,
    set_name: &str,
    name: &str,
) -> Option<(String, String)> {
    let section = config.child(section)?;
    let holder = match owner {
        Some(o) => section
            .children
            .iter()
            .find_map(|c| find_by_id(c, o.id()))?,
        None => section,
    };
    holder.children_named(set_name).find_map(|set| {
        set.children_named("nvpair")
            .find(|nv| nv.attr("name") == Some(name))
            .map(|nv| (set.id().to_string(), nv.id().to_string()))
    })
}

fn collect_nvpairs(
    e: &Element,
    owner: Option<&str>,
    set_name: &str,
    name: &str,
    out: &mut Vec<String>,
    inside: bool,
) {
    let here = inside || owner.is_some_and(|o| e.attr("id") == Some(o));
    for c in &e.children {
        if here && c.name == set_name {
            for nv in c.children_named("nvpair") {
                if nv.attr("name") == Some(name) {
                    out.push(nv.id().to_string());
                }
            }
        } else if owner.is_some() || c.name == "crm_config" {
            collect_nvpairs(
                c,
                owner,
                set_name,
                name,
                out,
                here && c.name != "primitive" && owner.is_none(),
            );
        }
    }
}

/// Sets or deletes a cluster property.
pub fn set_property(socket: &CibSource, name: &str, value: Option<&str>) -> anyhow::Result<()> {
    set_nvpair(
        socket,
        "crm_config",
        None,
        "cluster_property_set",
        "cib-bootstrap-options",
        name,
        value,
    )
}

/// The element name (`primitive`, `group`, `clone`, `master`, `bundle`) of resource `id`.
pub fn resource_kind(cib: &Element, id: &str) -> Option<String> {
    fn find(e: &Element, id: &str) -> Option<String> {
        for c in &e.children {
            if matches!(
                c.name.as_str(),
                "primitive" | "group" | "clone" | "master" | "bundle"
            ) && c.attr("id") == Some(id)
            {
                return Some(c.name.clone());
            }
            if let Some(k) = find(c, id) {
                return Some(k);
            }
        }
        None
    }
    find(cib.child("configuration")?.child("resources")?, id)
}

/// Sets or deletes a resource's meta attribute (`target-role`, `is-managed`, ...).
pub fn set_meta(
    socket: &CibSource,
    rsc: &str,
    name: &str,
    value: Option<&str>,
) -> anyhow::Result<()> {
    set_resource_attr(socket, rsc, "meta_attributes", None, name, value)
}

/// Sets or deletes a resource attribute in a set of kind `set_name` (`meta_attributes`, or
/// `instance_attributes` for the agent's parameters): in set `only_set` alone when given
/// (created when missing), else where it is already set or in set `RSC-SET_NAME`.
pub fn set_resource_attr(
    socket: &CibSource,
    rsc: &str,
    set_name: &str,
    only_set: Option<&str>,
    name: &str,
    value: Option<&str>,
) -> anyhow::Result<()> {
    let cib = query(socket)?;
    let kind = resource_kind(&cib, rsc)
        .ok_or_else(|| anyhow!("resource '{rsc}' not found in the configuration"))?;
    let owner = el(&kind, &[("id", rsc)]);
    let Some(set_id) = only_set else {
        let set_id = format!("{rsc}-{set_name}");
        return set_nvpair(
            socket,
            "resources",
            Some(owner),
            set_name,
            &set_id,
            name,
            value,
        );
    };
    // The nvpairs of that name in that set of the resource.
    let in_set: Vec<String> = cib
        .child("configuration")
        .and_then(|c| c.child("resources"))
        .and_then(|r| find_by_id(r, rsc))
        .and_then(|r| {
            r.children
                .iter()
                .find(|c| c.name == set_name && c.attr("id") == Some(set_id))
        })
        .map(|set| {
            set.children_named("nvpair")
                .filter(|nv| nv.attr("name") == Some(name))
                .map(|nv| nv.id().to_string())
                .collect()
        })
        .unwrap_or_default();
    match value {
        Some(v) => {
            let id = in_set
                .first()
                .cloned()
                .unwrap_or_else(|| nvpair_id(set_id, name));
            let mut set = el(set_name, &[("id", set_id)]);
            set.children
                .push(el("nvpair", &[("id", &id), ("name", name), ("value", v)]));
            let mut owner = owner;
            owner.children.push(set);
            let mut top = el("resources", &[]);
            top.children.push(owner);
            call(socket, "modify", &[], &top.to_xml())?;
        }
        None => {
            for id in in_set {
                call(
                    socket,
                    "delete",
                    &[],
                    &el("nvpair", &[("id", &id)]).to_xml(),
                )?;
            }
        }
    }
    Ok(())
}

/// The first element with id `id` in `e` (itself included), depth first.
fn find_by_id<'a>(e: &'a Element, id: &str) -> Option<&'a Element> {
    if e.attr("id") == Some(id) {
        return Some(e);
    }
    e.children.iter().find_map(|c| find_by_id(c, id))
}

/// The node id (`<node id>` or `node_state id`) of the node named `uname`.
pub fn node_id(cib: &Element, uname: &str) -> Option<String> {
    let in_nodes = cib
        .child("configuration")
        .and_then(|c| c.child("nodes"))
        .and_then(|n| {
            n.children_named("node")
                .find(|n| n.attr("uname") == Some(uname))
        })
        .map(|n| n.id().to_string());
    in_nodes.or_else(|| {
        cib.child("status")?
            .children_named("node_state")
            .find(|n| n.attr("uname") == Some(uname))
            .map(|n| n.id().to_string())
    })
}

/// Sets or deletes a permanent node attribute (in the `nodes` section).
pub fn set_node_attr(
    socket: &CibSource,
    node: &str,
    name: &str,
    value: Option<&str>,
) -> anyhow::Result<()> {
    let cib = query(socket)?;
    let id =
        node_id(&cib, node).ok_or_else(|| anyhow!("node '{node}' is not known to the cluster"))?;
    let owner = el("node", &[("id", &id), ("uname", node)]);
    let set_id = format!("nodes-{id}");
    set_nvpair(
        socket,
        "nodes",
        Some(owner),
        "instance_attributes",
        &set_id,
        name,
        value,
    )
}

/// A move or ban constraint as `crm_resource` writes it.
pub struct CliLocation<'a> {
    /// Constraint id (`cli-prefer-RSC`, `cli-ban-RSC-on-NODE`).
    pub id: &'a str,
    /// The resource.
    pub rsc: &'a str,
    /// The node preferred or banned.
    pub node: &'a str,
    /// `INFINITY` or `-INFINITY`.
    pub score: &'a str,
    /// With `--lifetime`: the end (`YYYY-MM-DD HH:MM:SSZ`) and the ids of the rule, its
    /// node expression and its date expression.
    pub until: Option<(String, [String; 3])>,
}

/// Adds (or replaces) a move/ban location constraint: `role="Started"` as Pacemaker 2.1's
/// `crm_resource` writes it, and with a lifetime a rule on `#uname` ending at that time.
pub fn add_location(socket: &CibSource, l: &CliLocation<'_>) -> anyhow::Result<()> {
    let c = match &l.until {
        None => el(
            "rsc_location",
            &[
                ("id", l.id),
                ("rsc", l.rsc),
                ("role", "Started"),
                ("node", l.node),
                ("score", l.score),
            ],
        ),
        Some((end, [rule_id, expr_id, date_id])) => {
            let mut rule = el(
                "rule",
                &[("id", rule_id), ("score", l.score), ("boolean-op", "and")],
            );
            rule.children.push(el(
                "expression",
                &[
                    ("id", expr_id),
                    ("attribute", "#uname"),
                    ("operation", "eq"),
                    ("value", l.node),
                    ("type", "string"),
                ],
            ));
            rule.children.push(el(
                "date_expression",
                &[("id", date_id), ("operation", "lt"), ("end", end)],
            ));
            let mut c = el(
                "rsc_location",
                &[("id", l.id), ("rsc", l.rsc), ("role", "Started")],
            );
            c.children.push(rule);
            c
        }
    };
    // An earlier constraint of the other form (plain / with a rule) is replaced, not merged.
    let cib = query(socket)?;
    let earlier = cib
        .child("configuration")
        .and_then(|c| c.child("constraints"))
        .and_then(|c| c.children_named("rsc_location").find(|c| c.id() == l.id));
    if earlier.is_some_and(|e| e.children.is_empty() == l.until.is_some()) {
        call(
            socket,
            "delete",
            &[],
            &el("rsc_location", &[("id", l.id)]).to_xml(),
        )?;
    }
    let mut top = el("constraints", &[]);
    top.children.push(c);
    call(socket, "modify", &[], &top.to_xml())?;
    Ok(())
}

/// The node a move/ban constraint is about: its `node`, or the `#uname` its rule tests.
fn location_node(c: &Element) -> Option<&str> {
    c.attr("node").or_else(|| {
        c.children_named("rule")
            .flat_map(|r| r.children_named("expression"))
            .find(|e| e.attr("attribute") == Some("#uname"))
            .and_then(|e| e.attr("value"))
    })
}

/// Removes the move/ban constraints (`cli-prefer-RSC`, `cli-ban-RSC-on-*`) of `rsc`,
/// only those on `node` when given. Returns how many were removed.
pub fn clear_locations(socket: &CibSource, rsc: &str, node: Option<&str>) -> anyhow::Result<usize> {
    let cib = query(socket)?;
    let mut ids = Vec::new();
    if let Some(cons) = cib
        .child("configuration")
        .and_then(|c| c.child("constraints"))
    {
        for c in cons.children_named("rsc_location") {
            let id = c.id();
            let ours =
                id == format!("cli-prefer-{rsc}") || id.starts_with(&format!("cli-ban-{rsc}-on-"));
            if ours && node.is_none_or(|n| location_node(c) == Some(n)) {
                ids.push(id.to_string());
            }
        }
    }
    for id in &ids {
        call(
            socket,
            "delete",
            &[],
            &el("rsc_location", &[("id", id)]).to_xml(),
        )?;
    }
    Ok(ids.len())
}

/// Nodes where resource `rsc` (or any of its instances / members) is active now (not
/// pending), according to the scheduler's reading of the CIB.
pub fn active_nodes(cib: &Element, rsc: &str) -> anyhow::Result<Vec<String>> {
    let doc = cib::Cib::from_element(cib.clone()).context("the CIB")?;
    let sched = scheduler::schedule(&doc, now_s());
    let c = &sched.before;
    let mut nodes = Vec::new();
    for r in &c.rscs {
        let top = c.rsc_index(&r.id).map(|i| c.top_of(i));
        let matches_id = r.id == rsc
            || r.config_id == rsc
            || r.parent
                .is_some_and(|p| c.rscs[p].id == rsc || c.rscs[p].config_id == rsc)
            || top.is_some_and(|t| c.rscs[t].id == rsc);
        if matches_id {
            for &n in r.running.keys().filter(|n| !r.pending.contains_key(n)) {
                let name = c.nodes[n].name.clone();
                if !nodes.contains(&name) {
                    nodes.push(name);
                }
            }
        }
    }
    Ok(nodes)
}

/// Seconds since the epoch.
pub fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Takes `--crm-socket PATH` off `args` and parses the rest with `parse`; returns the CIB
/// source the environment selects (see [`CibSource::from_env`]) and the parsed arguments.
/// On `--help` prints `usage` (exit 0), on a parse error prints it after the error (exit
/// 64, usage error).
pub fn parse_or_usage<T>(
    tool: &str,
    usage: &str,
    args: &[String],
    parse: impl Fn(&[String]) -> Result<Option<T>, String>,
) -> Result<(CibSource, T), std::process::ExitCode> {
    let mut args = args.to_vec();
    let socket = take_socket(&mut args);
    match parse(&args) {
        Ok(Some(parsed)) => match CibSource::from_env(socket) {
            Ok(source) => Ok((source, parsed)),
            Err(error) => {
                eprintln!("{tool}: {error:#}");
                Err(std::process::ExitCode::from(
                    crate::exit_code::code_of(&error).unwrap_or(crate::exit_code::ERROR),
                ))
            }
        },
        Ok(None) => {
            print!("{usage}{SOCKET_HELP}");
            Err(std::process::ExitCode::SUCCESS)
        }
        Err(error) => {
            eprint!("{tool}: {error}\n\n{usage}");
            Err(std::process::ExitCode::from(64))
        }
    }
}
