//! Real-process cluster harness: network namespaces `tdd-n1..n5` on bridges in a hub namespace,
//! addresses in 10.203.0.0/24 (ring 0) and 10.203.1.0/24 (ring 1), one `tandemd` per node.
//! Everything is torn down by `Drop`, also when a test panics.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use messaging::ipc::{Client, QuorumStatus, RuntimeStatus};

/// Namespace holding the bridges.
const HUB: &str = "tdd-hub";

/// Serializes the tests of this binary: they share namespace and bridge names.
static CLUSTER_LOCK: Mutex<()> = Mutex::new(());

#[path = "../common/mod.rs"]
mod common;
pub use common::enabled;

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{program} {}: {e}", args.join(" ")))?;
    if !output.status.success() {
        return Err(format!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn ip(args: &[&str]) {
    if let Err(error) = run("ip", args) {
        panic!("{error}");
    }
}

fn ns_ip(ns: &str, args: &[&str]) {
    let mut full = vec!["netns", "exec", ns, "ip"];
    full.extend_from_slice(args);
    ip(&full);
}

fn node_ns(n: usize) -> String {
    format!("tdd-n{n}")
}

/// Ring-0 address of node `n`.
pub fn ring0_addr(n: usize) -> String {
    format!("10.203.0.{n}")
}

/// Ring-1 address of node `n`.
pub fn ring1_addr(n: usize) -> String {
    format!("10.203.1.{n}")
}

fn delete_leftovers() {
    common::delete_namespaces("tdd-");
}

/// What a cluster should look like.
#[derive(Debug, Clone)]
pub struct Options {
    /// Number of nodes.
    pub nodes: usize,
    /// Two rings (ring1_addr, rrp_mode passive).
    pub two_rings: bool,
    /// Encrypt with an authkey (`crypto_cipher aes256`, `crypto_hash sha256`).
    pub crypto: bool,
    /// Totem token timeout in ms.
    pub token_ms: u32,
    /// A node that gets a different authkey (with `crypto`).
    pub wrong_key_node: Option<usize>,
    /// Nodes started by [`Cluster::start`] (default: all); others via [`Cluster::start_node`].
    pub started: Option<Vec<usize>>,
    /// Extra lines for the `quorum {}` section.
    pub quorum_extra: String,
}

impl Options {
    /// `nodes` nodes, one ring, no crypto, token 1000.
    pub fn new(nodes: usize) -> Self {
        Options {
            nodes,
            two_rings: false,
            crypto: false,
            token_ms: 1000,
            wrong_key_node: None,
            started: None,
            quorum_extra: String::new(),
        }
    }
}

/// A running test cluster.
pub struct Cluster {
    _lock: MutexGuard<'static, ()>,
    /// Options it was built with.
    pub options: Options,
    dir: PathBuf,
    daemons: Vec<Option<Child>>,
}

fn binary_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tandemd"))
        .parent()
        .expect("binary directory")
        .to_path_buf()
}

/// The built `tandemd`.
pub fn tandemd_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tandemd"))
}

/// The built `tandem` CLI, next to `tandemd` (built by `cargo test --workspace`, or on demand).
pub fn tandem_exe() -> Option<PathBuf> {
    let path = binary_dir().join("tandem");
    path.exists().then_some(path)
}

impl Cluster {
    /// Creates namespaces, links and configs, and starts every node.
    pub fn start(options: Options) -> Cluster {
        let lock = CLUSTER_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        delete_leftovers();
        static CLUSTERS_STARTED: std::sync::atomic::AtomicUsize =
            std::sync::atomic::AtomicUsize::new(0);
        let number = CLUSTERS_STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("tandemd-cluster-{}-{number}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cluster dir");
        let mut cluster = Cluster {
            _lock: lock,
            options: options.clone(),
            dir,
            daemons: (0..options.nodes).map(|_| None).collect(),
        };
        cluster.build_network();
        cluster.write_config();
        let started = options
            .started
            .clone()
            .unwrap_or_else(|| (1..=options.nodes).collect());
        for n in started {
            cluster.start_node(n);
        }
        cluster
    }

