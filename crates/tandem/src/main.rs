//! The Tandem command-line tool.
//!
//! `tandem TOOL ARGS...` runs one tool; the same binary invoked through a
//! symlink named like a Pacemaker/Corosync tool (`crm_simulate`, `crm_verify`,
//! ...) runs that tool directly, with its flags and output format.

mod agent;
mod atomic_file;
mod cfgtool;
mod cib_source;
mod cibadmin;
mod clock_text;
mod cluster;
mod cmapctl;
mod configure;
mod cpg;
mod crm_shadow;
mod crm_simulate;
mod crm_verify;
mod demo;
mod exit_code;
mod flag_walker;
mod keygen;
mod lifetime;
mod node;
mod property;
mod quorumtool;
mod resource;
mod status;
mod stonith_admin;
#[cfg(test)]
mod test_args;
mod tools;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    let invoked_as = args
        .first()
        .map(|arg0| {
            std::path::Path::new(arg0)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default();

    // Through a symlink named like a tool: the whole argument list is that tool's.
    let (tool_name, tool_args) = if let Some(tool) = tools::find(&invoked_as) {
        (tool.name, args.split_off(1))
    } else {
        match args.get(1).map(String::as_str) {
            None | Some("-h") | Some("--help") | Some("help") => {
                print!("{}", tools::usage());
                return ExitCode::SUCCESS;
            }
            Some("-V") | Some("--version") => {
                println!("tandem {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            Some(name) => match tools::find(name) {
                Some(tool) => (tool.name, args.split_off(2)),
                None => {
                    eprintln!("tandem: unknown command '{name}'\n\n{}", tools::usage());
                    return ExitCode::from(exit_code::USAGE);
                }
            },
        }
    };
    let tool = tools::find(tool_name).expect("tool found above");
    match (tool.run)(&tool_args) {
        Ok(code) => code,
        Err(error) => {
            if exit_code::is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("{}: {error:#}", tool.name);
            ExitCode::from(exit_code::code_of(&error).unwrap_or(exit_code::ERROR))
        }
    }
}
