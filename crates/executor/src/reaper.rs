//! Reaping of orphaned descendants: agents' daemons and killed process-group members.
//!
//! When the executor's process is a child subreaper, every process an agent leaves behind
//! becomes its child when the agent exits. Those are reaped here, never the agents the
//! executor is still waiting for: spawning an agent and recording its pid happen under one
//! lock, and the reaper skips recorded pids.

use std::collections::HashSet;
use std::io;
use std::process::{Child, Command};
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

/// Spawns `command` and records the child as one the reaper must leave alone.
pub(crate) fn spawn_tracked(command: &mut Command) -> io::Result<Child> {
    let mut guard = own_children();
    let child = command.spawn()?;
    guard.get_or_insert_with(HashSet::new).insert(child.id());
    Ok(child)
}

/// Forgets a child after its runner has waited for it.
pub(crate) fn untrack(pid: u32) {
    if let Some(set) = own_children().as_mut() {
        set.remove(&pid);
    }
}

/// Zombie children of this process, read from /proc.
fn zombie_children() -> Vec<u32> {
    let me = std::process::id();
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
        if state == Some("Z") && ppid == Some(me) {
            zombies.push(pid);
        }
    }
    zombies
}

/// Reaps every zombie child that is not an agent still owned by a runner; returns how many.
pub fn reap_orphans() -> usize {
    let candidates = zombie_children();
    if candidates.is_empty() {
        return 0;
    }
    let guard = own_children();
    let mut reaped = 0;
    for pid in candidates {
        if guard.as_ref().is_some_and(|set| set.contains(&pid)) {
            continue;
        }
        let mut status: libc::c_int = 0;
        // SAFETY: waitpid on a specific pid with WNOHANG writes only the status int.
        let rc = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
        if rc == pid as libc::pid_t {
            reaped += 1;
            tracing::debug!(pid, "reaped orphaned agent descendant");
        }
    }
    reaped
}
