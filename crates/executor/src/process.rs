//! Running one agent process: own process group, stdin feeding, bounded capture of
//! stdout/stderr, timeout with SIGTERM then SIGKILL to the whole group, and reaping.

use std::ffi::OsString;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::outcome::Captured;
use crate::reaper;
use crate::spawn;

/// Everything needed to start one agent process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Executable path.
    pub program: PathBuf,
    /// Arguments after the program name.
    pub args: Vec<OsString>,
    /// The complete environment (nothing is inherited).
    pub env: Vec<(OsString, OsString)>,
    /// Bytes written to stdin, which is then closed; `None` gives /dev/null.
    pub stdin: Option<Vec<u8>>,
    /// Working directory.
    pub cwd: PathBuf,
}

/// Bounds applied to one process run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessLimits {
    /// Time from spawn after which the process group gets SIGTERM.
    pub timeout: Duration,
    /// Time after SIGTERM at which the process group gets SIGKILL.
    pub kill_grace: Duration,
    /// Bytes of stdout kept.
    pub max_stdout: usize,
    /// Bytes of stderr kept.
    pub max_stderr: usize,
}

/// How the process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Exited with this status.
    Exited(i32),
    /// Killed by this signal (not one the executor sent).
    Signalled(i32),
    /// Ran past its timeout; the group was killed (the signal that ended the agent, if any).
    TimedOut(Option<i32>),
    /// Cancelled while running; the group was killed.
    Cancelled,
    /// Could not be started.
    SpawnFailed {
        /// The OS error kind.
        kind: io::ErrorKind,
        /// The OS error text.
        message: String,
    },
}

/// What one process run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessOutcome {
    /// How it ended.
    pub ending: Ending,
    /// Captured stdout.
    pub stdout: Captured,
    /// Captured stderr.
    pub stderr: Captured,
    /// Time from spawn to the end.
    pub elapsed: Duration,
}

/// One output stream being read into a bounded buffer.
struct Sink {
    fd: Option<RawFd>,
    captured: Captured,
    limit: usize,
}

impl Sink {
    /// Reads what is available; returns false at end of file or on error (the stream is closed).
    fn read_available(&mut self, scratch: &mut [u8]) -> bool {
        let Some(fd) = self.fd else {
            return false;
        };
        loop {
            // SAFETY: reading into a valid, writable buffer of the given length.
            let n = unsafe { libc::read(fd, scratch.as_mut_ptr().cast(), scratch.len()) };
            if n > 0 {
                let chunk = &scratch[..n as usize];
                let room = self.limit.saturating_sub(self.captured.bytes.len());
                let kept = chunk.len().min(room);
                self.captured.bytes.extend_from_slice(&chunk[..kept]);
                self.captured.dropped += (chunk.len() - kept) as u64;
                continue;
            }
            if n == 0 {
                self.fd = None;
                return false;
            }
            let error = io::Error::last_os_error();
            match error.kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => return true,
                _ => {
                    self.fd = None;
                    return false;
                }
            }
        }
    }
}

fn set_nonblocking(fd: RawFd) {
    // SAFETY: fcntl on a file descriptor we own; flags are plain integers.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}

/// Opens a pidfd for `pid`, which becomes readable when the process exits.
fn pidfd_open(pid: u32) -> Option<std::os::fd::OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: the kernel just returned this descriptor and nothing else owns it.
    Some(unsafe { std::os::fd::FromRawFd::from_raw_fd(fd as RawFd) })
}

/// Sends `signal` to every process of group `pgid`; false when the group no longer exists.
pub fn signal_group(pgid: u32, signal: i32) -> bool {
    // SAFETY: kill with a negative pid signals a process group; no memory is touched.
    unsafe { libc::kill(-(pgid as libc::pid_t), signal) == 0 }
}

/// True when some process (possibly a zombie) is still in group `pgid`.
pub fn group_exists(pgid: u32) -> bool {
    signal_group(pgid, 0)
}

/// Where the run is in its life.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running,
    /// SIGTERM sent; SIGKILL due at the instant.
    Terminating(Instant),
    Killed,
}

/// Runs `invocation` to completion under `limits`; `cancel` set to true kills it early.
pub fn run(
    invocation: &Invocation,
    limits: &ProcessLimits,
    cancel: Option<&AtomicBool>,
) -> ProcessOutcome {
    let started = Instant::now();
    // An empty signal mask, default dispositions, its own process group (spawn.rs says
    // why this is not std's Command).
    let spawned = match reaper::spawn_tracked(|| spawn::spawn(invocation)) {
        Ok(spawned) => spawned,
        Err(error) => {
            return ProcessOutcome {
                ending: Ending::SpawnFailed {
                    kind: error.kind(),
                    message: error.to_string(),
                },
                stdout: Captured::default(),
                stderr: Captured::default(),
                elapsed: started.elapsed(),
            }
        }
    };
    let pid = spawned.pid;
    let outcome = supervise(spawned, invocation, limits, cancel, started);
    reaper::untrack(pid);
    outcome
}