    fn build_network(&self) {
        ip(&["netns", "add", HUB]);
        ns_ip(HUB, &["link", "set", "lo", "up"]);
        let rings = if self.options.two_rings { 2 } else { 1 };
        for ring in 0..rings {
            let bridge = format!("tdd-br{ring}");
            ns_ip(HUB, &["link", "add", &bridge, "type", "bridge"]);
            ns_ip(HUB, &["link", "set", &bridge, "up"]);
        }
        for n in 1..=self.options.nodes {
            let ns = node_ns(n);
            ip(&["netns", "add", &ns]);
            ns_ip(&ns, &["link", "set", "lo", "up"]);
            for ring in 0..rings {
                let inner = format!("tdd{n}r{ring}");
                let outer = format!("tdd{n}r{ring}h");
                ip(&[
                    "link", "add", &inner, "netns", &ns, "type", "veth", "peer", "name", &outer,
                    "netns", HUB,
                ]);
                let address = if ring == 0 {
                    ring0_addr(n)
                } else {
                    ring1_addr(n)
                };
                ns_ip(
                    &ns,
                    &["addr", "add", &format!("{address}/24"), "dev", &inner],
                );
                ns_ip(&ns, &["link", "set", &inner, "up"]);
                ns_ip(
                    HUB,
                    &["link", "set", &outer, "master", &format!("tdd-br{ring}")],
                );
                ns_ip(HUB, &["link", "set", &outer, "up"]);
            }
        }
    }

    fn write_config(&self) {
        let mut text = format!(
            "totem {{\n    version: 2\n    cluster_name: tddtest\n    transport: udpu\n    token: {}\n",
            self.options.token_ms
        );
        if self.options.two_rings {
            text.push_str("    rrp_mode: passive\n");
        }
        if self.options.crypto {
            text.push_str("    crypto_cipher: aes256\n    crypto_hash: sha256\n");
        }
        text.push_str("}\nnodelist {\n");
        for n in 1..=self.options.nodes {
            text.push_str(&format!(
                "    node {{\n        ring0_addr: {}\n",
                ring0_addr(n)
            ));
            if self.options.two_rings {
                text.push_str(&format!("        ring1_addr: {}\n", ring1_addr(n)));
            }
            text.push_str(&format!(
                "        nodeid: {n}\n        name: node{n}\n    }}\n"
            ));
        }
        text.push_str("}\nquorum {\n    provider: corosync_votequorum\n");
        text.push_str(&self.options.quorum_extra);
        text.push_str("}\n");
        for n in 1..=self.options.nodes {
            let node_dir = self.node_dir(n);
            std::fs::create_dir_all(&node_dir).expect("node dir");
            let mut node_text = text.clone();
            if self.options.crypto {
                let key = node_dir.join("authkey");
                let seed = if self.options.wrong_key_node == Some(n) {
                    0xa5
                } else {
                    0x5a
                };
                write_key(&key, seed);
                node_text = node_text.replace(
                    "    crypto_hash: sha256\n",
                    &format!("    crypto_hash: sha256\n    keyfile: {}\n", key.display()),
                );
            }
            std::fs::write(node_dir.join("corosync.conf"), node_text).expect("write config");
        }
    }

    fn node_dir(&self, n: usize) -> PathBuf {
        self.dir.join(format!("node{n}"))
    }

    /// IPC socket path of node `n`.
    pub fn socket(&self, n: usize) -> PathBuf {
        self.node_dir(n).join("tandem.sock")
    }

    /// State directory of node `n` (holds `ringid_<n>`).
    pub fn state_dir(&self, n: usize) -> PathBuf {
        self.node_dir(n).join("state")
    }

    /// Log file of node `n`.
    pub fn log(&self, n: usize) -> PathBuf {
        self.node_dir(n).join("tandemd.log")
    }

