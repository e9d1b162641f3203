//! `tandem node` / `crm_node`: node standby/online, maintenance, attributes, listing.

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
