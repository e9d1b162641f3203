//! What the caller asks the executor to do.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::ExecError;
use crate::limits;
use crate::spec::{Action, AgentSpec};

/// One operation on one resource: which agent, which action, with which parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpRequest {
    /// Resource id (`OCF_RESOURCE_INSTANCE`); operations on one resource run one at a time.
    pub resource: String,
    /// The agent to run.
    pub spec: AgentSpec,
    /// The action to perform.
    pub action: Action,
    /// Instance attributes (`OCF_RESKEY_<name>`; fence device parameters).
    pub params: BTreeMap<String, String>,
    /// Meta attributes (`OCF_RESKEY_CRM_meta_<name>`), e.g. clone and notify variables.
    pub meta: BTreeMap<String, String>,
    /// Timeout; `None` takes the agent's advertised default, else 20 s.
    pub timeout: Option<Duration>,
    /// Zero for a one-shot operation, else the period of a recurring operation.
    pub interval: Duration,
    /// Delay before the first run of the operation.
    pub start_delay: Duration,
    /// Fencing target node for stonith actions (off, on, reboot, status of a port).
    pub target: Option<String>,
}

impl OpRequest {
    /// A one-shot request with no parameters.
    pub fn new(resource: impl Into<String>, spec: AgentSpec, action: Action) -> OpRequest {
        OpRequest {
            resource: resource.into(),
            spec,
            action,
            params: BTreeMap::new(),
            meta: BTreeMap::new(),
            timeout: None,
            interval: Duration::ZERO,
            start_delay: Duration::ZERO,
            target: None,
        }
    }

