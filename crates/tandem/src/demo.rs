//! `tandem demo`: start a local 3-node cluster, configure services, kill a node, show the failover, clean up.

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
