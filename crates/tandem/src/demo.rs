//! `tandem demo`: start a local 3-node cluster, configure services, kill a node, show the failover, clean up.
//!
//! The nodes are this same binary re-run as `tandem demo --node-process ...`, each running
//! tandemd's event loop with the resource manager in a thread. As root they run in network
//! namespaces `tdm-n1..3` joined by a bridge (10.206.0.0/24, VIP 10.206.0.100); otherwise
//! on loopback addresses 127.0.0.1..3. Everything is removed at the end, on failure and on
//! Ctrl-C (the demo's own guard kills the nodes and deletes namespaces and files).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use messaging::ipc::Client;
use messaging::signals::{Signal, Signals};

use crate::cibadmin::cluster_api;

const USAGE: &str = "Usage: tandem demo [--keep-logs]

Starts a 3-node Tandem cluster on this machine (network namespaces tdm-* with a bridge in
10.206.0.0/24 when run as root, loopback addresses otherwise), waits for the ring and
quorum, configures resources (a virtual IP 10.206.0.100 as root, a group of two Dummy
resources, a clone), shows the status, SIGKILLs the node holding the group and measures
the failover (kill -> new ring -> group started elsewhere), prints the final status and
removes everything it created, also on Ctrl-C or failure.

Options:
  --keep-logs   keep the nodes' logs and state in the printed directory
";

const NODES: usize = 3;
const TOKEN_MS: u32 = 1000;
const NET_PREFIX: &str = "10.206.0";
const VIP: &str = "10.206.0.100";

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