    /// Starts (or restarts) node `n`'s daemon and waits for its socket.
    pub fn start_node(&mut self, n: usize) {
        let node_dir = self.node_dir(n);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log(n))
            .expect("log file");
        let _ = std::fs::remove_file(self.socket(n));
        let child = Command::new("ip")
            .args(["netns", "exec", &node_ns(n)])
            .arg(tandemd_exe())
            .arg("-c")
            .arg(node_dir.join("corosync.conf"))
            .arg("--state-dir")
            .arg(node_dir.join("state"))
            .arg("--socket")
            .arg(self.socket(n))
            .arg("--no-crm")
            .env(
                "RUST_LOG",
                std::env::var("TANDEM_TEST_RUST_LOG").unwrap_or_else(|_| "info".to_string()),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log clone"))
            .stderr(log)
            .spawn()
            .expect("spawn tandemd");
        self.daemons[n - 1] = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Client::connect(&self.socket(n)).is_err() {
            if let Some(child) = self.daemons[n - 1].as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!(
                        "tandemd on node {n} exited with {status}; log:\n{}",
                        self.log_text(n)
                    );
                }
            }
            assert!(
                Instant::now() < deadline,
                "node {n}: socket never appeared; log:\n{}",
                self.log_text(n)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Node `n`'s log so far.
    pub fn log_text(&self, n: usize) -> String {
        std::fs::read_to_string(self.log(n)).unwrap_or_default()
    }

    /// SIGKILLs node `n`'s daemon.
    pub fn kill(&mut self, n: usize) {
        if let Some(mut child) = self.daemons[n - 1].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERMs node `n` and waits for it to exit.
    pub fn stop(&mut self, n: usize) -> Option<std::process::ExitStatus> {
        let mut child = self.daemons[n - 1].take()?;
        // SAFETY: kill(2) on the pid of a child we own.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return child.wait().ok();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Resident memory of node `n`'s daemon in KiB (from /proc), if it runs.
    pub fn rss_kib(&self, n: usize) -> Option<u64> {
        let pid = self.daemons[n - 1].as_ref()?.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
    }

    /// Whether node `n`'s daemon is still running.
    pub fn running(&mut self, n: usize) -> bool {
        self.daemons[n - 1]
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Cuts (up = false) or restores node `n`'s link on `ring`.
    pub fn set_link(&self, n: usize, ring: usize, up: bool) {
        let outer = format!("tdd{n}r{ring}h");
        ns_ip(
            HUB,
            &["link", "set", &outer, if up { "up" } else { "down" }],
        );
    }

    /// A connected client of node `n`.
    pub fn client(&self, n: usize) -> Client {
        Client::connect(&self.socket(n))
            .unwrap_or_else(|e| panic!("node {n}: {e}; log:\n{}", self.log_text(n)))
    }

    /// Node `n`'s quorum status.
    pub fn quorum(&self, n: usize) -> QuorumStatus {
        self.client(n).quorum().expect("quorum status")
    }

    /// Node `n`'s runtime status.
    pub fn status(&self, n: usize) -> RuntimeStatus {
        self.client(n).status().expect("runtime status")
    }

    /// Waits until every node in `nodes` is in a ring whose members are exactly `nodes`, with
    /// one ring id; returns that ring id's text.
    pub fn wait_for_ring(&self, nodes: &[usize], timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let wanted: Vec<u32> = nodes.iter().map(|n| *n as u32).collect();
        loop {
            let statuses: Vec<RuntimeStatus> = nodes.iter().map(|n| self.status(*n)).collect();
            let same_ring = statuses.iter().all(|s| s.ring_id == statuses[0].ring_id);
            if same_ring && statuses.iter().all(|s| s.ring_members == wanted) {
                return statuses[0].ring_id.to_string();
            }
            if Instant::now() > deadline {
                let seen: Vec<String> = statuses
                    .iter()
                    .map(|s| {
                        format!(
                            "node {}: ring {} members {:?}",
                            s.nodeid, s.ring_id, s.ring_members
                        )
                    })
                    .collect();
                panic!(
                    "no common ring of {nodes:?} within {timeout:?}: {}\nlog of node {}:\n{}",
                    seen.join("; "),
                    nodes[0],
                    self.log_text(nodes[0])
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs the `tandem` CLI with `args` against node `n`; returns (exit code, stdout).
    pub fn tandem(&self, n: usize, args: &[&str]) -> Option<(i32, String)> {
        let exe = tandem_exe()?;
        let output = Command::new(exe)
            .args(args)
            .arg("--socket")
            .arg(self.socket(n))
            .stdin(Stdio::null())
            .output()
            .expect("run tandem");
        Some((
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ))
    }

    /// The cluster's scratch directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn write_key(path: &Path, seed: u8) {
    let key: Vec<u8> = (0..256u32)
        .map(|i| seed.wrapping_add((i as u8).wrapping_mul(31)))
        .collect();
    std::fs::write(path, key).expect("write authkey");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o400)).expect("chmod");
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.daemons.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
        delete_leftovers();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("cluster logs kept in {}", self.dir.display());
        }
    }
}
