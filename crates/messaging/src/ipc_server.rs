//! The daemon side of the IPC socket: accepting clients, reading request frames, and bounded,
//! non-blocking output queues.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use crate::ipc::protocol::{next_frame, Request, ServerMessage};
use crate::limits;

/// Identifies one connected client for the daemon's lifetime (never reused).
pub type ClientId = u64;

/// One connection.
#[derive(Debug)]
pub struct Connection {
    stream: UnixStream,
    input: Vec<u8>,
    output: Vec<u8>,
    output_sent: usize,
    /// Process id of the peer (SO_PEERCRED), used as its CPG process id.
    pub pid: u32,
    /// Whether the Hello handshake was done.
    pub greeted: bool,
    /// Set when the connection must be closed (EOF, error, too slow, bad frame).
    pub closing: Option<String>,
    /// Whether the client sent a [`Request::CpgMcastQueued`]: it is then read only while the
    /// daemon's send queue has room.
    pub pipelining: bool,
}

impl Connection {
    /// Bytes queued but not yet written.
    pub fn pending_output(&self) -> usize {
        self.output.len() - self.output_sent
    }

    /// Undecoded input the daemon reads ahead: [`limits::CLIENT_INPUT_READ_AHEAD_BYTES`], or
    /// the whole first frame when that is larger.
    fn read_ahead(&self) -> usize {
        let first = match next_frame_length(&self.input) {
            Some(length) => length.saturating_add(4),
            None => 0,
        };
        first.clamp(
            limits::CLIENT_INPUT_READ_AHEAD_BYTES,
            limits::CLIENT_INPUT_BYTES_MAX,
        )
    }
}

/// The announced body length of the first frame in `buffer`, once its prefix is there.
fn next_frame_length(buffer: &[u8]) -> Option<usize> {
    let prefix = buffer.get(..4)?;
    Some(u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize)
}

/// The listening socket and every connection.
#[derive(Debug)]
pub struct IpcServer {
    listener: UnixListener,
    path: PathBuf,
    next_id: ClientId,
    /// Connections by id.
    pub clients: BTreeMap<ClientId, Connection>,
}

fn peer_pid(stream: &UnixStream) -> u32 {
    let mut credentials = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut length = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `length` bytes into the ucred we own.
    let result = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut credentials as *mut libc::ucred).cast(),
            &mut length,
        )
    };
    if result == 0 {
        credentials.pid as u32
    } else {
        0
    }
}

fn haclient_gid() -> Option<libc::gid_t> {
    let name = std::ffi::CString::new("haclient").ok()?;
    // SAFETY: getgrnam returns a pointer to static storage or null; we only read gr_gid.
    let group = unsafe { libc::getgrnam(name.as_ptr()) };
    if group.is_null() {
        None
    } else {
        // SAFETY: non-null pointer from getgrnam.
        Some(unsafe { (*group).gr_gid })
    }
}