fn sh(program: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        bail!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Everything the demo created; dropping it removes all of it.
struct Lab {
    dir: PathBuf,
    netns: bool,
    nodes: Vec<Option<Child>>,
    keep: bool,
}

impl Lab {
    fn ns(n: usize) -> String {
        format!("tdm-n{n}")
    }

    fn addr(&self, n: usize) -> String {
        if self.netns {
            format!("{NET_PREFIX}.{n}")
        } else {
            format!("127.0.0.{n}")
        }
    }

    fn node_dir(&self, n: usize) -> PathBuf {
        self.dir.join(format!("node{n}"))
    }

    fn socket(&self, n: usize) -> PathBuf {
        self.node_dir(n).join("tandem.sock")
    }

    fn crm_socket(&self, n: usize) -> PathBuf {
        self.node_dir(n).join("crm.sock")
    }

    fn remove_namespaces() {
        if let Ok(list) = sh("ip", &["netns", "list"]) {
            for line in list.lines() {
                let name = line.split_whitespace().next().unwrap_or("");
                if name.starts_with("tdm-") {
                    let _ = sh("ip", &["netns", "del", name]);
                }
            }
        }
    }

    fn build_network(&self) -> anyhow::Result<()> {
        Lab::remove_namespaces();
        sh("ip", &["netns", "add", "tdm-hub"])?;
        sh(
            "ip",
            &["-n", "tdm-hub", "link", "add", "tdm-br", "type", "bridge"],
        )?;
        sh("ip", &["-n", "tdm-hub", "link", "set", "tdm-br", "up"])?;
        for n in 1..=NODES {
            let ns = Lab::ns(n);
            let outer = format!("tdm{n}h");
            sh("ip", &["netns", "add", &ns])?;
            sh("ip", &["-n", &ns, "link", "set", "lo", "up"])?;
            sh(
                "ip",
                &[
                    "link", "add", "tdm0", "netns", &ns, "type", "veth", "peer", "name", &outer,
                    "netns", "tdm-hub",
                ],
            )?;
            sh(
                "ip",
                &[
                    "-n",
                    &ns,
                    "addr",
                    "add",
                    &format!("{}/24", self.addr(n)),
                    "dev",
                    "tdm0",
                ],
            )?;
            sh("ip", &["-n", &ns, "link", "set", "tdm0", "up"])?;
            sh(
                "ip",
                &["-n", "tdm-hub", "link", "set", &outer, "master", "tdm-br"],
            )?;
            sh("ip", &["-n", "tdm-hub", "link", "set", &outer, "up"])?;
        }
        Ok(())
    }

    fn write_config(&self) -> anyhow::Result<PathBuf> {
        let mut text = format!(
            "totem {{\n    version: 2\n    cluster_name: tandem-demo\n    transport: udpu\n    token: {TOKEN_MS}\n}}\nnodelist {{\n"
        );
        for n in 1..=NODES {
            text.push_str(&format!(
                "    node {{\n        ring0_addr: {}\n        nodeid: {n}\n        name: node{n}\n    }}\n",
                self.addr(n)
            ));
        }
        text.push_str("}\nquorum {\n    provider: corosync_votequorum\n}\n");
        let path = self.dir.join("corosync.conf");
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    fn start_node(&mut self, n: usize, config: &Path) -> anyhow::Result<()> {
        let exe = std::env::current_exe().context("finding this program")?;
        let dir = self.node_dir(n);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let log = std::fs::File::create(dir.join("node.log")).context("creating the node log")?;
        let mut cmd = if self.netns {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", &Lab::ns(n)]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(["demo", "--node-process"])
            .arg(config)
            .arg(dir.join("state"))
            .arg(self.socket(n))
            .arg(self.crm_socket(n))
            .arg(n.to_string())
            .env(
                "RUST_LOG",
                std::env::var("TANDEM_DEMO_LOG").unwrap_or_else(|_| "info".into()),
            )
            // The nodes' agents (crm_attribute from Stateful, ...) must reach the live
            // cluster even when the demo runs inside a crm_shadow shell.
            .env_remove(crate::cib_source::CIB_FILE_ENV)
            .env_remove(crate::cib_source::CIB_SHADOW_ENV)
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("log file")?)
            .stderr(log);
        let child = cmd.spawn().context("starting a node")?;
        self.nodes[n - 1] = Some(child);
        Ok(())
    }

    fn kill(&mut self, n: usize) {
        if let Some(mut c) = self.nodes[n - 1].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for n in 1..=NODES {
            self.kill(n);
        }
        if self.netns {
            Lab::remove_namespaces();
        }
        if self.keep {
            println!("Logs and state kept in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Polls `check` every 50 ms until it gives `Some`, the deadline passes, or Ctrl-C.
fn wait_for<T>(
    signals: &Signals,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> anyhow::Result<Option<T>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(Signal::Terminate) = signals.next() {
            bail!("interrupted");
        }
        if let Some(v) = check() {
            return Ok(Some(v));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn ring_size(socket: &Path) -> Option<(usize, bool)> {
    let mut c = Client::connect(socket).ok()?;
    let q = c.quorum().ok()?;
    Some((q.members.len(), q.quorate))
}

/// The demo's own cluster, whatever `CIB_file`/`CIB_shadow` say.
fn live(crm: &Path) -> cluster_api::CibSource {
    cluster_api::CibSource::Live(crm.to_path_buf())
}

fn status_of(crm: &Path) -> Option<resource_manager::admin::StatusReply> {
    let body = cluster_api::call(&live(crm), "status", &[], "").ok()?;
    Some(resource_manager::admin::StatusReply::decode(&body))
}

fn where_runs(crm: &Path, rsc: &str) -> Vec<String> {
    cluster_api::query(&live(crm))
        .ok()
        .and_then(|cib| cluster_api::active_nodes(&cib, rsc).ok())
        .unwrap_or_default()
}

fn print_status(crm: &Path) {
    match status_of(crm).map(|s| crate::status::render_text(&s)) {
        Some(Ok(text)) => {
            for line in text.lines() {
                println!("    {line}");
            }
        }
        Some(Err(e)) => println!("    (status unavailable: {e:#})"),
        None => println!("    (status unavailable)"),
    }
}

fn node_process(args: &[String]) -> anyhow::Result<ExitCode> {
    let [config, state, socket, crm, nodeid] = args else {
        bail!("--node-process needs CONFIG STATE SOCKET CRM_SOCKET NODEID");
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
    let opts = tandemd::node::NodeOptions {
        config: config.into(),
        state_dir: state.into(),
        socket: socket.into(),
        admin_socket: crm.into(),
        nodeid: Some(
            nodeid
                .parse()
                .map_err(|_| anyhow!("bad node id '{nodeid}'"))?,
        ),
        no_crm: false,
    };
    tandemd::node::run_node(&opts).map_err(|e| anyhow!("{e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    if args.first().map(String::as_str) == Some("--node-process") {
        return node_process(&args[1..]);
    }
    let mut keep = false;
    for a in args {
        match a.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            "--keep-logs" => keep = true,
            other => {
                eprint!("demo: unknown option '{other}'\n\n{USAGE}");
                return Ok(ExitCode::from(64));
            }
        }
    }
    let signals = Signals::install().context("installing the Ctrl-C handler")?;
    let root = is_root();
    let netns = root && sh("ip", &["netns", "list"]).is_ok();
    let dir = std::env::temp_dir().join(format!("tandem-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut lab = Lab {
        dir,
        netns,
        nodes: (0..NODES).map(|_| None).collect(),
        keep,
    };
    let result = demo(&mut lab, &signals, root);
    if let Err(e) = &result {
        println!("\nThe demo stopped early: {e:#}");
        if !keep {
            println!("(run with --keep-logs to keep the nodes' logs)");
        }
    }
    println!(
        "\nCleaning up: stopping the nodes{}.",
        if lab.netns {
            ", deleting namespaces tdm-*"
        } else {
            ""
        }
    );
    drop(lab);
    match result {
        Err(e) if e.to_string() == "interrupted" => Ok(ExitCode::from(130)),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn demo(lab: &mut Lab, signals: &Signals, root: bool) -> anyhow::Result<()> {
    println!("Tandem demo: a 3-node cluster on this machine.");
    if lab.netns {
        if let Err(e) = lab.build_network() {
            println!("Cannot create network namespaces ({e:#}); using loopback addresses instead.");
            Lab::remove_namespaces();
            lab.netns = false;
        }
    }
    if lab.netns {
        println!("Running as root: nodes in network namespaces tdm-n1..3 on a bridge, {NET_PREFIX}.1-3/24.");
    } else {
        println!("Nodes on loopback addresses 127.0.0.1-3 (network namespaces and the virtual IP need root).");
    }
    let paths = executor::AgentPaths::from_env();
    let dummy = ["heartbeat", "pacemaker"]
        .into_iter()
        .find(|p| paths.ocf_agent(p, "Dummy").exists());
    let ipaddr2 = paths.ocf_agent("heartbeat", "IPaddr2").exists();
    let config = lab.write_config()?;
    let started = Instant::now();
    for n in 1..=NODES {
        lab.start_node(n, &config)?;
    }
    println!("\n[1] Started 3 nodes (token {TOKEN_MS} ms); waiting for the ring and quorum...");
    let socks: Vec<PathBuf> = (1..=NODES).map(|n| lab.socket(n)).collect();
    let ring = wait_for(signals, Duration::from_secs(30), || {
        socks
            .iter()
            .all(|s| ring_size(s) == Some((NODES, true)))
            .then_some(())
    })?;
    if ring.is_none() {
        bail!("the three nodes did not form a quorate ring within 30 s");
    }
    println!(
        "    Ring of 3 members, quorate, after {} ms.",
        started.elapsed().as_millis()
    );
    let crm: Vec<PathBuf> = (1..=NODES).map(|n| lab.crm_socket(n)).collect();
    let dc = wait_for(signals, Duration::from_secs(30), || {
        let s = status_of(&crm[0])?;
        (s.members.len() == NODES && !s.cib.is_empty())
            .then_some(s.dc)
            .flatten()
    })?;
    let Some(dc) = dc else {
        println!("    The resource managers did not elect a DC within 30 s; the demo shows the messaging layer only.");
        return membership_only(lab, signals);
    };
    println!(
        "    Resource managers joined; DC is {dc} ({} ms after start).",
        started.elapsed().as_millis()
    );

    let Some(provider) = dummy else {
        println!(
            "\nresource-agents is not installed (no ocf:heartbeat:Dummy nor ocf:pacemaker:Dummy):"
        );
        println!("the demo shows ring, quorum and membership failover only. Install resource-agents for the full demo.");
        return membership_only(lab, signals);
    };
    let with_vip = root && lab.netns && ipaddr2;
    let mut text = String::from(
        "property stonith-enabled=false cluster-recheck-interval=1min\n\
         rsc_defaults resource-stickiness=100\n",
    );
    text.push_str(&format!(
        "primitive web-data ocf:{provider}:Dummy op monitor interval=2s timeout=20s\n\
         primitive web-server ocf:{provider}:Dummy op monitor interval=2s timeout=20s\n\
         primitive ping ocf:{provider}:Dummy op monitor interval=5s timeout=20s\n\
         clone ping-clone ping\n"
    ));
    if with_vip {
        text.push_str(&format!(
            "primitive vip ocf:heartbeat:IPaddr2 params ip={VIP} cidr_netmask=24 op monitor interval=2s timeout=20s\n\
             group web web-data web-server vip\n"
        ));
    } else {
        text.push_str("group web web-data web-server\n");
    }
    println!("\n[2] Configuring (tandem configure load update):");
    for line in text.lines() {
        println!("    {line}");
    }
    if !with_vip {
        println!(
            "    (no virtual IP: {})",
            if !root {
                "needs root"
            } else {
                "IPaddr2 not installed or no namespaces"
            }
        );
    }
    let t_conf = Instant::now();
    crate::configure::load_update_text(&live(&crm[0]), &text, "demo", false)?;
    let members: Vec<&str> = if with_vip {
        vec!["web-data", "web-server", "vip"]
    } else {
        vec!["web-data", "web-server"]
    };
    // The node where every member of the group runs, if they all run on one node.
    let group_on = |crm: &Path| -> Option<String> {
        let first = where_runs(crm, members[0]);
        let all_there =
            first.len() == 1 && members[1..].iter().all(|m| where_runs(crm, m) == first);
        all_there.then(|| first[0].clone())
    };
    let up = wait_for(signals, Duration::from_secs(60), || {
        let web = group_on(&crm[0])?;
        let clones = where_runs(&crm[0], "ping-clone");
        (clones.len() == NODES).then_some(vec![web])
    })?;
    let Some(web) = up else {
        println!("    The resources did not all start within 60 s. Current status:");
        print_status(&crm[0]);
        return membership_only(lab, signals);
    };
    println!(
        "    All resources started {} ms after the change.",
        t_conf.elapsed().as_millis()
    );
    println!("\n[3] Status (tandem status):");
    print_status(&crm[0]);

    let victim_name = web[0].clone();
    let victim: usize = victim_name
        .trim_start_matches("node")
        .parse()
        .map_err(|_| anyhow!("unexpected node name {victim_name}"))?;
    let survivor = (1..=NODES).find(|&n| n != victim).unwrap_or(1);
    println!("\n[4] SIGKILL of {victim_name}, which holds group 'web'...");
    let t_kill = Instant::now();
    lab.kill(victim);
    if lab.netns {
        // A dead machine takes its addresses with it.
        let _ = sh(
            "ip",
            &["-n", &Lab::ns(victim), "link", "set", "tdm0", "down"],
        );
    }
    let ring = wait_for(signals, Duration::from_secs(30), || {
        (ring_size(&lab.socket(survivor)) == Some((NODES - 1, true))).then_some(())
    })?;
    let t_ring = t_kill.elapsed();
    if ring.is_none() {
        bail!("no new ring within 30 s of the kill");
    }
    println!(
        "    kill -> new 2-node ring (quorate): {} ms",
        t_ring.as_millis()
    );
    let moved = wait_for(signals, Duration::from_secs(60), || {
        group_on(&crm[survivor - 1]).filter(|w| *w != victim_name)
    })?;
    match moved {
        Some(to) => {
            let t_moved = t_kill.elapsed();
            println!(
                "    kill -> group 'web' started on {to}: {} ms",
                t_moved.as_millis()
            );
            if with_vip {
                let n: usize = to.trim_start_matches("node").parse().unwrap_or(survivor);
                let has = sh("ip", &["-n", &Lab::ns(n), "-o", "addr", "show"])
                    .map(|o| o.contains(VIP))
                    .unwrap_or(false);
                println!(
                    "    virtual IP {VIP} is {}on {to}",
                    if has { "" } else { "NOT yet " }
                );
            }
            println!(
                "\n    Failover timings: kill -> new ring {} ms, kill -> services running elsewhere {} ms",
                t_ring.as_millis(),
                t_moved.as_millis()
            );
            println!(
                "    (no fencing here, so the survivors first wait unfenced-recovery-delay, by\n     \
                 default 450 ms from the ring break, in case node1 is only cut off and still stopping them;\n     \
                 with fencing, recovery follows the fencing at once. See README.)"
            );
        }
        None => println!("    group 'web' did not restart on a survivor within 60 s"),
    }
    println!("\n[5] Final status:");
    print_status(&crm[survivor - 1]);
    Ok(())
}

/// The part that needs no resource agents: kill a node, time the new ring.
fn membership_only(lab: &mut Lab, signals: &Signals) -> anyhow::Result<()> {
    println!("\n[*] SIGKILL of node3 (membership failover)...");
    let t = Instant::now();
    lab.kill(3);
    if lab.netns {
        let _ = sh("ip", &["-n", &Lab::ns(3), "link", "set", "tdm0", "down"]);
    }
    let ring = wait_for(signals, Duration::from_secs(30), || {
        (ring_size(&lab.socket(1)) == Some((NODES - 1, true))).then_some(())
    })?;
    match ring {
        Some(()) => println!(
            "    kill -> new 2-node quorate ring: {} ms",
            t.elapsed().as_millis()
        ),
        None => println!("    no new ring within 30 s"),
    }
    Ok(())
}
