//! End-to-end harness: 3 whole nodes (`tandemd`, messaging + resource manager) in network
//! namespaces `tde-n1..` on a bridge in `tde-hub`, addresses 10.204.0.0/24 (node i is
//! 10.204.0.i, the hub 10.204.0.254, the virtual IP 10.204.0.100). Everything is torn down by
//! `Drop`, also when a test panics. Tests are serialised within a binary (a mutex) and across
//! test binaries (an flock), as they share the namespace names. A [`Lab`] other than
//! [`DEFAULT_LAB`] (its own namespace prefix, lock and /24) runs beside them.

#![allow(dead_code)]

use std::fs::File;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use resource_manager::admin::{self, StatusReply};
use scheduler::Role;

/// The virtual IP the tests of [`DEFAULT_LAB`] configure.
pub const VIP: &str = "10.204.0.100";
const OCF_ROOT: &str = "/usr/lib/ocf";

/// The test fence agent `fence_tandem_kill`: "powers off" a test node as [`Cluster::kill`]
/// does (SIGKILL of its tandemd, its link taken down), reading the pid and namespace the
/// harness wrote to `PID_DIR/NODE.pid`. Fence-agent calling convention: `name=value` lines
/// on stdin (`action`, `nodename`, `pid_dir`).
const KILL_AGENT: &str = r#"#!/bin/sh
action=reboot; node=; dir=
while IFS='=' read -r k v; do
    case "$k" in
        action) action=$v ;; nodename) node=$v ;; pid_dir) dir=$v ;;
    esac
done
case "$action" in
    metadata)
        cat <<'XML'
<?xml version="1.0" ?>
<resource-agent name="fence_tandem_kill" shortdesc="Tandem test agent: SIGKILL a test node">
<parameters>
<parameter name="action" required="1"><content type="string" default="reboot"/></parameter>
<parameter name="pid_dir" required="1"><content type="string"/></parameter>
<parameter name="port" required="0"><content type="string"/></parameter>
</parameters>
<actions><action name="on"/><action name="off"/><action name="reboot"/><action name="monitor"/>
<action name="status"/><action name="metadata"/></actions>
</resource-agent>
XML
        exit 0 ;;
    monitor|status|on|validate-all) exit 0 ;;
    off|reboot)
        [ -n "$node" ] && [ -f "$dir/$node.pid" ] || { echo "no pid file for '$node' in '$dir'" >&2; exit 1; }
        read -r pid ns < "$dir/$node.pid"
        kill -KILL "$pid" 2>/dev/null
        ip -n "$ns" link set tde0 down || exit 1
        exit 0 ;;
    *) echo "unsupported action $action" >&2; exit 1 ;;
esac
"#;

/// Where a test cluster lives: namespaces `PREFIX-hub`, `PREFIX-n1..`, addresses
/// 10.204.OCTET.0/24, lock file `/tmp/tandem-e2e-PREFIX.lock`.
#[derive(Clone, Copy, Debug)]
pub struct Lab {
    /// Namespace and directory prefix (3 letters).
    pub prefix: &'static str,
    /// Third octet of the lab's 10.204.x.0/24.
    pub octet: u8,
}

/// The lab of the original e2e tests (`tde-*`, 10.204.0.0/24).
pub const DEFAULT_LAB: Lab = Lab {
    prefix: "tde",
    octet: 0,
};

impl Lab {
    /// The namespace of node `i`.
    pub fn ns(&self, i: usize) -> String {
        format!("{}-n{i}", self.prefix)
    }

    /// The hub namespace (the bridge, where the VIP is probed from).
    pub fn hub(&self) -> String {
        format!("{}-hub", self.prefix)
    }

    /// Node `i`'s address.
    pub fn addr(&self, i: usize) -> String {
        format!("10.204.{}.{i}", self.octet)
    }

    /// The virtual IP the tests configure.
    pub fn vip(&self) -> String {
        format!("10.204.{}.100", self.octet)
    }

    /// Whether the VIP answers a ping from the hub within `wait_ms`.
    pub fn vip_answers(&self, wait_ms: u32) -> bool {
        let w = format!("{:.1}", f64::from(wait_ms) / 1000.0);
        run(
            "ip",
            &[
                "netns",
                "exec",
                &self.hub(),
                "ping",
                "-c",
                "1",
                "-n",
                "-W",
                &w,
                &self.vip(),
            ],
        )
        .status
        .success()
    }
}

