//! SIGTERM, SIGINT and SIGHUP delivered as readable events on a signalfd.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// A signal the daemon reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM or SIGINT: leave the cluster cleanly and exit.
    Terminate,
    /// SIGHUP: ignored but logged (reopening logs is not needed with stderr logging).
    Hangup,
}

/// Blocks the handled signals and reads them from a non-blocking signalfd.
#[derive(Debug)]
pub struct Signals {
    fd: OwnedFd,
}

impl Signals {
    /// Blocks SIGTERM, SIGINT, SIGHUP and SIGPIPE for the process and opens the signalfd.
    pub fn install() -> std::io::Result<Self> {
        // SAFETY: plain libc calls on a zeroed, locally owned sigset_t.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGINT);
            libc::sigaddset(&mut set, libc::SIGHUP);
            if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Writes to a vanished client must fail with EPIPE, not kill the daemon.
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            let fd = libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC);
            if fd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(Signals {
                fd: OwnedFd::from_raw_fd(fd),
            })
        }
    }

    /// The descriptor to poll for readability.
    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The next pending signal, if any.
    pub fn next(&self) -> Option<Signal> {
        loop {
            // SAFETY: signalfd_siginfo is plain data; we read at most its size into it.
            let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
            let size = std::mem::size_of::<libc::signalfd_siginfo>();
            let count = unsafe {
                libc::read(
                    self.fd.as_raw_fd(),
                    (&mut info as *mut libc::signalfd_siginfo).cast(),
                    size,
                )
            };
            if count != size as isize {
                return None;
            }
            match info.ssi_signo as i32 {
                libc::SIGTERM | libc::SIGINT => return Some(Signal::Terminate),
                libc::SIGHUP => return Some(Signal::Hangup),
                _ => continue,
            }
        }
    }
}
