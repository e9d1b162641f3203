//! `tandem resource` / `crm_resource`: move, ban, clear, cleanup, restart, enable and disable resources.

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
