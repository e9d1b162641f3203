//! Agents' meta-data: parsing the XML, validating parameters against it, default timeouts,
//! and a bounded cache.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::ExecError;
use crate::limits;
use crate::spec::{Action, AgentSpec, Class};

/// One parameter an agent accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParamInfo {
    /// Name (without `OCF_RESKEY_`).
    pub name: String,
    /// The agent refuses to run without it.
    pub required: bool,
    /// Its value must differ across resources of this agent.
    pub unique: bool,
    /// Changing it needs only a reload.
    pub reloadable: bool,
    /// Deprecated in favour of another parameter.
    pub deprecated: bool,
    /// Content type (`string`, `integer`, `boolean`, `time`, `second`, ...).
    pub content_type: String,
    /// Default value, if any.
    pub default: Option<String>,
    /// One-line description.
    pub shortdesc: String,
    /// Long description.
    pub longdesc: String,
}

/// One action an agent advertises.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionInfo {
    /// Action name.
    pub name: String,
    /// Advertised default timeout.
    pub timeout: Option<Duration>,
    /// Advertised default interval (monitors).
    pub interval: Option<Duration>,
    /// Advertised start delay.
    pub start_delay: Option<Duration>,
    /// Check depth (`OCF_CHECK_LEVEL`).
    pub depth: Option<String>,
    /// Role the action applies to (`Promoted`, `Unpromoted`).
    pub role: Option<String>,
}

/// An agent's parsed meta-data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    /// The `name` attribute of `<resource-agent>`.
    pub name: String,
    /// Agent version (`version` attribute), if given.
    pub version: Option<String>,
    /// One-line description.
    pub shortdesc: String,
    /// Long description.
    pub longdesc: String,
    /// Parameters, in document order.
    pub parameters: Vec<ParamInfo>,
    /// Actions, in document order.
    pub actions: Vec<ActionInfo>,
}

/// Something wrong with a resource's parameters per its agent's meta-data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamProblem {
    /// A required parameter has no value.
    Missing(String),
    /// The agent does not declare this parameter.
    Unknown(String),
    /// The value does not fit the declared type.
    BadValue {
        /// Parameter name.
        name: String,
        /// Declared type.
        content_type: String,
        /// The offending value.
        value: String,
    },
}

impl ParamProblem {
    /// True for problems that make the configuration invalid (not just suspicious).
    pub fn is_error(&self) -> bool {
        !matches!(self, ParamProblem::Unknown(_))
    }
}

impl std::fmt::Display for ParamProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamProblem::Missing(name) => write!(f, "required parameter '{name}' is not set"),
            ParamProblem::Unknown(name) => {
                write!(f, "parameter '{name}' is not declared by the agent")
            }
            ParamProblem::BadValue {
                name,
                content_type,
                value,
            } => {
                write!(
                    f,
                    "parameter '{name}' = '{value}' is not a valid {content_type}"
                )
            }
        }
    }
}

/// Parses a Pacemaker duration: `20`, `20s`, `500ms`, `2min`, `1m`, `1h`, or ISO 8601 `PT1M30S`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Some(iso) = text.strip_prefix("PT").or_else(|| text.strip_prefix("pt")) {
        let mut total = 0u64;
        let mut number = String::new();
        for c in iso.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let value: u64 = number.parse().ok()?;
            number.clear();
            total += value
                * match c.to_ascii_uppercase() {
                    'H' => 3600,
                    'M' => 60,
                    'S' => 1,
                    _ => return None,
                };
        }
        return if number.is_empty() {
            Some(Duration::from_secs(total))
        } else {
            None
        };
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let value: u64 = digits.parse().ok()?;
    let millis = match unit.trim() {
        "" | "s" | "sec" | "secs" => value.checked_mul(1000)?,
        "ms" | "msec" | "msecs" => value,
        "us" | "usec" | "usecs" => value / 1000,
        "m" | "min" | "mins" => value.checked_mul(60_000)?,
        "h" | "hr" | "hrs" => value.checked_mul(3_600_000)?,
        _ => return None,
    };
    Some(Duration::from_millis(millis))
}

fn child_text(node: roxmltree::Node<'_, '_>, tag: &str) -> String {
    node.children()
        .find(|child| child.has_tag_name(tag))
        .map(|child| child.text().unwrap_or_default().trim().to_string())
        .unwrap_or_default()
}

fn flag(node: roxmltree::Node<'_, '_>, name: &str) -> bool {
    matches!(node.attribute(name), Some("1" | "true" | "yes"))
}

fn timing(
    node: roxmltree::Node<'_, '_>,
    name: &str,
    spec: &str,
) -> Result<Option<Duration>, ExecError> {
    match node.attribute(name) {
        None => Ok(None),
        Some(text) => parse_duration(text)
            .map(Some)
            .ok_or_else(|| ExecError::Metadata {
                spec: spec.to_string(),
                reason: format!(
                    "action '{}': invalid {name} '{text}'",
                    node.attribute("name").unwrap_or("?")
                ),
            }),
    }
}

