//! Starting an agent process with `posix_spawn`: its own process group, an empty signal
//! mask, default signal dispositions, a cleared environment and piped output.
//!
//! std's `Command` cannot do this cheaply: it resets the signal mask only on its fork path
//! (which a `pre_exec` hook forces), and a fork of the daemon copies its page tables and
//! leaves every later write of the daemon faulting copy-on-write. glibc's `posix_spawn`
//! clones with the parent's memory shared until the exec; measured with Dummy agents, the
//! fork path cost more CPU than the agent itself.

use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::process::ExitStatus;

use crate::process::Invocation;

/// A started agent: its pid (also its process group) and the parent's ends of its pipes.
#[derive(Debug)]
pub struct Spawned {
    /// The child's pid, which is also its process group id.
    pub pid: u32,
    /// Write end of its stdin, when the invocation feeds stdin.
    pub stdin: Option<OwnedFd>,
    /// Read end of its stdout.
    pub stdout: OwnedFd,
    /// Read end of its stderr.
    pub stderr: OwnedFd,
}

fn c_string(bytes: &[u8], what: &str) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{what} contains a NUL byte"),
        )
    })
}

fn os_c_string(text: &OsStr, what: &str) -> io::Result<CString> {
    c_string(text.as_bytes(), what)
}

/// A pipe whose both ends are close-on-exec (the child's end is dup2'ed to 0, 1 or 2,
/// which clears the flag there): (read end, write end).
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two descriptors into the array on success.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned these descriptors and nothing else owns them.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// `posix_spawn_file_actions_t` that is destroyed when dropped.
struct FileActions(libc::posix_spawn_file_actions_t);

impl FileActions {
    fn new() -> io::Result<FileActions> {
        // SAFETY: zeroed storage is initialised by posix_spawn_file_actions_init.
        let mut actions: libc::posix_spawn_file_actions_t = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer to storage for the object.
        check(unsafe { libc::posix_spawn_file_actions_init(&mut actions) })?;
        Ok(FileActions(actions))
    }
}

impl Drop for FileActions {
    fn drop(&mut self) {
        // SAFETY: initialised in new().
        unsafe { libc::posix_spawn_file_actions_destroy(&mut self.0) };
    }
}

/// `posix_spawnattr_t` that is destroyed when dropped.
struct Attributes(libc::posix_spawnattr_t);

impl Attributes {
    fn new() -> io::Result<Attributes> {
        // SAFETY: zeroed storage is initialised by posix_spawnattr_init.
        let mut attr: libc::posix_spawnattr_t = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer to storage for the object.
        check(unsafe { libc::posix_spawnattr_init(&mut attr) })?;
        Ok(Attributes(attr))
    }
}

impl Drop for Attributes {
    fn drop(&mut self) {
        // SAFETY: initialised in new().
        unsafe { libc::posix_spawnattr_destroy(&mut self.0) };
    }
}

/// posix_spawn* functions return an error number instead of setting errno.
fn check(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc))
    }
}

