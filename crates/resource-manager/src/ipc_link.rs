//! The connection to the local tandemd: a writer kept by the manager's loop and a reader
//! thread that forwards every frame as a [`crate::manager::Event`].

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::time::Instant;

use messaging::ipc::{frame, next_frame, Reply, Request, ServerMessage, PROTOCOL_VERSION};

use crate::error::RmError;
use crate::limits;
use crate::manager::Event;

/// What an unanswered request was, so its reply can be matched (replies come in order).
#[derive(Debug)]
pub enum Pending {
    /// A multicast of these bytes (re-sent when the daemon says try again).
    Mcast(Vec<u8>, u32),
    /// A runtime status request (the ring watch's poll).
    Status,
    /// Any other request.
    Other(&'static str),
}

/// The writing half of the connection and the requests awaiting replies.
#[derive(Debug)]
pub struct Link {
    stream: UnixStream,
    path: PathBuf,
    /// Requests sent and not yet answered, oldest first.
    pub pending: VecDeque<Pending>,
    /// This node's id, from the handshake.
    pub nodeid: u32,
}

fn ipc_err(path: &Path, message: impl Into<String>) -> RmError {
    RmError::Ipc {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

impl Link {
    /// Connects (retrying until [`limits::CONNECT_TIMEOUT`]), does the handshake and starts
    /// the reader thread, which sends [`Event::Ipc`] and finally [`Event::IpcClosed`].
    pub fn connect(path: &Path, events: SyncSender<Event>) -> Result<Link, RmError> {
        let deadline = Instant::now() + limits::CONNECT_TIMEOUT;
        let mut stream = loop {
            match UnixStream::connect(path) {
                Ok(s) => break s,
                Err(e) if Instant::now() >= deadline => {
                    return Err(ipc_err(path, format!("cannot connect: {e}")))
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        };
        let hello = Request::Hello {
            version: PROTOCOL_VERSION,
        };
        stream
            .write_all(&frame(&hello.encode()))
            .map_err(|e| ipc_err(path, e.to_string()))?;
        let mut input = Vec::new();
        let nodeid = loop {
            if let Some((body, used)) =
                next_frame(&input).map_err(|e| ipc_err(path, e.to_string()))?
            {
                let msg = ServerMessage::decode(&input[body])
                    .map_err(|e| ipc_err(path, e.to_string()))?;
                input.drain(..used);
                match msg {
                    ServerMessage::Reply(Reply::Hello { nodeid, .. }) => break nodeid,
                    other => return Err(ipc_err(path, format!("unexpected {other:?}"))),
                }
            }
            let mut chunk = [0u8; 4096];
            let n = stream
                .read(&mut chunk)
                .map_err(|e| ipc_err(path, e.to_string()))?;
            if n == 0 {
                return Err(ipc_err(path, "closed during the handshake"));
            }
            input.extend_from_slice(&chunk[..n]);
        };
        let reader = stream
            .try_clone()
            .map_err(|e| ipc_err(path, e.to_string()))?;
        std::thread::Builder::new()
            .name("rm-ipc-reader".into())
            .spawn(move || read_loop(reader, input, events))
            .map_err(|e| ipc_err(path, format!("spawning the reader: {e}")))?;
        Ok(Link {
            stream,
            path: path.to_path_buf(),
            pending: VecDeque::new(),
            nodeid,
        })
    }

    /// Sends a request; its reply arrives later as an [`Event::Ipc`].
    pub fn send(&mut self, request: &Request, pending: Pending) -> Result<(), RmError> {
        self.stream
            .write_all(&frame(&request.encode()))
            .map_err(|e| ipc_err(&self.path, e.to_string()))?;
        self.pending.push_back(pending);
        Ok(())
    }

    /// Multicasts to the joined group.
    pub fn mcast(&mut self, data: Vec<u8>, tries: u32) -> Result<(), RmError> {
        let req = Request::CpgMcast { data: data.clone() };
        self.send(&req, Pending::Mcast(data, tries))
    }
}

fn read_loop(mut stream: UnixStream, mut input: Vec<u8>, events: SyncSender<Event>) {
    let mut chunk = vec![0u8; 65536];
    loop {
        // Frames are decoded in place and the consumed prefix removed once per read, not
        // once per frame (a read under load holds dozens of deliveries).
        let mut start = 0;
        loop {
            match next_frame(&input[start..]) {
                Ok(Some((body, used))) => {
                    let msg = ServerMessage::decode(&input[start + body.start..start + body.end]);
                    start += used;
                    match msg {
                        Ok(msg) => {
                            if events.send(Event::Ipc(msg)).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = events.send(Event::IpcClosed(format!("bad frame: {e}")));
                            return;
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = events.send(Event::IpcClosed(format!("bad frame: {e}")));
                    return;
                }
            }
        }
        input.drain(..start);
        match stream.read(&mut chunk) {
            Ok(0) => {
                let _ = events.send(Event::IpcClosed("tandemd closed the connection".into()));
                return;
            }
            Ok(n) => {
                if input.len() + n > messaging::limits::CLIENT_INPUT_BYTES_MAX + chunk.len() {
                    let _ = events.send(Event::IpcClosed("input buffer overrun".into()));
                    return;
                }
                input.extend_from_slice(&chunk[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = events.send(Event::IpcClosed(e.to_string()));
                return;
            }
        }
    }
}
