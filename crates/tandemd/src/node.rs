//! One whole node in one process: the messaging event loop (Totem, transport, votequorum, CPG,
//! IPC) plus the resource manager in a thread.

use std::collections::BTreeMap;
use std::path::PathBuf;

use messaging::cluster_setup;
use messaging::daemon::Daemon;
use messaging::event_loop::{self, Clock, MonotonicClock};
use messaging::ipc_server::IpcServer;
use messaging::local_addresses;
use messaging::signals::Signals;
use messaging::transport_network::TransportNetwork;
use resource_manager::manager::{self, RmOptions};

/// How to run a node.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// corosync.conf.
    pub config: PathBuf,
    /// State directory (ring ids, CIB replica under `cib/`, pe-inputs).
    pub state_dir: PathBuf,
    /// The messaging IPC socket (CPG, quorum, cmap, cfg).
    pub socket: PathBuf,
    /// The admin socket of the resource manager (what `tandem status`, `cibadmin`... use).
    pub admin_socket: PathBuf,
    /// Local node id, when the nodelist cannot tell it from local addresses.
    pub nodeid: Option<u32>,
    /// Run without the resource manager (messaging and quorum only, as corosync alone).
    pub no_crm: bool,
}

/// Why a node could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// corosync.conf or the node's place in it is unusable (corosync exits 8 for these).
    #[error("{0}")]
    Config(String),
    /// Something in the environment failed (sockets, files, threads, the event loop).
    #[error("{0}")]
    Runtime(String),
}

/// The agents' `HA_RSCTMP`: `rsctmp` beside the IPC socket, i.e. under the runtime directory
/// (`/run/tandem/rsctmp` by default), which a reboot empties, as Pacemaker's `/run/resource-agents`:
/// agents such as Dummy keep "I am running" files there, which must not outlive the machine's
/// processes.
fn agents_tmp_dir(opts: &NodeOptions) -> PathBuf {
    match opts.socket.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("rsctmp"),
        _ => opts.state_dir.join("rsctmp"),
    }
}

/// Node names by id from a corosync.conf nodelist.
pub fn nodelist_names(config: &corosync_conf::Config) -> BTreeMap<u32, String> {
    config
        .nodelist
        .iter()
        .filter_map(|n| Some((n.nodeid?, n.name.clone()?)))
        .collect()
}

/// Time allowed for a cut-off node to stop its resources once it took itself for cut off,
/// in ms (the e2e partition test's group of IPaddr2 + 2 Dummy stops in 120 ms at load
/// average 13; slower agents need `unfenced-recovery-delay` set higher).
pub const ISOLATED_STOP_BUDGET_MS: u64 = 300;

/// How long tandemd waits, once its event loop ended, for the resource manager's thread to
/// finish (its last CIB write, the executor's shutdown) before exiting anyway.
pub const RM_EXIT_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a node cut off from the others may take to stop its resources, counted from the
/// moment the quorate side's ring broke (its DC's token loss), in ms: the default of
/// `unfenced-recovery-delay`. Both sides lose the token at about the same time: a cut-off
/// node's last token receipt is at most one hop per other node after the DC's in the common
/// case ([`TOKEN_HOP_SKEW_MS`] each, the longest a node holds a token back for a slow local
/// reader); it takes itself for cut off when it heard no JOIN from a quorate set of nodes
/// within `messaging::daemon::cut_off_after_ms` (two join intervals), the resource manager
/// hears that verdict as a ring event at once (the term counted for it is still
/// `RING_POLL_IN_DOUBT`, the poll it falls back to before the first event), and the stop gets
/// [`ISOLATED_STOP_BUDGET_MS`]. The token timeout does not enter: both sides count it alike.
/// Not covered: a cut falling while the token crosses it just after the representative's
/// idle hold (a window of a hop or two per hold; the cut-off node's token timer then starts
/// up to `hold` later), or just after a lost token was retransmitted.
pub fn recovery_delay_ms(config: &corosync_conf::Config) -> u64 {
    let others = u64::try_from(config.nodelist.len().saturating_sub(1).max(1)).unwrap_or(1);
    let skew = others * TOKEN_HOP_SKEW_MS;
    let cut_off = messaging::daemon::cut_off_after_ms(u64::from(config.timers().join));
    let poll =
        u64::try_from(resource_manager::limits::RING_POLL_IN_DOUBT.as_millis()).unwrap_or(u64::MAX);
    skew + cut_off + poll + ISOLATED_STOP_BUDGET_MS
}

/// Token-loss skew allowed per hop between the quorate side and a cut-off node, in ms
/// (see [`recovery_delay_ms`]).
pub const TOKEN_HOP_SKEW_MS: u64 = messaging::limits::TOKEN_DEFER_MS_MAX;

