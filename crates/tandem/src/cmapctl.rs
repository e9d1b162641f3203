//! `tandem cmapctl`: show runtime keys (members, effective totem config, counters), as corosync-cmapctl.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use messaging::ipc::{socket_path, Client, RuntimeStatus};

use crate::exit_code;

const USAGE: &str = "usage: tandem cmapctl [--socket PATH] [-g KEY | -m MAP] [PREFIX...]
  PREFIX   show only keys starting with one of the prefixes
  -g KEY   show one key (exit 1 if it does not exist)
  -m MAP   map to show: 'icmap' (default, runtime keys) or 'stats' (counters)
";

/// A cmap value with its type, printed as `key (type) = value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Unsigned 32-bit.
    U32(u64),
    /// Unsigned 64-bit.
    U64(u64),
    /// String.
    Str(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::U32(value) => write!(f, "(u32) = {value}"),
            Value::U64(value) => write!(f, "(u64) = {value}"),
            Value::Str(value) => write!(f, "(str) = {value}"),
        }
    }
}

/// Every runtime key of the icmap view, sorted by key.
pub fn runtime_keys(status: &RuntimeStatus) -> Vec<(String, Value)> {
    let mut keys = Vec::new();
    for (key, value) in &status.config {
        keys.push((format!("runtime.config.{key}"), Value::U32(*value)));
    }
    for member in &status.members {
        let prefix = format!("runtime.members.{}", member.nodeid);
        keys.push((format!("{prefix}.config_version"), Value::U64(0)));
        let ip: String = member
            .addresses
            .iter()
            .enumerate()
            .map(|(ring, address)| format!("r({ring}) ip({address}) "))
            .collect();
        keys.push((format!("{prefix}.ip"), Value::Str(ip)));
        keys.push((
            format!("{prefix}.join_count"),
            Value::U32(u64::from(member.join_count)),
        ));
        let word = if member.joined { "joined" } else { "left" };
        keys.push((format!("{prefix}.status"), Value::Str(word.to_string())));
    }
    keys.push((
        "runtime.totem.pg.mrp.srp.members".to_string(),
        Value::Str(
            status
                .ring_members
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ));
    keys.push((
        "runtime.votequorum.this_node_id".to_string(),
        Value::U32(u64::from(status.nodeid)),
    ));
    if !status.cluster_name.is_empty() {
        keys.push((
            "totem.cluster_name".to_string(),
            Value::Str(status.cluster_name.clone()),
        ));
    }
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys
}

/// Every counter of the stats map, sorted by key.
pub fn stats_keys(status: &RuntimeStatus) -> Vec<(String, Value)> {
    let mut keys: Vec<(String, Value)> = status
        .stats
        .iter()
        .map(|(key, value)| (format!("stats.{key}"), Value::U64(*value)))
        .collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut socket = None;
    let mut get = None;
    let mut stats = false;
    let mut prefixes = Vec::new();
    let mut index = 0;
    while index < args.len() {
        let arg = args[index].as_str();
        match arg {
            "-g" => {
                index += 1;
                get = Some(args.get(index).context("-g needs a key")?.clone());
            }
            "-m" => {
                index += 1;
                match args.get(index).map(String::as_str) {
                    Some("stats") => stats = true,
                    Some("icmap") => stats = false,
                    other => {
                        eprintln!("cmapctl: unknown map {other:?}; use icmap or stats");
                        return Ok(ExitCode::from(exit_code::USAGE));
                    }
                }
            }
            "--socket" => {
                index += 1;
                socket = Some(args.get(index).context("--socket needs a path")?.clone());
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => {
                if let Some(path) = other.strip_prefix("--socket=") {
                    socket = Some(path.to_string());
                } else if other.starts_with('-') {
                    eprint!("cmapctl: unknown option '{other}'\n{USAGE}");
                    return Ok(ExitCode::from(exit_code::USAGE));
                } else {
                    prefixes.push(other.to_string());
                }
            }
        }
        index += 1;
    }
    let mut client = Client::connect(&socket_path(socket.as_deref()))?;
    let status = client.status()?;
    let keys = if stats {
        stats_keys(&status)
    } else {
        runtime_keys(&status)
    };
    let mut out = std::io::stdout().lock();
    if let Some(wanted) = get {
        return match keys.iter().find(|(key, _)| *key == wanted) {
            Some((key, value)) => {
                writeln!(out, "{key} {value}")?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                eprintln!("Can't get key {wanted}. Error CS_ERR_NOT_EXIST");
                Ok(ExitCode::from(exit_code::ERROR))
            }
        };
    }
    for (key, value) in keys {
        if prefixes.is_empty() || prefixes.iter().any(|p| key.starts_with(p.as_str())) {
            writeln!(out, "{key} {value}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use messaging::ipc::{MemberStatus, RingId};

    #[test]
    fn member_keys_match_corosync_format() {
        let status = RuntimeStatus {
            nodeid: 1,
            cluster_name: String::new(),
            transport: "udpu".to_string(),
            ring_id: RingId { rep: 1, seq: 5 },
            ring_members: vec![1],
            rings: Vec::new(),
            members: vec![MemberStatus {
                nodeid: 1,
                addresses: vec!["10.99.0.1".to_string()],
                join_count: 1,
                joined: true,
            }],
            config: vec![("totem.token".to_string(), 3650)],
            stats: Vec::new(),
        };
        let lines: Vec<String> = runtime_keys(&status)
            .into_iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        for expected in [
            "runtime.config.totem.token (u32) = 3650",
            "runtime.members.1.config_version (u64) = 0",
            "runtime.members.1.ip (str) = r(0) ip(10.99.0.1) ",
            "runtime.members.1.join_count (u32) = 1",
            "runtime.members.1.status (str) = joined",
        ] {
            assert!(lines.iter().any(|l| l == expected), "missing {expected:?}");
        }
    }
}