fn supervise(
    child: spawn::Spawned,
    invocation: &Invocation,
    limits: &ProcessLimits,
    cancel: Option<&AtomicBool>,
    started: Instant,
) -> ProcessOutcome {
    let pgid = child.pid;
    let stdout_pipe = Some(child.stdout);
    let stderr_pipe = Some(child.stderr);
    let stdin_pipe = child.stdin;
    let mut stdout = Sink {
        fd: stdout_pipe.as_ref().map(AsRawFd::as_raw_fd),
        captured: Captured::default(),
        limit: limits.max_stdout,
    };
    let mut stderr = Sink {
        fd: stderr_pipe.as_ref().map(AsRawFd::as_raw_fd),
        captured: Captured::default(),
        limit: limits.max_stderr,
    };
    for fd in [stdout.fd, stderr.fd].into_iter().flatten() {
        set_nonblocking(fd);
    }
    let input: &[u8] = invocation.stdin.as_deref().unwrap_or_default();
    let mut input_sent = 0usize;
    let mut stdin_pipe = stdin_pipe;
    if let Some(pipe) = &stdin_pipe {
        set_nonblocking(pipe.as_raw_fd());
    }
    let pidfd = pidfd_open(pgid);
    let mut scratch = vec![0u8; 64 * 1024];
    let deadline = started + limits.timeout;
    let mut phase = Phase::Running;
    let mut timed_out = false;
    let mut cancelled = false;
    let mut status: Option<std::process::ExitStatus> = None;

    while status.is_none() {
        if input_sent >= input.len() {
            stdin_pipe = None;
        }
        let mut fds: Vec<libc::pollfd> = Vec::with_capacity(4);
        let mut slots = [usize::MAX; 4];
        if let Some(fd) = stdout.fd {
            slots[0] = fds.len();
            fds.push(libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        if let Some(fd) = stderr.fd {
            slots[1] = fds.len();
            fds.push(libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        if let Some(pipe) = &stdin_pipe {
            slots[2] = fds.len();
            fds.push(libc::pollfd {
                fd: pipe.as_raw_fd(),
                events: libc::POLLOUT,
                revents: 0,
            });
        }
        if let Some(fd) = &pidfd {
            slots[3] = fds.len();
            fds.push(libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
        }
        let now = Instant::now();
        let wake_at = match phase {
            Phase::Running => deadline,
            Phase::Terminating(kill_at) => kill_at,
            Phase::Killed => now + Duration::from_millis(100),
        };
        let mut wait = wake_at.saturating_duration_since(now);
        if cancel.is_some() {
            wait = wait.min(Duration::from_millis(200));
        }
        if pidfd.is_none() {
            wait = wait.min(Duration::from_millis(2));
        }
        let wait_ms = wait.as_millis().min(i32::MAX as u128) as i32;
        let wait_ms = if wait_ms == 0 && !wait.is_zero() {
            1
        } else {
            wait_ms
        };
        // SAFETY: fds is a valid array of pollfd of the given length.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait_ms) };
        if ready > 0 {
            let revents = |slot: usize| {
                if slot == usize::MAX {
                    0
                } else {
                    fds[slot].revents
                }
            };
            if revents(slots[0]) != 0 {
                stdout.read_available(&mut scratch);
            }
            if revents(slots[1]) != 0 {
                stderr.read_available(&mut scratch);
            }
            if revents(slots[2]) != 0 {
                if let Some(pipe) = &stdin_pipe {
                    let rest = &input[input_sent..];
                    // SAFETY: writing from a valid buffer of the given length.
                    let n =
                        unsafe { libc::write(pipe.as_raw_fd(), rest.as_ptr().cast(), rest.len()) };
                    if n > 0 {
                        input_sent += n as usize;
                    } else if n < 0
                        && io::Error::last_os_error().kind() != io::ErrorKind::WouldBlock
                    {
                        // The agent closed its stdin; it will not read the rest.
                        input_sent = input.len();
                    }
                    if input_sent >= input.len() {
                        stdin_pipe = None;
                    }
                }
            }
        }
        if pidfd.is_none() || ready > 0 {
            match spawn::try_wait(pgid) {
                Ok(Some(exit)) => status = Some(exit),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(pid = pgid, %error, "waiting for agent failed");
                    break;
                }
            }
        }
        if status.is_some() {
            break;
        }
        let now = Instant::now();
        if phase == Phase::Running {
            let cancel_now = cancel.is_some_and(|flag| flag.load(Ordering::Relaxed));
            if now >= deadline || cancel_now {
                timed_out = !cancel_now;
                cancelled = cancel_now;
                tracing::info!(pid = pgid, program = %invocation.program.display(), cancelled, "agent timed out: SIGTERM to its process group");
                signal_group(pgid, libc::SIGTERM);
                phase = Phase::Terminating(now + limits.kill_grace);
            }
        } else if let Phase::Terminating(kill_at) = phase {
            if now >= kill_at {
                tracing::info!(
                    pid = pgid,
                    "agent ignored SIGTERM: SIGKILL to its process group"
                );
                signal_group(pgid, libc::SIGKILL);
                phase = Phase::Killed;
            }
        }
    }
    drop(stdin_pipe);

    // The agent has exited. Collect what it wrote, without waiting for daemons that
    // inherited the pipes.
    let drain_until = Instant::now() + crate::limits::DRAIN_AFTER_EXIT;
    loop {
        let mut fds: Vec<libc::pollfd> = [stdout.fd, stderr.fd]
            .into_iter()
            .flatten()
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        if fds.is_empty() {
            break;
        }
        let left = drain_until.saturating_duration_since(Instant::now());
        // SAFETY: fds is a valid array of pollfd of the given length.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 0) };
        if ready <= 0 || left.is_zero() {
            break;
        }
        stdout.read_available(&mut scratch);
        stderr.read_available(&mut scratch);
    }
    drop(stdout_pipe);
    drop(stderr_pipe);

    // After a timeout or cancellation, nothing of the group may survive.
    if timed_out || cancelled {
        let kill_at = match phase {
            Phase::Terminating(kill_at) => kill_at,
            _ => Instant::now(),
        };
        while phase != Phase::Killed && Instant::now() < kill_at && group_has_live_members(pgid) {
            std::thread::sleep(Duration::from_millis(5));
            reaper::reap_orphans();
        }
        if group_has_live_members(pgid) {
            signal_group(pgid, libc::SIGKILL);
        }
        // Killed members become zombies of the subreaper (if any) until reaped.
        let bound = Instant::now() + Duration::from_millis(500);
        while group_exists(pgid) && Instant::now() < bound {
            if reaper::is_subreaper() {
                reaper::reap_orphans();
            } else {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    let elapsed = started.elapsed();
    let ending = match status {
        None => Ending::SpawnFailed {
            kind: io::ErrorKind::Other,
            message: "lost track of the agent process".to_string(),
        },
        Some(_) if cancelled => Ending::Cancelled,
        Some(exit) if timed_out => Ending::TimedOut(exit.signal()),
        Some(exit) => match (exit.code(), exit.signal()) {
            (Some(code), _) => Ending::Exited(code),
            (None, Some(signal)) => Ending::Signalled(signal),
            (None, None) => Ending::Signalled(0),
        },
    };
    ProcessOutcome {
        ending,
        stdout: stdout.captured,
        stderr: stderr.captured,
        elapsed,
    }
}

/// True when group `pgid` has a member that is not a zombie.
fn group_has_live_members(pgid: u32) -> bool {
    if !group_exists(pgid) {
        return false;
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true;
    };
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
        let Some(after) = stat.rfind(')').map(|at| &stat[at + 1..]) else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().take(4).collect();
        // state ppid pgrp session
        if fields.len() == 4 && fields[2].parse::<u32>().ok() == Some(pgid) && fields[0] != "Z" {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod signal_mask_tests {
    use super::*;

    /// An agent started from a thread that blocks signals (as the daemon's
    /// signalfd loop does) still starts with an empty signal mask.
    #[test]
    fn agent_starts_with_no_signal_blocked() {
        let outcome = std::thread::spawn(|| {
            // SAFETY: blocks SIGTERM and SIGINT in this test thread only.
            unsafe {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGTERM);
                libc::sigaddset(&mut set, libc::SIGINT);
                assert_eq!(
                    libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()),
                    0
                );
            }
            let invocation = Invocation {
                program: PathBuf::from("/bin/grep"),
                args: vec!["SigBlk".into(), "/proc/self/status".into()],
                env: Vec::new(),
                stdin: None,
                cwd: PathBuf::from("/"),
            };
            let limits = ProcessLimits {
                timeout: Duration::from_secs(20),
                kill_grace: Duration::from_secs(1),
                max_stdout: 4096,
                max_stderr: 4096,
            };
            run(&invocation, &limits, None)
        })
        .join()
        .expect("test thread");
        assert_eq!(outcome.ending, Ending::Exited(0));
        let text = String::from_utf8_lossy(&outcome.stdout.bytes).into_owned();
        assert_eq!(text.trim(), "SigBlk:\t0000000000000000");
    }
}