    /// Adds an instance attribute.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> OpRequest {
        self.params.insert(name.into(), value.into());
        self
    }

    /// Adds a meta attribute.
    pub fn meta(mut self, name: impl Into<String>, value: impl Into<String>) -> OpRequest {
        self.meta.insert(name.into(), value.into());
        self
    }

    /// Sets the timeout.
    pub fn timeout(mut self, timeout: Duration) -> OpRequest {
        self.timeout = Some(timeout);
        self
    }

    /// Makes the operation recurring with this interval.
    pub fn every(mut self, interval: Duration) -> OpRequest {
        self.interval = interval;
        self
    }

    /// True for a recurring operation.
    pub fn is_recurring(&self) -> bool {
        !self.interval.is_zero()
    }

    /// Checks names and sizes; every accepted name is safe as an environment variable suffix.
    pub fn check(&self) -> Result<(), ExecError> {
        let invalid = |reason: String| ExecError::InvalidRequest {
            resource: self.resource.clone(),
            reason,
        };
        if self.resource.is_empty() || self.resource.len() > 255 || self.resource.contains('\0') {
            return Err(invalid(
                "resource id must be 1-255 bytes without NUL".into(),
            ));
        }
        if self.params.len() + self.meta.len() > limits::MAX_PARAMS {
            return Err(invalid(format!(
                "more than {} parameters and meta attributes",
                limits::MAX_PARAMS
            )));
        }
        for (name, value) in self.params.iter().chain(self.meta.iter()) {
            check_name(name)?;
            if value.len() > limits::MAX_PARAM_VALUE_BYTES {
                return Err(ExecError::InvalidParam {
                    name: name.clone(),
                    reason: format!("value longer than {} bytes", limits::MAX_PARAM_VALUE_BYTES),
                });
            }
            if value.contains('\0')
                || (self.spec.class == crate::spec::Class::Stonith && value.contains('\n'))
            {
                return Err(ExecError::InvalidParam {
                    name: name.clone(),
                    reason: "value contains a NUL or (for fence agents) a newline".into(),
                });
            }
        }
        if let Some(timeout) = self.timeout {
            if timeout.is_zero() || timeout > limits::MAX_TIMEOUT {
                return Err(invalid(format!(
                    "timeout must be between 1ms and {}s",
                    limits::MAX_TIMEOUT.as_secs()
                )));
            }
        }
        if self.is_recurring() && self.interval < limits::MIN_INTERVAL {
            return Err(invalid(format!(
                "interval below {}ms",
                limits::MIN_INTERVAL.as_millis()
            )));
        }
        if let Some(target) = &self.target {
            if target.is_empty() || target.contains(['\n', '\0']) {
                return Err(invalid(
                    "fence target must be a non-empty single line".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Checks that a parameter name is letters, digits, `_`, `-` or `.`.
fn check_name(name: &str) -> Result<(), ExecError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ExecError::InvalidParam {
            name: name.to_string(),
            reason: "names are ASCII letters, digits, '_', '-' or '.' (at most 128)".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dummy() -> OpRequest {
        OpRequest::new(
            "r1",
            AgentSpec::parse("ocf:heartbeat:Dummy").expect("spec"),
            Action::Start,
        )
    }

    #[test]
    fn accepts_a_plain_request() {
        assert_eq!(
            dummy()
                .param("state", "/tmp/x")
                .meta("clone-max", "2")
                .check(),
            Ok(())
        );
    }

    #[test]
    fn rejects_bad_names_sizes_and_intervals() {
        assert!(matches!(
            dummy().param("a b", "x").check(),
            Err(ExecError::InvalidParam { .. })
        ));
        assert!(matches!(
            dummy().param("a=b", "x").check(),
            Err(ExecError::InvalidParam { .. })
        ));
        let huge = "x".repeat(limits::MAX_PARAM_VALUE_BYTES + 1);
        assert!(matches!(
            dummy().param("a", huge).check(),
            Err(ExecError::InvalidParam { .. })
        ));
        assert!(matches!(
            dummy().every(Duration::from_millis(1)).check(),
            Err(ExecError::InvalidRequest { .. })
        ));
        let mut empty = dummy();
        empty.resource.clear();
        assert!(matches!(
            empty.check(),
            Err(ExecError::InvalidRequest { .. })
        ));
    }
}

/// Clone instance facts an agent of a clone or promotable clone receives as meta attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloneMeta {
    /// This instance's number (`clone`).
    pub instance: u32,
    /// `clone-max`.
    pub clone_max: u32,
    /// `clone-node-max`.
    pub clone_node_max: u32,
    /// `promoted-max`, for promotable clones (also sent under the legacy `master-max`).
    pub promoted_max: Option<u32>,
    /// `promoted-node-max` (also sent under the legacy `master-node-max`).
    pub promoted_node_max: Option<u32>,
    /// Whether the clone asked for notifications.
    pub notify: bool,
    /// Whether instances are globally unique.
    pub globally_unique: bool,
}

impl CloneMeta {
    /// Adds the clone meta attributes to `request`.
    pub fn apply(&self, request: &mut OpRequest) {
        let meta = &mut request.meta;
        meta.insert("clone".into(), self.instance.to_string());
        meta.insert("clone_max".into(), self.clone_max.to_string());
        meta.insert("clone_node_max".into(), self.clone_node_max.to_string());
        meta.insert("notify".into(), self.notify.to_string());
        meta.insert("globally_unique".into(), self.globally_unique.to_string());
        if let Some(max) = self.promoted_max {
            meta.insert("promoted_max".into(), max.to_string());
            meta.insert("master_max".into(), max.to_string());
        }
        if let Some(max) = self.promoted_node_max {
            meta.insert("promoted_node_max".into(), max.to_string());
            meta.insert("master_node_max".into(), max.to_string());
        }
    }
}

/// The variables of one clone notification (`notify` action), lists space-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyMeta {
    /// `pre` or `post`.
    pub kind: String,
    /// The operation notified about: start, stop, promote, demote.
    pub operation: String,
    /// (instance, node) pairs per category: active, inactive, start, stop, promote, demote,
    /// promoted, unpromoted.
    pub lists: BTreeMap<String, Vec<(String, String)>>,
}

impl NotifyMeta {
    /// Adds `notify_type`, `notify_operation` and every `notify_<category>_resource` /
    /// `_uname` pair to `request` (promoted/unpromoted also under the legacy master/slave names).
    pub fn apply(&self, request: &mut OpRequest) {
        let meta = &mut request.meta;
        meta.insert("notify_type".into(), self.kind.clone());
        meta.insert("notify_operation".into(), self.operation.clone());
        for (category, entries) in &self.lists {
            let resources: Vec<&str> = entries.iter().map(|(r, _)| r.as_str()).collect();
            let unames: Vec<&str> = entries.iter().map(|(_, n)| n.as_str()).collect();
            let mut names = vec![category.as_str()];
            match category.as_str() {
                "promoted" => names.push("master"),
                "unpromoted" => names.push("slave"),
                _ => {}
            }
            for name in names {
                meta.insert(format!("notify_{name}_resource"), resources.join(" "));
                meta.insert(format!("notify_{name}_uname"), unames.join(" "));
            }
        }
    }
}

#[cfg(test)]
mod clone_tests {
    use super::*;

    #[test]
    fn clone_and_notify_meta_become_crm_meta_variables() {
        let spec = AgentSpec::parse("ocf:pacemaker:Stateful").expect("spec");
        let mut request = OpRequest::new("st:1", spec, Action::Notify);
        CloneMeta {
            instance: 1,
            clone_max: 3,
            clone_node_max: 1,
            promoted_max: Some(1),
            promoted_node_max: Some(1),
            notify: true,
            globally_unique: false,
        }
        .apply(&mut request);
        let mut lists = BTreeMap::new();
        lists.insert(
            "start".to_string(),
            vec![
                ("st:1".to_string(), "node2".to_string()),
                ("st:2".to_string(), "node3".to_string()),
            ],
        );
        lists.insert(
            "promoted".to_string(),
            vec![("st:0".to_string(), "node1".to_string())],
        );
        NotifyMeta {
            kind: "pre".into(),
            operation: "start".into(),
            lists,
        }
        .apply(&mut request);
        let get = |name: &str| request.meta.get(name).map(String::as_str);
        assert_eq!(get("clone"), Some("1"));
        assert_eq!(get("clone_max"), Some("3"));
        assert_eq!(get("promoted_max"), Some("1"));
        assert_eq!(get("master_max"), Some("1"));
        assert_eq!(get("notify_type"), Some("pre"));
        assert_eq!(get("notify_start_resource"), Some("st:1 st:2"));
        assert_eq!(get("notify_start_uname"), Some("node2 node3"));
        assert_eq!(get("notify_promoted_uname"), Some("node1"));
        assert_eq!(get("notify_master_resource"), Some("st:0"));
        assert_eq!(request.check(), Ok(()));
    }
}
