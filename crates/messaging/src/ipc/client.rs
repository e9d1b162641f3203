//! A blocking IPC client, used by the `tandem` tools, tests and (later) the resource manager.

use std::collections::VecDeque;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use super::codec::DecodeError;
use super::protocol::{
    cpg_mcast_frame, decode_delivery, next_frame, push_cpg_mcast_queued_frame, CpgProcess,
    ErrorCode, Event, EventRef, QuorumStatus, Reply, Request, RuntimeStatus, ServerMessage,
    PROTOCOL_VERSION,
};
use crate::limits;

/// Default path of the daemon's socket.
pub const DEFAULT_SOCKET_PATH: &str = "/run/tandem/tandem.sock";

/// Events buffered while waiting for a reply before the client gives up on the connection.
const BUFFERED_EVENTS_MAX: usize = 1_000_000;

/// What can go wrong talking to the daemon.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Could not connect to the socket.
    #[error("cannot connect to tandemd at {path}: {cause}")]
    Connect {
        /// Socket path.
        path: String,
        /// Cause (shown in the message, so not chained again as the error's source).
        cause: std::io::Error,
    },
    /// Reading or writing the socket failed.
    #[error("IPC connection to tandemd failed: {0}")]
    Io(#[from] std::io::Error),
    /// The daemon closed the connection.
    #[error("tandemd closed the connection")]
    Closed,
    /// The daemon sent an undecodable frame.
    #[error("bad frame from tandemd: {0}")]
    Decode(#[from] DecodeError),
    /// The daemon refused the request.
    #[error("tandemd refused the request ({code:?}): {message}")]
    Refused {
        /// Error class.
        code: ErrorCode,
        /// Explanation.
        message: String,
    },
    /// A reply of the wrong kind.
    #[error("unexpected reply from tandemd: {0}")]
    Unexpected(String),
    /// Too many events arrived while waiting for a reply.
    #[error("too many unread events buffered ({0})")]
    Overrun(usize),
}

/// A connection to the local tandemd.
#[derive(Debug)]
pub struct Client {
    stream: UnixStream,
    input: Vec<u8>,
    /// Bytes at the front of `input` already decoded (compacted lazily, not per frame).
    consumed: usize,
    /// The socket's read timeout as last set (saves a system call per request).
    read_timeout: Option<Duration>,
    events: VecDeque<Event>,
    nodeid: u32,
    pid: u32,
    /// Queued multicast frames ([`Client::cpg_mcast_queued`]) not yet written.
    output: Vec<u8>,
    /// Bytes at the front of `output` already written.
    output_sent: usize,
    /// Whether this connection joined a group (and has not left it).
    joined: bool,
    /// The send buffer asked for on the socket for pipelining (0: not yet).
    sndbuf: usize,
}

/// A refusal made by the client itself, as the daemon would have made it.
fn refused(code: ErrorCode, message: &str) -> ClientError {
    ClientError::Refused {
        code,
        message: message.to_string(),
    }
}

impl Client {
    /// Connects and performs the version handshake.
    pub fn connect(path: &Path) -> Result<Self, ClientError> {
        let stream = UnixStream::connect(path).map_err(|cause| ClientError::Connect {
            path: path.display().to_string(),
            cause,
        })?;
        let mut client = Client {
            stream,
            input: Vec::new(),
            consumed: 0,
            read_timeout: None,
            events: VecDeque::new(),
            nodeid: 0,
            pid: 0,
            output: Vec::new(),
            output_sent: 0,
            joined: false,
            sndbuf: 0,
        };
        match client.request(&Request::Hello {
            version: PROTOCOL_VERSION,
        })? {
            Reply::Hello { nodeid, pid, .. } => {
                client.nodeid = nodeid;
                client.pid = pid;
                Ok(client)
            }
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    /// The local node id reported by the daemon.
    pub fn nodeid(&self) -> u32 {
        self.nodeid
    }

    /// This connection's process identity in CPG.
    pub fn process(&self) -> CpgProcess {
        CpgProcess {
            nodeid: self.nodeid,
            pid: self.pid,
        }
    }

    /// Sends a request and waits for its reply; events that arrive meanwhile are buffered.
    pub fn request(&mut self, request: &Request) -> Result<Reply, ClientError> {
        self.request_frame(&request.encode_framed())
    }

    /// Sends one encoded request frame and waits for its reply (events arriving meanwhile are
    /// kept for [`Client::next_event`]).
    fn request_frame(&mut self, frame: &[u8]) -> Result<Reply, ClientError> {
        self.set_read_timeout(None)?;
        // Queued multicasts go first: the daemon handles a connection's frames in order.
        if self.output_sent < self.output.len() {
            self.stream.write_all(&self.output[self.output_sent..])?;
            self.output.clear();
            self.output_sent = 0;
        }
        self.stream.write_all(frame)?;
        loop {
            match self.read_message()? {
                ServerMessage::Reply(Reply::Error { code, message }) => {
                    return Err(ClientError::Refused { code, message })
                }
                ServerMessage::Reply(reply) => return Ok(reply),
                ServerMessage::Event(event) => {
                    if self.events.len() >= BUFFERED_EVENTS_MAX {
                        return Err(ClientError::Overrun(self.events.len()));
                    }
                    self.events.push_back(event);
                }
            }
        }
    }

    fn expect_ok(&mut self, request: &Request) -> Result<(), ClientError> {
        match self.request(request)? {
            Reply::Ok => Ok(()),
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    /// Joins a CPG group.
    pub fn cpg_join(&mut self, group: &[u8]) -> Result<(), ClientError> {
        self.expect_ok(&Request::CpgJoin {
            group: group.to_vec(),
        })?;
        self.joined = true;
        Ok(())
    }

    /// Leaves the joined group.
    pub fn cpg_leave(&mut self) -> Result<(), ClientError> {
        self.expect_ok(&Request::CpgLeave)?;
        self.joined = false;
        Ok(())
    }

    /// Multicasts to the joined group without waiting for the daemon: the message is queued
    /// in this client and written with others in few large writes (when
    /// [`limits::CLIENT_QUEUED_FLUSH_BYTES`] are queued, on [`Client::flush`], on every wait
    /// for events and before every request), and the daemon takes it into agreed order in
    /// queue order. TryAgain when [`limits::CLIENT_QUEUED_OUTPUT_BYTES`] wait unwritten
    /// because the daemon stopped reading (its send queue is full): wait for events, then
    /// retry. BadHandle when not in a group, TooBig over the message limit. Messages still
    /// queued when the client is dropped are written then (waiting at most one second).
    pub fn cpg_mcast_queued(&mut self, data: &[u8]) -> Result<(), ClientError> {
        if !self.joined {
            return Err(refused(ErrorCode::BadHandle, "not in a group"));
        }
        if data.len() > limits::CPG_MESSAGE_BYTES_MAX {
            return Err(refused(
                ErrorCode::TooBig,
                &format!(
                    "message of {} bytes exceeds the maximum of {}",
                    data.len(),
                    limits::CPG_MESSAGE_BYTES_MAX
                ),
            ));
        }
        let frame_bytes = data.len() + 9;
        if self.sndbuf < frame_bytes.max(limits::CLIENT_QUEUED_SNDBUF_BYTES) {
            self.sndbuf = frame_bytes.max(limits::CLIENT_QUEUED_SNDBUF_BYTES);
            set_send_buffer(&self.stream, self.sndbuf);
        }
        if self.unwritten() >= limits::CLIENT_QUEUED_OUTPUT_BYTES
            && !self.flush()?
            && self.unwritten() >= limits::CLIENT_QUEUED_OUTPUT_BYTES
        {
            return Err(refused(ErrorCode::TryAgain, "send queue full"));
        }
        if self.unwritten() == 0 && data.len() >= limits::CLIENT_QUEUED_FLUSH_BYTES {
            // A large message with nothing queued before it goes straight from the caller's
            // buffer to the socket; only what the socket does not take is copied.
            return self.send_direct(data);
        }
        push_cpg_mcast_queued_frame(&mut self.output, data);
        if self.unwritten() >= limits::CLIENT_QUEUED_FLUSH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes one queued multicast frame for `data` without copying `data` first (header and
    /// payload in one gathered write, not waiting); queues the rest that was not written.
    fn send_direct(&mut self, data: &[u8]) -> Result<(), ClientError> {
        let mut header = Vec::with_capacity(9);
        push_cpg_mcast_queued_frame(&mut header, &[]);
        let body = u32::try_from(1 + 4 + data.len()).unwrap_or(u32::MAX);
        let length = u32::try_from(data.len()).unwrap_or(u32::MAX);
        header[..4].copy_from_slice(&body.to_be_bytes());
        header[5..9].copy_from_slice(&length.to_be_bytes());
        let mut iov = [
            libc::iovec {
                iov_base: header.as_ptr() as *mut libc::c_void,
                iov_len: header.len(),
            },
            libc::iovec {
                iov_base: data.as_ptr() as *mut libc::c_void,
                iov_len: data.len(),
            },
        ];
        // SAFETY: a zeroed msghdr is valid; we point it at two iovecs over live buffers that
        // sendmsg only reads.
        let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
        message.msg_iov = iov.as_mut_ptr();
        message.msg_iovlen = iov.len();
        let written = loop {
            // SAFETY: `message` and the buffers it points to outlive the call.
            let count = unsafe {
                libc::sendmsg(
                    self.stream.as_raw_fd(),
                    &message,
                    libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
                )
            };
            if count >= 0 {
                break count as usize;
            }
            let error = std::io::Error::last_os_error();
            match error.kind() {
                std::io::ErrorKind::WouldBlock => break 0,
                std::io::ErrorKind::Interrupted => continue,
                _ => return Err(error.into()),
            }
        };
        if written < header.len() {
            self.output.extend_from_slice(&header[written..]);
            self.output.extend_from_slice(data);
        } else {
            self.output
                .extend_from_slice(&data[(written - header.len()).min(data.len())..]);
        }
        Ok(())
    }

    /// Writes queued multicasts without blocking; returns whether none remain unwritten.
    pub fn flush(&mut self) -> Result<bool, ClientError> {
        while self.output_sent < self.output.len() {
            let rest = &self.output[self.output_sent..];
            // SAFETY: send reads at most rest.len() bytes from a live slice; the descriptor is
            // owned by self.stream.
            let count = unsafe {
                libc::send(
                    self.stream.as_raw_fd(),
                    rest.as_ptr().cast(),
                    rest.len(),
                    libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
                )
            };
            if count < 0 {
                let error = std::io::Error::last_os_error();
                match error.kind() {
                    std::io::ErrorKind::WouldBlock => break,
                    std::io::ErrorKind::Interrupted => continue,
                    _ => return Err(error.into()),
                }
            }
            self.output_sent += count as usize;
        }
        if self.output_sent == self.output.len() {
            self.output.clear();
            self.output_sent = 0;
            return Ok(true);
        }
        if self.output_sent >= limits::CLIENT_QUEUED_OUTPUT_BYTES {
            self.output.drain(..self.output_sent);
            self.output_sent = 0;
        }
        Ok(false)
    }

    /// Queued multicast bytes not yet written.
    fn unwritten(&self) -> usize {
        self.output.len() - self.output_sent
    }

    /// Multicasts to the joined group; Ok means the daemon accepted it for ordering.
    pub fn cpg_mcast(&mut self, data: &[u8]) -> Result<(), ClientError> {
        match self.request_frame(&cpg_mcast_frame(data))? {
            Reply::Ok => Ok(()),
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    /// Current members of the joined group.
    pub fn cpg_membership(&mut self) -> Result<Vec<CpgProcess>, ClientError> {
        match self.request(&Request::CpgMembership)? {
            Reply::CpgMembers { members } => Ok(members),
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    /// Current quorum status.
    pub fn quorum(&mut self) -> Result<QuorumStatus, ClientError> {
        match self.request(&Request::QuorumGet)? {
            Reply::Quorum(status) => Ok(status),
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    /// Starts or stops quorum notifications.
    pub fn quorum_track(&mut self, enable: bool) -> Result<(), ClientError> {
        self.expect_ok(&Request::QuorumTrack { enable })
    }

    /// Starts or stops ring notifications ([`crate::ipc::Event::Ring`]).
    pub fn ring_track(&mut self, enable: bool) -> Result<(), ClientError> {
        self.expect_ok(&Request::RingTrack { enable })
    }

    /// Runtime status.
    /// Sets expected votes cluster-wide (`quorumtool -e`).
    pub fn quorum_set_expected(&mut self, expected: u32) -> Result<(), ClientError> {
        self.expect_ok(&Request::QuorumSetExpected { expected })
    }

    /// Sets a node's votes cluster-wide (`quorumtool -v`); `nodeid` 0 is the local node.
    pub fn quorum_set_votes(&mut self, nodeid: u32, votes: u32) -> Result<(), ClientError> {
        self.expect_ok(&Request::QuorumSetVotes { nodeid, votes })
    }

    /// Asks every node to re-read its corosync.conf and apply what may change at runtime
    /// (`cfgtool -R`).
    pub fn reload_config(&mut self) -> Result<(), ClientError> {
        self.expect_ok(&Request::ReloadConfig)
    }

    /// Asks member `nodeid` to leave the cluster and stop its daemon (`cfgtool -k`).
    pub fn kill_node(&mut self, nodeid: u32) -> Result<(), ClientError> {
        self.expect_ok(&Request::KillNode { nodeid })
    }

    pub fn status(&mut self) -> Result<RuntimeStatus, ClientError> {
        match self.request(&Request::Status)? {
            Reply::Status(status) => Ok(status),
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    /// Asks the daemon to leave the cluster and stop.
    pub fn shutdown(&mut self) -> Result<(), ClientError> {
        self.expect_ok(&Request::Shutdown)
    }

    /// Hands up to `max` events to `handler`, waiting up to `timeout` (forever if None) for
    /// the first; deliveries are borrowed from the input buffer (no copy, no allocation per
    /// message), which makes this the cheap way to receive many. Queued multicasts are written
    /// meanwhile. Returns how many were handled (0: none came in time).
    /// `Some(Duration::ZERO)` handles what is buffered or readable now.
    pub fn dispatch(
        &mut self,
        timeout: Option<Duration>,
        max: usize,
        mut handler: impl FnMut(EventRef<'_>),
    ) -> Result<usize, ClientError> {
        let mut handled = 0;
        while handled < max {
            let Some(event) = self.events.pop_front() else {
                break;
            };
            handler(EventRef::Owned(event));
            handled += 1;
        }
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        let mut looked = false;
        loop {
            if self.unwritten() > 0 {
                self.flush()?;
            }
            while handled < max {
                let Some((body, used)) = next_frame(&self.input[self.consumed..])? else {
                    break;
                };
                let start = self.consumed;
                let body = &self.input[start + body.start..start + body.end];
                match decode_delivery(body)? {
                    Some(delivery) => handler(EventRef::Deliver(delivery)),
                    None => match ServerMessage::decode(body)? {
                        ServerMessage::Event(event) => handler(EventRef::Owned(event)),
                        ServerMessage::Reply(reply) => {
                            return Err(ClientError::Unexpected(format!(
                                "reply without request: {reply:?}"
                            )))
                        }
                    },
                }
                self.consumed += used;
                handled += 1;
            }
            if self.consumed == self.input.len() {
                self.input.clear();
                self.consumed = 0;
            }
            if handled > 0 || (looked && deadline.is_some_and(|d| Instant::now() >= d)) {
                return Ok(handled);
            }
            let wait = self.wait_after(deadline, &mut looked);
            self.wait_for_input(wait)?;
        }
    }

    /// How long the next wait may take: None forever, else at least 1 ms until the deadline,
    /// and one zero wait (a look) once it passed.
    fn wait_after(&self, deadline: Option<Instant>, looked: &mut bool) -> Option<Duration> {
        let wait = deadline.map(|deadline| {
            let now = Instant::now();
            if now >= deadline {
                Duration::ZERO
            } else {
                (deadline - now).max(Duration::from_millis(1))
            }
        });
        *looked = true;
        wait
    }

    /// Waits up to `wait` for input (or for room to write queued multicasts) and reads what
    /// came; a timeout is not an error.
    fn wait_for_input(&mut self, wait: Option<Duration>) -> Result<(), ClientError> {
        let result = if self.unwritten() > 0 {
            // Wake for room to write as well as for input.
            if self.poll_readable(wait)? {
                self.fill_nonblocking()
            } else {
                Ok(())
            }
        } else if wait == Some(Duration::ZERO) {
            self.fill_nonblocking()
        } else {
            self.set_read_timeout(wait)?;
            self.fill()
        };
        match result {
            Err(ClientError::Io(error))
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// Waits up to `timeout` (forever if None) for the next event; queued multicasts are
    /// written meanwhile. `Some(Duration::ZERO)` returns what is buffered or readable now.
    pub fn next_event(&mut self, timeout: Option<Duration>) -> Result<Option<Event>, ClientError> {
        if let Some(event) = self.events.pop_front() {
            return Ok(Some(event));
        }
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        let mut looked = false;
        loop {
            if self.unwritten() > 0 {
                self.flush()?;
            }
            if let Some(message) = self.take_buffered()? {
                match message {
                    ServerMessage::Event(event) => return Ok(Some(event)),
                    ServerMessage::Reply(reply) => {
                        return Err(ClientError::Unexpected(format!(
                            "reply without request: {reply:?}"
                        )))
                    }
                }
            }
            if looked && deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(None);
            }
            let wait = self.wait_after(deadline, &mut looked);
            self.wait_for_input(wait)?;
        }
    }

    /// Waits up to `wait` until the socket is readable or writable; returns whether readable.
    fn poll_readable(&mut self, wait: Option<Duration>) -> Result<bool, ClientError> {
        let mut fd = libc::pollfd {
            fd: self.stream.as_raw_fd(),
            events: libc::POLLIN | libc::POLLOUT,
            revents: 0,
        };
        let ms = wait.map_or(-1, |w| i32::try_from(w.as_millis()).unwrap_or(i32::MAX));
        // SAFETY: one pollfd we own, count 1.
        let result = unsafe { libc::poll(&mut fd, 1, ms) };
        if result < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == std::io::ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(error.into());
        }
        Ok(fd.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0)
    }

    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> Result<(), ClientError> {
        if self.read_timeout != timeout {
            self.stream.set_read_timeout(timeout)?;
            self.read_timeout = timeout;
        }
        Ok(())
    }

    fn take_buffered(&mut self) -> Result<Option<ServerMessage>, ClientError> {
        match next_frame(&self.input[self.consumed..])? {
            None => Ok(None),
            Some((body, used)) => {
                let start = self.consumed;
                let message =
                    ServerMessage::decode(&self.input[start + body.start..start + body.end])?;
                self.consumed += used;
                if self.consumed == self.input.len() {
                    self.input.clear();
                    self.consumed = 0;
                }
                Ok(Some(message))
            }
        }
    }

    fn fill(&mut self) -> Result<(), ClientError> {
        self.fill_with(0)
    }

    /// One read that does not wait (WouldBlock when nothing is there).
    fn fill_nonblocking(&mut self) -> Result<(), ClientError> {
        self.fill_with(libc::MSG_DONTWAIT)
    }

    fn fill_with(&mut self, flags: libc::c_int) -> Result<(), ClientError> {
        // Decoded frames are dropped from the front only here, once per read, not per frame.
        if self.consumed > 0 {
            self.input.drain(..self.consumed);
            self.consumed = 0;
        }
        const CHUNK: usize = 256 * 1024;
        if self.input.len() > limits::CLIENT_INPUT_BYTES_MAX {
            return Err(ClientError::Overrun(self.input.len()));
        }
        let start = self.input.len();
        if self.input.capacity() < start + CHUNK {
            self.input.reserve(start + CHUNK - self.input.len());
        }
        let spare = self.input.spare_capacity_mut();
        // SAFETY: recv writes at most spare.len() bytes into the vector's spare capacity, which
        // we own; only the bytes it reports written are then marked initialised.
        let count = unsafe {
            libc::recv(
                self.stream.as_raw_fd(),
                spare.as_mut_ptr().cast(),
                spare.len(),
                flags,
            )
        };
        if count < 0 {
            return Err(std::io::Error::last_os_error().into());
        }
        // SAFETY: the kernel initialised `count` bytes after `start`.
        unsafe { self.input.set_len(start + count as usize) };
        if count == 0 {
            return Err(ClientError::Closed);
        }
        Ok(())
    }

    fn read_message(&mut self) -> Result<ServerMessage, ClientError> {
        loop {
            if let Some(message) = self.take_buffered()? {
                return Ok(message);
            }
            self.fill()?;
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Queued multicasts were promised to the daemon: write them, waiting at most a second.
        if self.unwritten() > 0 {
            let _ = self.stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = self.stream.write_all(&self.output[self.output_sent..]);
        }
    }
}

/// Asks for a send buffer of `bytes` on the socket (best effort: the kernel may round it).
fn set_send_buffer(stream: &UnixStream, bytes: usize) {
    let value = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    // SAFETY: setsockopt reads one c_int we own for the duration of the call.
    let result = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if result != 0 {
        tracing::debug!(
            "IPC: cannot size the send buffer: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// The socket path a tool should use: `--socket PATH` if given, else `$TANDEM_SOCKET`, else the
/// default.
pub fn socket_path(flag: Option<&str>) -> std::path::PathBuf {
    if let Some(path) = flag {
        return path.into();
    }
    match std::env::var_os("TANDEM_SOCKET") {
        Some(path) if !path.is_empty() => path.into(),
        _ => DEFAULT_SOCKET_PATH.into(),
    }
}
