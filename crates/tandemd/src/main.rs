//! `tandemd`: the Tandem daemon. One per node; runs Totem, votequorum, the local client API and
//! the resource manager (CIB replica, controller, executor).

use std::path::PathBuf;
use std::process::ExitCode;

use messaging::ipc::DEFAULT_SOCKET_PATH;
use tandemd::{run_node, NodeError, NodeOptions};

const USAGE: &str =
    "usage: tandemd [-c CONFIG] [--state-dir DIR] [--socket PATH] [--crm-socket PATH]
               [--nodeid ID] [--no-crm] [-f] [-v]...
  -c, --config PATH   corosync.conf to run (default /etc/corosync/corosync.conf)
  --state-dir DIR     ring ids, the CIB replica (DIR/cib), pe-inputs
                      (default /var/lib/tandem)
  --socket PATH       messaging IPC socket: CPG, quorum, cmap (default /run/tandem/tandem.sock);
                      the agents' HA_RSCTMP is rsctmp/ beside it
  --crm-socket PATH   admin socket of the resource manager, used by `tandem status`, `cibadmin`,
                      ... (default: crm.sock beside --socket)
  --nodeid ID         local node id (default: the nodelist entry with a local address)
  --no-crm            messaging and quorum only, as corosync alone
  -f                  stay in the foreground (always; accepted for corosync compatibility)
  -v                  more logging (-v debug, -vv trace); RUST_LOG overrides
";

/// Exit status for a fatal configuration error (as corosync).
const EXIT_CONFIG: u8 = 8;
/// Exit status for a command-line usage error (sysexits EX_USAGE).
const EXIT_USAGE: u8 = 64;

fn parse_args(args: &[String]) -> Result<Option<(NodeOptions, u8)>, String> {
    let mut options = NodeOptions {
        config: PathBuf::from("/etc/corosync/corosync.conf"),
        state_dir: PathBuf::from("/var/lib/tandem"),
        socket: PathBuf::from(DEFAULT_SOCKET_PATH),
        admin_socket: PathBuf::new(),
        nodeid: None,
        no_crm: false,
    };
    let mut admin_socket = None;
    let mut verbosity = 0u8;
    let mut index = 0;
    while index < args.len() {
        let arg = args[index].as_str();
        let mut value = |name: &str| -> Result<String, String> {
            index += 1;
            args.get(index)
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg {
            "-c" | "--config" => options.config = value(arg)?.into(),
            "--state-dir" => options.state_dir = value(arg)?.into(),
            "--socket" => options.socket = value(arg)?.into(),
            "--crm-socket" => admin_socket = Some(PathBuf::from(value(arg)?)),
            "--nodeid" => {
                let text = value(arg)?;
                let id: u32 = text
                    .parse()
                    .map_err(|_| format!("--nodeid: '{text}' is not a node id"))?;
                if id == 0 {
                    return Err("--nodeid: 0 is reserved".to_string());
                }
                options.nodeid = Some(id);
            }
            "--no-crm" => options.no_crm = true,
            "-v" => verbosity = verbosity.saturating_add(1),
            "-vv" => verbosity = verbosity.saturating_add(2),
            "-f" => {}
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option '{other}'")),
        }
        index += 1;
    }
    options.admin_socket =
        admin_socket.unwrap_or_else(|| options.socket.with_file_name("crm.sock"));
    Ok(Some((options, verbosity)))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (options, verbosity) = match parse_args(&args) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprint!("tandemd: {message}\n{USAGE}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // corosync.conf's `logging {}` (a file that does not load is reported by run_node
    // below); `tandem cfgtool -R` applies later changes to it.
    let logging = corosync_conf::load(&options.config)
        .map(|parsed| parsed.config.logging)
        .unwrap_or_default();
    tandemd::logging::init(verbosity, &logging);
    match run_node(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(NodeError::Config(message)) => {
            eprintln!("tandemd: {message}");
            ExitCode::from(EXIT_CONFIG)
        }
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("tandemd: {error}");
            ExitCode::from(1)
        }
    }
}
