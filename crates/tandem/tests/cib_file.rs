//! The tools on a CIB file (`CIB_file`) and on shadow copies (`crm_shadow`, `CIB_shadow`):
//! reads, writes with Pacemaker's version bumps, atomic writes, errors naming the file, and
//! (with TANDEM_SLOW_TESTS=1) a shadow copy of a running node's CIB committed back to it.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Two nodes, `d1` running on node1 (node2 down).
const CIB: &str = include_str!("fixtures/two_nodes_d1_running.xml");

/// A temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tandem-cibfile-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    /// Names in the directory (to see that no temporary file is left behind).
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `tandem TOOL ARGS` with `env` (and no CIB variables inherited).
fn tandem(env: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
    cmd.args(args)
        .env_remove("CIB_file")
        .env_remove("CIB_shadow")
        .env_remove("CIB_shadow_dir")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run tandem")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `(epoch, num_updates)` of the CIB in `path`.
fn version(path: &Path) -> (u64, u64) {
    let root = cib::xml::parse(&std::fs::read_to_string(path).expect("read CIB")).expect("CIB");
    let n = |k: &str| {
        root.attr(k)
            .and_then(|v| v.parse().ok())
            .expect("version attribute")
    };
    (n("epoch"), n("num_updates"))
}

#[test]
fn cibadmin_writes_the_file_with_pacemakers_version_bumps() {
    let dir = TempDir::new("bumps");
    let file = dir.file("cib.xml", CIB);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let env = [("CIB_file", file.as_path())];

    // A configuration change: epoch + 1, num_updates back to 0 (as Debian's cibadmin does).
    let out = tandem(
        &env,
        &[
            "cibadmin",
            "-M",
            "-X",
            r#"<primitive id="d1" description="x"/>"#,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&file), (6, 0));
    // The same change again changes nothing: no bump (as Debian's).
    let out = tandem(
        &env,
        &[
            "cibadmin",
            "-M",
            "-X",
            r#"<primitive id="d1" description="x"/>"#,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&file), (6, 0));
    let out = tandem(
        &env,
        &[
            "cibadmin",
            "-C",
            "-o",
            "resources",
            "-X",
            r#"<primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/>"#,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&file), (7, 0));
    let q = stdout(&tandem(&env, &["cibadmin", "-Q", "-o", "resources"]));
    assert!(
        q.contains(
            r#"<primitive id="d1" class="ocf" provider="heartbeat" type="Dummy" description="x"/>"#
        ),
        "{q}"
    );
    assert!(q.contains(r#"<primitive id="d2""#), "{q}");

    // A status-only change (a transient attribute): num_updates + 1.
    let out = tandem(
        &env,
        &[
            "crm_attribute",
            "-N",
            "node1",
            "-n",
            "foo",
            "-v",
            "bar",
            "-l",
            "reboot",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&file), (7, 1));

    // Refused changes leave the file byte for byte, with Debian's exit codes.
    let before = std::fs::read(&file).expect("read");
    let dup = tandem(
        &env,
        &[
            "cibadmin",
            "-C",
            "-o",
            "resources",
            "-X",
            r#"<primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/>"#,
        ],
    );
    assert_eq!(code(&dup), 108, "{}", stderr(&dup));
    assert!(stderr(&dup).contains("already exists"), "{}", stderr(&dup));
    let missing = tandem(
        &env,
        &[
            "cibadmin",
            "-M",
            "-X",
            r#"<primitive id="nope" description="x"/>"#,
        ],
    );
    assert_eq!(code(&missing), 105, "{}", stderr(&missing));
    // Deleting what is not there succeeds and changes nothing (as Pacemaker's).
    let gone = tandem(&env, &["cibadmin", "-D", "-X", r#"<primitive id="nope"/>"#]);
    assert_eq!(code(&gone), 0, "{}", stderr(&gone));
    assert_eq!(std::fs::read(&file).expect("read"), before);

    // Higher-level tools write through the same path: a property, a ban, a delete.
    let out = tandem(
        &env,
        &["crm_attribute", "-n", "no-quorum-policy", "-v", "ignore"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&file), (8, 0));
    let q = tandem(&env, &["crm_attribute", "-n", "no-quorum-policy", "-q"]);
    assert_eq!(stdout(&q).trim(), "ignore");
    let out = tandem(&env, &["crm_resource", "--ban", "-r", "d1", "-N", "node1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&file), (9, 0));
    let out = tandem(&env, &["cibadmin", "-D", "-X", r#"<primitive id="d2"/>"#]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&file), (10, 0));
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(
        text.contains(r#"<rsc_location id="cli-ban-d1-on-node1" rsc="d1""#),
        "{text}"
    );
    assert!(!text.contains(r#"id="d2""#), "{text}");

    // Erase needs --force (107, as Debian's), then: empty sections, admin_epoch + 1.
    let out = tandem(&env, &["cibadmin", "--erase"]);
    assert_eq!(code(&out), 107, "{}", stderr(&out));
    assert_eq!(version(&file), (10, 0));
    let out = tandem(&env, &["cibadmin", "--erase", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&file), (11, 0));
    let root = cib::xml::parse(&std::fs::read_to_string(&file).expect("read")).expect("CIB");
    assert_eq!(root.attr("admin_epoch"), Some("1"));
    let config = root.child("configuration").expect("configuration");
    assert!(
        config.children.iter().all(|c| c.children.is_empty()),
        "{}",
        root.to_xml()
    );

    // Written atomically: no temporary file left, the file's permissions kept.
    assert_eq!(dir.names(), vec!["cib.xml".to_string()]);
    let mode = std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn readers_show_the_file() {
    let dir = TempDir::new("read");
    let file = dir.file("cib.xml", CIB);
    let env = [("CIB_file", file.as_path())];
    let out = tandem(&env, &["crm_mon", "-1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Current DC: node1"), "{text}");
    assert!(text.contains("partition with quorum"), "{text}");
    assert!(text.contains("Online: [ node1 ]"), "{text}");
    assert!(text.contains("OFFLINE: [ node2 ]"), "{text}");
    assert!(text.contains("Started node1"), "{text}");
    let out = tandem(&env, &["status", "--output-as", "xml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains(r#"id="d1""#), "{}", stdout(&out));
    let out = tandem(&env, &["configure", "show"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("primitive d1"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("stonith-enabled=false"),
        "{}",
        stdout(&out)
    );
    let out = tandem(&env, &["crm_verify", "-L"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = tandem(&env, &["crm_simulate", "-L", "-S"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Started node1"), "{}", stdout(&out));
    // Reading changes nothing.
    assert_eq!(std::fs::read_to_string(&file).expect("read"), CIB);
}

#[test]
fn bad_files_are_errors_naming_the_file() {
    let dir = TempDir::new("bad");
    let missing = dir.0.join("missing.xml");
    let env = [("CIB_file", missing.as_path())];
    for tool in [
        &["cibadmin", "-Q"][..],
        &["crm_mon", "-1"],
        &["configure", "show"],
        &["crm_resource", "--list"],
    ] {
        let out = tandem(&env, tool);
        assert_eq!(code(&out), 105, "{tool:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&missing.display().to_string()),
            "{}",
            stderr(&out)
        );
    }
    let out = tandem(&env, &["crm_verify", "-L"]);
    assert_eq!(code(&out), 66, "{}", stderr(&out));

    let bad = dir.file(
        "bad.xml",
        "<cib epoch=\"1\">\n  <configuration>\n  <bad attr=>\n</cib>\n",
    );
    let env = [("CIB_file", bad.as_path())];
    for tool in [
        &["cibadmin", "-Q"][..],
        &["crm_mon", "-1"],
        &["crm_attribute", "-n", "x", "-v", "1"],
    ] {
        let out = tandem(&env, tool);
        assert_eq!(code(&out), 78, "{tool:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("bad.xml") && err.contains("line 3"), "{err}");
    }
    let not_cib = dir.file("notcib.xml", "<configuration/>\n");
    let out = tandem(&[("CIB_file", not_cib.as_path())], &["cibadmin", "-Q"]);
    assert_eq!(code(&out), 78, "{}", stderr(&out));
    assert!(stderr(&out).contains("not <cib>"), "{}", stderr(&out));
    // Nothing was written next to them.
    assert_eq!(
        dir.names(),
        vec!["bad.xml".to_string(), "notcib.xml".to_string()]
    );
    assert!(std::fs::read_to_string(&bad)
        .expect("read")
        .contains("<bad attr=>"));
}

#[test]
fn crm_shadow_sandbox_on_a_cib_file() {
    let dir = TempDir::new("shadow");
    let live = dir.file("live.xml", CIB);
    let shadows = dir.0.join("shadows");
    std::fs::create_dir(&shadows).expect("mkdir");
    let shadow_file = shadows.join("shadow.test");
    let cluster = [
        ("CIB_file", live.as_path()),
        ("CIB_shadow_dir", shadows.as_path()),
    ];

    let out = tandem(&cluster, &["crm_shadow", "--create", "test", "--batch"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("CIB_shadow=test ; export CIB_shadow"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&shadow_file).expect("shadow written"),
        CIB
    );
    let mode = std::fs::metadata(&shadow_file)
        .expect("stat")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);
    let again = tandem(&cluster, &["crm_shadow", "--create", "test", "--batch"]);
    assert_eq!(code(&again), 73, "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));

    // With CIB_shadow set, every tool works on the copy (it wins over CIB_file).
    let name = Path::new("test");
    let in_shadow = [
        ("CIB_file", live.as_path()),
        ("CIB_shadow_dir", shadows.as_path()),
        ("CIB_shadow", name),
    ];
    assert_eq!(
        stdout(&tandem(&in_shadow, &["crm_shadow", "--which"])).trim(),
        "test"
    );
    assert_eq!(
        stdout(&tandem(&in_shadow, &["crm_shadow", "--file"])).trim(),
        shadow_file.display().to_string()
    );
    let out = tandem(
        &in_shadow,
        &[
            "cibadmin",
            "-C",
            "-o",
            "resources",
            "-X",
            r#"<primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/>"#,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = tandem(
        &in_shadow,
        &["crm_resource", "--ban", "-r", "d1", "-N", "node2"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&shadow_file), (7, 0));
    assert_eq!(
        std::fs::read_to_string(&live).expect("read"),
        CIB,
        "the cluster's file is untouched"
    );

    let diff = tandem(&in_shadow, &["crm_shadow", "--diff"]);
    assert_eq!(code(&diff), 1, "differences exit 1: {}", stderr(&diff));
    assert_eq!(
        stdout(&diff),
        "Diff: --- 0.5.3 2\nDiff: +++ 0.7.0 (null)\n\
         +  /cib:  @epoch=7, @num_updates=0\n\
         ++ /cib/configuration/resources:  <primitive id=\"d2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n\
         ++ /cib/configuration/constraints:  <rsc_location id=\"cli-ban-d1-on-node2\" rsc=\"d1\" role=\"Started\" node=\"node2\" score=\"-INFINITY\"/>\n"
    );
    assert!(stdout(&tandem(&in_shadow, &["crm_shadow", "--display"])).contains(r#"id="d2""#));

    // Commit needs --force; then the cluster's configuration is the copy's.
    let out = tandem(&in_shadow, &["crm_shadow", "--commit", "test"]);
    assert_eq!(code(&out), 64, "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&live).expect("read"), CIB);
    let out = tandem(&in_shadow, &["crm_shadow", "--commit", "test", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("unset CIB_shadow"),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(&live).expect("read");
    assert!(
        text.contains(r#"<primitive id="d2""#) && text.contains("cli-ban-d1-on-node2"),
        "{text}"
    );
    assert!(version(&live).0 > 5, "the commit bumped the epoch");
    // The status section stays the cluster's.
    assert!(text.contains(r#"<lrm_rsc_op id="d1_last_0""#), "{text}");
    let diff = tandem(&in_shadow, &["crm_shadow", "--diff"]);
    assert!(!stdout(&diff).contains("++"), "{}", stdout(&diff));

    // Reset copies the cluster again; delete needs --force.
    let out = tandem(&cluster, &["crm_shadow", "--reset", "test"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(version(&shadow_file), version(&live));
    assert_eq!(
        code(&tandem(&cluster, &["crm_shadow", "--delete", "test"])),
        64
    );
    let out = tandem(&cluster, &["crm_shadow", "--delete", "test", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!shadow_file.exists());
    let out = tandem(&in_shadow, &["cibadmin", "-Q"]);
    assert_eq!(code(&out), 105, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("shadow instance 'test'"),
        "{}",
        stderr(&out)
    );
    let out = tandem(&cluster, &["crm_shadow", "--which"]);
    assert_eq!(code(&out), 105);
    assert!(stderr(&out).contains("No active shadow configuration defined"));

    // An empty copy: Pacemaker's empty configuration at version 0.0.0.
    let out = tandem(
        &cluster,
        &["crm_shadow", "--create-empty", "blank", "--batch"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Created new pacemaker-3.9 configuration\n"));
    let blank = shadows.join("shadow.blank");
    assert_eq!(version(&blank), (0, 0));
    let text = std::fs::read_to_string(&blank).expect("read");
    assert!(
        text.contains("<resources/>") && text.contains("<status/>"),
        "{text}"
    );
}

#[test]
fn crm_shadow_without_batch_starts_a_shell_with_cib_shadow_set() {
    let dir = TempDir::new("shell");
    let live = dir.file("live.xml", CIB);
    let out_file = dir.0.join("seen");
    let script = dir.file(
        "shell.sh",
        &format!(
            "#!/bin/sh\necho \"$CIB_shadow $PS1\" > {}\n",
            out_file.display()
        ),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let shadows = dir.0.join("shadows");
    std::fs::create_dir(&shadows).expect("mkdir");
    let out = tandem(
        &[
            ("CIB_file", live.as_path()),
            ("CIB_shadow_dir", shadows.as_path()),
            ("SHELL", script.as_path()),
        ],
        &["crm_shadow", "--create", "sh1"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Type Ctrl-D to exit the crm_shadow shell"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&out_file)
            .expect("the shell ran")
            .trim(),
        "sh1 shadow[sh1] #"
    );
}

/// A `tandem demo --node-process` node, killed on drop.
struct Node {
    child: Child,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn crm_shadow_commits_to_a_running_node() {
    if std::env::var("TANDEM_SLOW_TESTS").as_deref() != Ok("1") {
        eprintln!("crm_shadow_commits_to_a_running_node: skipped (set TANDEM_SLOW_TESTS=1 to run real-process tests)");
        return;
    }
    let dir = TempDir::new("live");
    // One node on a loopback address of its own (127.204.6.0/24 is this test's) and port.
    let config = dir.file(
        "corosync.conf",
        "totem {\n    version: 2\n    cluster_name: cibfile\n    transport: udpu\n    token: 1000\n    interface {\n        linknumber: 0\n        mcastport: 26405\n    }\n}\nnodelist {\n    node {\n        ring0_addr: 127.204.6.1\n        nodeid: 1\n        name: node1\n    }\n}\nquorum {\n    provider: corosync_votequorum\n}\n",
    );
    let socket = dir.0.join("tandem.sock");
    let crm = dir.0.join("crm.sock");
    let log = std::fs::File::create(dir.0.join("node.log")).expect("log");
    let _node = Node {
        child: Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args(["demo", "--node-process"])
            .arg(&config)
            .arg(dir.0.join("state"))
            .arg(&socket)
            .arg(&crm)
            .arg("1")
            .env("RUST_LOG", "warn")
            .env_remove("CIB_file")
            .env_remove("CIB_shadow")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start a node"),
    };
    let live = [("TANDEM_CRM_SOCKET", crm.as_path())];
    let ready = wait_until(Duration::from_secs(30), || {
        let out = tandem(&live, &["crm_mon", "-1"]);
        code(&out) == 0 && stdout(&out).contains("Current DC: node1")
    });
    let log_text = || std::fs::read_to_string(dir.0.join("node.log")).unwrap_or_default();
    assert!(
        ready,
        "the node did not elect itself DC; log:\n{}",
        log_text()
    );

    let shadows = dir.0.join("shadows");
    std::fs::create_dir(&shadows).expect("mkdir");
    let in_shadow = [
        ("TANDEM_CRM_SOCKET", crm.as_path()),
        ("CIB_shadow_dir", shadows.as_path()),
        ("CIB_shadow", Path::new("live")),
    ];
    let with_dir = [
        ("TANDEM_CRM_SOCKET", crm.as_path()),
        ("CIB_shadow_dir", shadows.as_path()),
    ];
    let out = tandem(&with_dir, &["crm_shadow", "--create", "live", "--batch"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = tandem(
        &in_shadow,
        &[
            "crm_attribute",
            "-n",
            "cluster-recheck-interval",
            "-v",
            "7min",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = tandem(
        &in_shadow,
        &[
            "cibadmin",
            "-C",
            "-o",
            "resources",
            "-X",
            r#"<primitive id="parked" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="parked-meta_attributes"><nvpair id="parked-meta_attributes-target-role" name="target-role" value="Stopped"/></meta_attributes></primitive>"#,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Not live yet.
    let q = tandem(
        &live,
        &["crm_attribute", "-n", "cluster-recheck-interval", "-q"],
    );
    assert_ne!(stdout(&q).trim(), "7min");
    let diff = tandem(&in_shadow, &["crm_shadow", "--diff"]);
    assert_eq!(code(&diff), 1, "{}", stderr(&diff));
    assert!(
        stdout(&diff).contains("primitive id=\"parked\""),
        "{}",
        stdout(&diff)
    );

    let before = tandem(&live, &["cibadmin", "-Q"]);
    let epoch_before = cib::xml::parse(&stdout(&before))
        .expect("live CIB")
        .attr("epoch")
        .and_then(|e| e.parse::<u64>().ok())
        .expect("epoch");
    let out = tandem(&in_shadow, &["crm_shadow", "--commit", "live", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let q = tandem(
        &live,
        &["crm_attribute", "-n", "cluster-recheck-interval", "-q"],
    );
    assert_eq!(stdout(&q).trim(), "7min", "{}", stderr(&q));
    let after = stdout(&tandem(&live, &["cibadmin", "-Q"]));
    let root = cib::xml::parse(&after).expect("live CIB");
    let epoch_after: u64 = root
        .attr("epoch")
        .and_then(|e| e.parse().ok())
        .expect("epoch");
    assert!(
        epoch_after > epoch_before,
        "{epoch_before} -> {epoch_after}"
    );
    assert!(after.contains(r#"<primitive id="parked""#), "{after}");
    // The node keeps its own entry and status.
    assert!(after.contains(r#"uname="node1""#), "{after}");
    let status = stdout(&tandem(&live, &["crm_mon", "-1"]));
    assert!(status.contains("parked"), "{status}");
}

#[test]
fn concurrent_writers_lose_no_change() {
    let dir = TempDir::new("concurrent");
    let file = dir.file("cib.xml", CIB);
    let children: Vec<Child> = (0..8)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_tandem"))
                .args([
                    "crm_attribute",
                    "-n",
                    &format!("p{i}"),
                    "-v",
                    &i.to_string(),
                ])
                .env("CIB_file", &file)
                .env_remove("CIB_shadow")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().expect("wait").success());
    }
    assert_eq!(version(&file), (13, 0), "eight changes, eight epochs");
    let text = std::fs::read_to_string(&file).expect("read");
    for i in 0..8 {
        assert!(
            text.contains(&format!(r#"name="p{i}" value="{i}""#)),
            "p{i} lost:\n{text}"
        );
    }
    assert_eq!(dir.names(), vec!["cib.xml".to_string()]);
}
