//! Waiting for readiness on many file descriptors at once with poll(2).

use std::os::fd::RawFd;
use std::time::Duration;

/// Which readiness to wait for on one descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interest {
    /// Wake when readable.
    pub read: bool,
    /// Wake when writable.
    pub write: bool,
}

/// Readiness reported for one registered descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Readiness {
    /// Data (or a connection, or EOF) can be read.
    pub readable: bool,
    /// Writing will not block.
    pub writable: bool,
    /// Error or hang-up.
    pub closed: bool,
}

/// One wait: register descriptors, then [`Poller::wait`].
#[derive(Debug, Default)]
pub struct Poller {
    fds: Vec<libc::pollfd>,
}

impl Poller {
    /// Forgets every registration, keeping the allocation.
    pub fn clear(&mut self) {
        self.fds.clear();
    }

    /// Registers `fd`; returns its index for [`Poller::readiness`].
    pub fn add(&mut self, fd: RawFd, interest: Interest) -> usize {
        let mut events = 0;
        if interest.read {
            events |= libc::POLLIN;
        }
        if interest.write {
            events |= libc::POLLOUT;
        }
        self.fds.push(libc::pollfd {
            fd,
            events,
            revents: 0,
        });
        self.fds.len() - 1
    }

    /// Blocks until a registered descriptor is ready or `timeout` passes (None: no limit).
    pub fn wait(&mut self, timeout: Option<Duration>) -> std::io::Result<usize> {
        let timeout_ms: libc::c_int = match timeout {
            None => -1,
            // Round up so a timer is never polled for before it is due.
            Some(duration) => {
                let ms = duration.as_micros().div_ceil(1000);
                ms.min(i32::MAX as u128) as libc::c_int
            }
        };
        // SAFETY: `fds` is a valid, exclusively borrowed array of `len` pollfd structs.
        let result = unsafe {
            libc::poll(
                self.fds.as_mut_ptr(),
                self.fds.len() as libc::nfds_t,
                timeout_ms,
            )
        };
        if result < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == std::io::ErrorKind::Interrupted {
                return Ok(0);
            }
            return Err(error);
        }
        Ok(result as usize)
    }

    /// What the last wait reported for the descriptor registered at `index`.
    pub fn readiness(&self, index: usize) -> Readiness {
        let Some(entry) = self.fds.get(index) else {
            return Readiness::default();
        };
        Readiness {
            readable: entry.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0,
            writable: entry.revents & libc::POLLOUT != 0,
            closed: entry.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0,
        }
    }
}
