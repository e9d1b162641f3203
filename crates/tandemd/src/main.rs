//! `tandemd`: the Tandem daemon. One per node; runs Totem, votequorum and the local client API.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use tandemd::cluster_setup;
use tandemd::daemon::Daemon;
use tandemd::event_loop::{self, Clock, MonotonicClock};
use tandemd::ipc::DEFAULT_SOCKET_PATH;
use tandemd::ipc_server::IpcServer;
use tandemd::local_addresses;
use tandemd::signals::Signals;
use tandemd::transport_network::TransportNetwork;

const USAGE: &str =
    "usage: tandemd -c CONFIG [--state-dir DIR] [--socket PATH] [--nodeid ID] [-v]...
  -c, --config PATH   corosync.conf to run (default /etc/corosync/corosync.conf)
  --state-dir DIR     where ringid_<nodeid> is kept (default /var/lib/tandem)
  --socket PATH       IPC socket (default /run/tandem/tandem.sock)
  --nodeid ID         local node id (default: the nodelist entry with a local address)
  -v                  more logging (-v debug, -vv trace); RUST_LOG overrides
";

/// Exit status for a fatal configuration error (as corosync).
const EXIT_CONFIG: u8 = 8;

struct Options {
    config: PathBuf,
    state_dir: PathBuf,
    socket: PathBuf,
    nodeid: Option<u32>,
    verbosity: u8,
}

fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        config: PathBuf::from("/etc/corosync/corosync.conf"),
        state_dir: PathBuf::from("/var/lib/tandem"),
        socket: PathBuf::from(DEFAULT_SOCKET_PATH),
        nodeid: None,
        verbosity: 0,
    };
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
            "-v" => options.verbosity += 1,
            "-vv" => options.verbosity += 2,
            "-f" => {}
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option '{other}'")),
        }
        index += 1;
    }
    Ok(Some(options))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprint!("tandemd: {message}\n{USAGE}");
            return ExitCode::from(64);
        }
    };
    let default_level = match options.verbosity {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    match run(&options) {
        Ok(code) => code,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("tandemd: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn run(options: &Options) -> anyhow::Result<ExitCode> {
    let parsed = match corosync_conf::load(&options.config) {
        Ok(parsed) => parsed,
        Err(error) => {
            eprintln!("tandemd: {error}");
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    };
    for warning in &parsed.warnings {
        tracing::warn!("{warning}");
    }
    let config = parsed.config;
    let file = options.config.display().to_string();
    let local = local_addresses::list().context("listing local interface addresses")?;
    let setup = match cluster_setup::resolve_setup(&config, &file, &local, options.nodeid) {
        Ok(setup) => setup,
        Err(error) => {
            eprintln!("tandemd: {error}");
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    };
    std::fs::create_dir_all(&options.state_dir)
        .with_context(|| format!("creating {}", options.state_dir.display()))?;
    let signals = Signals::install().context("installing the signal handlers")?;
    let clock = MonotonicClock::default();
    let local_ips: Vec<std::net::IpAddr> = local.iter().map(|l| l.address).collect();
    let transport_config =
        match transport::TransportConfig::from_config(&config, setup.nodeid, &local_ips) {
            Ok(transport_config) => transport_config,
            Err(error) => {
                eprintln!("tandemd: {file}: {error}");
                return Ok(ExitCode::from(EXIT_CONFIG));
            }
        };
    let authkey = if transport_config.secure {
        Some(transport::read_authkey(&transport_config.keyfile)?)
    } else {
        None
    };
    let rings = transport_config.rings.len();
    let transport =
        transport::Transport::new(transport_config, authkey.as_deref(), transport::epoch_now())
            .context("opening the transport")?;
    let mut network = TransportNetwork::new(transport);
    let mut ipc = IpcServer::bind(&options.socket)
        .with_context(|| format!("binding the IPC socket {}", options.socket.display()))?;
    tracing::info!(
        "tandemd starting: node {} ({} ring(s), transport {}), IPC at {}",
        setup.nodeid,
        rings,
        tandemd::network::Network::name(&network),
        options.socket.display()
    );
    let mut daemon = Daemon::new(setup, &config, options.state_dir.clone(), clock.now_ms())?;
    event_loop::run(&mut daemon, &mut network, &mut ipc, &signals, &clock)?;
    Ok(ExitCode::SUCCESS)
}
