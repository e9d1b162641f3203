//! Turns the words of each statement into a [`Statement`].

use crate::ast::*;
use crate::error::ParseError;
use crate::lexer::{self, RawStatement, Word};

/// Attributes that stay on the `<op>` element; any other `name=value` after `op NAME`
/// goes into the op's `<instance_attributes>`, as crmsh does.
pub const OP_ATTRIBUTES: &[&str] = &[
    "id",
    "name",
    "interval",
    "timeout",
    "description",
    "start-delay",
    "interval-origin",
    "enabled",
    "record-pending",
    "role",
    "on-fail",
];

const COMPARE_OPS: &[&str] = &["lt", "gt", "lte", "gte", "eq", "ne"];
const VALUE_TYPES: &[&str] = &["string", "integer", "number", "version"];

/// Parses a crm configuration text into statements.
///
/// `source_name` names the text in errors (a file name, or `<stdin>`).
pub fn parse(text: &str, source_name: &str) -> Result<Vec<Statement>, ParseError> {
    let raw = lexer::split(text, source_name)?;
    raw.iter()
        .map(|st| Cursor::new(st, source_name).statement())
        .collect()
}

struct Cursor<'a> {
    words: &'a [Word],
    pos: usize,
    line: usize,
    source: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(st: &'a RawStatement, source: &'a str) -> Cursor<'a> {
        Cursor {
            words: &st.words,
            pos: 0,
            line: st.line,
            source,
        }
    }

    fn peek(&self) -> Option<&'a str> {
        self.words.get(self.pos).map(|w| w.text.as_str())
    }

    fn at_end(&self) -> bool {
        self.pos >= self.words.len()
    }

    /// An error at the current word (or just after the last one).
    fn err(&self, message: impl Into<String>) -> ParseError {
        self.err_at(self.pos, message)
    }

    fn err_at(&self, pos: usize, message: impl Into<String>) -> ParseError {
        let (line, column, word) = match self.words.get(pos) {
            Some(w) => (w.line, w.column, w.text.clone()),
            None => match self.words.last() {
                Some(w) => (w.line, w.column + w.text.chars().count(), String::new()),
                None => (self.line, 1, String::new()),
            },
        };
        ParseError {
            source_name: self.source.to_string(),
            line,
            column,
            word,
            message: message.into(),
        }
    }

    fn next(&mut self, what: &str) -> Result<&'a str, ParseError> {
        match self.words.get(self.pos) {
            Some(w) => {
                self.pos += 1;
                Ok(w.text.as_str())
            }
            None => Err(self.err(format!("expected {what}"))),
        }
    }

    fn id(&mut self, what: &str) -> Result<String, ParseError> {
        let word = self.next(what)?;
        check_id(word).map_err(|m| self.err_at(self.pos - 1, format!("{what}: {m}")))?;
        Ok(word.to_string())
    }

    /// The next word, which must be a bare name (see [`check_word`]).
    fn name(&mut self, what: &str) -> Result<&'a str, ParseError> {
        let w = self.next(what)?;
        check_word(w).map_err(|m| self.err_at(self.pos - 1, format!("{what}: {m}")))?;
        Ok(w)
    }

    fn expect_end(&self) -> Result<(), ParseError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.err("unexpected word"))
        }
    }

    fn statement(&mut self) -> Result<Statement, ParseError> {
        let line = self.line;
        let keyword = self.next("a command")?;
        let command = match keyword {
            "property" => self.defaults(DefaultsKind::Property)?,
            "rsc_defaults" => self.defaults(DefaultsKind::RscDefaults)?,
            "op_defaults" => self.defaults(DefaultsKind::OpDefaults)?,
            "primitive" => self.primitive()?,
            "group" => self.group()?,
            "clone" => self.clone_like(false)?,
            "ms" | "master" => self.clone_like(true)?,
            "location" => self.location()?,
            "colocation" | "collocation" => self.colocation()?,
            "order" => self.order()?,
            "rsc_ticket" => self.rsc_ticket()?,
            "tag" => self.tag()?,
            "fencing_topology" => self.fencing_topology()?,
            "node" => self.node()?,
            "delete" => self.delete()?,
            _ => return Err(self.err_at(0, "unknown command")),
        };
        Ok(Statement { line, command })
    }

    /// Reads `name=value` words. With a non-empty `stop` list (section keywords), stops
    /// at a keyword or a word without `=` and lets the caller judge it.
    fn pairs(&mut self, stop: &[&str]) -> Result<Vec<NvPair>, ParseError> {
        let mut out = Vec::new();
        while let Some(w) = self.peek() {
            if stop.contains(&w) || (!stop.is_empty() && !w.contains('=')) {
                break;
            }
            out.push(self.pair()?);
        }
        Ok(out)
    }

    fn pair(&mut self) -> Result<NvPair, ParseError> {
        let w = self.next("name=value")?;
        match w.split_once('=') {
            Some((n, v)) if check_word(n).is_ok() && !n.starts_with('$') => Ok(NvPair {
                name: n.to_string(),
                value: v.to_string(),
            }),
            _ => Err(self.err_at(self.pos - 1, "expected name=value")),
        }
    }

    /// Reads an optional `$id=X` (also `$id X`? no: crmsh needs `$id=X`).
    fn dollar_id(&mut self) -> Result<Option<String>, ParseError> {
        if let Some(w) = self.peek() {
            if let Some(id) = w.strip_prefix("$id=") {
                check_id(id).map_err(|m| self.err(format!("$id: {m}")))?;
                self.pos += 1;
                return Ok(Some(id.to_string()));
            }
        }
        Ok(None)
    }

    fn attr_set(&mut self, kind: SetKind, stop: &[&str]) -> Result<AttrSet, ParseError> {
        let id = self.dollar_id()?;
        let pairs = self.pairs(stop)?;
        Ok(AttrSet { kind, id, pairs })
    }

    fn defaults(&mut self, kind: DefaultsKind) -> Result<Command, ParseError> {
        let mut id = self.dollar_id()?;
        if id.is_none() {
            if let Some(w) = self.peek() {
                if let Some(name) = w.strip_suffix(':') {
                    check_id(name).map_err(|m| self.err(format!("set id: {m}")))?;
                    id = Some(name.to_string());
                    self.pos += 1;
                }
            }
        }
        let pairs = self.pairs(&[])?;
        if pairs.is_empty() {
            return Err(self.err(format!("{} needs at least one name=value", kind.keyword())));
        }
        Ok(Command::Defaults { kind, id, pairs })
    }

    fn primitive(&mut self) -> Result<Command, ParseError> {
        const SECTIONS: &[&str] = &[
            "params",
            "meta",
            "utilization",
            "op",
            "op_params",
            "op_meta",
        ];
        let id = self.id("resource id")?;
        let agent_pos = self.pos;
        let agent_word = self.next("resource agent (class:provider:type)")?;
        let agent = parse_agent(agent_word).map_err(|m| self.err_at(agent_pos, m))?;
        let mut parts: Vec<PrimitivePart> = Vec::new();
        while let Some(w) = self.peek() {
            self.pos += 1;
            match w {
                "params" => parts.push(PrimitivePart::Set(
                    self.attr_set(SetKind::Instance, SECTIONS)?,
                )),
                "meta" => parts.push(PrimitivePart::Set(self.attr_set(SetKind::Meta, SECTIONS)?)),
                "utilization" => parts.push(PrimitivePart::Set(
                    self.attr_set(SetKind::Utilization, SECTIONS)?,
                )),
                "op" => {
                    let name = self.name("operation name")?;
                    if name.contains('=') {
                        return Err(self.err_at(self.pos - 1, "expected an operation name"));
                    }
                    let mut op = Op {
                        name: name.to_string(),
                        attrs: Vec::new(),
                        sets: Vec::new(),
                    };
                    let mut extra = Vec::new();
                    for p in self.pairs(SECTIONS)? {
                        if OP_ATTRIBUTES.contains(&p.name.as_str()) {
                            op.attrs.push(p);
                        } else {
                            extra.push(p);
                        }
                    }
                    if !extra.is_empty() {
                        op.sets.push(AttrSet {
                            kind: SetKind::Instance,
                            id: None,
                            pairs: extra,
                        });
                    }
                    parts.push(PrimitivePart::Op(op));
                }
                "op_params" | "op_meta" => {
                    let kind = if w == "op_params" {
                        SetKind::Instance
                    } else {
                        SetKind::Meta
                    };
                    let set = self.attr_set(kind, SECTIONS)?;
                    match parts.last_mut() {
                        Some(PrimitivePart::Op(op)) => op.sets.push(set),
                        _ => {
                            return Err(self.err_at(self.pos - 1, format!("{w} must follow an op")))
                        }
                    }
                }
                _ => {
                    return Err(
                        self.err_at(self.pos - 1, "expected params, meta, utilization or op")
                    )
                }
            }
        }
        Ok(Command::Primitive { id, agent, parts })
    }

    fn container_sets(&mut self) -> Result<Vec<AttrSet>, ParseError> {
        const SECTIONS: &[&str] = &["params", "meta"];
        let mut sets = Vec::new();
        while let Some(w) = self.peek() {
            self.pos += 1;
            match w {
                "params" => sets.push(self.attr_set(SetKind::Instance, SECTIONS)?),
                "meta" => sets.push(self.attr_set(SetKind::Meta, SECTIONS)?),
                _ => return Err(self.err_at(self.pos - 1, "expected params or meta")),
            }
        }
        Ok(sets)
    }

    fn group(&mut self) -> Result<Command, ParseError> {
        let id = self.id("group id")?;
        let mut members = Vec::new();
        while let Some(w) = self.peek() {
            if w == "params" || w == "meta" {
                break;
            }
            members.push(self.id("group member")?);
        }
        if members.is_empty() {
            return Err(self.err("a group needs at least one resource"));
        }
        let sets = self.container_sets()?;
        Ok(Command::Group { id, members, sets })
    }

    fn clone_like(&mut self, ms: bool) -> Result<Command, ParseError> {
        let id = self.id(if ms { "ms id" } else { "clone id" })?;
        let child = self.id("resource to clone")?;
        let sets = self.container_sets()?;
        Ok(Command::Clone {
            id,
            ms,
            child,
            sets,
        })
    }

    /// Reads an optional `SCORE:` word; returns the raw text before the colon.
    fn score_word(&mut self) -> Option<&'a str> {
        let w = self.peek()?;
        let s = w.strip_suffix(':')?;
        if s.is_empty() || s.contains(':') || s.contains('=') {
            return None;
        }
        self.pos += 1;
        Some(s)
    }

    fn location(&mut self) -> Result<Command, ParseError> {
        let id = self.id("constraint id")?;
        let rsc = self.id("resource")?;
        let mut attrs = Vec::new();
        while let Some(w) = self.peek() {
            if w.contains('=') && !w.ends_with(':') {
                attrs.push(self.pair()?);
            } else {
                break;
            }
        }
        if self.peek() == Some("rule") {
            let mut rules = Vec::new();
            while self.peek() == Some("rule") {
                self.pos += 1;
                rules.push(self.rule()?);
            }
            self.expect_end()?;
            return Ok(Command::Location {
                id,
                rsc,
                attrs,
                target: LocationTarget::Rules(rules),
            });
        }
        let score_pos = self.pos;
        let score = self
            .score_word()
            .ok_or_else(|| self.err("expected SCORE: NODE or rule"))?;
        let score = normalise_score(score)
            .ok_or_else(|| self.err_at(score_pos, "score must be an integer, inf or -inf"))?;
        let node = self.name("node name")?.to_string();
        self.expect_end()?;
        Ok(Command::Location {
            id,
            rsc,
            attrs,
            target: LocationTarget::Node { score, node },
        })
    }

    fn rule(&mut self) -> Result<Rule, ParseError> {
        let mut rule = Rule {
            id: None,
            role: None,
            score: None,
            score_attribute: None,
            boolean_op: None,
            expressions: Vec::new(),
        };
        while let Some(w) = self.peek() {
            if let Some(v) = w.strip_prefix("$id=") {
                check_id(v).map_err(|m| self.err(format!("$id: {m}")))?;
                rule.id = Some(v.to_string());
            } else if let Some(v) = w.strip_prefix("$role=") {
                rule.role = Some(v.to_string());
            } else if let Some(v) = w.strip_prefix("role=") {
                rule.role = Some(v.to_string());
            } else {
                break;
            }
            self.pos += 1;
        }
        if let Some(s) = self.score_word() {
            match normalise_score(s) {
                Some(score) => rule.score = Some(score),
                None => {
                    check_word(s).map_err(|m| self.err_at(self.pos - 1, m))?;
                    rule.score_attribute = Some(s.to_string());
                }
            }
        }
        loop {
            let start = self.pos;
            let first = self.next("a rule expression")?;
            let expr = match first {
                "defined" | "not_defined" => Expression::Defined {
                    operation: first.to_string(),
                    attribute: self.name("attribute name")?.to_string(),
                },
                "date" => Expression::Date(self.date_expression()?),
                "rule" | "and" | "or" => {
                    return Err(self.err_at(start, "expected a rule expression"));
                }
                attr => {
                    check_word(attr).map_err(|m| self.err_at(start, m))?;
                    if attr.ends_with(':') {
                        return Err(self.err_at(start, "a score must come before the expression"));
                    }
                    let op_pos = self.pos;
                    let op_word = self.next("a comparison (lt, gt, lte, gte, eq, ne)")?;
                    let (value_type, op) = match op_word.split_once(':') {
                        Some((t, o)) => (Some(t), o),
                        None => (None, op_word),
                    };
                    if !COMPARE_OPS.contains(&op)
                        || value_type.is_some_and(|t| !VALUE_TYPES.contains(&t))
                    {
                        return Err(self.err_at(
                            op_pos,
                            "expected ((string|integer|number|version):)?(lt|gt|lte|gte|eq|ne)",
                        ));
                    }
                    Expression::Compare {
                        attribute: attr.to_string(),
                        operation: op.to_string(),
                        value_type: value_type.map(str::to_string),
                        value: self.next("a value")?.to_string(),
                    }
                }
            };
            rule.expressions.push(expr);
            match self.peek() {
                Some(b @ ("and" | "or")) => {
                    let want = if b == "or" {
                        Some("or".to_string())
                    } else {
                        None
                    };
                    if rule.expressions.len() > 1 && rule.boolean_op != want {
                        return Err(self.err("cannot mix 'and' and 'or' in one rule"));
                    }
                    rule.boolean_op = want;
                    self.pos += 1;
                }
                _ => break,
            }
        }
        if let Some(w) = self.peek() {
            if w != "rule" {
                return Err(self.err("expected 'and', 'or' or another rule"));
            }
        }
        Ok(rule)
    }

    /// Reads what follows `date` in a rule.
    fn date_expression(&mut self) -> Result<DateExpression, ParseError> {
        const DURATION: &[&str] = &[
            "years", "months", "weeks", "days", "hours", "minutes", "seconds",
        ];
        let op_pos = self.pos;
        let op = self.next("gt, lt, in or spec")?;
        let mut d = DateExpression {
            operation: String::new(),
            start: None,
            end: None,
            duration: Vec::new(),
            spec: Vec::new(),
        };
        match op {
            "gt" | "lt" => {
                let date = self.name("a date")?.to_string();
                d.operation = op.to_string();
                if op == "gt" {
                    d.start = Some(date);
                } else {
                    d.end = Some(date);
                }
            }
            "in" | "in_range" => {
                d.operation = "in_range".to_string();
                for p in self.pairs(&["and", "or", "rule"])? {
                    match p.name.as_str() {
                        "start" => d.start = Some(p.value),
                        "end" => d.end = Some(p.value),
                        n if DURATION.contains(&n) => d.duration.push(p),
                        _ => {
                            return Err(self.err_at(
                                self.pos - 1,
                                "expected start=, end= or a duration (years= ... seconds=)",
                            ))
                        }
                    }
                }
                if d.start.is_none() && d.end.is_none() {
                    return Err(self.err("date in needs start= or end="));
                }
            }
            "spec" | "date_spec" => {
                d.operation = "date_spec".to_string();
                d.spec = self.pairs(&["and", "or", "rule"])?;
                if d.spec.is_empty() {
                    return Err(self.err("date spec needs at least one field=value"));
                }
            }
            _ => return Err(self.err_at(op_pos, "expected gt, lt, in or spec after date")),
        }
        Ok(d)
    }

    /// Reads resource references with brackets, then trailing `name=value` attributes.
    fn ref_groups(&mut self, min: usize) -> Result<(Vec<RefGroup>, Vec<NvPair>), ParseError> {
        let mut groups: Vec<RefGroup> = Vec::new();
        let mut attrs = Vec::new();
        let mut open: Option<RefGroup> = None;
        while let Some(w) = self.peek() {
            match w {
                "(" | "[" => {
                    if open.is_some() {
                        return Err(self.err("brackets cannot nest"));
                    }
                    open = Some(RefGroup {
                        bracket: if w == "(" {
                            Bracket::Paren
                        } else {
                            Bracket::Square
                        },
                        refs: Vec::new(),
                        attrs: Vec::new(),
                    });
                }
                ")" | "]" => {
                    let want = if w == ")" {
                        Bracket::Paren
                    } else {
                        Bracket::Square
                    };
                    match open.take() {
                        Some(g) if g.bracket == want => {
                            if g.refs.is_empty() {
                                return Err(self.err("empty resource set"));
                            }
                            groups.push(g);
                        }
                        _ => return Err(self.err("unbalanced bracket")),
                    }
                }
                _ if w.contains('=') => {
                    let p = self.pair()?;
                    self.pos -= 1;
                    match open.as_mut() {
                        Some(g) => g.attrs.push(p),
                        None => attrs.push(p),
                    }
                }
                _ => {
                    if !attrs.is_empty() {
                        return Err(self.err("resources must come before name=value options"));
                    }
                    let (id, qualifier) = match w.split_once(':') {
                        Some((i, q)) => (i, Some(q.to_string())),
                        None => (w, None),
                    };
                    check_id(id).map_err(|m| self.err(format!("resource: {m}")))?;
                    if qualifier.as_deref() == Some("") {
                        return Err(self.err("empty role or action after ':'"));
                    }
                    let r = RscRef {
                        id: id.to_string(),
                        qualifier,
                    };
                    match open.as_mut() {
                        Some(g) => g.refs.push(r),
                        None => match groups.last_mut() {
                            Some(g) if g.bracket == Bracket::None => g.refs.push(r),
                            _ => groups.push(RefGroup {
                                bracket: Bracket::None,
                                refs: vec![r],
                                attrs: Vec::new(),
                            }),
                        },
                    }
                }
            }
            self.pos += 1;
        }
        if open.is_some() {
            return Err(self.err("unclosed bracket"));
        }
        let n: usize = groups.iter().map(|g| g.refs.len()).sum();
        if n < min {
            return Err(self.err(format!("expected at least {min} resources")));
        }
        Ok((groups, attrs))
    }

    fn colocation(&mut self) -> Result<Command, ParseError> {
        let id = self.id("constraint id")?;
        let pos = self.pos;
        let score = self
            .score_word()
            .ok_or_else(|| self.err("expected SCORE:"))?;
        let score = normalise_score(score)
            .ok_or_else(|| self.err_at(pos, "score must be an integer, inf or -inf"))?;
        let (groups, attrs) = self.ref_groups(2)?;
        Ok(Command::Colocation {
            id,
            score,
            groups,
            attrs,
        })
    }

    fn order(&mut self) -> Result<Command, ParseError> {
        let id = self.id("constraint id")?;
        let pos = self.pos;
        let kind = match self.score_word() {
            None => None,
            Some(k @ ("Mandatory" | "Optional" | "Serialize")) => Some(k.to_string()),
            Some(s) => match normalise_score(s) {
                Some(score) if score == "0" => Some("Optional".to_string()),
                Some(_) => Some("Mandatory".to_string()),
                None => {
                    return Err(
                        self.err_at(pos, "expected Mandatory:, Optional:, Serialize: or a score")
                    )
                }
            },
        };
        let (groups, attrs) = self.ref_groups(2)?;
        Ok(Command::Order {
            id,
            kind,
            groups,
            attrs,
        })
    }

    fn rsc_ticket(&mut self) -> Result<Command, ParseError> {
        let id = self.id("constraint id")?;
        let ticket = self
            .score_word()
            .ok_or_else(|| self.err("expected TICKET:"))?;
        let (groups, attrs) = self.ref_groups(1)?;
        Ok(Command::RscTicket {
            id,
            ticket: ticket.to_string(),
            groups,
            attrs,
        })
    }

    fn tag(&mut self) -> Result<Command, ParseError> {
        let pos = self.pos;
        let word = self.next("tag id")?;
        let name = word.strip_suffix(':').unwrap_or(word);
        check_id(name).map_err(|m| self.err_at(pos, format!("tag id: {m}")))?;
        let mut refs = Vec::new();
        while !self.at_end() {
            refs.push(self.id("tagged object")?);
        }
        if refs.is_empty() {
            return Err(self.err("a tag needs at least one object"));
        }
        Ok(Command::Tag {
            id: name.to_string(),
            refs,
        })
    }

    fn fencing_topology(&mut self) -> Result<Command, ParseError> {
        let mut levels = Vec::new();
        let mut target: Option<String> = None;
        while let Some(w) = self.peek() {
            check_word(w).map_err(|m| self.err(m))?;
            if let Some(a) = w.strip_prefix("attr:") {
                if a.split_once('=').is_none_or(|(n, _)| n.is_empty()) {
                    return Err(self.err("a fencing target attribute is written attr:NAME=VALUE"));
                }
                target = Some(w.to_string());
            } else if let Some(p) = w.strip_prefix("pattern:") {
                if p.is_empty() {
                    return Err(self.err("empty fencing target pattern"));
                }
                target = Some(w.to_string());
            } else if let Some(t) = w.strip_suffix(':') {
                if t.is_empty() {
                    return Err(self.err("empty fencing target"));
                }
                target = Some(t.to_string());
            } else {
                match &target {
                    Some(t) => levels.push(FencingLevel {
                        target: t.clone(),
                        devices: w.to_string(),
                    }),
                    None => {
                        return Err(self.err(
                            "fencing levels need a target: write 'NODE: DEVICES...' \
                             (or attr:NAME=VALUE, pattern:REGEX)",
                        ))
                    }
                }
            }
            self.pos += 1;
        }
        if levels.is_empty() {
            return Err(self.err("fencing_topology needs at least one level"));
        }
        Ok(Command::FencingTopology { levels })
    }

    fn node(&mut self) -> Result<Command, ParseError> {
        const SECTIONS: &[&str] = &["attributes", "utilization"];
        let mut id = None;
        if let Some(w) = self.peek() {
            if let Some(i) = w.strip_suffix(':') {
                if i.contains(':') || check_word(i).is_err() {
                    return Err(self.err("bad node id"));
                }
                id = Some(i.to_string());
                self.pos += 1;
            }
        }
        let pos = self.pos;
        let word = self.name("node name")?;
        let (uname, node_type) = match word.split_once(':') {
            Some((u, t)) => (u, Some(t.to_string())),
            None => (word, None),
        };
        if uname.is_empty() || uname.contains('=') {
            return Err(self.err_at(pos, "expected a node name"));
        }
        let mut description = None;
        let mut sets = Vec::new();
        while let Some(w) = self.peek() {
            self.pos += 1;
            match w {
                "attributes" => sets.push(self.attr_set(SetKind::Instance, SECTIONS)?),
                "utilization" => sets.push(self.attr_set(SetKind::Utilization, SECTIONS)?),
                _ => match w.strip_prefix("description=") {
                    Some(d) => description = Some(d.to_string()),
                    None => {
                        return Err(self.err_at(self.pos - 1, "expected attributes or utilization"))
                    }
                },
            }
        }
        Ok(Command::Node {
            id,
            uname: uname.to_string(),
            node_type,
            description,
            sets,
        })
    }

    fn delete(&mut self) -> Result<Command, ParseError> {
        let mut ids = Vec::new();
        while !self.at_end() {
            ids.push(self.next("id")?.to_string());
        }
        if ids.is_empty() {
            return Err(self.err("delete needs at least one id"));
        }
        Ok(Command::Delete { ids })
    }
}

