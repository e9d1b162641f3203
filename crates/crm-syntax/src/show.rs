//! Prints CIB configuration elements back as crm syntax, as `crm configure show` does.

use cib::xml::Element;

/// Quotes a value as crmsh prints it: bare when it is only letters, digits, `-`, `_`
/// and `.`; otherwise in double quotes with `"` escaped.
pub fn quote(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return v.to_string();
    }
    // A backslash is printed as is (as crmsh does) unless the lexer would read it as an
    // escape: before `"`, `\\` or a newline, or last.
    let chars: Vec<char> = v.chars().collect();
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for (i, c) in chars.iter().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' if matches!(chars.get(i + 1), None | Some('"' | '\\' | '\n')) => {
                out.push_str("\\\\")
            }
            c => out.push(*c),
        }
    }
    out.push('"');
    out
}

fn pair(name: &str, value: &str) -> String {
    // crmsh hides password-like parameters.
    if name.to_ascii_lowercase().contains("passw") {
        return format!("{name}={}", quote("******"));
    }
    format!("{name}={}", quote(value))
}

fn pairs(set: &Element) -> Vec<String> {
    set.children_named("nvpair")
        .map(|n| pair(n.attr("name").unwrap_or(""), n.attr("value").unwrap_or("")))
        .collect()
}

fn score(s: &str) -> String {
    match s {
        "INFINITY" | "+INFINITY" => "inf".to_string(),
        "-INFINITY" => "-inf".to_string(),
        _ => s.to_string(),
    }
}

/// Joins a head line and continuation lines with ` \` + newline + tab.
fn lines(head: String, rest: Vec<String>) -> String {
    let mut out = head;
    for r in rest {
        out.push_str(" \\\n\t");
        out.push_str(&r);
    }
    out
}

fn set_line(keyword: &str, set: &Element) -> String {
    let mut words = vec![keyword.to_string()];
    words.extend(pairs(set));
    words.join(" ")
}

fn set_keyword(name: &str, node: bool) -> Option<&'static str> {
    match name {
        "instance_attributes" if node => Some("attributes"),
        "instance_attributes" => Some("params"),
        "meta_attributes" => Some("meta"),
        "utilization" => Some("utilization"),
        _ => None,
    }
}

fn primitive(p: &Element) -> String {
    let class = p.attr("class").unwrap_or("");
    let kind = p.attr("type").unwrap_or("");
    let agent = match (class, p.attr("provider")) {
        ("ocf", Some("heartbeat")) => kind.to_string(),
        (c, Some(pr)) => format!("{c}:{pr}:{kind}"),
        (c, None) => format!("{c}:{kind}"),
    };
    let mut rest = Vec::new();
    for c in &p.children {
        if let Some(k) = set_keyword(&c.name, false) {
            rest.push(set_line(k, c));
        } else if c.name == "operations" {
            for op in c.children_named("op") {
                let mut words = vec![format!("op {}", op.attr("name").unwrap_or(""))];
                for (k, v) in &op.attrs {
                    if k != "id" && k != "name" {
                        words.push(pair(k, v));
                    }
                }
                rest.push(words.join(" "));
                for s in &op.children {
                    match s.name.as_str() {
                        "instance_attributes" => rest.push(set_line("op_params", s)),
                        "meta_attributes" => rest.push(set_line("op_meta", s)),
                        _ => {}
                    }
                }
            }
        }
    }
    lines(format!("primitive {} {agent}", p.id()), rest)
}

fn members(e: &Element) -> Vec<&Element> {
    e.children
        .iter()
        .filter(|c| {
            matches!(
                c.name.as_str(),
                "primitive" | "group" | "clone" | "master" | "bundle"
            )
        })
        .collect()
}

fn container(keyword: &str, e: &Element) -> String {
    let mut head = format!("{keyword} {}", e.id());
    for m in members(e) {
        head.push(' ');
        head.push_str(m.id());
    }
    let rest = e
        .children
        .iter()
        .filter_map(|c| set_keyword(&c.name, false).map(|k| set_line(k, c)))
        .collect();
    lines(head, rest)
}

fn rsc_with(id: Option<&str>, q: Option<&str>) -> String {
    match q {
        Some(q) => format!("{}:{q}", id.unwrap_or("")),
        None => id.unwrap_or("").to_string(),
    }
}

