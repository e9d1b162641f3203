//! `tandem cibadmin`: query, replace, modify, create and delete CIB sections, as Pacemaker's cibadmin.

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
