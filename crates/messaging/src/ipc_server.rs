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
}

impl Connection {
    /// Bytes queued but not yet written.
    pub fn pending_output(&self) -> usize {
        self.output.len() - self.output_sent
    }
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

    /// Reads what is available from a client and returns up to a bounded number of requests.
    /// EOF, read errors and bad frames mark the client as closing.
    pub fn read_requests(&mut self, id: ClientId) -> Vec<Request> {
        let Some(client) = self.clients.get_mut(&id) else {
            return Vec::new();
        };
        let mut chunk = [0u8; 65536];
        while client.closing.is_none() && client.input.len() < limits::CLIENT_INPUT_BYTES_MAX {
            match client.stream.read(&mut chunk) {
                Ok(0) => {
                    client.closing = Some("client closed the connection".to_string());
                }
                Ok(count) => {
                    client.input.extend_from_slice(&chunk[..count]);
                    if count < chunk.len() {
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
        while requests.len() < limits::FRAMES_PER_CLIENT_WAKEUP_MAX {
            match next_frame(&client.input[consumed..]) {
                Ok(Some((body, used))) => {
                    let body = consumed + body.start..consumed + body.end;
                    match Request::decode(&client.input[body]) {
                        Ok(request) => requests.push(request),
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

    /// Whether a client has complete frames still buffered (read more next wake-up).
    pub fn has_buffered_frames(&self, id: ClientId) -> bool {
        self.clients
            .get(&id)
            .is_some_and(|c| matches!(next_frame(&c.input), Ok(Some(_))))
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