/// The words for resource sets: brackets for non-sequential sets, `:role`/`:action` suffixes.
fn sets(c: &Element, qualifier: &str) -> Vec<String> {
    let mut words = Vec::new();
    for s in c.children_named("resource_set") {
        let q = s.attr(qualifier);
        let refs: Vec<String> = s
            .children_named("resource_ref")
            .map(|r| rsc_with(Some(r.id()), q))
            .collect();
        let seq_false = s.attr("sequential") == Some("false");
        let req_false = s.attr("require-all") == Some("false");
        let mut extra: Vec<String> = s
            .attrs
            .iter()
            .filter(|(k, _)| {
                !matches!(k.as_str(), "id" | "sequential" | "require-all") && k != qualifier
            })
            .map(|(k, v)| pair(k, v))
            .collect();
        let (open, close) = if req_false {
            if !seq_false {
                extra.push("sequential=true".to_string());
            }
            (Some("["), Some("]"))
        } else if seq_false {
            (Some("("), Some(")"))
        } else {
            (None, None)
        };
        if let Some(o) = open {
            words.push(o.to_string());
        }
        words.extend(refs);
        words.extend(extra);
        if let Some(c) = close {
            words.push(c.to_string());
        }
    }
    words
}

fn expression(x: &Element) -> String {
    let op = x.attr("operation").unwrap_or("");
    let attr = x.attr("attribute").unwrap_or("");
    match op {
        "defined" | "not_defined" => format!("{op} {attr}"),
        _ => {
            // crmsh leaves out the default type, `string`.
            let op = match x.attr("type") {
                Some(t) if t != "string" => format!("{t}:{op}"),
                _ => op.to_string(),
            };
            format!("{attr} {op} {}", quote(x.attr("value").unwrap_or("")))
        }
    }
}

fn date_expression(x: &Element) -> String {
    let fields = |c: &Element| -> Vec<String> {
        c.attrs
            .iter()
            .filter(|(k, _)| k != "id")
            .map(|(k, v)| pair(k, v))
            .collect()
    };
    let mut words = vec!["date".to_string()];
    match x.attr("operation").unwrap_or("") {
        "gt" => words.extend(["gt".to_string(), quote(x.attr("start").unwrap_or(""))]),
        "lt" => words.extend(["lt".to_string(), quote(x.attr("end").unwrap_or(""))]),
        "date_spec" => {
            words.push("spec".to_string());
            for c in x.children_named("date_spec") {
                words.extend(fields(c));
            }
        }
        _ => {
            words.push("in".to_string());
            for k in ["start", "end"] {
                if let Some(v) = x.attr(k) {
                    words.push(pair(k, v));
                }
            }
            for c in x.children_named("duration") {
                words.extend(fields(c));
            }
        }
    }
    words.join(" ")
}

fn rule(r: &Element) -> String {
    let mut words = vec!["rule".to_string()];
    if let Some(role) = r.attr("role") {
        words.push(format!("$role={role}"));
    }
    if let Some(a) = r.attr("score-attribute") {
        words.push(format!("{a}:"));
    } else if let Some(s) = r.attr("score") {
        if s != "INFINITY" && s != "+INFINITY" {
            words.push(format!("{}:", score(s)));
        }
    }
    let join = if r.attr("boolean-op") == Some("or") {
        " or "
    } else {
        " and "
    };
    let exprs: Vec<String> = r
        .children
        .iter()
        .filter_map(|x| match x.name.as_str() {
            "expression" => Some(expression(x)),
            "date_expression" => Some(date_expression(x)),
            _ => None,
        })
        .collect();
    words.push(exprs.join(join));
    words.join(" ")
}

