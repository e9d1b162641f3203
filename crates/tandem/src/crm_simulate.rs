//! `tandem crm_simulate`: run the scheduler on a CIB and simulate the transition, as Pacemaker's crm_simulate.

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
