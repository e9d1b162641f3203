//! `tandem cluster setup`: write a new cluster's corosync.conf and authkey, as `pcs cluster setup`.
//!
//! The flags are parsed and the configuration text is rendered with no IO; the
//! rendered text is checked by parsing it back with the `corosync-conf` crate
//! before anything is written. Both files are then written atomically (temp,
//! fsync, rename): the authkey with mode 0400 and the configuration with mode
//! 0644. Existing files are never replaced without `--force`.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::exit_code;
use crate::flag_walker::FlagWalker;

/// Most nodes one `setup` accepts (corosync's own nodelist limit is higher, but
/// votequorum and Totem are not meant for more).
const MAX_NODES: usize = 64;
/// Longest cluster name accepted.
const MAX_CLUSTER_NAME: usize = 64;
/// Longest node name or host name accepted (DNS limit).
const MAX_HOST_NAME: usize = 253;
/// Token timeouts accepted by `--token`, ms.
const TOKEN_RANGE: std::ops::RangeInclusive<u32> = 100..=600_000;
/// Size of the generated authkey, bytes (corosync-keygen's default).
const AUTHKEY_BYTES: usize = 256;
/// Default output directory.
const DEFAULT_DIR: &str = "/etc/corosync";
/// Default cluster name.
const DEFAULT_NAME: &str = "tandem";
/// Log file named in the generated `logging {}` section (Debian's path).
const LOG_FILE: &str = "/var/log/corosync/corosync.log";

const USAGE: &str = "\
NAME
    tandem cluster setup - write corosync.conf and an authkey for a new cluster

SYNOPSIS
    tandem cluster setup NODE... [--name NAME] [--transport knet|udpu|udp]
                         [--token MS] [--two-node] [-o DIR] [--force]

DESCRIPTION
    Writes DIR/corosync.conf and DIR/authkey for a cluster of the given nodes,
    as 'pcs cluster setup' does. Copy both files to /etc/corosync on every node
    (the authkey must stay secret: it is written with mode 0400), then start
    tandemd on each node.

    Each NODE is either a name that resolves to the node's cluster address, or
    NAME=ADDRESS to give the address explicitly (an IPv4 or IPv6 address or a
    host name). Nodes are numbered 1, 2, ... in the order given; that number is
    the node id. The written configuration has:

      totem      version 2, cluster_name, transport, token when --token is
                 given, and for knet crypto_cipher aes256 and crypto_hash
                 sha256 (corosync 3 refuses crypto on udpu and udp, so those
                 configurations are unencrypted; a warning says so)
      nodelist   one node per NODE with ring0_addr, name and nodeid
      quorum     provider corosync_votequorum; two_node: 1 for two nodes
                 (which implies wait_for_all)
      logging    to syslog and to /var/log/corosync/corosync.log

    The configuration is parsed back before anything is written, so a file
    that tandemd would reject is never produced.

OPTIONS
    --name NAME         cluster name (totem.cluster_name): letters, digits,
                        '.', '_' and '-', at most 64 characters
                        (default: tandem)
    --transport KIND    knet (corosync 3's default, the default here), udpu
                        (UDP unicast) or udp (UDP multicast)
    --token MS          totem.token in milliseconds, 100..600000 (default:
                        corosync's 3000; for 3 nodes or more the effective
                        token adds 650 ms per node beyond two)
    --two-node          state that this is a two-node cluster; two_node is
                        written for two nodes anyway, and this flag is refused
                        for any other count
    -o, --output DIR    directory to write into (default: /etc/corosync); it
                        must exist
    --force             replace an existing corosync.conf or authkey
    -h, --help          print this help

EXIT STATUS
    0 on success, 64 on a usage error, 1 when a file cannot be written or
    already exists.

EXAMPLES
    tandem cluster setup node1 node2 node3 --name web
    tandem cluster setup a=10.0.0.1 b=10.0.0.2 --transport udpu --token 1000 -o /tmp/cl
";

/// The transport written to `totem.transport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Knet,
    Udpu,
    Udp,
}

impl Transport {
    fn keyword(self) -> &'static str {
        match self {
            Transport::Knet => "knet",
            Transport::Udpu => "udpu",
            Transport::Udp => "udp",
        }
    }
}

/// One node as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NodeSpec {
    name: String,
    addr: String,
}