fn constraint(c: &Element) -> Option<String> {
    let id = c.id();
    let extra = |skip: &[&str]| -> Vec<String> {
        c.attrs
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(k, v)| pair(k, v))
            .collect()
    };
    Some(match c.name.as_str() {
        "rsc_location" => {
            let mut head = format!("location {id} {}", c.attr("rsc").unwrap_or(""));
            for w in extra(&["id", "rsc", "score", "node"]) {
                head.push(' ');
                head.push_str(&w);
            }
            if let (Some(s), Some(n)) = (c.attr("score"), c.attr("node")) {
                format!("{head} {}: {n}", score(s))
            } else {
                lines(head, c.children_named("rule").map(rule).collect())
            }
        }
        "rsc_colocation" => {
            let mut words = vec![format!(
                "colocation {id} {}:",
                score(c.attr("score").unwrap_or("INFINITY"))
            )];
            if c.attr("rsc").is_some() {
                words.push(rsc_with(c.attr("rsc"), c.attr("rsc-role")));
                words.push(rsc_with(c.attr("with-rsc"), c.attr("with-rsc-role")));
            } else {
                words.extend(sets(c, "role"));
            }
            words.extend(extra(&[
                "id",
                "score",
                "rsc",
                "rsc-role",
                "with-rsc",
                "with-rsc-role",
            ]));
            words.join(" ")
        }
        "rsc_order" => {
            let mut words = vec![format!("order {id}")];
            if let Some(k) = c.attr("kind") {
                words.push(format!("{k}:"));
            } else if let Some(s) = c.attr("score") {
                words.push(format!("{}:", score(s)));
            }
            if c.attr("first").is_some() {
                words.push(rsc_with(c.attr("first"), c.attr("first-action")));
                words.push(rsc_with(c.attr("then"), c.attr("then-action")));
            } else {
                words.extend(sets(c, "action"));
            }
            words.extend(extra(&[
                "id",
                "kind",
                "score",
                "first",
                "first-action",
                "then",
                "then-action",
            ]));
            words.join(" ")
        }
        "rsc_ticket" => {
            let mut words = vec![format!(
                "rsc_ticket {id} {}:",
                c.attr("ticket").unwrap_or("")
            )];
            if c.attr("rsc").is_some() {
                words.push(rsc_with(c.attr("rsc"), c.attr("rsc-role")));
            } else {
                words.extend(sets(c, "role"));
            }
            words.extend(extra(&["id", "ticket", "rsc", "rsc-role"]));
            words.join(" ")
        }
        _ => return None,
    })
}

fn node(n: &Element) -> String {
    let uname = n.attr("uname").unwrap_or(n.id());
    let mut head = if n.id() == uname || n.id().is_empty() {
        format!("node {uname}")
    } else {
        format!("node {}: {uname}", n.id())
    };
    if let Some(t) = n.attr("type") {
        head.push(':');
        head.push_str(t);
    }
    if let Some(d) = n.attr("description") {
        head.push(' ');
        head.push_str(&pair("description", d));
    }
    let rest = n
        .children
        .iter()
        .filter_map(|c| set_keyword(&c.name, true).map(|k| set_line(k, c)))
        .collect();
    lines(head, rest)
}

fn by_id(mut v: Vec<&Element>) -> Vec<&Element> {
    v.sort_by(|a, b| a.id().cmp(b.id()));
    v
}

fn defaults(keyword: &str, set: &Element) -> String {
    lines(format!("{keyword} {}:", set.id()), pairs(set))
}

fn collect_resources<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
    for c in members(e) {
        out.push(c);
        collect_resources(c, out);
    }
}

/// Prints a `<configuration>` (or whole `<cib>`) as `crm configure show` does: nodes,
/// primitives, groups, ms, clones, tags, location/colocation/order constraints (by id),
/// fencing topology, tickets, properties, rsc_defaults and op_defaults; one statement
/// per line, continuations as ` \` + newline + tab.
pub fn show(doc: &Element) -> String {
    join(statements(doc).into_iter().map(|(_, t)| t).collect())
}

/// Prints only the objects named by `ids` (resources, constraints, tags and property
/// sets by id, nodes by name, `fencing_topology`), in `show`'s order, as
/// `crm configure show ID...` does.
pub fn show_ids(doc: &Element, ids: &[&str]) -> Result<String, ShowError> {
    let all = statements(doc);
    if let Some(missing) = ids.iter().find(|id| !all.iter().any(|(k, _)| k == *id)) {
        return Err(ShowError::Missing(missing.to_string()));
    }
    Ok(join(
        all.into_iter()
            .filter(|(k, _)| ids.contains(&k.as_str()))
            .map(|(_, t)| t)
            .collect(),
    ))
}

/// Why [`show_ids`] printed nothing.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShowError {
    /// No object has this id.
    #[error("object '{0}' does not exist")]
    Missing(String),
}

