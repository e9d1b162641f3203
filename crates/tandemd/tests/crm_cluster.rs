//! Real 3-node clusters (tandemd + resource manager per node, `tandemd`) in network
//! namespaces `tdr-*` (10.205.0.0/24). Run only with TANDEM_SLOW_TESTS=1, as root.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use resource_manager::admin::{self, StatusReply};

mod e2e;
use e2e::placement;

static LOCK: Mutex<()> = Mutex::new(());

fn enabled(test: &str) -> bool {
    if std::env::var("TANDEM_SLOW_TESTS").as_deref() != Ok("1") {
        eprintln!("{test}: skipped (set TANDEM_SLOW_TESTS=1 to run real-process tests)");
        return false;
    }
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if !root {
        eprintln!("{test}: skipped (needs root for network namespaces)");
        return false;
    }
    true
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn delete_namespaces() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        if name.starts_with("tdr-") {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
        }
    }
}

struct Cluster {
    _lock: MutexGuard<'static, ()>,
    dir: PathBuf,
    nodes: Vec<Option<Child>>,
}

impl Cluster {
    fn start(n: usize) -> Cluster {
        let lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        delete_namespaces();
        let dir = std::env::temp_dir().join(format!("tdr-test-{}-{}", std::process::id(), n));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("test dir");
        ip(&["netns", "add", "tdr-hub"]);
        ip(&["-n", "tdr-hub", "link", "add", "tdr-br", "type", "bridge"]);
        ip(&["-n", "tdr-hub", "link", "set", "tdr-br", "up"]);
        let mut conf = String::from(
            "totem {\n  version: 2\n  cluster_name: tdr\n  transport: udpu\n  token: 1000\n}\nnodelist {\n",
        );
        for i in 1..=n {
            let ns = format!("tdr-n{i}");
            ip(&["netns", "add", &ns]);
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            let outer = format!("tdr{i}h");
            ip(&[
                "link", "add", "tdr0", "netns", &ns, "type", "veth", "peer", "name", &outer,
                "netns", "tdr-hub",
            ]);
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("10.205.0.{i}/24"),
                "dev",
                "tdr0",
            ]);
            ip(&["-n", &ns, "link", "set", "tdr0", "up"]);
            ip(&["-n", "tdr-hub", "link", "set", &outer, "master", "tdr-br"]);
            ip(&["-n", "tdr-hub", "link", "set", &outer, "up"]);
            conf.push_str(&format!(
                "  node {{\n    ring0_addr: 10.205.0.{i}\n    nodeid: {i}\n    name: node{i}\n  }}\n"
            ));
        }
        conf.push_str("}\nquorum {\n  provider: corosync_votequorum\n}\n");
        std::fs::write(dir.join("corosync.conf"), conf).expect("write config");
        let mut c = Cluster {
            _lock: lock,
            dir,
            nodes: (0..n).map(|_| None).collect(),
        };
        for i in 1..=n {
            c.start_node(i);
        }
        c
    }

    fn node_dir(&self, i: usize) -> PathBuf {
        self.dir.join(format!("node{i}"))
    }

    fn crm(&self, i: usize) -> PathBuf {
        self.node_dir(i).join("crm.sock")
    }

    fn start_node(&mut self, i: usize) {
        let d = self.node_dir(i);
        std::fs::create_dir_all(&d).expect("node dir");
        let log = std::fs::File::create(d.join("node.log")).expect("log");
        let child = Command::new("ip")
            .args(["netns", "exec", &format!("tdr-n{i}")])
            .arg(env!("CARGO_BIN_EXE_tandemd"))
            .arg("-c")
            .arg(self.dir.join("corosync.conf"))
            .arg("--state-dir")
            .arg(d.join("state"))
            .arg("--socket")
            .arg(d.join("tandem.sock"))
            .arg("--nodeid")
            .arg(i.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn tandemd");
        self.nodes[i - 1] = Some(child);
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i - 1].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        ip(&["-n", &format!("tdr-n{i}"), "link", "set", "tdr0", "down"]);
    }

    fn logs(&self) -> String {
        let mut s = String::new();
        for i in 1..=self.nodes.len() {
            let t = std::fs::read_to_string(self.node_dir(i).join("node.log")).unwrap_or_default();
            let tail: Vec<&str> = t.lines().rev().take(40).collect();
            s.push_str(&format!("--- node{i}\n"));
            for l in tail.into_iter().rev() {
                s.push_str(l);
                s.push('\n');
            }
        }
        s
    }

    fn status(&self, i: usize) -> Option<StatusReply> {
        admin::call(&self.crm(i), "status", &[], "")
            .ok()
            .map(|b| StatusReply::decode(&b))
    }

    fn wait<T>(&self, what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = f() {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until every listed node's resource manager is in a group of `members` with a DC.
    fn wait_joined(&self, nodes: &[usize]) {
        self.wait(
            "the resource managers to join",
            Duration::from_secs(30),
            || {
                nodes
                    .iter()
                    .all(|&i| {
                        self.status(i).is_some_and(|s| {
                            s.members.len() == nodes.len() && s.dc.is_some() && s.phase == "Running"
                        })
                    })
                    .then_some(())
            },
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 1..=self.nodes.len() {
            if let Some(mut c) = self.nodes[i - 1].take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        delete_namespaces();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("logs kept in {}", self.dir.display());
        }
    }
}

const CONFIG: &str = r#"<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
  </cluster_property_set></crm_config>
  <nodes/>
  <resources>
    <group id="g">
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
  </resources>
  <constraints/>
</configuration>"#;

fn query(c: &Cluster, i: usize) -> String {
    admin::call(&c.crm(i), "query", &[], "").unwrap_or_default()
}

fn configured(c: &Cluster) -> String {
    admin::call(&c.crm(1), "replace", &[], CONFIG).expect("replace the configuration");
    c.wait("group and clone started", Duration::from_secs(60), || {
        let cib = query(c, 1);
        let a = placement(&cib, "a");
        let b = placement(&cib, "b");
        (a.len() == 1 && a == b && placement(&cib, "c").len() == 3).then(|| a[0].clone())
    })
}

#[test]
fn sigkill_of_the_group_holder_moves_the_group() {
    if !enabled("sigkill_of_the_group_holder_moves_the_group") {
        return;
    }
    let mut c = Cluster::start(3);
    c.wait_joined(&[1, 2, 3]);
    let holder = configured(&c);
    let victim: usize = holder
        .trim_start_matches("node")
        .parse()
        .expect("node name");
    let survivor = (1..=3).find(|&i| i != victim).expect("a survivor");
    let t = Instant::now();
    c.kill(victim);
    let to = c.wait("the group on a survivor", Duration::from_secs(30), || {
        let cib = query(&c, survivor);
        let a = placement(&cib, "a");
        let b = placement(&cib, "b");
        (a.len() == 1 && a == b && a[0] != holder).then(|| a[0].clone())
    });
    eprintln!(
        "group moved {holder} -> {to} in {} ms after SIGKILL",
        t.elapsed().as_millis()
    );
    // Nothing runs twice among the survivors.
    let cib = query(&c, survivor);
    assert_eq!(placement(&cib, "c").len(), 2, "clone on both survivors");
}

#[test]
fn monitor_failure_restarts_the_resource() {
    if !enabled("monitor_failure_restarts_the_resource") {
        return;
    }
    let c = Cluster::start(3);
    c.wait_joined(&[1, 2, 3]);
    let holder = configured(&c);
    let i: usize = holder
        .trim_start_matches("node")
        .parse()
        .expect("node name");
    let state = c.node_dir(i).join("rsctmp/Dummy-b.state");
    assert!(
        state.exists(),
        "{} should exist while b runs",
        state.display()
    );
    std::fs::remove_file(&state).expect("remove b's state file");
    // The monitor (1s) sees it stopped, the failure is recorded, b is restarted.
    c.wait("a recorded failure of b", Duration::from_secs(20), || {
        let cib = query(&c, 1);
        cib.contains("b_last_failure_0").then_some(())
    });
    c.wait("b running again", Duration::from_secs(30), || {
        let cib = query(&c, 1);
        (state.exists() && placement(&cib, "b").len() == 1).then_some(())
    });
    let cib = query(&c, 1);
    assert!(cib.contains("fail-count-b"), "fail count recorded:\n{cib}");
    // cleanup forgets it
    admin::call(&c.crm(1), "cleanup", &["b"], "").expect("cleanup");
    c.wait("failure forgotten", Duration::from_secs(20), || {
        let cib = query(&c, 1);
        (!cib.contains("b_last_failure_0") && !cib.contains("fail-count-b")).then_some(())
    });
}

fn crm_simulate_accepts(path: &Path) -> Option<(bool, String)> {
    let out = Command::new("crm_simulate")
        .arg("-x")
        .arg(path)
        .arg("-S")
        .output()
        .ok()?;
    Some((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

#[test]
fn live_cib_is_accepted_by_pacemaker_crm_simulate() {
    if !enabled("live_cib_is_accepted_by_pacemaker_crm_simulate") {
        return;
    }
    let c = Cluster::start(3);
    c.wait_joined(&[1, 2, 3]);
    let holder = configured(&c);
    let live = c.dir.join("live.xml");
    std::fs::write(&live, query(&c, 1)).expect("write live.xml");
    let Some((ok, text)) = crm_simulate_accepts(&live) else {
        eprintln!("crm_simulate is not installed; skipping the Pacemaker check");
        return;
    };
    assert!(ok, "crm_simulate refused the live CIB:\n{text}");
    // Pacemaker reads the same placement: the group where we run it, nothing to do.
    assert!(
        text.contains(&format!("Started {holder}")),
        "crm_simulate output:\n{text}"
    );
    assert!(text.contains("Transition Summary:"), "{text}");
}
