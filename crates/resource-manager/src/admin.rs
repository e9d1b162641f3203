//! The admin socket's protocol and its blocking client (used by `tandem status`, `cibadmin`, ...).
//!
//! One request per connection. The client writes a head line — a verb and its arguments
//! separated by tabs — then the body (CIB XML, possibly empty), and shuts its write side.
//! The server answers `OK\n` followed by the reply body, or `ERR\t<message>\n`.
//!
//! | Verb | Arguments | Body | Reply body |
//! |---|---|---|---|
//! | `query` | | | the whole CIB |
//! | `status` | | | `key=value` lines (node, dc, quorate, members, phase), a blank line, the CIB |
//! | `replace` | | a `<cib>`, `<configuration>`, section, or element with an id | |
//! | `modify` | | section or element to merge | |
//! | `create` | `[SECTION]` | new element | |
//! | `delete` | | element (name and id) to remove | |
//! | `setattr` | `NODE NAME [VALUE]` | | (no value deletes the transient attribute) |
//! | `cleanup` | `RSC [NODE]` | | |
//! | `fence` | `NODE [off\|reboot\|confirm]` | | (the fencing runs asynchronously) |
//! | `fence-history` | | | one line per fencing seen ([`crate::fence_history`]) |
//! | `fence-pending` | | | one line per fencing in progress ([`crate::fence_pending`]) |

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use crate::error::RmError;
use crate::limits;

/// Default path of the admin socket.
pub const DEFAULT_ADMIN_SOCKET: &str = "/run/tandem/crm.sock";

/// One admin request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRequest {
    /// The verb (`query`, `status`, `replace`, ...).
    pub verb: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The body (XML or empty).
    pub body: String,
}

impl AdminRequest {
    /// Encodes the request as sent on the socket.
    pub fn encode(&self) -> Vec<u8> {
        let mut head = self.verb.clone();
        for a in &self.args {
            head.push('\t');
            head.push_str(a);
        }
        head.push('\n');
        let mut out = head.into_bytes();
        out.extend_from_slice(self.body.as_bytes());
        out
    }

    /// Decodes a request read from the socket.
    pub fn decode(bytes: &[u8]) -> Result<AdminRequest, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "request is not UTF-8".to_string())?;
        let (head, body) = text.split_once('\n').unwrap_or((text, ""));
        let mut parts = head.split('\t');
        let verb = parts.next().unwrap_or("").to_string();
        if verb.is_empty() {
            return Err("empty request".into());
        }
        Ok(AdminRequest {
            verb,
            args: parts.map(str::to_string).collect(),
            body: body.to_string(),
        })
    }
}

/// The admin socket path: `flag` if given, else `$TANDEM_CRM_SOCKET`, else `crm.sock` beside
/// `$TANDEM_SOCKET`, else [`DEFAULT_ADMIN_SOCKET`].
pub fn admin_socket_path(flag: Option<&str>) -> PathBuf {
    if let Some(p) = flag {
        return p.into();
    }
    if let Some(p) = std::env::var_os("TANDEM_CRM_SOCKET").filter(|p| !p.is_empty()) {
        return p.into();
    }
    if let Some(p) = std::env::var_os("TANDEM_SOCKET").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if let Some(dir) = p.parent() {
            return dir.join("crm.sock");
        }
    }
    DEFAULT_ADMIN_SOCKET.into()
}

/// Sends one request and returns the reply body, or the server's error as [`RmError::Admin`].
pub fn call(socket: &Path, verb: &str, args: &[&str], body: &str) -> Result<String, RmError> {
    let io = |what: &'static str| {
        let path = socket.to_path_buf();
        move |source| RmError::Io { what, path, source }
    };
    let mut stream = UnixStream::connect(socket).map_err(|e| {
        RmError::Admin(format!(
            "cannot reach the resource manager at {} ({e}); is the cluster running on this node?",
            socket.display()
        ))
    })?;
    let req = AdminRequest {
        verb: verb.to_string(),
        args: args.iter().map(|s| s.to_string()).collect(),
        body: body.to_string(),
    };
    stream.write_all(&req.encode()).map_err(io("writing to"))?;
    stream
        .shutdown(std::net::Shutdown::Write)
        .map_err(io("shutting down"))?;
    let mut reply = Vec::new();
    stream
        .take(limits::ADMIN_BODY_BYTES_MAX as u64 + 4096)
        .read_to_end(&mut reply)
        .map_err(io("reading from"))?;
    let text =
        String::from_utf8(reply).map_err(|_| RmError::Admin("reply is not UTF-8".to_string()))?;
    let (head, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    if head == "OK" {
        Ok(body.to_string())
    } else if let Some(msg) = head.strip_prefix("ERR\t") {
        Err(RmError::Admin(msg.to_string()))
    } else {
        Err(RmError::Admin(format!(
            "unexpected reply from {}: {head:?}",
            socket.display()
        )))
    }
}

/// Encodes a reply.
pub fn encode_reply(result: &Result<String, String>) -> Vec<u8> {
    match result {
        Ok(body) => format!("OK\n{body}").into_bytes(),
        Err(msg) => format!("ERR\t{}\n", msg.replace('\n', " ")).into_bytes(),
    }
}

/// The `key=value` head of a `status` reply and the CIB after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusReply {
    /// Name of the node that answered.
    pub node: String,
    /// Name of the DC, if one is elected.
    pub dc: Option<String>,
    /// Quorum verdict of the answering node.
    pub quorate: bool,
    /// Names of the group's members, in join order.
    pub members: Vec<String>,
    /// The controller's phase (debug text).
    pub phase: String,
    /// The CIB.
    pub cib: String,
}

impl StatusReply {
    /// Encodes the reply body.
    pub fn encode(&self) -> String {
        format!(
            "node={}\ndc={}\nquorate={}\nmembers={}\nphase={}\n\n{}",
            self.node,
            self.dc.as_deref().unwrap_or(""),
            u8::from(self.quorate),
            self.members.join(","),
            self.phase,
            self.cib
        )
    }

    /// Decodes a reply body.
    pub fn decode(text: &str) -> StatusReply {
        let (head, cib) = text.split_once("\n\n").unwrap_or((text, ""));
        let mut r = StatusReply {
            cib: cib.to_string(),
            ..StatusReply::default()
        };
        for line in head.lines() {
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            match k {
                "node" => r.node = v.to_string(),
                "dc" if !v.is_empty() => r.dc = Some(v.to_string()),
                "quorate" => r.quorate = v == "1",
                "members" => {
                    r.members = v
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                "phase" => r.phase = v.to_string(),
                _ => {}
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips() {
        let r = AdminRequest {
            verb: "setattr".into(),
            args: vec!["node1".into(), "standby".into()],
            body: "<x/>\n".into(),
        };
        assert_eq!(AdminRequest::decode(&r.encode()), Ok(r));
        assert!(AdminRequest::decode(b"").is_err());
    }

    #[test]
    fn status_round_trips() {
        let s = StatusReply {
            node: "n1".into(),
            dc: Some("n2".into()),
            quorate: true,
            members: vec!["n2".into(), "n1".into()],
            phase: "Idle".into(),
            cib: "<cib/>".into(),
        };
        assert_eq!(StatusReply::decode(&s.encode()), s);
    }
}
