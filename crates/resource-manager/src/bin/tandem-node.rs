//! `tandem-node`: tandemd and the resource manager in one process (used by tests and the demo).

use std::path::PathBuf;
use std::process::ExitCode;

use resource_manager::node::{run_node, NodeOptions};

const USAGE: &str = "usage: tandem-node -c CONFIG --state-dir DIR --socket PATH [--crm-socket PATH] [--nodeid ID] [--no-crm] [-v]
  -c, --config PATH   corosync.conf
  --state-dir DIR     ring ids, CIB replica, pe-inputs, agents' HA_RSCTMP
  --socket PATH       tandemd IPC socket
  --crm-socket PATH   admin socket for the tandem tools (default: crm.sock beside --socket)
  --nodeid ID         local node id
  --no-crm            messaging and quorum only
";

fn parse(args: &[String]) -> Result<Option<(NodeOptions, u8)>, String> {
    let mut config = None;
    let mut state_dir = None;
    let mut socket: Option<PathBuf> = None;
    let mut admin = None;
    let mut nodeid = None;
    let mut no_crm = false;
    let mut verbose = 0u8;
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let mut value = || -> Result<String, String> {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag {
            "-c" | "--config" => config = Some(PathBuf::from(value()?)),
            "--state-dir" => state_dir = Some(PathBuf::from(value()?)),
            "--socket" => socket = Some(PathBuf::from(value()?)),
            "--crm-socket" => admin = Some(PathBuf::from(value()?)),
            "--nodeid" => {
                let v = value()?;
                nodeid = Some(
                    v.parse::<u32>()
                        .map_err(|_| format!("--nodeid: '{v}' is not a node id"))?,
                );
            }
            "--no-crm" => no_crm = true,
            "-v" => verbose += 1,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option '{other}'")),
        }
        i += 1;
    }
    let socket = socket.ok_or("--socket is required")?;
    let admin = admin.unwrap_or_else(|| socket.with_file_name("crm.sock"));
    Ok(Some((
        NodeOptions {
            config: config.ok_or("-c CONFIG is required")?,
            state_dir: state_dir.ok_or("--state-dir is required")?,
            socket,
            admin_socket: admin,
            nodeid,
            no_crm,
        },
        verbose,
    )))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (opts, verbose) = match parse(&args) {
        Ok(Some(p)) => p,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("tandem-node: {e}\n{USAGE}");
            return ExitCode::from(64);
        }
    };
    let level = ["info", "debug", "trace"][usize::from(verbose.min(2))];
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    match run_node(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandem-node: {e}");
            ExitCode::from(1)
        }
    }
}
