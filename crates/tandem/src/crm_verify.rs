//! `tandem crm_verify`: check a CIB's configuration for errors, as Pacemaker's crm_verify.

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