/// A parsed and validated `setup` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setup {
    name: String,
    transport: Transport,
    token: Option<u32>,
    nodes: Vec<NodeSpec>,
    dir: PathBuf,
    force: bool,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Command {
    Help,
    Setup(Setup),
}

/// True for a name made of letters, digits, '.', '_' and '-', starting with a letter or digit.
fn is_plain_name(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Parses one `NODE` or `NAME=ADDRESS` word.
fn parse_node(word: &str) -> Result<NodeSpec, String> {
    let (name, addr) = match word.split_once('=') {
        Some((name, addr)) => (name, addr),
        None => (word, word),
    };
    if name.is_empty() || name.len() > MAX_HOST_NAME || !is_plain_name(name) {
        return Err(format!(
            "node '{word}': the name '{name}' must be 1..{MAX_HOST_NAME} letters, digits, '.', '_' or '-', starting with a letter or digit"
        ));
    }
    let valid_addr = addr.parse::<IpAddr>().is_ok()
        || (addr.len() <= MAX_HOST_NAME && is_plain_name(addr) && !addr.contains('_'));
    if !valid_addr {
        return Err(format!(
            "node '{word}': '{addr}' is neither an IP address nor a host name"
        ));
    }
    Ok(NodeSpec {
        name: name.to_string(),
        addr: addr.to_string(),
    })
}

/// Parses the arguments after `cluster`; no IO.
fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut walker = FlagWalker::new(args);
    match walker.next_flag().as_deref() {
        None => return Err("a subcommand is needed: setup".to_string()),
        Some("-h") | Some("--help") | Some("help") => return Ok(Command::Help),
        Some("setup") => {}
        Some(other) => return Err(format!("unknown subcommand '{other}' (known: setup)")),
    }
    let mut name = DEFAULT_NAME.to_string();
    let mut transport = Transport::Knet;
    let mut token = None;
    let mut two_node = false;
    let mut dir = PathBuf::from(DEFAULT_DIR);
    let mut force = false;
    let mut nodes: Vec<NodeSpec> = Vec::new();
    while let Some(flag) = walker.next_flag() {
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--name" => {
                let value = walker.value(&flag)?;
                if value.len() > MAX_CLUSTER_NAME || !is_plain_name(&value) {
                    return Err(format!(
                        "--name '{value}': a cluster name is 1..{MAX_CLUSTER_NAME} letters, digits, '.', '_' or '-', starting with a letter or digit"
                    ));
                }
                name = value;
            }
            "--transport" => {
                transport = match walker.value(&flag)?.as_str() {
                    "knet" => Transport::Knet,
                    "udpu" => Transport::Udpu,
                    "udp" => Transport::Udp,
                    other => {
                        return Err(format!(
                            "--transport '{other}': known transports are knet, udpu and udp"
                        ))
                    }
                }
            }
            "--token" => {
                let value = walker.value(&flag)?;
                token = match value.parse::<u32>() {
                    Ok(ms) if TOKEN_RANGE.contains(&ms) => Some(ms),
                    _ => {
                        return Err(format!(
                            "--token '{value}': a token timeout is {}..{} milliseconds",
                            TOKEN_RANGE.start(),
                            TOKEN_RANGE.end()
                        ))
                    }
                }
            }
            "--two-node" => two_node = true,
            "-o" | "--output" => dir = PathBuf::from(walker.value(&flag)?),
            "--force" => force = true,
            word if word.starts_with('-') => return Err(format!("unknown option '{word}'")),
            word => {
                let node = parse_node(word)?;
                if let Some(index) = nodes.iter().position(|n| n.name == node.name) {
                    return Err(format!(
                        "node name '{}' is given twice (nodes {} and {})",
                        node.name,
                        index + 1,
                        nodes.len() + 1
                    ));
                }
                if let Some(index) = nodes.iter().position(|n| n.addr == node.addr) {
                    return Err(format!(
                        "address '{}' is given twice (nodes {} and {})",
                        node.addr,
                        index + 1,
                        nodes.len() + 1
                    ));
                }
                nodes.push(node);
            }
        }
    }
    if nodes.is_empty() {
        return Err("at least one NODE is needed".to_string());
    }
    if nodes.len() > MAX_NODES {
        return Err(format!(
            "{} nodes given; at most {MAX_NODES} are supported",
            nodes.len()
        ));
    }
    if two_node && nodes.len() != 2 {
        return Err(format!(
            "--two-node needs exactly 2 nodes, {} given",
            nodes.len()
        ));
    }
    Ok(Command::Setup(Setup {
        name,
        transport,
        token,
        nodes,
        dir,
        force,
    }))
}

