//! One whole node in one process: tandemd's event loop plus the resource manager in a thread
//! (what `tandemd` does once it starts the resource manager itself).

use std::collections::BTreeMap;
use std::path::PathBuf;

use tandemd::cluster_setup;
use tandemd::daemon::Daemon;
use tandemd::event_loop::{self, Clock, MonotonicClock};
use tandemd::ipc_server::IpcServer;
use tandemd::local_addresses;
use tandemd::signals::Signals;
use tandemd::transport_network::TransportNetwork;

use crate::error::RmError;
use crate::manager::{self, RmOptions};

/// How to run a node.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// corosync.conf.
    pub config: PathBuf,
    /// State directory (ring ids, CIB, pe-inputs).
    pub state_dir: PathBuf,
    /// tandemd's IPC socket.
    pub socket: PathBuf,
    /// The admin socket of the resource manager.
    pub admin_socket: PathBuf,
    /// Local node id, when the nodelist cannot tell it from local addresses.
    pub nodeid: Option<u32>,
    /// Run without the resource manager (messaging and quorum only).
    pub no_crm: bool,
}

/// Node names by id from a corosync.conf nodelist.
pub fn nodelist_names(config: &corosync_conf::Config) -> BTreeMap<u32, String> {
    config
        .nodelist
        .iter()
        .filter_map(|n| Some((n.nodeid?, n.name.clone()?)))
        .collect()
}

/// Runs the node until SIGTERM/SIGINT (or `cfgtool -H`).
pub fn run_node(opts: &NodeOptions) -> Result<(), RmError> {
    let cfg_err = |m: String| RmError::Config(m);
    let parsed = corosync_conf::load(&opts.config).map_err(|e| cfg_err(e.to_string()))?;
    for w in &parsed.warnings {
        tracing::warn!("{w}");
    }
    let config = parsed.config;
    let file = opts.config.display().to_string();
    let local = local_addresses::list().map_err(|e| cfg_err(format!("listing addresses: {e}")))?;
    let setup = cluster_setup::resolve_setup(&config, &file, &local, opts.nodeid)
        .map_err(|e| cfg_err(e.to_string()))?;
    std::fs::create_dir_all(&opts.state_dir).map_err(|source| RmError::Io {
        what: "creating",
        path: opts.state_dir.clone(),
        source,
    })?;
    let signals = Signals::install().map_err(|e| cfg_err(format!("signal handlers: {e}")))?;
    let clock = MonotonicClock::default();
    let local_ips: Vec<std::net::IpAddr> = local.iter().map(|l| l.address).collect();
    let tcfg = transport::TransportConfig::from_config(&config, setup.nodeid, &local_ips)
        .map_err(|e| cfg_err(format!("{file}: {e}")))?;
    let authkey = if tcfg.secure {
        Some(transport::read_authkey(&tcfg.keyfile).map_err(|e| cfg_err(e.to_string()))?)
    } else {
        None
    };
    let transport = transport::Transport::new(tcfg, authkey.as_deref(), transport::epoch_now())
        .map_err(|e| cfg_err(format!("opening the transport: {e}")))?;
    let mut network = TransportNetwork::new(transport);
    let mut ipc = IpcServer::bind(&opts.socket).map_err(|source| RmError::Io {
        what: "binding",
        path: opts.socket.clone(),
        source,
    })?;
    let names = nodelist_names(&config);
    let mut daemon = Daemon::new(setup, &config, opts.state_dir.clone(), clock.now_ms())
        .map_err(|e| cfg_err(e.to_string()))?;
    if !opts.no_crm {
        let rm = RmOptions {
            ipc_socket: opts.socket.clone(),
            admin_socket: opts.admin_socket.clone(),
            state_dir: opts.state_dir.join("cib"),
            names,
            group: manager::DEFAULT_GROUP.to_string(),
            rsctmp: Some(opts.state_dir.join("rsctmp")),
        };
        std::thread::Builder::new()
            .name("resource-manager".into())
            .spawn(move || {
                if let Err(e) = manager::run(rm) {
                    tracing::error!("resource manager: {e}");
                }
            })
            .map_err(|e| cfg_err(format!("spawning the resource manager: {e}")))?;
    }
    event_loop::run(&mut daemon, &mut network, &mut ipc, &signals, &clock)
        .map_err(|e| cfg_err(format!("event loop: {e}")))?;
    Ok(())
}
