//! A minimal D-Bus client: enough of the wire protocol (little-endian messages, EXTERNAL
//! authentication, method calls with string/object-path arguments, replies carrying strings,
//! object paths, booleans, integers and variants of those) to drive systemd's manager.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// Largest message accepted from the bus.
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// Messages skipped while waiting for one reply (signals, other replies).
const MAX_SKIPPED_MESSAGES: usize = 1024;

/// What went wrong talking to the bus.
#[derive(Debug, thiserror::Error)]
pub enum DbusError {
    /// Socket trouble.
    #[error("D-Bus I/O: {0}")]
    Io(#[from] io::Error),
    /// The bus refused authentication.
    #[error("D-Bus authentication failed: {0}")]
    Auth(String),
    /// The peer sent something this client cannot read.
    #[error("D-Bus protocol: {0}")]
    Protocol(String),
    /// The called method answered with an error.
    #[error("{name}: {message}")]
    Remote {
        /// Error name, e.g. `org.freedesktop.systemd1.NoSuchUnit`.
        name: String,
        /// Error text.
        message: String,
    },
}

/// A value in a reply body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `s`, `o` or `g`.
    Str(String),
    /// `b`.
    Bool(bool),
    /// `u`, `i` (as i64), `t`, `x`.
    Int(i64),
}

impl Value {
    /// The string inside, if any.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }
}

/// A method argument.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// `s`.
    Str(&'a str),
    /// `o`.
    Path(&'a str),
}

/// Builds a message body or header with D-Bus alignment.
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Pads to a multiple of `to` (a power of two).
    fn align(&mut self, to: usize) {
        while self.buf.len() & (to - 1) != 0 {
            self.buf.push(0);
        }
    }
    fn u8(&mut self, value: u8) {
        self.buf.push(value);
    }
    fn u32(&mut self, value: u32) {
        self.align(4);
        self.buf.extend_from_slice(&value.to_le_bytes());
    }
    fn string(&mut self, text: &str) {
        self.u32(text.len() as u32);
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(0);
    }
    fn signature(&mut self, text: &str) {
        self.u8(text.len() as u8);
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(0);
    }
}

/// Reads a message with D-Bus alignment (offsets relative to the message start).
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn err(what: &str) -> DbusError {
        DbusError::Protocol(format!("truncated or malformed {what}"))
    }
    fn align(&mut self, to: usize) -> Result<(), DbusError> {
        let aligned = self.pos.div_ceil(to) * to;
        if aligned > self.buf.len() {
            return Err(Self::err("padding"));
        }
        self.pos = aligned;
        Ok(())
    }
    fn u8(&mut self) -> Result<u8, DbusError> {
        let byte = *self.buf.get(self.pos).ok_or_else(|| Self::err("byte"))?;
        self.pos += 1;
        Ok(byte)
    }
    fn u32(&mut self) -> Result<u32, DbusError> {
        self.align(4)?;
        let bytes = self
            .buf
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| Self::err("u32"))?;
        self.pos += 4;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
    fn u64(&mut self) -> Result<u64, DbusError> {
        self.align(8)?;
        let bytes = self
            .buf
            .get(self.pos..self.pos + 8)
            .ok_or_else(|| Self::err("u64"))?;
        self.pos += 8;
        let mut array = [0u8; 8];
        array.copy_from_slice(bytes);
        Ok(u64::from_le_bytes(array))
    }
    fn bytes(&mut self, len: usize, what: &str) -> Result<String, DbusError> {
        let bytes = self
            .buf
            .get(self.pos..self.pos + len)
            .ok_or_else(|| Self::err(what))?;
        self.pos += len + 1; // the NUL terminator
        if self.pos > self.buf.len() {
            return Err(Self::err(what));
        }
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
    fn string(&mut self) -> Result<String, DbusError> {
        let len = self.u32()? as usize;
        self.bytes(len, "string")
    }
    fn signature(&mut self) -> Result<String, DbusError> {
        let len = self.u8()? as usize;
        self.bytes(len, "signature")
    }
    /// One value of the single complete type `sig` (basic types and variants only).
    fn value(&mut self, sig: &str) -> Result<Value, DbusError> {
        Ok(match sig {
            "s" | "o" => Value::Str(self.string()?),
            "g" => Value::Str(self.signature()?),
            "b" => Value::Bool(self.u32()? != 0),
            "u" => Value::Int(i64::from(self.u32()?)),
            "i" => Value::Int(i64::from(self.u32()? as i32)),
            "t" | "x" => Value::Int(self.u64()? as i64),
            "y" => Value::Int(i64::from(self.u8()?)),
            "v" => {
                let inner = self.signature()?;
                self.value(&inner)?
            }
            other => {
                return Err(DbusError::Protocol(format!(
                    "unsupported type '{other}' in reply"
                )))
            }
        })
    }
}

