//! `tandem status` / `crm_mon`: the cluster's state in crm_mon's layout, once or live.

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