/// Checks that a name (attribute, node, ticket, op name) can be printed back bare: not
/// empty, no blanks, quotes or backslashes.
pub fn check_word(word: &str) -> Result<(), String> {
    if word.is_empty() {
        return Err("empty name".to_string());
    }
    match word
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\'))
    {
        Some(c) => Err(format!("'{word}' is not a valid name (character {c:?})")),
        None => Ok(()),
    }
}

/// Checks that `id` can be an XML ID: a letter or `_` first, then letters, digits, `_-.`.
pub fn check_id(id: &str) -> Result<(), String> {
    let mut chars = id.chars();
    match chars.next() {
        None => return Err("empty id".to_string()),
        Some(c) if c.is_alphabetic() || c == '_' => {}
        Some(_) => {
            return Err(format!(
                "'{id}' is not a valid id (must start with a letter or _)"
            ))
        }
    }
    if let Some(bad) = chars.find(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))) {
        return Err(format!("'{id}' is not a valid id (character '{bad}')"));
    }
    Ok(())
}

/// Parses `class:provider:type`, `class:type` or a bare OCF heartbeat `type`.
pub fn parse_agent(word: &str) -> Result<Agent, String> {
    let parts: Vec<&str> = word.split(':').collect();
    if parts.iter().any(|p| p.is_empty()) || word.contains('=') {
        return Err(format!(
            "'{word}' is not a resource agent (class:provider:type)"
        ));
    }
    match parts.as_slice() {
        [t] => Ok(Agent {
            class: "ocf".into(),
            provider: Some("heartbeat".into()),
            kind: (*t).into(),
        }),
        ["ocf", _] => Err(format!("'{word}': ocf agents need class:provider:type")),
        [c, t] => Ok(Agent {
            class: (*c).into(),
            provider: None,
            kind: (*t).into(),
        }),
        ["ocf", p, t] => Ok(Agent {
            class: "ocf".into(),
            provider: Some((*p).into()),
            kind: (*t).into(),
        }),
        [c, _, _] => Err(format!(
            "'{word}': only ocf agents have a provider (class {c})"
        )),
        _ => Err(format!(
            "'{word}' is not a resource agent (class:provider:type)"
        )),
    }
}

/// Normalises a score as crmsh writes it: `inf` → `INFINITY`, `-inf` → `-INFINITY`;
/// integers unchanged. `None` when the text is not a score.
pub fn normalise_score(s: &str) -> Option<String> {
    match s.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Some("INFINITY".into()),
        "-inf" | "-infinity" => Some("-INFINITY".into()),
        _ => {
            let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
            if !digits.is_empty()
                && digits.len() <= 18
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                Some(s.strip_prefix('+').unwrap_or(s).to_string())
            } else {
                None
            }
        }
    }
}
