//! Reaping of orphaned descendants: agents' daemons and killed process-group members.
//!
//! When the executor's process is a child subreaper, every process an agent leaves behind
//! becomes its child when the agent exits. Those are reaped here, never the agents the
//! executor is still waiting for: spawning an agent and recording its pid happen under one
//! lock, and the reaper skips recorded pids. Children in this process's own process group
//! are never touched either: those are what the rest of the program spawned with
//! `std::process` and will wait for itself. (Agents run in process groups of their own.)

use std::collections::HashSet;
use std::io;
use std::sync::{Mutex, MutexGuard};

/// Pids of agents spawned and not yet waited for by their runner.
static OWN_CHILDREN: Mutex<Option<HashSet<u32>>> = Mutex::new(None);

fn own_children() -> MutexGuard<'static, Option<HashSet<u32>>> {
    OWN_CHILDREN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Makes this process a child subreaper, so that orphans of agents become its children.
pub fn become_subreaper() -> io::Result<()> {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes one integer argument and touches no memory.
    let rc = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// True when this process is a child subreaper.
pub fn is_subreaper() -> bool {
    let mut flag: libc::c_int = 0;
    // SAFETY: PR_GET_CHILD_SUBREAPER writes one int through the pointer, which is valid.
    let rc = unsafe {
        libc::prctl(
            libc::PR_GET_CHILD_SUBREAPER,
            &mut flag as *mut libc::c_int,
            0,
            0,
            0,
        )
    };
    rc == 0 && flag != 0
}

/// Starts a child with `spawn` and records it as one the reaper must leave alone (the
/// lock is held across the start, so the reaper never sees it untracked).
pub(crate) fn spawn_tracked(
    spawn: impl FnOnce() -> io::Result<crate::spawn::Spawned>,
) -> io::Result<crate::spawn::Spawned> {
    let mut guard = own_children();
    let child = spawn()?;
    guard.get_or_insert_with(HashSet::new).insert(child.pid);
    Ok(child)
}

/// Forgets a child after its runner has waited for it.
pub(crate) fn untrack(pid: u32) {
    if let Some(set) = own_children().as_mut() {
        set.remove(&pid);
    }
}

/// The process group of `pid`, if it still exists.
fn pgid_of(pid: u32) -> Option<u32> {
    // SAFETY: getpgid takes a pid and returns a pgid or -1.
    let pgid = unsafe { libc::getpgid(pid as libc::pid_t) };
    (pgid > 0).then_some(pgid as u32)
}

/// This process's own process group.
fn own_pgid() -> u32 {
    // SAFETY: getpgrp has no preconditions.
    unsafe { libc::getpgrp() as u32 }
}

/// Zombie children of this process outside its own process group, read from /proc.
fn zombie_children() -> Vec<u32> {
    let me = std::process::id();
    let own = own_pgid();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut zombies = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the parenthesised command name: state, ppid, ...
        let Some(after) = stat.rfind(')').map(|at| &stat[at + 1..]) else {
            continue;
        };
        let mut fields = after.split_whitespace();
        let state = fields.next();
        let ppid = fields.next().and_then(|field| field.parse::<u32>().ok());
        let pgrp = fields.next().and_then(|field| field.parse::<u32>().ok());
        if state == Some("Z") && ppid == Some(me) && pgrp != Some(own) {
            zombies.push(pid);
        }
    }
    zombies
}

/// The pid of some exited child, without reaping it; `None` when no child has exited.
fn peek_exited_child() -> Option<u32> {
    // SAFETY: siginfo_t is plain data; zeroed is a valid initial value for waitid to fill.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: waitid writes only into `info`; WNOWAIT leaves the child waitable.
    let rc = unsafe {
        libc::waitid(
            libc::P_ALL,
            0,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: after a successful waitid, si_pid is the field that was filled (0 if none).
    let pid = unsafe { info.si_pid() };
    (pid > 0).then_some(pid as u32)
}

fn reap(pid: u32) -> bool {
    let mut status: libc::c_int = 0;
    // SAFETY: waitpid on a specific pid with WNOHANG writes only the status int.
    let rc = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
    if rc == pid as libc::pid_t {
        tracing::debug!(pid, "reaped orphaned agent descendant");
        true
    } else {
        false
    }
}

/// Reaps every exited child that is not an agent still owned by a runner; returns how many.
pub fn reap_orphans() -> usize {
    let mut reaped = 0;
    // Cheap path: ask the kernel which child has exited, one at a time.
    loop {
        let Some(pid) = peek_exited_child() else {
            return reaped;
        };
        let guard = own_children();
        let owned = guard.as_ref().is_some_and(|set| set.contains(&pid));
        if owned || pgid_of(pid).is_none_or(|pgid| pgid == own_pgid()) {
            // A child someone will wait for hides the others: scan /proc instead.
            break;
        }
        if reap(pid) {
            reaped += 1;
        } else {
            return reaped;
        }
    }
    let candidates = zombie_children();
    let guard = own_children();
    for pid in candidates {
        if guard.as_ref().is_some_and(|set| set.contains(&pid)) {
            continue;
        }
        if reap(pid) {
            reaped += 1;
        }
    }
    reaped
}

/// Period of the background reaper.
const REAP_PERIOD: std::time::Duration = std::time::Duration::from_millis(100);

static BACKGROUND: std::sync::OnceLock<()> = std::sync::OnceLock::new();

/// Becomes a child subreaper and starts (once per process) a thread that reaps orphans
/// every 100 ms, so agents that poll their own daemons with `kill -0` see them go.
pub fn start_reaping() -> io::Result<()> {
    become_subreaper()?;
    let mut spawn_error = None;
    BACKGROUND.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("agent-reaper".into())
            .spawn(|| loop {
                reap_orphans();
                std::thread::sleep(REAP_PERIOD);
            });
        if let Err(error) = spawned {
            spawn_error = Some(error);
        }
    });
    match spawn_error {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
