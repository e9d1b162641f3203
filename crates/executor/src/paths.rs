//! Where agents live and the environment they run in.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::limits;

/// Locations of agents and the base process environment; defaults match Debian's packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentPaths {
    /// OCF root (`OCF_ROOT`); agents are in `<root>/resource.d/<provider>/<type>`.
    pub ocf_root: PathBuf,
    /// Directory of LSB init scripts.
    pub lsb_dir: PathBuf,
    /// Directory of fence agents (`fence_*`).
    pub fence_dir: PathBuf,
    /// Directory whose existence tells that systemd is the running init.
    pub systemd_marker: PathBuf,
    /// The `systemctl` program, used only to list units (operations go over D-Bus).
    pub systemctl: PathBuf,
    /// `PATH` given to agents.
    pub path_env: String,
    /// Working directory of agents.
    pub cwd: PathBuf,
    /// Extra environment given to every agent (e.g. `HA_logfacility` from the daemon's settings).
    pub extra_env: Vec<(String, String)>,
    /// Time between SIGTERM and SIGKILL after a timeout.
    pub kill_grace: Duration,
    /// Bytes of stdout kept per operation.
    pub max_stdout: usize,
    /// Bytes of stderr kept per operation.
    pub max_stderr: usize,
}

impl Default for AgentPaths {
    fn default() -> AgentPaths {
        AgentPaths {
            ocf_root: PathBuf::from("/usr/lib/ocf"),
            lsb_dir: PathBuf::from("/etc/init.d"),
            fence_dir: PathBuf::from("/usr/sbin"),
            systemd_marker: PathBuf::from("/run/systemd/system"),
            systemctl: PathBuf::from("/usr/bin/systemctl"),
            path_env: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            cwd: PathBuf::from("/"),
            extra_env: Vec::new(),
            kill_grace: limits::DEFAULT_KILL_GRACE,
            max_stdout: limits::MAX_STDOUT_BYTES,
            max_stderr: limits::MAX_STDERR_BYTES,
        }
    }
}

impl AgentPaths {
    /// Defaults, with `OCF_ROOT` from the environment when set, and the fence agents'
    /// directory from `TANDEM_FENCE_DIR` (tests use it for agents of their own).
    pub fn from_env() -> AgentPaths {
        let mut paths = AgentPaths::default();
        if let Some(root) = std::env::var_os("OCF_ROOT").filter(|root| !root.is_empty()) {
            paths.ocf_root = PathBuf::from(root);
        }
        if let Some(dir) = std::env::var_os("TANDEM_FENCE_DIR").filter(|dir| !dir.is_empty()) {
            paths.fence_dir = PathBuf::from(dir);
        }
        paths
    }

    /// Directory of OCF providers.
    pub fn ocf_providers_dir(&self) -> PathBuf {
        self.ocf_root.join("resource.d")
    }

    /// Path of an OCF agent.
    pub fn ocf_agent(&self, provider: &str, kind: &str) -> PathBuf {
        self.ocf_providers_dir().join(provider).join(kind)
    }

    /// True when systemd is the running init system.
    pub fn systemd_running(&self) -> bool {
        Path::new(&self.systemd_marker).is_dir()
    }
}