/// Starts `invocation`: program and arguments as given, exactly its environment, its
/// working directory, stdin from its bytes (a pipe) or /dev/null, stdout and stderr piped,
/// in a new process group, with no signal blocked and every catchable signal at its
/// default disposition (the daemon blocks the ones it reads from a signalfd, and ignores
/// SIGPIPE).
pub fn spawn(invocation: &Invocation) -> io::Result<Spawned> {
    let program = os_c_string(invocation.program.as_os_str(), "the program path")?;
    let mut argv_owned = vec![program.clone()];
    for arg in &invocation.args {
        argv_owned.push(os_c_string(arg, "an argument")?);
    }
    let mut envp_owned = Vec::with_capacity(invocation.env.len());
    for (name, value) in &invocation.env {
        let mut entry = name.as_bytes().to_vec();
        entry.push(b'=');
        entry.extend_from_slice(value.as_bytes());
        envp_owned.push(c_string(&entry, "an environment variable")?);
    }
    let cwd = os_c_string(invocation.cwd.as_os_str(), "the working directory")?;
    let devnull = c_string(b"/dev/null", "/dev/null")?;
    let mut argv: Vec<*mut libc::c_char> =
        argv_owned.iter().map(|s| s.as_ptr().cast_mut()).collect();
    argv.push(std::ptr::null_mut());
    let mut envp: Vec<*mut libc::c_char> =
        envp_owned.iter().map(|s| s.as_ptr().cast_mut()).collect();
    envp.push(std::ptr::null_mut());

    let (out_read, out_write) = pipe()?;
    let (err_read, err_write) = pipe()?;
    let stdin_pipe = match invocation.stdin {
        Some(_) => Some(pipe()?),
        None => None,
    };

    let mut actions = FileActions::new()?;
    // SAFETY (this block): every call gets the initialised actions object and descriptors
    // or NUL-terminated strings that outlive the posix_spawn call below.
    unsafe {
        match &stdin_pipe {
            Some((read, _)) => check(libc::posix_spawn_file_actions_adddup2(
                &mut actions.0,
                read.as_raw_fd(),
                0,
            ))?,
            None => check(libc::posix_spawn_file_actions_addopen(
                &mut actions.0,
                0,
                devnull.as_ptr(),
                libc::O_RDONLY,
                0,
            ))?,
        }
        check(libc::posix_spawn_file_actions_adddup2(
            &mut actions.0,
            out_write.as_raw_fd(),
            1,
        ))?;
        check(libc::posix_spawn_file_actions_adddup2(
            &mut actions.0,
            err_write.as_raw_fd(),
            2,
        ))?;
        check(libc::posix_spawn_file_actions_addchdir_np(
            &mut actions.0,
            cwd.as_ptr(),
        ))?;
    }

    let mut attr = Attributes::new()?;
    // SAFETY (this block): the attribute object is initialised; the signal sets are local.
    unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        check(libc::posix_spawnattr_setsigmask(&mut attr.0, &empty))?;
        let mut defaults: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut defaults);
        for signal in 1..32 {
            if signal != libc::SIGKILL && signal != libc::SIGSTOP {
                libc::sigaddset(&mut defaults, signal);
            }
        }
        check(libc::posix_spawnattr_setsigdefault(&mut attr.0, &defaults))?;
        check(libc::posix_spawnattr_setpgroup(&mut attr.0, 0))?;
        let flags = libc::POSIX_SPAWN_SETPGROUP
            | libc::POSIX_SPAWN_SETSIGMASK
            | libc::POSIX_SPAWN_SETSIGDEF;
        check(libc::posix_spawnattr_setflags(
            &mut attr.0,
            flags as libc::c_short,
        ))?;
    }

    let mut pid: libc::pid_t = 0;
    // SAFETY: every pointer is valid for the call: the program path, NULL-terminated argv
    // and envp arrays of NUL-terminated strings, and the initialised actions and attributes.
    check(unsafe {
        libc::posix_spawn(
            &mut pid,
            program.as_ptr(),
            &actions.0,
            &attr.0,
            argv.as_ptr(),
            envp.as_ptr(),
        )
    })?;
    // The child's ends close here in the parent.
    drop(out_write);
    drop(err_write);
    let stdin = stdin_pipe.map(|(read, write)| {
        drop(read);
        write
    });
    Ok(Spawned {
        pid: u32::try_from(pid).unwrap_or(0),
        stdin,
        stdout: out_read,
        stderr: err_read,
    })
}

/// The exit status of child `pid` if it has ended (reaping it), `None` while it runs.
pub fn try_wait(pid: u32) -> io::Result<Option<ExitStatus>> {
    use std::os::unix::process::ExitStatusExt;
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: waitpid writes the status into a local integer.
        let rc = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
        if rc == 0 {
            return Ok(None);
        }
        if rc > 0 {
            return Ok(Some(ExitStatus::from_raw(status)));
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}