impl Metadata {
    /// Parses meta-data XML printed by the agent `spec` (used in error messages).
    pub fn parse(xml: &str, spec: &str) -> Result<Metadata, ExecError> {
        let bad = |reason: String| ExecError::Metadata {
            spec: spec.to_string(),
            reason,
        };
        if xml.len() > limits::MAX_METADATA_BYTES {
            return Err(bad(format!(
                "larger than {} bytes",
                limits::MAX_METADATA_BYTES
            )));
        }
        let doc = roxmltree::Document::parse_with_options(
            xml,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..roxmltree::ParsingOptions::default()
            },
        )
        .map_err(|error| bad(format!("invalid XML: {error}")))?;
        let root = doc.root_element();
        if !root.has_tag_name("resource-agent") {
            return Err(bad(format!(
                "root element is <{}>, expected <resource-agent>",
                root.tag_name().name()
            )));
        }
        let mut metadata = Metadata {
            name: root.attribute("name").unwrap_or_default().to_string(),
            version: root.attribute("version").map(str::to_string),
            shortdesc: child_text(root, "shortdesc"),
            longdesc: child_text(root, "longdesc"),
            ..Metadata::default()
        };
        if metadata.shortdesc.is_empty() {
            metadata.shortdesc = root.attribute("shortdesc").unwrap_or_default().to_string();
        }
        if let Some(parameters) = root.children().find(|n| n.has_tag_name("parameters")) {
            for node in parameters
                .children()
                .filter(|n| n.has_tag_name("parameter"))
            {
                let name = node.attribute("name").ok_or_else(|| {
                    bad(format!(
                        "<parameter> without a name at byte {}",
                        node.range().start
                    ))
                })?;
                let content = node.children().find(|n| n.has_tag_name("content"));
                metadata.parameters.push(ParamInfo {
                    name: name.to_string(),
                    required: flag(node, "required"),
                    unique: flag(node, "unique") || flag(node, "unique-group"),
                    reloadable: flag(node, "reloadable"),
                    deprecated: flag(node, "deprecated")
                        || node.children().any(|n| n.has_tag_name("deprecated")),
                    content_type: content
                        .and_then(|c| c.attribute("type"))
                        .unwrap_or("string")
                        .to_string(),
                    default: content
                        .and_then(|c| c.attribute("default"))
                        .map(str::to_string),
                    shortdesc: child_text(node, "shortdesc"),
                    longdesc: child_text(node, "longdesc"),
                });
            }
        }
        if let Some(actions) = root.children().find(|n| n.has_tag_name("actions")) {
            for node in actions.children().filter(|n| n.has_tag_name("action")) {
                let name = node.attribute("name").ok_or_else(|| {
                    bad(format!(
                        "<action> without a name at byte {}",
                        node.range().start
                    ))
                })?;
                metadata.actions.push(ActionInfo {
                    name: name.to_string(),
                    timeout: timing(node, "timeout", spec)?,
                    interval: timing(node, "interval", spec)?,
                    start_delay: timing(node, "start-delay", spec)?,
                    depth: node.attribute("depth").map(str::to_string),
                    role: node.attribute("role").map(str::to_string),
                });
            }
        }
        Ok(metadata)
    }

    /// True when the agent advertises `action`.
    pub fn has_action(&self, action: &str) -> bool {
        self.actions.iter().any(|info| info.name == action)
    }

    /// The advertised timeout for `action` (the entry with a matching interval first).
    pub fn default_timeout(&self, action: Action, interval: Duration) -> Option<Duration> {
        let name = action.as_str();
        let candidates = || {
            self.actions.iter().filter(|info| {
                info.name == name || (action == Action::Monitor && info.name == "status")
            })
        };
        candidates()
            .find(|info| info.interval.unwrap_or_default() == interval)
            .or_else(|| candidates().next())
            .and_then(|info| info.timeout)
    }

    /// Problems with `params` for this agent; `class` decides which names the executor supplies itself.
    pub fn validate(&self, params: &BTreeMap<String, String>, class: Class) -> Vec<ParamProblem> {
        let mut problems = Vec::new();
        let supplied_by_executor = |name: &str| match class {
            Class::Stonith => {
                name.starts_with("pcmk_")
                    || matches!(
                        name,
                        "action" | "plug" | "port" | "nodename" | "provides" | "priority"
                    )
            }
            _ => name == "OCF_CHECK_LEVEL",
        };
        for info in &self.parameters {
            if info.required
                && !params.contains_key(&info.name)
                && !supplied_by_executor(&info.name)
            {
                problems.push(ParamProblem::Missing(info.name.clone()));
            }
        }
        for (name, value) in params {
            let Some(info) = self.parameters.iter().find(|info| &info.name == name) else {
                if !supplied_by_executor(name) {
                    problems.push(ParamProblem::Unknown(name.clone()));
                }
                continue;
            };
            let ok = match info.content_type.as_str() {
                "integer" => value.trim().parse::<i64>().is_ok(),
                "boolean" => matches!(
                    value.trim().to_ascii_lowercase().as_str(),
                    "1" | "0" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
                ),
                "second" | "time" | "timeout" => parse_duration(value).is_some(),
                _ => true,
            };
            if !ok {
                problems.push(ParamProblem::BadValue {
                    name: name.clone(),
                    content_type: info.content_type.clone(),
                    value: value.clone(),
                });
            }
        }
        problems
    }
}