static LOCK: Mutex<()> = Mutex::new(());

#[path = "../common/mod.rs"]
mod common;
pub use common::enabled;

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program} {}: {e}", args.join(" ")))
}

/// Runs `ip ARGS`, panicking with its error output when it fails.
pub fn ip(args: &[&str]) {
    let out = run("ip", args);
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn delete_namespaces(lab: Lab) {
    common::delete_namespaces(&format!("{}-", lab.prefix));
}

/// A running test cluster.
pub struct Cluster {
    _lock: MutexGuard<'static, ()>,
    _flock: File,
    /// The test's directory (corosync.conf, one directory per node).
    pub dir: PathBuf,
    nodes: Vec<Option<Child>>,
    start: Instant,
    /// Where it runs.
    pub lab: Lab,
    /// The `RUST_LOG` nodes start with (`None`: unset, so corosync.conf's `logging {}`
    /// sets the level); default `TANDEM_E2E_LOG`, else `info`.
    pub rust_log: Option<String>,
}

impl Cluster {
    /// Creates the namespaces of [`DEFAULT_LAB`] and starts `n` nodes.
    pub fn start(n: usize) -> Cluster {
        Cluster::start_in(DEFAULT_LAB, n)
    }

    /// Creates the namespaces of `lab` and starts `n` nodes.
    pub fn start_in(lab: Lab, n: usize) -> Cluster {
        Cluster::start_with(lab, n, "")
    }

    /// [`Cluster::start_in`] with `quorum_options` (corosync.conf lines such as
    /// `two_node: 1`) in the quorum section.
    pub fn start_with(lab: Lab, n: usize, quorum_options: &str) -> Cluster {
        let lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let lock_path = format!("/tmp/tandem-e2e-{}.lock", lab.prefix);
        let flock = File::create(&lock_path).expect("lock file");
        // SAFETY: flock on an fd we own; blocks until the other test binary is done.
        let rc = unsafe { libc::flock(flock.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(rc, 0, "flock {lock_path}");
        delete_namespaces(lab);
        static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("{}-test-{}-{seq}", lab.prefix, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("test dir");
        let hub = lab.hub();
        let hub_addr = format!("{}/24", lab.addr(254));
        ip(&["netns", "add", &hub]);
        ip(&["-n", &hub, "link", "set", "lo", "up"]);
        ip(&["-n", &hub, "link", "add", "tde-br", "type", "bridge"]);
        ip(&["-n", &hub, "addr", "add", &hub_addr, "dev", "tde-br"]);
        ip(&["-n", &hub, "link", "set", "tde-br", "up"]);
        let mut conf = String::from(
            "totem {\n  version: 2\n  cluster_name: tde\n  transport: udpu\n  token: 1000\n}\nnodelist {\n",
        );
        for i in 1..=n {
            let ns = lab.ns(i);
            ip(&["netns", "add", &ns]);
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            let outer = format!("tde{i}h");
            ip(&[
                "link", "add", "tde0", "netns", &ns, "type", "veth", "peer", "name", &outer,
                "netns", &hub,
            ]);
            let addr = format!("{}/24", lab.addr(i));
            ip(&["-n", &ns, "addr", "add", &addr, "dev", "tde0"]);
            ip(&["-n", &ns, "link", "set", "tde0", "up"]);
            ip(&["-n", &hub, "link", "set", &outer, "master", "tde-br"]);
            ip(&["-n", &hub, "link", "set", &outer, "up"]);
            conf.push_str(&format!(
                "  node {{\n    ring0_addr: {}\n    nodeid: {i}\n    name: node{i}\n  }}\n",
                lab.addr(i)
            ));
        }
        conf.push_str(&format!(
            "}}\nquorum {{\n  provider: corosync_votequorum\n{quorum_options}}}\n"
        ));
        std::fs::write(dir.join("corosync.conf"), conf).expect("write config");
        let mut c = Cluster {
            _lock: lock,
            _flock: flock,
            dir,
            nodes: (0..n).map(|_| None).collect(),
            start: Instant::now(),
            lab,
            rust_log: Some(std::env::var("TANDEM_E2E_LOG").unwrap_or_else(|_| "info".into())),
        };
        for i in 1..=n {
            c.start_node(i);
        }
        c
    }

    /// The namespace of node `i`.
    pub fn ns(&self, i: usize) -> String {
        self.lab.ns(i)
    }

    /// The lab's virtual IP.
    pub fn vip(&self) -> String {
        self.lab.vip()
    }

    /// The test configuration ([`config`]) with this lab's virtual IP.
    pub fn config(
        &self,
        props: &[(&str, &str)],
        extra_resources: &str,
        extra_constraints: &str,
    ) -> String {
        config_with_vip(&self.vip(), props, extra_resources, extra_constraints)
    }

    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.nodes.len()
    }

    /// Node `i`'s directory (state, sockets, log).
    pub fn node_dir(&self, i: usize) -> PathBuf {
        self.dir.join(format!("node{i}"))
    }

    /// Node `i`'s admin socket.
    pub fn crm(&self, i: usize) -> PathBuf {
        self.node_dir(i).join("crm.sock")
    }

    /// Node `i`'s agents' `HA_RSCTMP`.
    pub fn rsctmp(&self, i: usize) -> PathBuf {
        self.node_dir(i).join("rsctmp")
    }

    /// Node `i`'s agents' `HA_VARRUN` (Stateful keeps its role there).
    pub fn varrun(&self, i: usize) -> PathBuf {
        self.node_dir(i).join("run")
    }

    /// The fence agents' directory the nodes use (`TANDEM_FENCE_DIR`): fence_dummy and the
    /// test agent `fence_tandem_kill` ([`KILL_AGENT`]).
    pub fn fence_dir(&self) -> PathBuf {
        let dir = self.dir.join("fence");
        if !dir.exists() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::create_dir_all(&dir).expect("fence dir");
            std::os::unix::fs::symlink("/usr/sbin/fence_dummy", dir.join("fence_dummy"))
                .expect("symlink fence_dummy");
            let agent = dir.join("fence_tandem_kill");
            std::fs::write(&agent, KILL_AGENT).expect("write the test fence agent");
            std::fs::set_permissions(&agent, std::fs::Permissions::from_mode(0o755))
                .expect("chmod the test fence agent");
        }
        dir
    }

    /// Where node pid files for `fence_tandem_kill` are (`NODE.pid`: pid and namespace).
    pub fn pid_dir(&self) -> PathBuf {
        self.dir.join("pids")
    }

    /// The directory where agents find the Pacemaker tool names (`crm_attribute`, ...):
    /// links to the `tandem` binary.
    pub fn sbin(&self) -> PathBuf {
        let dir = self.dir.join("sbin");
        if !dir.exists() {
            std::fs::create_dir_all(&dir).expect("sbin dir");
            for tool in [
                "crm_attribute",
                "crm_node",
                "cibadmin",
                "crm_resource",
                "crm_mon",
            ] {
                std::os::unix::fs::symlink(tandem_bin(), dir.join(tool)).expect("symlink");
            }
        }
        dir
    }

    /// Starts (or restarts) node `i`; its log is appended to `node.log`.
    pub fn start_node(&mut self, i: usize) {
        let d = self.node_dir(i);
        std::fs::create_dir_all(self.varrun(i)).expect("node dir");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(d.join("node.log"))
            .expect("log");
        let mut cmd = Command::new("ip");
        // TANDEM_E2E_LOG=debug (or any filter) for timelines in a post-mortem.
        match &self.rust_log {
            Some(filter) => cmd.env("RUST_LOG", filter),
            None => cmd.env_remove("RUST_LOG"),
        };
        let child = cmd
            .args(["netns", "exec", &self.ns(i)])
            .arg(env!("CARGO_BIN_EXE_tandemd"))
            .arg("-c")
            .arg(self.dir.join("corosync.conf"))
            .arg("--state-dir")
            .arg(d.join("state"))
            .arg("--socket")
            .arg(d.join("tandem.sock"))
            .arg("--crm-socket")
            .arg(self.crm(i))
            .arg("--nodeid")
            .arg(i.to_string())
            .env("HA_VARRUN", self.varrun(i))
            .env("HA_SBIN_DIR", self.sbin())
            .env("TANDEM_FENCE_DIR", self.fence_dir())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn tandemd");
        std::fs::create_dir_all(self.pid_dir()).expect("pid dir");
        std::fs::write(
            self.pid_dir().join(format!("node{i}.pid")),
            format!("{} {}\n", child.id(), self.ns(i)),
        )
        .expect("pid file");
        self.nodes[i - 1] = Some(child);
    }

    /// Whether node `i`'s process is running.
    pub fn is_up(&self, i: usize) -> bool {
        self.nodes[i - 1].is_some()
    }

    /// Whether node `i`'s process exited by itself (reaped here; it then reads as down).
    pub fn exited(&mut self, i: usize) -> bool {
        let gone = self.nodes[i - 1]
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
        if gone {
            self.nodes[i - 1] = None;
        }
        gone || self.nodes[i - 1].is_none()
    }

    /// SIGKILLs node `i` and takes its link down (the node is gone, as after a power loss).
    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i - 1].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        ip(&["-n", &self.ns(i), "link", "set", "tde0", "down"]);
    }

    /// Brings node `i`'s link back up after [`Cluster::kill`].
    pub fn link_up(&self, i: usize) {
        ip(&["-n", &self.ns(i), "link", "set", "tde0", "up"]);
    }

    /// SIGTERMs node `i` and waits (up to `timeout`) for it to exit; returns how long it took.
    pub fn terminate(&mut self, i: usize, timeout: Duration) -> Duration {
        let t = Instant::now();
        let Some(mut c) = self.nodes[i - 1].take() else {
            return Duration::ZERO;
        };
        let pid = libc::pid_t::try_from(c.id()).expect("pid");
        // SAFETY: signalling our own child, which has not been reaped yet.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        loop {
            if let Ok(Some(_)) = c.try_wait() {
                return t.elapsed();
            }
            if t.elapsed() > timeout {
                let _ = c.kill();
                let _ = c.wait();
                panic!(
                    "node{i} did not exit within {timeout:?} of SIGTERM\n{}",
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Cuts node `i` off from the others (drops its UDP traffic with nftables in its
    /// namespace; ICMP still passes so the hub can probe the VIP).
    pub fn isolate(&self, i: usize) {
        let rules = "table inet tde_partition {\n\
             chain in { type filter hook input priority 0; policy accept; iifname \"tde0\" meta l4proto udp drop; }\n\
             chain out { type filter hook output priority 0; policy accept; oifname \"tde0\" meta l4proto udp drop; }\n\
             }\n";
        let path = self.dir.join(format!("partition{i}.nft"));
        std::fs::write(&path, rules).expect("write nft rules");
        self.nft(i, &["-f", path.to_str().expect("utf-8 path")]);
    }

    /// Undoes [`Cluster::isolate`].
    pub fn heal(&self, i: usize) {
        self.nft(i, &["delete", "table", "inet", "tde_partition"]);
    }

    /// Runs `nft ARGS` in node `i`'s namespace, panicking with its error output if it fails.
    fn nft(&self, i: usize, args: &[&str]) {
        let ns = self.ns(i);
        let mut full = vec!["netns", "exec", ns.as_str(), "nft"];
        full.extend_from_slice(args);
        let out = run("ip", &full);
        assert!(
            out.status.success(),
            "nft: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Node `i`'s whole log.
    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.node_dir(i).join("node.log")).unwrap_or_default()
    }

    /// The last lines of every node's log (for failure messages).
    pub fn logs(&self) -> String {
        let mut s = String::new();
        for i in 1..=self.n() {
            let t = self.log(i);
            let tail: Vec<&str> = t.lines().rev().take(40).collect();
            s.push_str(&format!("--- node{i}\n"));
            for l in tail.into_iter().rev() {
                s.push_str(l);
                s.push('\n');
            }
        }
        s
    }

    /// Node `i`'s status reply, if its resource manager answers.
    pub fn status(&self, i: usize) -> Option<StatusReply> {
        admin::call(&self.crm(i), "status", &[], "")
            .ok()
            .map(|b| StatusReply::decode(&b))
    }

    /// Node `i`'s CIB (empty when it does not answer).
    pub fn query(&self, i: usize) -> String {
        admin::call(&self.crm(i), "query", &[], "").unwrap_or_default()
    }

    /// Polls `f` every 100 ms until it gives a value; panics with the logs after `timeout`.
    pub fn wait<T>(&self, what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = f() {
                return v;
            }
            if Instant::now() >= deadline {
                // Keep each live node's CIB beside its log for the post-mortem.
                for i in 1..=self.n() {
                    let _ =
                        std::fs::write(self.dir.join(format!("cib-node{i}.xml")), self.query(i));
                }
            }
            assert!(
                Instant::now() < deadline,
                "timed out ({timeout:?}) waiting for {what} ({:?} into the test)\n{}",
                self.start.elapsed(),
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until every listed node's resource manager runs in a group of exactly those
    /// nodes with a DC.
    pub fn wait_joined(&self, nodes: &[usize]) {
        let names: Vec<String> = nodes.iter().map(|i| format!("node{i}")).collect();
        self.wait(
            &format!("{names:?} to form one cluster"),
            Duration::from_secs(30),
            || {
                nodes
                    .iter()
                    .all(|&i| {
                        self.status(i).is_some_and(|s| {
                            let mut m = s.members.clone();
                            m.sort();
                            m == names && s.dc.is_some() && s.phase == "Running"
                        })
                    })
                    .then_some(())
            },
        );
    }

    /// Starts 3 nodes of `lab`, loads the test services ([`Cluster::config`] with `props`
    /// and what `extra_resources` gives for the new cluster) and waits until they all run (and each of `placed`, say the
    /// fencing devices, runs once); returns the cluster and the group's node number.
    pub fn start_running(
        lab: Lab,
        props: &[(&str, &str)],
        extra_resources: impl FnOnce(&Cluster) -> String,
        placed: &[&str],
    ) -> (Cluster, usize) {
        let c = Cluster::start_in(lab, 3);
        c.wait_joined(&[1, 2, 3]);
        c.configure(&c.config(props, &extra_resources(&c), ""));
        let holder = c.wait_running(placed);
        (c, holder)
    }

    /// [`Cluster::start_running`] in [`DEFAULT_LAB`] with cluster properties `props` and
    /// nothing more.
    pub fn start_services(props: &[(&str, &str)]) -> (Cluster, usize) {
        Cluster::start_running(DEFAULT_LAB, props, |_| String::new(), &[])
    }

    /// The line of the DC's log (the DC node `i` knows) that says `target` was fenced.
    pub fn dc_fenced_line(&self, i: usize, target: &str) -> String {
        let dc = self
            .status(i)
            .and_then(|s| s.dc)
            .unwrap_or_else(|| panic!("node{i} knows no DC"));
        self.log(number(&dc))
            .lines()
            .find(|l| l.contains("node fenced") && l.contains(target))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no 'node fenced' line for {target} in {dc}'s log"))
    }

    /// Waits (40 s at most) until the test services run, with each of `placed` once;
    /// returns the group's node number.
    pub fn wait_running(&self, placed: &[&str]) -> usize {
        let holder = self.wait("everything started", Duration::from_secs(40), || {
            let cib = self.query(1);
            placed
                .iter()
                .all(|p| placement(&cib, p).len() == 1)
                .then(|| settled(self, 1, 3))
                .flatten()
        });
        number(&holder)
    }

    /// Waits (up to `timeout`) until node `i`'s process exits by itself (`why` names what
    /// should make it leave, for the failure message).
    pub fn wait_exited(&mut self, i: usize, why: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.exited(i) {
            assert!(
                Instant::now() < deadline,
                "node{i} did not leave ({why}) within {timeout:?}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Replaces the configuration through node 1.
    pub fn configure(&self, xml: &str) {
        admin::call(&self.crm(1), "replace", &[], xml).expect("replace the configuration");
    }

    /// Runs the `tandem` CLI against node `i`.
    pub fn tandem(&self, i: usize, args: &[&str]) -> Output {
        self.tandem_command(i, args).output().expect("run tandem")
    }

    /// The `tandem` CLI against node `i`, to run or spawn.
    pub fn tandem_command(&self, i: usize, args: &[&str]) -> Command {
        let mut cmd = Command::new(tandem_bin());
        cmd.args(args)
            .env("TANDEM_CRM_SOCKET", self.crm(i))
            .env("TANDEM_SOCKET", self.node_dir(i).join("tandem.sock"))
            .stdin(Stdio::null());
        cmd
    }

    /// Runs an OCF agent's action inside node `i`'s namespace with that node's agent
    /// directories, as the node's executor would; returns its exit code.
    pub fn ocf(
        &self,
        i: usize,
        agent: &str,
        action: &str,
        instance: &str,
        params: &[(&str, &str)],
    ) -> i32 {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns(i)])
            .arg(format!("{OCF_ROOT}/resource.d/{agent}"))
            .arg(action)
            .env("OCF_ROOT", OCF_ROOT)
            .env("OCF_RESOURCE_INSTANCE", instance)
            .env("HA_RSCTMP", self.rsctmp(i))
            .env("HA_VARRUN", self.varrun(i))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in params {
            cmd.env(format!("OCF_RESKEY_{k}"), v);
        }
        cmd.status().ok().and_then(|s| s.code()).unwrap_or(-1)
    }

    /// Nodes whose Dummy `instance` monitors as running (agent's own monitor).
    pub fn dummy_on(&self, instance: &str) -> Vec<usize> {
        (1..=self.n())
            .filter(|&i| self.ocf(i, "heartbeat/Dummy", "monitor", instance, &[]) == 0)
            .collect()
    }

    /// Nodes where IPaddr2 monitors the VIP as running (agent's own monitor).
    pub fn vip_monitor_on(&self) -> Vec<usize> {
        (1..=self.n())
            .filter(|&i| {
                self.ocf(
                    i,
                    "heartbeat/IPaddr2",
                    "monitor",
                    "vip",
                    &[("ip", &self.vip()), ("cidr_netmask", "24"), ("nic", "tde0")],
                ) == 0
            })
            .collect()
    }

    /// Nodes whose namespace has the VIP configured (`ip addr`).
    pub fn vip_addr_on(&self) -> Vec<usize> {
        (1..=self.n())
            .filter(|&i| {
                let out = run("ip", &["-n", &self.ns(i), "-o", "addr", "show"]);
                String::from_utf8_lossy(&out.stdout).contains(&format!("inet {}/", self.vip()))
            })
            .collect()
    }

    /// Whether the VIP answers a ping from the hub within `wait_ms`.
    pub fn vip_answers(&self, wait_ms: u32) -> bool {
        self.lab.vip_answers(wait_ms)
    }

    /// Nodes whose Stateful `instance` monitors as running, with whether it is promoted
    /// (rc 8) — the agent's own monitor.
    pub fn stateful_on(&self, instance: &str) -> Vec<(usize, bool)> {
        (1..=self.n())
            .filter_map(
                |i| match self.ocf(i, "pacemaker/Stateful", "monitor", instance, &[]) {
                    0 => Some((i, false)),
                    8 => Some((i, true)),
                    _ => None,
                },
            )
            .collect()
    }
}

/// What runs where right now, read fast from each node's namespace and agent files (for
/// polling): nodes with the VIP address, with the state files of `a`, `b` and the clone
/// `c`, and where Stateful records itself promoted.
#[derive(Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Nodes whose namespace has the VIP address.
    pub vip: Vec<usize>,
    /// Nodes with Dummy `a`'s state file.
    pub a: Vec<usize>,
    /// Nodes with Dummy `b`'s state file.
    pub b: Vec<usize>,
    /// Nodes with the clone instance's state file.
    pub clone: Vec<usize>,
    /// Nodes where Stateful `st` is promoted.
    pub promoted: Vec<usize>,
}

/// The [`Snapshot`] of cluster `c` now.
pub fn snapshot(c: &Cluster) -> Snapshot {
    let mut s = Snapshot {
        vip: c.vip_addr_on(),
        ..Snapshot::default()
    };
    for i in 1..=c.n() {
        let tmp = c.rsctmp(i);
        if tmp.join("Dummy-a.state").exists() {
            s.a.push(i);
        }
        if tmp.join("Dummy-b.state").exists() {
            s.b.push(i);
        }
        if tmp.join("Dummy-c.state").exists() {
            s.clone.push(i);
        }
        let st = std::fs::read_to_string(c.varrun(i).join("Stateful-st.state")).unwrap_or_default();
        if st.trim() == "Promoted" {
            s.promoted.push(i);
        }
    }
    s
}

/// Whether [`DEFAULT_LAB`]'s VIP answers a ping from the hub within `wait_ms`.
pub fn vip_answers(wait_ms: u32) -> bool {
    DEFAULT_LAB.vip_answers(wait_ms)
}

/// The `tandem` CLI built beside `tandemd`.
pub fn tandem_bin() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_tandemd")).with_file_name("tandem");
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build -p tandem)",
        bin.display()
    );
    bin
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self.nodes.iter_mut() {
            if let Some(mut c) = c.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        delete_namespaces(self.lab);
        let keep = std::env::var_os("TANDEM_E2E_KEEP").is_some();
        if !std::thread::panicking() && !keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("logs kept in {}", self.dir.display());
        }
    }
}

/// Where each resource runs per the scheduler's reading of `cib_text`: node names with
/// the role, for the primitive `rsc`, its clone/group parent `rsc`, or its instances.
pub fn placement_roles(cib_text: &str, rsc: &str) -> Vec<(String, Role)> {
    let Ok(root) = cib::xml::parse(cib_text) else {
        return Vec::new();
    };
    let Ok(doc) = cib::Cib::from_element(root) else {
        return Vec::new();
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let s = scheduler::schedule(&doc, now);
    let c = &s.before;
    let mut out = Vec::new();
    for r in &c.rscs {
        let matches =
            r.id == rsc || r.config_id == rsc || r.parent.is_some_and(|p| c.rscs[p].id == rsc);
        if matches {
            for (n, role) in r.running.iter().filter(|(n, _)| !r.pending.contains_key(n)) {
                out.push((c.nodes[*n].name.clone(), *role));
            }
        }
    }
    out.sort();
    out
}

/// Node names where `rsc` runs per the CIB.
pub fn placement(cib_text: &str, rsc: &str) -> Vec<String> {
    placement_roles(cib_text, rsc)
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

/// The node number of a node name `nodeN`.
pub fn number(name: &str) -> usize {
    name.trim_start_matches("node").parse().expect("node name")
}

/// The configuration of the tests: a group `g` (VIP, Dummy `a`, Dummy `b`), a Dummy clone
/// `c-clone` and a Stateful promotable clone `st-clone` (one promoted), with the cluster
/// properties given as `(name, value)`.
pub fn config(props: &[(&str, &str)], extra_resources: &str, extra_constraints: &str) -> String {
    config_with_vip(VIP, props, extra_resources, extra_constraints)
}

/// [`config`] with the virtual IP `vip`.
pub fn config_with_vip(
    vip: &str,
    props: &[(&str, &str)],
    extra_resources: &str,
    extra_constraints: &str,
) -> String {
    let mut p = String::new();
    for (k, v) in props {
        p.push_str(&format!(
            "<nvpair id=\"opt-{k}\" name=\"{k}\" value=\"{v}\"/>\n"
        ));
    }
    format!(
        r#"<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    {p}
  </cluster_property_set></crm_config>
  <nodes/>
  <resources>
    <group id="g">
      <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="vip-ia">
          <nvpair id="vip-ip" name="ip" value="{vip}"/>
          <nvpair id="vip-mask" name="cidr_netmask" value="24"/>
          <nvpair id="vip-nic" name="nic" value="tde0"/>
        </instance_attributes>
        <operations><op id="vip-monitor-1s" name="monitor" interval="1s" timeout="20s"/></operations>
      </primitive>
      <primitive id="a" class="ocf" provider="heartbeat" type="Dummy">
        <operations><op id="a-monitor-1s" name="monitor" interval="1s" timeout="20s"/></operations>
      </primitive>
      <primitive id="b" class="ocf" provider="heartbeat" type="Dummy">
        <operations><op id="b-monitor-1s" name="monitor" interval="1s" timeout="20s"/></operations>
      </primitive>
    </group>
    <clone id="c-clone">
      <primitive id="c" class="ocf" provider="heartbeat" type="Dummy">
        <operations><op id="c-monitor-5s" name="monitor" interval="5s" timeout="20s"/></operations>
      </primitive>
    </clone>
    <clone id="st-clone">
      <meta_attributes id="st-clone-meta">
        <nvpair id="st-clone-promotable" name="promotable" value="true"/>
        <nvpair id="st-clone-promoted-max" name="promoted-max" value="1"/>
      </meta_attributes>
      <primitive id="st" class="ocf" provider="pacemaker" type="Stateful">
        <operations>
          <op id="st-monitor-promoted" name="monitor" interval="3s" role="Promoted" timeout="20s"/>
          <op id="st-monitor-unpromoted" name="monitor" interval="4s" role="Unpromoted" timeout="20s"/>
        </operations>
      </primitive>
    </clone>
    {extra_resources}
  </resources>
  <constraints>{extra_constraints}</constraints>
</configuration>"#
    )
}

/// The whole service set as the CIB of node `i` shows it: the group's node when `a`, `b`
/// and the VIP run together on one node, the clone on `clones` nodes, `st` on `clones`
/// nodes with exactly one promoted.
pub fn settled(c: &Cluster, i: usize, clones: usize) -> Option<String> {
    let cib = c.query(i);
    let g = placement(&cib, "vip");
    let ok = g.len() == 1
        && placement(&cib, "a") == g
        && placement(&cib, "b") == g
        && placement(&cib, "c").len() == clones;
    let st = placement_roles(&cib, "st");
    let promoted = st.iter().filter(|(_, r)| *r == Role::Promoted).count();
    (ok && st.len() == clones && promoted == 1).then(|| g[0].clone())
}

/// A `fence_dummy` device `id` with the instance attributes `params` (name, value):
/// `type=file` with `status_file` makes it "fence" by writing that file, `type=fail`
/// makes every fencing fail.
pub fn fence_dummy(id: &str, params: &[(&str, impl AsRef<str>)]) -> String {
    let nvpairs: String = params
        .iter()
        .map(|(k, v)| {
            let v = v.as_ref();
            format!("\n    <nvpair id=\"{id}-{k}\" name=\"{k}\" value=\"{v}\"/>")
        })
        .collect();
    format!(
        r#"<primitive id="{id}" class="stonith" type="fence_dummy">
  <instance_attributes id="{id}-ia">{nvpairs}
  </instance_attributes>
</primitive>"#
    )
}

/// Whether `cib` records node `victim` as fenced (the fencer's status update).
pub fn fenced(cib: &str, victim: &str) -> bool {
    let Ok(root) = cib::xml::parse(cib) else {
        return false;
    };
    root.child("status").is_some_and(|s| {
        s.children.iter().any(|ns| {
            ns.name == "node_state"
                && ns.attr("uname") == Some(victim)
                && ns.attr("crm-debug-origin") == Some("send_stonith_update")
                && ns.attr("in_ccm") == Some("false")
        })
    })
}

/// A whole CIB with the cluster properties `props` (name, value), the resources
/// `resources` (XML) and nothing else.
pub fn bare_cib(props: &[(&str, &str)], resources: &str) -> String {
    let nvpairs: String = props
        .iter()
        .map(|(k, v)| format!("<nvpair id=\"o-{k}\" name=\"{k}\" value=\"{v}\"/>"))
        .collect();
    format!(
        r#"<cib validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="o">{nvpairs}</cluster_property_set></crm_config>
    <nodes/>
    <resources>{resources}</resources>
    <constraints/>
  </configuration>
  <status/>
</cib>"#
    )
}

/// Where the devices of [`file_fencing`] write (fence_dummy's `status_file`).
pub fn fence_status_file(c: &Cluster) -> PathBuf {
    c.dir.join("fence_dummy.status")
}

/// The parameters of a fence_dummy device that succeeds, writing
/// [`fence_status_file`] (see [`fence_dummy`]).
pub fn file_fencing(c: &Cluster) -> Vec<(&'static str, String)> {
    vec![
        ("type", "file".to_string()),
        ("status_file", fence_status_file(c).display().to_string()),
    ]
}
