//! `tandem configure`: read and change the configuration in crm shell syntax (show, load, edit, commit).

use std::process::ExitCode;

/// Runs the tool on its arguments.
pub fn run(_args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