/// Meta-data already read, keyed by agent spec; bounded, shared between threads.
#[derive(Debug, Default)]
pub struct MetadataCache {
    entries: Mutex<HashMap<AgentSpec, Arc<Metadata>>>,
}

impl MetadataCache {
    /// An empty cache.
    pub fn new() -> MetadataCache {
        MetadataCache::default()
    }

    /// The cached meta-data of `spec`, if any.
    pub fn get(&self, spec: &AgentSpec) -> Option<Arc<Metadata>> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(spec)
            .cloned()
    }

    /// Caches `metadata` for `spec`; when full, an arbitrary entry is dropped first.
    pub fn insert(&self, spec: AgentSpec, metadata: Arc<Metadata>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= limits::MAX_CACHED_METADATA && !entries.contains_key(&spec) {
            if let Some(victim) = entries.keys().next().cloned() {
                entries.remove(&victim);
            }
        }
        entries.insert(spec, metadata);
    }

    /// Forgets the meta-data of `spec` (after an agent upgrade).
    pub fn invalidate(&self, spec: &AgentSpec) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(spec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0"?>
<resource-agent name="Dummy" version="1.0">
<version>1.1</version>
<longdesc lang="en">Long</longdesc>
<shortdesc lang="en">Short</shortdesc>
<parameters>
<parameter name="state" unique="1" required="1"><longdesc lang="en">Where</longdesc><shortdesc lang="en">State file</shortdesc><content type="string" default="/x"/></parameter>
<parameter name="delay"><content type="integer"/></parameter>
<parameter name="fake" reloadable="1"><content type="boolean" default="false"/></parameter>
</parameters>
<actions>
<action name="start" timeout="20s"/>
<action name="monitor" timeout="30" interval="10s" depth="0"/>
<action name="monitor" timeout="2min" interval="0"/>
<action name="promote" timeout="PT1M30S"/>
</actions>
</resource-agent>"#;

    #[test]
    fn parses_parameters_and_actions() {
        let metadata = Metadata::parse(XML, "ocf:test:Dummy").expect("valid");
        assert_eq!(metadata.name, "Dummy");
        assert_eq!(metadata.shortdesc, "Short");
        assert_eq!(metadata.parameters.len(), 3);
        let state = &metadata.parameters[0];
        assert!(state.required && state.unique && !state.reloadable);
        assert_eq!(state.default.as_deref(), Some("/x"));
        assert_eq!(state.shortdesc, "State file");
        assert!(metadata.parameters[2].reloadable);
        assert_eq!(
            metadata.default_timeout(Action::Start, Duration::ZERO),
            Some(Duration::from_secs(20))
        );
        assert_eq!(
            metadata.default_timeout(Action::Monitor, Duration::from_secs(10)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            metadata.default_timeout(Action::Monitor, Duration::ZERO),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            metadata.default_timeout(Action::Promote, Duration::ZERO),
            Some(Duration::from_secs(90))
        );
        assert_eq!(metadata.default_timeout(Action::Stop, Duration::ZERO), None);
        assert!(metadata.has_action("monitor") && !metadata.has_action("demote"));
    }

    #[test]
    fn validates_required_unknown_and_typed_parameters() {
        let metadata = Metadata::parse(XML, "ocf:test:Dummy").expect("valid");
        let mut params = BTreeMap::new();
        params.insert("delay".to_string(), "soon".to_string());
        params.insert("fake".to_string(), "maybe".to_string());
        params.insert("colour".to_string(), "red".to_string());
        let problems = metadata.validate(&params, Class::Ocf);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.contains(&ParamProblem::Missing("state".into())));
        assert!(problems.contains(&ParamProblem::Unknown("colour".into())));
        assert!(problems.iter().filter(|p| p.is_error()).count() == 3);
    }

    #[test]
    fn rejects_invalid_metadata_with_the_reason() {
        let error = Metadata::parse("<resource-agent name='x'><parameters>", "ocf:t:x")
            .expect_err("truncated");
        assert!(error.to_string().contains("invalid XML"), "{error}");
        let error = Metadata::parse("<html/>", "ocf:t:x").expect_err("wrong root");
        assert!(
            error.to_string().contains("expected <resource-agent>"),
            "{error}"
        );
        let error = Metadata::parse("<resource-agent><actions><action name='start' timeout='soon'/></actions></resource-agent>", "ocf:t:x").expect_err("bad timeout");
        assert!(
            error.to_string().contains("invalid timeout 'soon'"),
            "{error}"
        );
    }

    #[test]
    fn durations_in_pacemaker_forms() {
        assert_eq!(parse_duration("20"), Some(Duration::from_secs(20)));
        assert_eq!(parse_duration("20s"), Some(Duration::from_secs(20)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2min"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("PT1M"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_duration("5 parsecs"), None);
    }
}
