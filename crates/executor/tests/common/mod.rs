//! Shared helpers for the executor's integration tests: fixture agents in a private
//! OCF root, the slow-test gate, and scans of /proc for leftover processes.

#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use executor::{AgentPaths, AgentSpec};

/// True when slow real-agent tests should run; prints why not otherwise.
pub fn slow_tests_enabled(test: &str) -> bool {
    if std::env::var_os("TANDEM_SLOW_TESTS").is_some_and(|v| v == "1") {
        return true;
    }
    eprintln!("{test}: skipped (set TANDEM_SLOW_TESTS=1 to run real-agent tests)");
    false
}

/// True when running as root (namespace and real-agent tests need it).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A unique name for this test run: prefix, pid and a counter.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A private OCF root holding fixture agents under provider `tandemtest`; removed on drop.
pub struct Fixtures {
    /// The root directory.
    pub root: PathBuf,
}

impl Fixtures {
    /// Creates an empty fixture root.
    pub fn new() -> Fixtures {
        let root = std::env::temp_dir().join(unique("tandem-executor-fixtures"));
        std::fs::create_dir_all(root.join("resource.d/tandemtest")).expect("create fixture root");
        std::fs::create_dir_all(root.join("init.d")).expect("create fixture init.d");
        std::fs::create_dir_all(root.join("sbin")).expect("create fixture sbin");
        Fixtures { root }
    }

    /// Writes an OCF agent `name` with `body` and mode `mode`; returns its spec.
    pub fn agent(&self, name: &str, body: &str, mode: u32) -> AgentSpec {
        let path = self.root.join("resource.d/tandemtest").join(name);
        write_script(&path, body, mode);
        AgentSpec::ocf("tandemtest", name).expect("fixture spec")
    }

    /// Writes an LSB script `name`.
    pub fn lsb(&self, name: &str, body: &str) -> AgentSpec {
        write_script(&self.root.join("init.d").join(name), body, 0o755);
        AgentSpec::parse(&format!("lsb:{name}")).expect("fixture spec")
    }

    /// Writes a fence agent `name`.
    pub fn fence(&self, name: &str, body: &str) -> AgentSpec {
        write_script(&self.root.join("sbin").join(name), body, 0o755);
        AgentSpec::parse(&format!("stonith:{name}")).expect("fixture spec")
    }

    /// Paths pointing at the fixtures, with a short kill grace.
    pub fn paths(&self) -> AgentPaths {
        AgentPaths {
            ocf_root: self.root.clone(),
            lsb_dir: self.root.join("init.d"),
            fence_dir: self.root.join("sbin"),
            kill_grace: Duration::from_millis(500),
            ..AgentPaths::default()
        }
    }
}

impl Drop for Fixtures {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn write_script(path: &Path, body: &str, mode: u32) {
    std::fs::write(path, body).expect("write fixture");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod fixture");
}

/// Pids of live (non-zombie) processes whose environment contains `needle`.
pub fn processes_with_env(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        if environ
            .split(|b| *b == 0)
            .any(|var| var == needle.as_bytes())
        {
            found.push(pid);
        }
    }
    found
}

/// Zombie children of this test process.
pub fn zombie_children() -> Vec<u32> {
    let me = std::process::id();
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(after) = stat.rfind(')').map(|at| stat[at + 1..].to_string()) else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().take(2).collect();
        if fields.len() == 2 && fields[0] == "Z" && fields[1].parse::<u32>().ok() == Some(me) {
            found.push(pid);
        }
    }
    found
}

/// Zombie children left after waiting up to `within` for the reaper (and running agents).
pub fn zombies_after(within: Duration) -> Vec<u32> {
    let until = Instant::now() + within;
    loop {
        executor::reaper::reap_orphans();
        let zombies = zombie_children();
        if zombies.is_empty() || Instant::now() >= until {
            return zombies;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits up to `within` until no live process carries `OCF_RESOURCE_INSTANCE=resource`
/// and the reaper has collected the zombies; returns the leftovers.
pub fn leftovers(resource: &str, within: Duration) -> Vec<u32> {
    let needle = format!("OCF_RESOURCE_INSTANCE={resource}");
    let until = Instant::now() + within;
    loop {
        executor::reaper::reap_orphans();
        let live = processes_with_env(&needle);
        if live.is_empty() || Instant::now() >= until {
            return live;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Peak resident memory of this process in KiB.
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