fn join(out: Vec<String>) -> String {
    let mut text = out.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

/// Every statement `show` prints, keyed by the id that names it.
fn statements(doc: &Element) -> Vec<(String, String)> {
    let conf = if doc.name == "configuration" {
        doc
    } else {
        match doc.child("configuration") {
            Some(c) => c,
            None => return Vec::new(),
        }
    };
    let key = |e: &Element, text: String| (e.id().to_string(), text);
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(nodes) = conf.child("nodes") {
        out.extend(
            by_id(nodes.children_named("node").collect())
                .into_iter()
                .map(|n| (n.attr("uname").unwrap_or(n.id()).to_string(), node(n))),
        );
    }
    let mut rscs = Vec::new();
    if let Some(r) = conf.child("resources") {
        collect_resources(r, &mut rscs);
    }
    let of = |kind: &str| by_id(rscs.iter().copied().filter(|e| e.name == kind).collect());
    out.extend(of("primitive").into_iter().map(|e| key(e, primitive(e))));
    out.extend(
        of("group")
            .into_iter()
            .map(|e| key(e, container("group", e))),
    );
    out.extend(of("master").into_iter().map(|e| key(e, container("ms", e))));
    out.extend(
        of("clone")
            .into_iter()
            .map(|e| key(e, container("clone", e))),
    );
    if let Some(tags) = conf.child("tags") {
        for t in by_id(tags.children_named("tag").collect()) {
            let refs: Vec<&str> = t.children_named("obj_ref").map(|r| r.id()).collect();
            out.push(key(t, format!("tag {} {}", t.id(), refs.join(" "))));
        }
    }
    if let Some(cons) = conf.child("constraints") {
        let plain = cons
            .children
            .iter()
            .filter(|c| c.name != "rsc_ticket")
            .collect();
        out.extend(
            by_id(plain)
                .into_iter()
                .filter_map(|c| constraint(c).map(|t| key(c, t))),
        );
    }
    if let Some(ft) = conf.child("fencing-topology") {
        let mut levels: Vec<&Element> = ft.children_named("fencing-level").collect();
        levels.sort_by_key(|l| {
            l.attr("index")
                .and_then(|i| i.parse::<u32>().ok())
                .unwrap_or(0)
        });
        // The target as crm writes it: `NODE:`, `attr:NAME=VALUE` or `pattern:REGEX`.
        let target = |l: &Element| -> String {
            if let Some(a) = l.attr("target-attribute") {
                format!("attr:{a}={}", l.attr("target-value").unwrap_or(""))
            } else if let Some(p) = l.attr("target-pattern") {
                format!("pattern:{p}")
            } else {
                format!("{}:", l.attr("target").unwrap_or(""))
            }
        };
        let mut targets: Vec<String> = Vec::new();
        for l in &levels {
            let t = target(l);
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        let rest = targets
            .iter()
            .map(|t| {
                let devs: Vec<&str> = levels
                    .iter()
                    .filter(|l| target(l) == *t)
                    .map(|l| l.attr("devices").unwrap_or(""))
                    .collect();
                format!("{t} {}", devs.join(" "))
            })
            .collect();
        if !levels.is_empty() {
            out.push((
                "fencing_topology".to_string(),
                lines("fencing_topology".to_string(), rest),
            ));
        }
    }
    if let Some(cons) = conf.child("constraints") {
        let tickets = cons.children_named("rsc_ticket").collect();
        out.extend(
            by_id(tickets)
                .into_iter()
                .filter_map(|c| constraint(c).map(|t| key(c, t))),
        );
    }
    for (section, set, keyword) in [
        ("crm_config", "cluster_property_set", "property"),
        ("rsc_defaults", "meta_attributes", "rsc_defaults"),
        ("op_defaults", "meta_attributes", "op_defaults"),
    ] {
        if let Some(s) = conf.child(section) {
            out.extend(s.children_named(set).map(|e| key(e, defaults(keyword, e))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoted_values_read_back_unchanged() {
        for v in [
            "plain", "", "a b", "a\\b", "q\\\"", "end\\", "a\\\\b", "x\"y", "l1\\\nl2", "tab\t",
        ] {
            let text = format!("property a={}\n", quote(v));
            let st = crate::parse(&text, "t").unwrap();
            match &st[0].command {
                crate::Command::Defaults { pairs, .. } => assert_eq!(pairs[0].value, v, "{text}"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(quote("a\\b"), "\"a\\b\"");
    }
}
