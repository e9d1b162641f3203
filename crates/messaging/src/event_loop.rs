//! The daemon's single-threaded event loop: one closed [`Event`] enum, at most
//! [`limits::EVENTS_PER_WAKEUP_MAX`] events per wake-up, over epoll(7).

use std::time::{Duration, Instant};

use crate::daemon::{Daemon, DaemonTimer};
use crate::error::DaemonError;
use crate::ipc::protocol::Request;
use crate::ipc_server::{ClientId, IpcServer};
use crate::limits;
use crate::network::{Network, Received};
use crate::poller::{Interest, Poller};
use crate::signals::{Signal, Signals};

/// Milliseconds on a monotonic clock, the time base of every core.
pub trait Clock {
    /// Milliseconds since an arbitrary, fixed epoch; never decreases.
    fn now_ms(&self) -> u64;
}

/// The process's monotonic clock, counted from daemon start.
#[derive(Debug)]
pub struct MonotonicClock {
    start: Instant,
}

impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock {
            start: Instant::now(),
        }
    }
}

impl Clock for MonotonicClock {
    fn now_ms(&self) -> u64 {
        // Start at 1 so that 0 never appears as a deadline.
        self.start.elapsed().as_millis() as u64 + 1
    }
}

/// Everything that can wake the daemon.
#[derive(Debug)]
pub enum Event {
    /// A Totem packet from a peer.
    Packet(Received),
    /// A protocol timer is due.
    Timer(DaemonTimer),
    /// The transport's periodic tick is due.
    NetworkTick,
    /// The IPC listener has connections to accept.
    IpcAccept,
    /// A client sent requests.
    IpcRequests(ClientId, Vec<Request>),
    /// A client's socket is writable again.
    IpcWritable(ClientId),
    /// A signal arrived.
    Signal(Signal),
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Clean leave after SIGTERM or an IPC shutdown request.
    Shutdown,
}

