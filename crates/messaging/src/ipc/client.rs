//! A blocking IPC client, used by the `tandem` tools, tests and (later) the resource manager.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use super::codec::DecodeError;
use super::protocol::{
    cpg_mcast_frame, next_frame, CpgProcess, ErrorCode, Event, QuorumStatus, Reply, Request,
    RuntimeStatus, ServerMessage, PROTOCOL_VERSION,
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
        })
    }

    /// Leaves the joined group.
    pub fn cpg_leave(&mut self) -> Result<(), ClientError> {
        self.expect_ok(&Request::CpgLeave)
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

    /// Runtime status.
    /// Sets expected votes cluster-wide (`quorumtool -e`).
    pub fn quorum_set_expected(&mut self, expected: u32) -> Result<(), ClientError> {
        self.expect_ok(&Request::QuorumSetExpected { expected })
    }

    /// Sets a node's votes cluster-wide (`quorumtool -v`); `nodeid` 0 is the local node.
    pub fn quorum_set_votes(&mut self, nodeid: u32, votes: u32) -> Result<(), ClientError> {
        self.expect_ok(&Request::QuorumSetVotes { nodeid, votes })
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

    /// Waits up to `timeout` (forever if None) for the next event.
    pub fn next_event(&mut self, timeout: Option<Duration>) -> Result<Option<Event>, ClientError> {
        if let Some(event) = self.events.pop_front() {
            return Ok(Some(event));
        }
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        loop {
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
            let wait = match deadline {
                None => None,
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Ok(None);
                    }
                    Some((deadline - now).max(Duration::from_millis(1)))
                }
            };
            self.set_read_timeout(wait)?;
            match self.fill() {
                Ok(()) => {}
                Err(ClientError::Io(error))
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(error) => return Err(error),
            }
        }
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
        // Decoded frames are dropped from the front only here, once per read, not per frame.
        if self.consumed > 0 {
            self.input.drain(..self.consumed);
            self.consumed = 0;
        }
        const CHUNK: usize = 65536;
        if self.input.len() > limits::CLIENT_INPUT_BYTES_MAX {
            return Err(ClientError::Overrun(self.input.len()));
        }
        let start = self.input.len();
        self.input.resize(start + CHUNK, 0);
        let count = match self.stream.read(&mut self.input[start..]) {
            Ok(count) => count,
            Err(error) => {
                self.input.truncate(start);
                return Err(error.into());
            }
        };
        self.input.truncate(start + count);
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
