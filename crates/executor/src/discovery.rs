//! Listing the agents installed on this host.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::error::ExecError;
use crate::limits;
use crate::paths::AgentPaths;
use crate::spec::{AgentSpec, Class};

/// Executable regular files in `dir` whose name passes `keep`, sorted.
fn executables(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<String>, ExecError> {
    let entries = std::fs::read_dir(dir).map_err(|error| ExecError::List {
        path: dir.to_path_buf(),
        reason: error.to_string(),
    })?;
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if name.starts_with('.') || !keep(&name) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
            names.push(name);
            if names.len() >= limits::MAX_LISTED_AGENTS {
                break;
            }
        }
    }
    names.sort();
    Ok(names)
}

/// OCF providers (directories under `<OCF_ROOT>/resource.d`), sorted.
pub fn ocf_providers(paths: &AgentPaths) -> Result<Vec<String>, ExecError> {
    let dir = paths.ocf_providers_dir();
    let entries = std::fs::read_dir(&dir).map_err(|error| ExecError::List {
        path: dir.clone(),
        reason: error.to_string(),
    })?;
    let mut providers: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
        .filter(|name| !name.starts_with('.'))
        .collect();
    providers.sort();
    Ok(providers)
}

/// systemd service units known to systemctl.
fn systemd_units(paths: &AgentPaths) -> Result<Vec<String>, ExecError> {
    if !paths.systemd_running() {
        return Err(ExecError::SystemdNotRunning);
    }
    let output = std::process::Command::new(&paths.systemctl)
        .args([
            "list-unit-files",
            "--type=service",
            "--no-legend",
            "--no-pager",
        ])
        .output()
        .map_err(|error| ExecError::List {
            path: paths.systemctl.clone(),
            reason: error.to_string(),
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut units: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter_map(|unit| unit.strip_suffix(".service"))
        .filter(|unit| !unit.ends_with('@'))
        .map(str::to_string)
        .take(limits::MAX_LISTED_AGENTS)
        .collect();
    units.sort();
    Ok(units)
}

/// Agents of `class` (and `provider`, for OCF), as specs.
pub fn list_agents(
    paths: &AgentPaths,
    class: Class,
    provider: Option<&str>,
) -> Result<Vec<AgentSpec>, ExecError> {
    let plain = |kind: String| AgentSpec {
        class,
        provider: None,
        kind,
    };
    match class {
        Class::Ocf => {
            let providers = match provider {
                Some(provider) => vec![provider.to_string()],
                None => ocf_providers(paths)?,
            };
            let mut specs = Vec::new();
            for provider in providers {
                let dir = paths.ocf_providers_dir().join(&provider);
                for kind in executables(&dir, |_| true)? {
                    specs.push(AgentSpec {
                        class,
                        provider: Some(provider.clone()),
                        kind,
                    });
                }
            }
            Ok(specs)
        }
        Class::Lsb => Ok(executables(&paths.lsb_dir, |name| {
            !matches!(name, "README" | "skeleton" | "rc" | "rcS")
        })?
        .into_iter()
        .map(plain)
        .collect()),
        Class::Stonith => Ok(
            executables(&paths.fence_dir, |name| name.starts_with("fence_"))?
                .into_iter()
                .map(plain)
                .collect(),
        ),
        Class::Systemd => Ok(systemd_units(paths)?.into_iter().map(plain).collect()),
        Class::Service => {
            let names = if paths.systemd_running() {
                systemd_units(paths)?
            } else {
                executables(&paths.lsb_dir, |name| name != "README")?
            };
            Ok(names.into_iter().map(plain).collect())
        }
    }
}
