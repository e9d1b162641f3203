//! `tandem cfgtool`: show the local node id and each ring's status, as corosync-cfgtool.

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