impl IpcServer {
    /// Binds the socket at `path` (replacing a stale one), mode 0660, group `haclient` if it exists.
    pub fn bind(path: &Path) -> std::io::Result<Self> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        if path.exists() {
            if UnixStream::connect(path).is_ok() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    format!("{}: another tandemd is listening there", path.display()),
                ));
            }
            std::fs::remove_file(path)?;
        }
        let listener = UnixListener::bind(path)?;
        listener.set_nonblocking(true)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
        if let Some(gid) = haclient_gid() {
            let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            // SAFETY: chown on a NUL-terminated path we own; uid -1 keeps the owner.
            if unsafe { libc::chown(c_path.as_ptr(), u32::MAX, gid) } != 0 {
                tracing::warn!(
                    "cannot give {} to group haclient: {}",
                    path.display(),
                    std::io::Error::last_os_error()
                );
            }
        }
        Ok(IpcServer {
            listener,
            path: path.to_path_buf(),
            next_id: 1,
            clients: BTreeMap::new(),
        })
    }

    /// The listener's descriptor.
    pub fn listener_fd(&self) -> RawFd {
        self.listener.as_raw_fd()
    }

    /// A client's descriptor.
    pub fn client_fd(&self, id: ClientId) -> Option<RawFd> {
        self.clients.get(&id).map(|c| c.stream.as_raw_fd())
    }

    /// Accepts waiting connections (bounded by [`limits::CLIENTS_MAX`]); returns the new ids.
    pub fn accept(&mut self) -> Vec<ClientId> {
        let mut accepted = Vec::new();
        for _ in 0..limits::EVENTS_PER_WAKEUP_MAX {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if self.clients.len() >= limits::CLIENTS_MAX {
                        tracing::warn!(
                            "IPC: refusing a connection: {} clients connected",
                            self.clients.len()
                        );
                        continue;
                    }
                    if let Err(error) = stream.set_nonblocking(true) {
                        tracing::warn!("IPC: cannot make a client socket non-blocking: {error}");
                        continue;
                    }
                    let pid = peer_pid(&stream);
                    let id = self.next_id;
                    self.next_id += 1;
                    self.clients.insert(
                        id,
                        Connection {
                            stream,
                            input: Vec::new(),
                            output: Vec::new(),
                            output_sent: 0,
                            pid,
                            greeted: false,
                            closing: None,
                            pipelining: false,
                        },
                    );
                    accepted.push(id);
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(error) => {
                    tracing::warn!("IPC: accept failed: {error}");
                    break;
                }
            }
        }
        accepted
    }

    /// Whether to read a client now: not closing, room for read-ahead, and for a pipelining
    /// client `mcast_budget` (bytes the daemon's send queue can still take) above zero.
    pub fn wants_input(&self, id: ClientId, mcast_budget: usize) -> bool {
        self.clients.get(&id).is_some_and(|c| {
            c.closing.is_none()
                && c.input.len() < c.read_ahead()
                && (mcast_budget > 0 || !c.pipelining)
        })
    }

    /// Reads what is available from a client (up to its read-ahead) and returns up to a
    /// bounded number of requests; queued multicasts only while their data fits
    /// `mcast_budget` (the first one always when the budget is above zero), the rest waits
    /// in the input buffer and the socket. EOF, read errors and bad frames mark the client
    /// as closing.
    pub fn read_requests(&mut self, id: ClientId, mcast_budget: usize) -> Vec<Request> {
        let Some(client) = self.clients.get_mut(&id) else {
            return Vec::new();
        };
        let mut chunk = [0u8; 65536];
        while client.closing.is_none() && client.input.len() < client.read_ahead() {
            let room = (client.read_ahead() - client.input.len()).min(chunk.len());
            match client.stream.read(&mut chunk[..room]) {
                Ok(0) => {
                    client.closing = Some("client closed the connection".to_string());
                }
                Ok(count) => {
                    client.input.extend_from_slice(&chunk[..count]);
                    if count < room {
                        break;
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => client.closing = Some(format!("read failed: {error}")),
            }
        }
        let mut requests = Vec::new();
        let mut consumed = 0;
        let mut taken = 0usize;
        while requests.len() < limits::FRAMES_PER_CLIENT_WAKEUP_MAX {
            match next_frame(&client.input[consumed..]) {
                Ok(Some((body, used))) => {
                    let body = consumed + body.start..consumed + body.end;
                    match Request::decode(&client.input[body]) {
                        Ok(request) => {
                            if let Request::CpgMcastQueued { data } = &request {
                                client.pipelining = true;
                                if mcast_budget == 0 || (taken > 0 && taken >= mcast_budget) {
                                    break;
                                }
                                taken += data.len();
                            }
                            requests.push(request);
                        }
                        Err(error) => {
                            client.closing = Some(format!("bad request frame: {error}"));
                            break;
                        }
                    }
                    consumed += used;
                }
                Ok(None) => break,
                Err(error) => {
                    client.closing = Some(format!("bad frame: {error}"));
                    break;
                }
            }
        }
        client.input.drain(..consumed);
        requests
    }

    /// Whether a client has complete frames still buffered that it may hand over now (see
    /// [`IpcServer::wants_input`] for `mcast_budget`).
    pub fn has_buffered_frames(&self, id: ClientId, mcast_budget: usize) -> bool {
        self.clients.get(&id).is_some_and(|c| {
            (mcast_budget > 0 || !c.pipelining) && matches!(next_frame(&c.input), Ok(Some(_)))
        })
    }

    /// Queues a message for a client (written by [`IpcServer::flush_all`]); a client whose queue
    /// passes the limit is marked closing.
    pub fn send(&mut self, id: ClientId, message: &ServerMessage) {
        if self.clients.get(&id).is_some_and(|c| c.closing.is_none()) {
            self.send_frame(id, &message.encode_framed());
        }
    }

    /// Queues an already encoded frame ([`ServerMessage::encode_framed`]) for a client, so that
    /// one delivery to many clients is encoded once; as [`IpcServer::send`] otherwise.
    pub fn send_frame(&mut self, id: ClientId, bytes: &[u8]) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        if client.closing.is_some() {
            return;
        }
        if client.pending_output() + bytes.len() > limits::CLIENT_OUTPUT_BYTES_MAX {
            client.closing = Some(format!(
                "client too slow: {} bytes queued (limit {})",
                client.pending_output(),
                limits::CLIENT_OUTPUT_BYTES_MAX
            ));
            return;
        }
        client.output.extend_from_slice(bytes);
        // Written by `flush_all` at the end of the wake-up, batching many frames per write.
        if client.pending_output() >= 1 << 20 {
            Self::flush_connection(client);
        }
    }

    fn flush_connection(client: &mut Connection) {
        while client.output_sent < client.output.len() {
            match client.stream.write(&client.output[client.output_sent..]) {
                Ok(0) => break,
                Ok(count) => client.output_sent += count,
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    client.closing = Some(format!("write failed: {error}"));
                    return;
                }
            }
        }
        if client.output_sent == client.output.len() {
            client.output.clear();
            client.output_sent = 0;
        } else if client.output_sent > 1 << 20 {
            client.output.drain(..client.output_sent);
            client.output_sent = 0;
        }
    }

    /// Bytes queued towards a client and not yet written (0 for an unknown client).
    pub fn pending_output(&self, id: ClientId) -> usize {
        self.clients.get(&id).map_or(0, Connection::pending_output)
    }

    /// The largest number of bytes queued towards any one client.
    pub fn max_pending_output(&self) -> usize {
        self.clients
            .values()
            .filter(|c| c.closing.is_none())
            .map(Connection::pending_output)
            .max()
            .unwrap_or(0)
    }

    /// Writes queued output to a writable client.
    pub fn flush(&mut self, id: ClientId) {
        if let Some(client) = self.clients.get_mut(&id) {
            Self::flush_connection(client);
        }
    }

    /// Removes clients marked closing; returns their ids, pids and reasons.
    pub fn reap(&mut self) -> Vec<(ClientId, u32, String)> {
        let closing: Vec<ClientId> = self
            .clients
            .iter()
            .filter(|(_, c)| c.closing.is_some())
            .map(|(id, _)| *id)
            .collect();
        closing
            .into_iter()
            .filter_map(|id| {
                let client = self.clients.remove(&id)?;
                Some((id, client.pid, client.closing.unwrap_or_default()))
            })
            .collect()
    }

    /// Writes every client's queued output (as much as the sockets take).
    pub fn flush_all(&mut self) {
        for client in self.clients.values_mut() {
            if client.pending_output() > 0 && client.closing.is_none() {
                Self::flush_connection(client);
            }
        }
    }
}