/// The corosync.conf text for `setup`; no IO.
fn render(setup: &Setup) -> String {
    let mut text = String::from("totem {\n    version: 2\n");
    text.push_str(&format!("    cluster_name: {}\n", setup.name));
    text.push_str(&format!("    transport: {}\n", setup.transport.keyword()));
    if let Some(token) = setup.token {
        text.push_str(&format!("    token: {token}\n"));
    }
    if setup.transport == Transport::Knet {
        text.push_str("    crypto_cipher: aes256\n    crypto_hash: sha256\n");
    }
    text.push_str("}\n\nnodelist {\n");
    for (index, node) in setup.nodes.iter().enumerate() {
        text.push_str(&format!(
            "    node {{\n        ring0_addr: {}\n        name: {}\n        nodeid: {}\n    }}\n\n",
            node.addr,
            node.name,
            index + 1
        ));
    }
    if text.ends_with("\n\n") {
        text.pop();
    }
    text.push_str("}\n\nquorum {\n    provider: corosync_votequorum\n");
    if setup.nodes.len() == 2 {
        text.push_str("    two_node: 1\n");
    }
    text.push_str(&format!(
        "}}\n\nlogging {{\n    to_logfile: yes\n    logfile: {LOG_FILE}\n    to_syslog: yes\n    timestamp: on\n}}\n"
    ));
    text
}

/// Parses `text` back and checks it says what `setup` asked for.
fn check_rendered(setup: &Setup, text: &str) -> anyhow::Result<()> {
    let parsed = corosync_conf::parse(text, "corosync.conf")
        .context("the generated configuration does not parse (a bug in tandem)")?;
    let config = &parsed.config;
    if config.nodelist.len() != setup.nodes.len()
        || config.totem.cluster_name.as_deref() != Some(setup.name.as_str())
        || config.totem.crypto_enabled() != (setup.transport == Transport::Knet)
        || !config.quorum.votequorum_enabled()
    {
        bail!(
            "the generated configuration does not parse back to what was asked (a bug in tandem)"
        );
    }
    Ok(())
}

/// Refuses to replace `path` unless `force`.
fn check_absent(path: &Path, force: bool) -> anyhow::Result<()> {
    if !force && path.symlink_metadata().is_ok() {
        bail!(
            "{} already exists; use --force to replace it",
            path.display()
        );
    }
    Ok(())
}

/// Checks, renders and writes both files.
fn setup(setup: &Setup) -> anyhow::Result<(PathBuf, PathBuf)> {
    let text = render(setup);
    check_rendered(setup, &text)?;
    let meta = std::fs::metadata(&setup.dir)
        .with_context(|| format!("output directory {}", setup.dir.display()))?;
    if !meta.is_dir() {
        bail!("output {} is not a directory", setup.dir.display());
    }
    let conf = setup.dir.join("corosync.conf");
    let key = setup.dir.join("authkey");
    check_absent(&conf, setup.force)?;
    check_absent(&key, setup.force)?;
    let secret = crate::keygen::gather(Path::new("/dev/urandom"), AUTHKEY_BYTES)?;
    crate::atomic_file::write(&key, &secret, 0o400)?;
    crate::atomic_file::write(&conf, text.as_bytes(), 0o644)?;
    Ok((conf, key))
}