/// Runs until a clean shutdown; errors are fatal (ring seq cannot be stored, poll failed).
pub fn run(
    daemon: &mut Daemon,
    network: &mut dyn Network,
    ipc: &mut IpcServer,
    signals: &Signals,
    clock: &dyn Clock,
) -> Result<Exit, DaemonError> {
    crate::memory::configure_allocator();
    let mut trim = crate::memory::TrimSchedule::default();
    let mut poller = Poller::new().map_err(DaemonError::Poll)?;
    let mut events: Vec<Event> = Vec::with_capacity(limits::EVENTS_PER_WAKEUP_MAX);
    let mut greeted: std::collections::BTreeMap<ClientId, bool> = Default::default();
    let mut turn = 0usize;
    daemon.drain(clock.now_ms(), network, ipc)?;
    loop {
        // Register every descriptor.
        poller.clear();
        let signal_index = poller.add(KEY_SIGNALS, signals.fd(), READ);
        let listener_index = poller.add(KEY_LISTENER, ipc.listener_fd(), READ);
        let network_fds = network.fds();
        let network_indexes: Vec<usize> = network_fds
            .iter()
            .enumerate()
            .map(|(i, fd)| poller.add(KEY_NETWORK + i as u64, *fd, READ))
            .collect();
        let client_ids: Vec<ClientId> = ipc.clients.keys().copied().collect();
        // Bytes of queued multicasts the daemon can take now: a pipelining client is read only
        // while this is above zero, so it waits in its socket, not in the daemon's memory.
        let room = daemon.mcast_room();
        let client_indexes: Vec<usize> = client_ids
            .iter()
            .map(|id| {
                let pending = ipc.clients.get(id).map_or(0, |c| c.pending_output());
                let fd = ipc.client_fd(*id).unwrap_or(-1);
                poller.add(
                    KEY_CLIENTS + *id,
                    fd,
                    Interest {
                        read: ipc.wants_input(*id, mcast_budget(ipc, *id, room)),
                        write: pending > 0,
                    },
                )
            })
            .collect();

        let now = clock.now_ms();
        let next = [daemon.timers.next_deadline(), network.next_tick_ms()]
            .into_iter()
            .flatten()
            .min();
        let timeout = next.map(|at| Duration::from_millis(at.saturating_sub(now)));
        let buffered = client_ids
            .iter()
            .any(|id| ipc.has_buffered_frames(*id, mcast_budget(ipc, *id, room)))
            || network.has_buffered();
        let timeout = if buffered {
            Some(Duration::ZERO)
        } else {
            timeout
        };
        poller.wait(timeout).map_err(DaemonError::Poll)?;

        // Collect at most K events.
        let now = clock.now_ms();
        events.clear();
        if poller.readiness(signal_index).readable {
            while let Some(signal) = signals.next() {
                events.push(Event::Signal(signal));
            }
        }
        while events.len() < limits::EVENTS_PER_WAKEUP_MAX {
            match daemon.timers.pop_due(now) {
                Some(timer) => events.push(Event::Timer(timer)),
                None => break,
            }
        }
        if network.next_tick_ms().is_some_and(|at| at <= now) {
            events.push(Event::NetworkTick);
        }
        let mut packets = Vec::new();
        let mut buffered = network.has_buffered();
        for (fd, index) in network_fds.iter().zip(&network_indexes) {
            if poller.readiness(*index).readable || buffered {
                buffered = false;
                let room =
                    limits::EVENTS_PER_WAKEUP_MAX.saturating_sub(events.len() + packets.len());
                network.receive(
                    now,
                    *fd,
                    room.min(limits::PACKETS_PER_SOCKET_WAKEUP_MAX),
                    &mut packets,
                );
            }
        }
        events.extend(packets.into_iter().map(Event::Packet));
        if poller.readiness(listener_index).readable {
            events.push(Event::IpcAccept);
        }
        let mut room = room;
        // The send queue's room goes to clients in turn, starting one further each wake-up,
        // so that one fast pipelining client cannot keep another's multicasts out.
        turn = turn.wrapping_add(1);
        let start = if client_ids.is_empty() {
            0
        } else {
            turn % client_ids.len()
        };
        let order = client_ids[start..]
            .iter()
            .zip(&client_indexes[start..])
            .chain(client_ids[..start].iter().zip(&client_indexes[..start]));
        for (id, index) in order {
            let readiness = poller.readiness(*index);
            if readiness.writable {
                events.push(Event::IpcWritable(*id));
            }
            // A client that hung up is read to its end whatever the room (what it wrote is
            // bounded by its socket buffer): the hang-up stays reported until then, so not
            // reading would make the loop spin.
            let budget = if readiness.closed {
                usize::MAX
            } else {
                mcast_budget(ipc, *id, room)
            };
            if (readiness.readable && ipc.wants_input(*id, budget))
                || ipc.has_buffered_frames(*id, budget)
            {
                let requests = ipc.read_requests(*id, budget);
                let taken: usize = requests
                    .iter()
                    .map(|request| match request {
                        Request::CpgMcastQueued { data } => data.len(),
                        _ => 0,
                    })
                    .sum();
                room = room.saturating_sub(taken);
                if !requests.is_empty() {
                    events.push(Event::IpcRequests(*id, requests));
                }
            }
        }

        // Handle them, draining Totem after each.
        for event in events.drain(..) {
            let now = clock.now_ms();
            match event {
                Event::Packet(received) => {
                    let backlogged =
                        ipc.max_pending_output() >= limits::CLIENT_OUTPUT_PRESSURE_BYTES;
                    daemon.on_packet(now, received.from, &received.bytes, backlogged);
                }
                Event::Timer(timer) => daemon.on_timer(now, timer, ipc),
                Event::NetworkTick => network.tick(now),
                Event::IpcAccept => {
                    for id in ipc.accept() {
                        let pid = ipc.clients.get(&id).map_or(0, |c| c.pid);
                        daemon.on_client_connected(id, pid);
                        greeted.insert(id, false);
                    }
                }
                Event::IpcRequests(id, requests) => {
                    let mut client_greeted = greeted.get(&id).copied().unwrap_or(false);
                    for request in requests {
                        daemon.on_request(now, id, &mut client_greeted, request, network, ipc);
                    }
                    greeted.insert(id, client_greeted);
                }
                Event::IpcWritable(id) => ipc.flush(id),
                Event::Signal(Signal::Terminate) => {
                    let handed = daemon.terminate_hook.take().is_some_and(|mut hook| hook());
                    if handed {
                        tracing::info!("received SIGTERM: stopping local resources first");
                    } else {
                        tracing::info!("received SIGTERM: leaving the cluster");
                        daemon.shutdown_requested = true;
                    }
                }
                Event::Signal(Signal::Hangup) => tracing::info!("received SIGHUP: ignored"),
            }
            daemon.drain(now, network, ipc)?;
        }
        ipc.flush_all();
        for (id, pid, reason) in ipc.reap() {
            greeted.remove(&id);
            daemon.on_client_gone(id, pid, &reason);
        }
        let now = clock.now_ms();
        daemon.drain(now, network, ipc)?;
        ipc.flush_all();
        let backlogged = ipc.max_pending_output() >= limits::CLIENT_OUTPUT_PRESSURE_BYTES;
        if daemon.release_deferred_token(now, backlogged) {
            daemon.drain(now, network, ipc)?;
            ipc.flush_all();
        }
        if trim.due(now) {
            crate::memory::release_free_memory();
        }
        if daemon.shutdown_requested {
            daemon.leave(now);
            daemon.drain(now, network, ipc)?;
            ipc.flush_all();
            tracing::info!("left the cluster; exiting");
            return Ok(Exit::Shutdown);
        }
    }
}

/// Bytes of queued multicasts client `id` may hand over now: none while deliveries to it are
/// backlogged (it must read first), else what the daemon's send queue can take.
fn mcast_budget(ipc: &IpcServer, id: ClientId, room: usize) -> usize {
    if ipc.pending_output(id) >= limits::CLIENT_OUTPUT_SENDER_PRESSURE_BYTES {
        0
    } else {
        room
    }
}

/// Poller keys: what each watched descriptor is (client ids are never reused).
const KEY_SIGNALS: u64 = 0;
const KEY_LISTENER: u64 = 1;
const KEY_NETWORK: u64 = 2;
const KEY_CLIENTS: u64 = 1 << 32;

const READ: Interest = Interest {
    read: true,
    write: false,
};