/// Splits a signature into single complete basic types (no containers).
fn split_signature(sig: &str) -> Result<Vec<String>, DbusError> {
    sig.chars()
        .map(|c| {
            if "sogbuitxyv".contains(c) {
                Ok(c.to_string())
            } else {
                Err(DbusError::Protocol(format!(
                    "unsupported reply signature '{sig}'"
                )))
            }
        })
        .collect()
}

/// A connection to a bus.
pub struct Connection {
    stream: BufReader<UnixStream>,
    serial: u32,
}

impl Connection {
    /// Connects to the system bus (`DBUS_SYSTEM_BUS_ADDRESS` or /run/dbus/system_bus_socket).
    pub fn system(timeout: Duration) -> Result<Connection, DbusError> {
        let address = std::env::var("DBUS_SYSTEM_BUS_ADDRESS")
            .unwrap_or_else(|_| "unix:path=/run/dbus/system_bus_socket".into());
        Connection::open(&address, timeout)
    }

    /// Connects to a `unix:path=...` address and says Hello.
    pub fn open(address: &str, timeout: Duration) -> Result<Connection, DbusError> {
        let path = address
            .split(';')
            .filter_map(|one| one.strip_prefix("unix:"))
            .flat_map(|params| params.split(','))
            .find_map(|param| param.strip_prefix("path="))
            .ok_or_else(|| {
                DbusError::Protocol(format!(
                    "unsupported bus address '{address}' (unix:path= only)"
                ))
            })?;
        let stream = UnixStream::connect(Path::new(path))?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let mut connection = Connection {
            stream: BufReader::new(stream),
            serial: 0,
        };
        connection.authenticate()?;
        connection.call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "Hello",
            &[],
        )?;
        Ok(connection)
    }

    fn authenticate(&mut self) -> Result<(), DbusError> {
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() }.to_string();
        let hex: String = uid.bytes().map(|b| format!("{b:02x}")).collect();
        let stream = self.stream.get_mut();
        stream.write_all(b"\0")?;
        stream.write_all(format!("AUTH EXTERNAL {hex}\r\n").as_bytes())?;
        let mut line = String::new();
        (&mut self.stream).take(4096).read_line(&mut line)?;
        if !line.starts_with("OK ") {
            return Err(DbusError::Auth(line.trim().to_string()));
        }
        self.stream.get_mut().write_all(b"BEGIN\r\n")?;
        Ok(())
    }

    /// Calls `interface.member` on `path` at `destination`; returns the reply's values.
    pub fn call(
        &mut self,
        destination: &str,
        path: &str,
        interface: &str,
        member: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<Value>, DbusError> {
        self.serial = self.serial.wrapping_add(1).max(1);
        let serial = self.serial;
        let mut body = Writer { buf: Vec::new() };
        let mut signature = String::new();
        for arg in args {
            match arg {
                Arg::Str(text) => {
                    signature.push('s');
                    body.string(text);
                }
                Arg::Path(text) => {
                    signature.push('o');
                    body.string(text);
                }
            }
        }
        let mut message = Writer { buf: Vec::new() };
        message.u8(b'l');
        message.u8(1); // method call
        message.u8(0);
        message.u8(1); // protocol version
        message.u32(body.buf.len() as u32);
        message.u32(serial);
        message.u32(0); // header fields length, patched below
        let fields_start = message.buf.len();
        let mut field = |code: u8, sig: &str, value: &str| {
            message.align(8);
            message.u8(code);
            message.signature(sig);
            if sig == "g" {
                message.signature(value);
            } else {
                message.string(value);
            }
        };
        field(1, "o", path);
        field(2, "s", interface);
        field(3, "s", member);
        field(6, "s", destination);
        if !signature.is_empty() {
            field(8, "g", &signature);
        }
        let fields_len = (message.buf.len() - fields_start) as u32;
        message.buf[12..16].copy_from_slice(&fields_len.to_le_bytes());
        message.align(8);
        message.buf.extend_from_slice(&body.buf);
        self.stream.get_mut().write_all(&message.buf)?;
        for _ in 0..MAX_SKIPPED_MESSAGES {
            let reply = self.read_message()?;
            if reply.reply_serial != Some(serial) {
                continue;
            }
            return match reply.kind {
                2 => Ok(reply.values),
                3 => Err(DbusError::Remote {
                    name: reply.error_name.unwrap_or_default(),
                    message: reply
                        .values
                        .first()
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                }),
                other => Err(DbusError::Protocol(format!(
                    "unexpected message type {other} in reply"
                ))),
            };
        }
        Err(DbusError::Protocol(
            "no reply among the messages received".into(),
        ))
    }

    fn read_message(&mut self) -> Result<Incoming, DbusError> {
        let mut fixed = [0u8; 16];
        self.stream.read_exact(&mut fixed)?;
        if fixed[0] != b'l' {
            return Err(DbusError::Protocol(
                "big-endian messages are not supported".into(),
            ));
        }
        let body_len = u32::from_le_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]) as usize;
        let fields_len = u32::from_le_bytes([fixed[12], fixed[13], fixed[14], fixed[15]]) as usize;
        let header_len = (16 + fields_len).div_ceil(8) * 8;
        let total = header_len + body_len;
        if total > MAX_MESSAGE_BYTES {
            return Err(DbusError::Protocol(format!(
                "message of {total} bytes is too large"
            )));
        }
        let mut buf = vec![0u8; total];
        buf[..16].copy_from_slice(&fixed);
        self.stream.read_exact(&mut buf[16..])?;
        let mut reader = Reader {
            buf: &buf[..16 + fields_len],
            pos: 16,
        };
        let mut incoming = Incoming {
            kind: fixed[1],
            reply_serial: None,
            error_name: None,
            values: Vec::new(),
        };
        let mut signature = String::new();
        while reader.pos < 16 + fields_len {
            reader.align(8)?;
            let code = reader.u8()?;
            let sig = reader.signature()?;
            let value = reader.value(&sig)?;
            match (code, value) {
                (4, Value::Str(name)) => incoming.error_name = Some(name),
                (5, Value::Int(serial)) => incoming.reply_serial = u32::try_from(serial).ok(),
                (8, Value::Str(sig)) => signature = sig,
                _ => {}
            }
        }
        let mut body = Reader {
            buf: &buf,
            pos: header_len,
        };
        // Only replies are decoded; signals and the like may carry containers.
        if matches!(incoming.kind, 2 | 3) {
            for sig in split_signature(&signature)? {
                incoming.values.push(body.value(&sig)?);
            }
        }
        Ok(incoming)
    }
}

/// A message read from the bus.
struct Incoming {
    kind: u8,
    reply_serial: Option<u32>,
    error_name: Option<String>,
    values: Vec<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_handles_alignment_and_variants() {
        // "v" holding an "s": signature "s", then the string aligned to 4.
        let mut writer = Writer { buf: Vec::new() };
        writer.u8(7);
        writer.signature("s");
        writer.string("active");
        let mut reader = Reader {
            buf: &writer.buf,
            pos: 0,
        };
        assert_eq!(reader.u8().expect("byte"), 7);
        assert_eq!(
            reader.value("v").expect("variant"),
            Value::Str("active".into())
        );
        let mut truncated = Reader {
            buf: &writer.buf[..6],
            pos: 1,
        };
        assert!(truncated.value("v").is_err());
        assert!(split_signature("a{sv}").is_err());
    }
}
