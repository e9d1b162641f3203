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