/// Runs `tandem cluster ...`.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let command = match parse_args(args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("tandem cluster: {message}\nRun 'tandem cluster setup --help' for usage.");
            return Ok(ExitCode::from(exit_code::USAGE));
        }
    };
    match command {
        Command::Help => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Setup(plan) => {
            let (conf, key) = setup(&plan)?;
            if plan.transport != Transport::Knet {
                eprintln!(
                    "tandem cluster: warning: transport {} carries no encryption (corosync 3 accepts crypto only with knet); use --transport knet to encrypt the cluster's traffic",
                    plan.transport.keyword()
                );
            }
            println!(
                "Wrote {} ({} nodes, cluster '{}', transport {}) and {} (mode 0400).",
                conf.display(),
                plan.nodes.len(),
                plan.name,
                plan.transport.keyword(),
                key.display()
            );
            println!("Copy both to /etc/corosync on every node, then start tandemd there.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn plan(list: &[&str]) -> Setup {
        match parse_args(&args(list)) {
            Ok(Command::Setup(setup)) => setup,
            other => panic!("expected a setup, got {other:?}"),
        }
    }

    fn error(list: &[&str]) -> String {
        match parse_args(&args(list)) {
            Err(message) => message,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tandem-setup-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn three_nodes_render_the_golden_file() {
        let setup = plan(&[
            "setup",
            "n1=10.208.0.1",
            "n2=10.208.0.2",
            "n3=10.208.0.3",
            "--name",
            "lab",
            "--transport",
            "udpu",
            "--token=1000",
        ]);
        assert_eq!(
            render(&setup),
            include_str!("../testdata/cluster-setup-3.conf")
        );
    }

    #[test]
    fn two_nodes_render_the_golden_file() {
        let setup = plan(&["setup", "alpha", "beta", "--two-node"]);
        assert_eq!(
            render(&setup),
            include_str!("../testdata/cluster-setup-2.conf")
        );
    }

    #[test]
    fn rendered_text_loads_with_our_parser_as_asked() {
        for transport in ["knet", "udpu", "udp"] {
            let setup = plan(&[
                "setup",
                "a=10.208.0.1",
                "b=fd00::2",
                "c=node-c.example",
                "--transport",
                transport,
                "--token",
                "1500",
            ]);
            let parsed = corosync_conf::parse(&render(&setup), "corosync.conf")
                .unwrap_or_else(|e| panic!("{transport}: {e}"));
            assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
            let config = parsed.config;
            assert_eq!(config.totem.cluster_name.as_deref(), Some("tandem"));
            assert_eq!(config.totem.token, 1500);
            let (cipher, hash) = match transport {
                "knet" => (corosync_conf::Cipher::Aes256, corosync_conf::Hash::Sha256),
                _ => (corosync_conf::Cipher::None, corosync_conf::Hash::None),
            };
            assert_eq!(config.totem.crypto_cipher, cipher, "{transport}");
            assert_eq!(config.totem.crypto_hash, hash, "{transport}");
            let ids: Vec<_> = config.nodelist.iter().map(|n| n.nodeid).collect();
            assert_eq!(ids, vec![Some(1), Some(2), Some(3)]);
            let names: Vec<_> = config
                .nodelist
                .iter()
                .map(|n| n.name.clone().unwrap_or_default())
                .collect();
            assert_eq!(names, vec!["a", "b", "c"]);
            assert_eq!(
                config.nodelist[2].ring_addr(0),
                Some(&corosync_conf::NodeAddr::Host("node-c.example".to_string()))
            );
            assert!(config.quorum.votequorum_enabled());
            assert!(!config.quorum.two_node);
        }
        let two = plan(&["setup", "a", "b"]);
        let config = corosync_conf::parse(&render(&two), "corosync.conf")
            .expect("two nodes")
            .config;
        assert!(config.quorum.two_node && config.quorum.wait_for_all);
    }

    #[test]
    fn bad_command_lines_are_named_errors() {
        assert!(error(&[]).contains("subcommand"));
        assert!(error(&["start"]).contains("unknown subcommand 'start'"));
        assert!(error(&["setup"]).contains("at least one NODE"));
        assert!(
            error(&["setup", "a", "a"]).contains("node name 'a' is given twice (nodes 1 and 2)")
        );
        assert!(error(&["setup", "a=10.0.0.1", "b=10.0.0.1"])
            .contains("address '10.0.0.1' is given twice"));
        assert!(error(&["setup", "a", "b", "c", "--two-node"]).contains("exactly 2 nodes, 3 given"));
        assert!(error(&["setup", "a", "--transport", "sctp"]).contains("--transport 'sctp'"));
        assert!(error(&["setup", "a", "--token", "0"]).contains("--token '0'"));
        assert!(error(&["setup", "a", "--token", "x"]).contains("--token 'x'"));
        assert!(error(&["setup", "a", "--name", "my cluster"]).contains("--name 'my cluster'"));
        assert!(error(&["setup", "a", "--name"]).contains("--name needs a value"));
        assert!(error(&["setup", "a{b"]).contains("node 'a{b'"));
        assert!(error(&["setup", "a=x y"]).contains("'x y' is neither"));
        assert!(error(&["setup", "=10.0.0.1"]).contains("node '=10.0.0.1'"));
        assert!(error(&["setup", "a", "--bogus"]).contains("unknown option '--bogus'"));
        let many: Vec<String> = (0..=MAX_NODES).map(|i| format!("n{i}")).collect();
        let mut list = vec!["setup".to_string()];
        list.extend(many);
        assert!(parse_args(&list)
            .expect_err("too many")
            .contains("at most 64"));
        assert_eq!(parse_args(&args(&["setup", "--help"])), Ok(Command::Help));
    }

    #[test]
    fn writes_both_files_and_refuses_to_overwrite_without_force() {
        let dir = temp_dir("write");
        let d = dir.to_str().expect("utf-8");
        let code = run(&args(&["setup", "a", "b", "c", "-o", d])).expect("setup");
        assert_eq!(code, ExitCode::SUCCESS);
        let key = std::fs::read(dir.join("authkey")).expect("authkey");
        assert_eq!(key.len(), AUTHKEY_BYTES);
        let mode = |p: &str| {
            std::fs::metadata(dir.join(p))
                .expect("meta")
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!((mode("authkey"), mode("corosync.conf")), (0o400, 0o644));
        let loaded = corosync_conf::load(&dir.join("corosync.conf")).expect("loads");
        assert_eq!(loaded.config.nodelist.len(), 3);

        let again = run(&args(&["setup", "x", "-o", d])).expect_err("exists");
        assert!(format!("{again:#}").contains("already exists; use --force"));
        assert_eq!(
            std::fs::read(dir.join("authkey")).expect("key"),
            key,
            "untouched"
        );

        run(&args(&["setup", "x", "-o", d, "--force"])).expect("forced");
        assert_ne!(
            std::fs::read(dir.join("authkey")).expect("key"),
            key,
            "new key"
        );
        let loaded = corosync_conf::load(&dir.join("corosync.conf")).expect("loads");
        assert_eq!(loaded.config.nodelist.len(), 1);
        let entries = std::fs::read_dir(&dir).expect("dir").count();
        assert_eq!(entries, 2, "no temporary files left");

        let missing = run(&args(&["setup", "x", "-o", &format!("{d}/missing")]))
            .expect_err("no such directory");
        assert!(
            format!("{missing:#}").contains("output directory"),
            "{missing:#}"
        );
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    /// Black box: Debian's `corosync -t` accepts what we write (when corosync is installed).
    #[test]
    fn debian_corosync_accepts_the_written_configuration() {
        if std::process::Command::new("corosync")
            .arg("-v")
            .output()
            .is_err()
        {
            eprintln!("corosync is not installed; skipping the black-box check");
            return;
        }
        let dir = temp_dir("corosync-t");
        let d = dir.to_str().expect("utf-8");
        for (case, extra) in [
            ("3 nodes udpu", vec!["n3=10.208.0.3", "--transport", "udpu"]),
            ("3 nodes knet", vec!["n3=10.208.0.3", "--token", "1000"]),
            ("3 nodes udp", vec!["n3=10.208.0.3", "--transport", "udp"]),
            ("2 nodes", vec!["--two-node"]),
        ] {
            // corosync -t needs the local host in the nodelist and the key where keyfile says.
            let mut list = vec!["setup", "n1=127.0.0.1", "n2=10.208.0.2", "-o", d, "--force"];
            list.extend(extra);
            run(&args(&list)).expect("setup");
            let conf = dir.join("corosync.conf");
            let text = std::fs::read_to_string(&conf).expect("conf");
            let with_key = text.replacen(
                "totem {\n",
                &format!("totem {{\n    keyfile: {d}/authkey\n"),
                1,
            );
            std::fs::write(dir.join("test.conf"), with_key).expect("test copy");
            let out = std::process::Command::new("corosync")
                .arg("-t")
                .arg("-c")
                .arg(dir.join("test.conf"))
                .output()
                .expect("run corosync -t");
            assert!(
                out.status.success(),
                "{case}: corosync -t rejected it: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
