//! Agent specs (`class:provider:type`) and the actions an agent can be asked for.

use std::fmt;

use crate::error::ExecError;

/// The standard an agent follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Open Cluster Framework resource agent (`ocf:provider:type`).
    Ocf,
    /// LSB init script in /etc/init.d (`lsb:script`).
    Lsb,
    /// systemd unit (`systemd:unit`).
    Systemd,
    /// systemd when it runs, LSB otherwise (`service:name`).
    Service,
    /// Fence agent (`stonith:fence_xxx`).
    Stonith,
}

impl Class {
    /// Every class, in listing order.
    pub const ALL: [Class; 5] = [
        Class::Ocf,
        Class::Lsb,
        Class::Service,
        Class::Systemd,
        Class::Stonith,
    ];

    /// The class name as written in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Ocf => "ocf",
            Class::Lsb => "lsb",
            Class::Systemd => "systemd",
            Class::Service => "service",
            Class::Stonith => "stonith",
        }
    }

    /// The class named `name`, if any.
    pub fn parse(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|class| class.as_str() == name)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which agent to run: class, provider (OCF only) and type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgentSpec {
    /// The agent's standard.
    pub class: Class,
    /// OCF provider (`heartbeat`, `pacemaker`, ...); `None` for other classes.
    pub provider: Option<String>,
    /// Agent name: OCF type, script, unit or fence agent.
    pub kind: String,
}

/// True when `name` is safe as one path component (no separators, not `.`/`..`).
fn is_component(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= 255
        && !name.contains('/')
        && !name.contains('\0')
        && !name.chars().any(char::is_whitespace)
}

impl AgentSpec {
    /// Parses `ocf:provider:type`, `lsb:name`, `systemd:unit`, `service:name` or `stonith:agent`.
    pub fn parse(text: &str) -> Result<AgentSpec, ExecError> {
        let invalid = |reason: &str| ExecError::InvalidSpec {
            spec: text.to_string(),
            reason: reason.to_string(),
        };
        let mut parts = text.splitn(3, ':');
        let class_name = parts.next().unwrap_or_default();
        let class = Class::parse(class_name)
            .ok_or_else(|| invalid("class must be one of ocf, lsb, systemd, service, stonith"))?;
        let second = parts.next();
        let third = parts.next();
        let (provider, kind) = match (class, second, third) {
            (Class::Ocf, Some(provider), Some(kind)) => (Some(provider.to_string()), kind),
            (Class::Ocf, _, _) => return Err(invalid("OCF agents are written ocf:PROVIDER:TYPE")),
            (_, Some(kind), None) => (None, kind),
            (_, Some(_), Some(_)) => {
                return Err(invalid("only OCF agents have a provider"));
            }
            (_, None, _) => return Err(invalid("missing agent name after the class")),
        };
        if let Some(provider) = &provider {
            if !is_component(provider) {
                return Err(invalid("provider must be a plain name"));
            }
        }
        // systemd unit names may carry '@' and '.', but never a path.
        if !is_component(kind) {
            return Err(invalid("agent name must be a plain name"));
        }
        Ok(AgentSpec {
            class,
            provider,
            kind: kind.to_string(),
        })
    }

    /// An `ocf:provider:type` spec.
    pub fn ocf(provider: &str, kind: &str) -> Result<AgentSpec, ExecError> {
        AgentSpec::parse(&format!("ocf:{provider}:{kind}"))
    }
}

impl fmt::Display for AgentSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.provider {
            Some(provider) => write!(f, "{}:{}:{}", self.class, provider, self.kind),
            None => write!(f, "{}:{}", self.class, self.kind),
        }
    }
}

/// An action an agent is asked to perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Start the resource.
    Start,
    /// Stop the resource.
    Stop,
    /// Check the resource's state (`status` for LSB scripts).
    Monitor,
    /// Promote a promotable clone instance.
    Promote,
    /// Demote a promotable clone instance.
    Demote,
    /// Reload the resource's configuration.
    Reload,
    /// Reload the agent's own parameters (OCF 1.1).
    ReloadAgent,
    /// Migrate the resource away (source side).
    MigrateTo,
    /// Migrate the resource in (target side).
    MigrateFrom,
    /// Clone notification.
    Notify,
    /// Check the parameters without touching the resource.
    ValidateAll,
    /// Print the agent's meta-data XML.
    MetaData,
    /// Legacy status action (OCF agents that still offer it; fence device status).
    Status,
    /// Fence: power the target off.
    Off,
    /// Fence: power the target on.
    On,
    /// Fence: reboot the target.
    Reboot,
    /// Fence: list the targets the device can fence.
    List,
}

impl Action {
    /// Every action, in the order they are documented.
    pub const ALL: [Action; 17] = [
        Action::Start,
        Action::Stop,
        Action::Monitor,
        Action::Promote,
        Action::Demote,
        Action::Reload,
        Action::ReloadAgent,
        Action::MigrateTo,
        Action::MigrateFrom,
        Action::Notify,
        Action::ValidateAll,
        Action::MetaData,
        Action::Status,
        Action::Off,
        Action::On,
        Action::Reboot,
        Action::List,
    ];

    /// The action name as agents receive it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Monitor => "monitor",
            Action::Promote => "promote",
            Action::Demote => "demote",
            Action::Reload => "reload",
            Action::ReloadAgent => "reload-agent",
            Action::MigrateTo => "migrate_to",
            Action::MigrateFrom => "migrate_from",
            Action::Notify => "notify",
            Action::ValidateAll => "validate-all",
            Action::MetaData => "meta-data",
            Action::Status => "status",
            Action::Off => "off",
            Action::On => "on",
            Action::Reboot => "reboot",
            Action::List => "list",
        }
    }

    /// Parses an action name (`metadata` is accepted for `meta-data`).
    pub fn parse(name: &str) -> Result<Action, ExecError> {
        if name == "metadata" {
            return Ok(Action::MetaData);
        }
        Action::ALL
            .into_iter()
            .find(|action| action.as_str() == name)
            .ok_or_else(|| ExecError::UnknownAction(name.to_string()))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_class() {
        let spec = AgentSpec::parse("ocf:heartbeat:IPaddr2").expect("valid");
        assert_eq!(spec.class, Class::Ocf);
        assert_eq!(spec.provider.as_deref(), Some("heartbeat"));
        assert_eq!(spec.kind, "IPaddr2");
        assert_eq!(spec.to_string(), "ocf:heartbeat:IPaddr2");
        let spec = AgentSpec::parse("stonith:fence_dummy").expect("valid");
        assert_eq!(
            (spec.class, spec.provider, spec.kind.as_str()),
            (Class::Stonith, None, "fence_dummy")
        );
        assert_eq!(
            AgentSpec::parse("systemd:getty@tty1.service")
                .expect("valid")
                .kind,
            "getty@tty1.service"
        );
    }

    #[test]
    fn rejects_malformed_specs() {
        for bad in [
            "",
            "ocf",
            "ocf:heartbeat",
            "lsb",
            "lsb:a:b",
            "nfs:x",
            "ocf:../x:y",
            "lsb:../../bin/sh",
            "ocf:p:a/b",
        ] {
            let err = AgentSpec::parse(bad).expect_err(bad);
            assert!(matches!(err, ExecError::InvalidSpec { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn action_names_round_trip() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Ok(action));
        }
        assert_eq!(Action::parse("metadata"), Ok(Action::MetaData));
        assert_eq!(
            Action::parse("explode"),
            Err(ExecError::UnknownAction("explode".into()))
        );
    }
}