/// Runs the node until SIGTERM/SIGINT (or `cfgtool -H`).
pub fn run_node(opts: &NodeOptions) -> Result<(), NodeError> {
    let config_error = NodeError::Config;
    let runtime = NodeError::Runtime;
    let parsed = corosync_conf::load(&opts.config).map_err(|e| config_error(e.to_string()))?;
    for w in &parsed.warnings {
        tracing::warn!("{w}");
    }
    let config = parsed.config;
    let file = opts.config.display().to_string();
    let local =
        local_addresses::list().map_err(|e| runtime(format!("listing local addresses: {e}")))?;
    let setup = cluster_setup::resolve_setup(&config, &file, &local, opts.nodeid)
        .map_err(|e| config_error(e.to_string()))?;
    std::fs::create_dir_all(&opts.state_dir)
        .map_err(|e| runtime(format!("creating {}: {e}", opts.state_dir.display())))?;
    let signals = Signals::install().map_err(|e| runtime(format!("signal handlers: {e}")))?;
    let clock = MonotonicClock::default();
    let local_ips: Vec<std::net::IpAddr> = local.iter().map(|l| l.address).collect();
    let tcfg = transport::TransportConfig::from_config(&config, setup.nodeid, &local_ips)
        .map_err(|e| config_error(format!("{file}: {e}")))?;
    let authkey = if tcfg.secure {
        Some(transport::read_authkey(&tcfg.keyfile).map_err(|e| config_error(e.to_string()))?)
    } else {
        None
    };
    let rings = tcfg.rings.len();
    let transport = transport::Transport::new(tcfg, authkey.as_deref(), transport::epoch_now())
        .map_err(|e| runtime(format!("opening the transport: {e}")))?;
    let mut network = TransportNetwork::new(transport);
    let mut ipc = IpcServer::bind(&opts.socket).map_err(|e| {
        runtime(format!(
            "binding the IPC socket {}: {e}",
            opts.socket.display()
        ))
    })?;
    tracing::info!(
        "tandemd starting: node {} ({} ring(s), transport {}), IPC at {}{}",
        setup.nodeid,
        rings,
        messaging::network::Network::name(&network),
        opts.socket.display(),
        if opts.no_crm {
            String::from(", no resource manager")
        } else {
            format!(", admin socket {}", opts.admin_socket.display())
        }
    );
    let names = nodelist_names(&config);
    let mut rm_thread = None;
    let mut daemon = Daemon::new(setup, &config, opts.state_dir.clone(), clock.now_ms())
        .map_err(|e| config_error(e.to_string()))?;
    daemon.config_path = Some(opts.config.clone());
    daemon.log_hook = Some(crate::logging::reload_hook());
    if !opts.no_crm {
        let rm = RmOptions {
            ipc_socket: opts.socket.clone(),
            admin_socket: opts.admin_socket.clone(),
            state_dir: opts.state_dir.join("cib"),
            names,
            group: manager::DEFAULT_GROUP.to_string(),
            rsctmp: Some(agents_tmp_dir(opts)),
            recovery_delay_ms: Some(recovery_delay_ms(&config)),
        };
        let handle = manager::ShutdownHandle::new();
        let on_term = handle.clone();
        daemon.terminate_hook = Some(Box::new(move || on_term.request()));
        let thread = std::thread::Builder::new()
            .name("resource-manager".into())
            .spawn(move || {
                if let Err(e) = manager::run_with_shutdown(rm, &handle) {
                    tracing::error!("resource manager: {e}");
                }
            })
            .map_err(|e| runtime(format!("spawning the resource manager: {e}")))?;
        rm_thread = Some(thread);
    }
    let result = event_loop::run(&mut daemon, &mut network, &mut ipc, &signals, &clock)
        .map_err(|e| runtime(format!("event loop: {e:#}")));
    // The loop closed the IPC socket: the resource manager sees its link go and ends. Its
    // last CIB write and the executor's shutdown happen on its way out: wait for them.
    drop(ipc);
    if let Some(t) = rm_thread {
        join_bounded(t, RM_EXIT_WAIT);
    }
    result.map(|_| ())
}

/// Joins `thread`, waiting at most `limit` for it to finish (it is left behind after that).
fn join_bounded(thread: std::thread::JoinHandle<()>, limit: std::time::Duration) {
    let deadline = std::time::Instant::now() + limit;
    while !thread.is_finished() {
        if std::time::Instant::now() >= deadline {
            tracing::warn!(
                "the resource manager did not finish within {} s; exiting without it",
                limit.as_secs()
            );
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    if thread.join().is_err() {
        tracing::error!("the resource manager thread panicked");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(nodes: u32, join: Option<u32>) -> corosync_conf::Config {
        let mut text = String::from("totem {\n version: 2\n cluster_name: t\n token: 1000\n");
        if let Some(join) = join {
            text.push_str(&format!(" join: {join}\n"));
        }
        text.push_str("}\nnodelist {\n");
        for id in 1..=nodes {
            text.push_str(&format!(
                " node {{\n ring0_addr: 10.205.0.{id}\n nodeid: {id}\n }}\n"
            ));
        }
        text.push_str("}\nquorum {\n provider: corosync_votequorum\n}\n");
        corosync_conf::parse(&text, "test.conf")
            .expect("test config parses")
            .config
    }

    #[test]
    fn the_default_recovery_delay_adds_skew_detection_poll_and_stop() {
        // 3 nodes: 2 × 20 ms skew + 2 × 50 ms join + 10 ms poll + 300 ms stop.
        assert_eq!(recovery_delay_ms(&config(3, None)), 450);
        // Each further node adds a hop of skew; a longer join interval a longer detection.
        assert_eq!(recovery_delay_ms(&config(5, None)), 490);
        assert_eq!(recovery_delay_ms(&config(3, Some(100))), 550);
        // Very short join intervals: the detection keeps its floor.
        assert_eq!(recovery_delay_ms(&config(3, Some(10))), 400);
    }
}