impl Drop for IpcServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::protocol::{Reply, PROTOCOL_VERSION};
    use crate::ipc::{Client, ClientError, ErrorCode};
    use std::time::{Duration, Instant};

    const MESSAGES: u32 = 300;
    const SIZE: usize = 1024;
    /// Every this-many-th message is large (written straight from the caller's buffer).
    const LARGE_EVERY: u32 = 7;
    const LARGE: usize = 70_000;

    fn size_of(n: u32) -> usize {
        if n % LARGE_EVERY == 3 {
            LARGE
        } else {
            SIZE
        }
    }

    /// Answers what a synchronous request needs; returns the queued multicasts' payloads.
    fn serve(ipc: &mut IpcServer, id: ClientId, requests: Vec<Request>) -> Vec<Vec<u8>> {
        let mut queued = Vec::new();
        for request in requests {
            let reply = match request {
                Request::Hello { .. } => Reply::Hello {
                    version: PROTOCOL_VERSION,
                    nodeid: 1,
                    pid: 7,
                },
                Request::CpgMcastQueued { data } => {
                    queued.push(data);
                    continue;
                }
                _ => Reply::Ok,
            };
            ipc.send(id, &ServerMessage::Reply(reply));
        }
        ipc.flush_all();
        queued
    }

    #[test]
    fn queued_multicasts_are_read_only_within_the_budget_and_stay_in_order() {
        let path = std::env::temp_dir().join(format!(
            "messaging-ipc-queued-test-{}.sock",
            std::process::id()
        ));
        let mut ipc = IpcServer::bind(&path).expect("bind a test socket");
        let client_path = path.clone();
        let sender = std::thread::spawn(move || {
            let mut client = Client::connect(&client_path).expect("connect");
            let refused = client.cpg_mcast_queued(b"too early");
            assert!(matches!(
                refused,
                Err(ClientError::Refused {
                    code: ErrorCode::BadHandle,
                    ..
                })
            ));
            client.cpg_join(b"g").expect("join");
            let mut try_again = 0u32;
            for n in 0..MESSAGES {
                let mut data = vec![n as u8; size_of(n)];
                data[..4].copy_from_slice(&n.to_be_bytes());
                loop {
                    match client.cpg_mcast_queued(&data) {
                        Ok(()) => break,
                        Err(ClientError::Refused {
                            code: ErrorCode::TryAgain,
                            ..
                        }) => {
                            try_again += 1;
                            let _ = client.next_event(Some(Duration::from_millis(1)));
                        }
                        Err(error) => panic!("queued multicast {n}: {error}"),
                    }
                }
            }
            // Dropping the client writes what is still queued.
            try_again
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut id = None;
        let mut received: Vec<Vec<u8>> = Vec::new();
        let mut stalled_rounds = 0u32;
        while received.len() < MESSAGES as usize {
            assert!(Instant::now() < deadline, "only {} arrived", received.len());
            if id.is_none() {
                id = ipc.accept().first().copied();
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
            let Some(id) = id else { continue };
            // Every third round the send queue is full: nothing queued may be read.
            let budget = if stalled_rounds % 3 == 2 { 0 } else { 8 * SIZE };
            stalled_rounds += 1;
            let requests = ipc.read_requests(id, budget);
            let queued = serve(&mut ipc, id, requests);
            if budget == 0 {
                assert!(
                    queued.is_empty(),
                    "read {} past a zero budget",
                    queued.len()
                );
                if ipc.clients.get(&id).is_some_and(|c| c.pipelining) {
                    assert!(!ipc.wants_input(id, 0));
                }
            } else {
                // At most the budget plus the one message that crosses it.
                let bytes: usize = queued.iter().map(Vec::len).sum();
                let last = queued.last().map_or(0, Vec::len);
                assert!(
                    bytes - last < budget,
                    "{bytes} bytes read past a budget of {budget}"
                );
            }
            received.extend(queued);
            std::thread::sleep(Duration::from_micros(200));
        }
        let try_again = sender.join().expect("sender thread");
        for (n, data) in received.iter().enumerate() {
            assert_eq!(data.len(), size_of(n as u32), "message {n}");
            assert!(
                data[4..].iter().all(|b| *b == n as u8),
                "message {n} corrupted"
            );
            assert_eq!(
                data[..4],
                (n as u32).to_be_bytes(),
                "message {n} out of order"
            );
        }
        // The daemon read slowly, so the client's bounded queue must have pushed back.
        assert!(try_again > 0, "no TryAgain although the daemon read slowly");
        let Some(id) = id else { return };
        let input = ipc.clients.get(&id).map_or(0, |c| c.input.len());
        assert!(input <= LARGE + 9, "read ahead {input} bytes");
    }
}
