//! Waiting for readiness on many file descriptors at once with epoll(7), level-triggered.
//!
//! The caller declares, before every wait, the descriptors it wants watched, each under a key
//! that names what the descriptor is (a key is never reused for another descriptor). Only
//! changes reach the kernel: a descriptor declared with the same key, fd and interest as on the
//! previous wait costs no system call, so a steady loop makes one `epoll_wait` per wake-up.

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// Most readiness events fetched by one wait (more stay pending: level-triggered).
const EVENTS_PER_WAIT_MAX: usize = 256;

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

/// A descriptor as registered with the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Registration {
    fd: RawFd,
    interest: Interest,
}

/// One epoll instance plus the declarations of the current round.
#[derive(Debug)]
pub struct Poller {
    epoll: OwnedFd,
    /// What the kernel holds, by key.
    registered: HashMap<u64, Registration>,
    /// This round's declarations, in [`Poller::add`] order: key, registration, readiness.
    round: Vec<(u64, Registration, Readiness)>,
    /// Key → index in `round`.
    index_of: HashMap<u64, usize>,
    events: Vec<libc::epoll_event>,
}

impl Poller {
    /// Creates the epoll instance.
    pub fn new() -> std::io::Result<Self> {
        // SAFETY: epoll_create1 takes no pointers; a non-negative result is a new descriptor
        // that nothing else owns.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by epoll_create1 and is owned by nobody else.
        let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Poller {
            epoll,
            registered: HashMap::new(),
            round: Vec::new(),
            index_of: HashMap::new(),
            events: vec![libc::epoll_event { events: 0, u64: 0 }; EVENTS_PER_WAIT_MAX],
        })
    }

    /// Starts a new round of declarations.
    pub fn clear(&mut self) {
        self.round.clear();
        self.index_of.clear();
    }

    /// Declares `fd` under `key` for the next wait; returns its index for
    /// [`Poller::readiness`]. A key must always name the same open descriptor.
    pub fn add(&mut self, key: u64, fd: RawFd, interest: Interest) -> usize {
        let index = self.round.len();
        self.round
            .push((key, Registration { fd, interest }, Readiness::default()));
        self.index_of.insert(key, index);
        index
    }

    fn ctl(&self, op: libc::c_int, key: u64, registration: Registration) -> std::io::Result<()> {
        let mut flags = 0u32;
        if registration.interest.read {
            flags |= libc::EPOLLIN as u32;
        }
        if registration.interest.write {
            flags |= libc::EPOLLOUT as u32;
        }
        let mut event = libc::epoll_event {
            events: flags,
            u64: key,
        };
        // SAFETY: `event` is a valid epoll_event for the duration of the call; the epoll
        // descriptor is open (owned by self).
        let result =
            unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, registration.fd, &mut event) };
        if result < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// Brings the kernel's registrations in line with this round's declarations.
    fn sync(&mut self) -> std::io::Result<()> {
        // Removals first: a descriptor number freed by a departed key may be reused by a new one.
        let gone: Vec<u64> = self
            .registered
            .keys()
            .filter(|key| !self.index_of.contains_key(key))
            .copied()
            .collect();
        for key in gone {
            if let Some(old) = self.registered.remove(&key) {
                // The descriptor may already be closed (which removed it from the set).
                let _ = self.ctl(libc::EPOLL_CTL_DEL, key, old);
            }
        }
        for index in 0..self.round.len() {
            let (key, wanted, _) = self.round[index];
            if wanted.fd < 0 {
                continue;
            }
            match self.registered.get(&key).copied() {
                Some(old) if old == wanted => {}
                Some(old) => {
                    if old.fd != wanted.fd {
                        let _ = self.ctl(libc::EPOLL_CTL_DEL, key, old);
                        self.ctl(libc::EPOLL_CTL_ADD, key, wanted)?;
                    } else if let Err(error) = self.ctl(libc::EPOLL_CTL_MOD, key, wanted) {
                        // Closed and reopened under the same number: register afresh.
                        if error.raw_os_error() != Some(libc::ENOENT) {
                            return Err(error);
                        }
                        self.ctl(libc::EPOLL_CTL_ADD, key, wanted)?;
                    }
                    self.registered.insert(key, wanted);
                }
                None => {
                    match self.ctl(libc::EPOLL_CTL_ADD, key, wanted) {
                        Ok(()) => {}
                        // Still registered under a stale key whose removal failed: update it.
                        Err(error) if error.raw_os_error() == Some(libc::EEXIST) => {
                            self.ctl(libc::EPOLL_CTL_MOD, key, wanted)?
                        }
                        Err(error) => return Err(error),
                    }
                    self.registered.insert(key, wanted);
                }
            }
        }
        Ok(())
    }

    /// Blocks until a declared descriptor is ready or `timeout` passes (None: no limit).
    pub fn wait(&mut self, timeout: Option<Duration>) -> std::io::Result<usize> {
        self.sync()?;
        let timeout_ms: libc::c_int = match timeout {
            None => -1,
            // Round up so a timer is never polled for before it is due.
            Some(duration) => {
                let ms = duration.as_micros().div_ceil(1000);
                ms.min(i32::MAX as u128) as libc::c_int
            }
        };
        // SAFETY: `events` is a valid, exclusively borrowed buffer of `len` epoll_event structs,
        // and the epoll descriptor is open.
        let result = unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                self.events.as_mut_ptr(),
                self.events.len() as libc::c_int,
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
        let count = result as usize;
        for event in self.events.iter().take(count) {
            let (flags, key) = (event.events, event.u64);
            let Some(index) = self.index_of.get(&key).copied() else {
                continue;
            };
            let has = |bit: libc::c_int| flags & bit as u32 != 0;
            if let Some(entry) = self.round.get_mut(index) {
                entry.2 = Readiness {
                    readable: has(libc::EPOLLIN) || has(libc::EPOLLHUP) || has(libc::EPOLLERR),
                    writable: has(libc::EPOLLOUT),
                    closed: has(libc::EPOLLHUP) || has(libc::EPOLLERR),
                };
            }
        }
        Ok(count)
    }

    /// What the last wait reported for the descriptor declared at `index`.
    pub fn readiness(&self, index: usize) -> Readiness {
        self.round
            .get(index)
            .map_or(Readiness::default(), |entry| entry.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::net::UnixStream;

    const READ: Interest = Interest {
        read: true,
        write: false,
    };

    #[test]
    fn reports_readable_only_when_data_waits_and_keeps_reporting_it() {
        let mut poller = Poller::new().expect("epoll");
        let (mut a, b) = UnixStream::pair().expect("pair");
        poller.clear();
        let index = poller.add(7, b.as_raw_fd(), READ);
        poller.wait(Some(Duration::ZERO)).expect("wait");
        assert!(!poller.readiness(index).readable);
        a.write_all(b"x").expect("write");
        for _ in 0..2 {
            // Level-triggered: unread data is reported again on the next round.
            poller.clear();
            let index = poller.add(7, b.as_raw_fd(), READ);
            assert_eq!(poller.wait(Some(Duration::from_secs(1))).expect("wait"), 1);
            assert!(poller.readiness(index).readable);
        }
    }

    #[test]
    fn interest_changes_and_departed_keys_reach_the_kernel() {
        let mut poller = Poller::new().expect("epoll");
        let (_a, b) = UnixStream::pair().expect("pair");
        poller.clear();
        let index = poller.add(1, b.as_raw_fd(), READ);
        poller.wait(Some(Duration::ZERO)).expect("wait");
        assert!(!poller.readiness(index).writable);
        poller.clear();
        let index = poller.add(
            1,
            b.as_raw_fd(),
            Interest {
                read: true,
                write: true,
            },
        );
        poller.wait(Some(Duration::ZERO)).expect("wait");
        assert!(poller.readiness(index).writable);
        // Dropped from the round: no longer reported.
        poller.clear();
        assert_eq!(poller.wait(Some(Duration::ZERO)).expect("wait"), 0);
        assert!(poller.registered.is_empty());
    }

    #[test]
    fn a_reused_descriptor_number_under_a_new_key_is_watched() {
        let mut poller = Poller::new().expect("epoll");
        let (_a, b) = UnixStream::pair().expect("pair");
        let number = b.as_raw_fd();
        poller.clear();
        poller.add(1, number, READ);
        poller.wait(Some(Duration::ZERO)).expect("wait");
        drop(b);
        // The next pair likely reuses the number; either way the new key must be watched.
        let (mut c, d) = UnixStream::pair().expect("pair");
        c.write_all(b"y").expect("write");
        poller.clear();
        let index = poller.add(2, d.as_raw_fd(), READ);
        poller.wait(Some(Duration::from_secs(1))).expect("wait");
        assert!(poller.readiness(index).readable);
        // Hang-up is reported as readable and closed.
        drop(c);
        let mut buf = [0u8; 1];
        let _ = std::io::Read::read(&mut &d, &mut buf);
        poller.clear();
        let index = poller.add(2, d.as_raw_fd(), READ);
        poller.wait(Some(Duration::from_secs(1))).expect("wait");
        assert!(poller.readiness(index).closed);
    }
}
