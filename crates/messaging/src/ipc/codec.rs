//! Byte-level reading and writing of IPC frame fields (big-endian integers, length-prefixed bytes).

use crate::limits;

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The frame ended inside the named field.
    #[error("frame truncated while reading {field}")]
    Truncated {
        /// Field being read.
        field: &'static str,
    },
    /// A type tag that this protocol version does not define.
    #[error("unknown {what} tag {tag}")]
    UnknownTag {
        /// Kind of tag (request, reply, event, reason...).
        what: &'static str,
        /// The tag value.
        tag: u8,
    },
    /// A length field over its limit.
    #[error("{field} length {length} exceeds the limit {max}")]
    TooLong {
        /// Field being read.
        field: &'static str,
        /// Length found.
        length: usize,
        /// Limit.
        max: usize,
    },
    /// A string field that is not UTF-8.
    #[error("{field} is not valid UTF-8")]
    NotUtf8 {
        /// Field being read.
        field: &'static str,
    },
    /// Bytes left over after the last field of a frame.
    #[error("{count} trailing bytes after the frame's last field")]
    Trailing {
        /// Number of bytes left.
        count: usize,
    },
}

/// Bytes of the frame length prefix that a framed [`Writer`] keeps room for.
const PREFIX: usize = 4;

/// Appends fields to a frame body; a framed writer keeps room in front for the frame's length
/// prefix, so that a whole frame is built in one buffer.
#[derive(Debug, Default)]
pub struct Writer {
    bytes: Vec<u8>,
    prefix: usize,
}

impl Writer {
    /// Starts a frame body with a one-byte type tag.
    pub fn new(tag: u8) -> Self {
        Writer {
            bytes: vec![tag],
            prefix: 0,
        }
    }
    /// Starts a whole frame (room for the length prefix, then the tag), for
    /// [`Writer::finish_framed`].
    pub fn framed(tag: u8) -> Self {
        Self::framed_with_capacity(tag, 64)
    }
    /// As [`Writer::framed`], with room for `body_bytes` more bytes.
    pub fn framed_with_capacity(tag: u8, body_bytes: usize) -> Self {
        let mut bytes = Vec::with_capacity(PREFIX + 1 + body_bytes);
        bytes.extend_from_slice(&[0; PREFIX]);
        bytes.push(tag);
        Writer {
            bytes,
            prefix: PREFIX,
        }
    }
    /// Appends one byte.
    pub fn u8(&mut self, value: u8) -> &mut Self {
        self.bytes.push(value);
        self
    }
    /// Appends a boolean as one byte.
    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.u8(u8::from(value))
    }
    /// Appends a big-endian u16.
    pub fn u16(&mut self, value: u16) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }
    /// Appends a big-endian u32.
    pub fn u32(&mut self, value: u32) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }
    /// Appends a big-endian u64.
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }
    /// Appends a u32 length then the bytes.
    pub fn bytes(&mut self, value: &[u8]) -> &mut Self {
        let length = u32::try_from(value.len()).unwrap_or(u32::MAX);
        self.u32(length);
        self.bytes.extend_from_slice(value);
        self
    }
    /// Appends a string as length-prefixed UTF-8.
    pub fn str(&mut self, value: &str) -> &mut Self {
        self.bytes(value.as_bytes())
    }
    /// Appends a list count.
    pub fn count(&mut self, count: usize) -> &mut Self {
        self.u32(u32::try_from(count).unwrap_or(u32::MAX))
    }
    /// The frame body written so far.
    pub fn finish(mut self) -> Vec<u8> {
        self.bytes.drain(..self.prefix);
        self.bytes
    }
    /// The whole frame: the body's length (big-endian u32) then the body.
    pub fn finish_framed(mut self) -> Vec<u8> {
        let body = self.bytes.len() - self.prefix;
        let length = u32::try_from(body).unwrap_or(u32::MAX).to_be_bytes();
        if self.prefix == PREFIX {
            self.bytes[..PREFIX].copy_from_slice(&length);
        } else {
            self.bytes.splice(..self.prefix, length);
        }
        self.bytes
    }
}

/// Reads fields from a frame body, in order.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads from a whole frame body.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }
    fn take(&mut self, count: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < count {
            return Err(DecodeError::Truncated { field });
        }
        let (head, tail) = self.bytes.split_at(count);
        self.bytes = tail;
        Ok(head)
    }
    /// Reads one byte.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, field)?[0])
    }
    /// Reads a boolean byte (any non-zero is true).
    pub fn bool(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        Ok(self.u8(field)? != 0)
    }
    /// Reads a big-endian u16.
    pub fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        let bytes = self.take(2, field)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }
    /// Reads a big-endian u32.
    pub fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let bytes = self.take(4, field)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
    /// Reads a big-endian u64.
    pub fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        let bytes = self.take(8, field)?;
        let mut array = [0u8; 8];
        array.copy_from_slice(bytes);
        Ok(u64::from_be_bytes(array))
    }
    /// Reads length-prefixed bytes of at most `max` bytes.
    pub fn bytes(&mut self, field: &'static str, max: usize) -> Result<&'a [u8], DecodeError> {
        let length = self.u32(field)? as usize;
        if length > max {
            return Err(DecodeError::TooLong { field, length, max });
        }
        self.take(length, field)
    }
    /// Reads a length-prefixed UTF-8 string of at most `max` bytes.
    pub fn str(&mut self, field: &'static str, max: usize) -> Result<String, DecodeError> {
        let bytes = self.bytes(field, max)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::NotUtf8 { field })
    }
    /// Reads a list count, checked against the list limit.
    pub fn count(&mut self, field: &'static str) -> Result<usize, DecodeError> {
        let length = self.u32(field)? as usize;
        if length > limits::IPC_LIST_ENTRIES_MAX {
            return Err(DecodeError::TooLong {
                field,
                length,
                max: limits::IPC_LIST_ENTRIES_MAX,
            });
        }
        Ok(length)
    }
    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
    /// Fails unless every byte has been read.
    pub fn end(self) -> Result<(), DecodeError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::Trailing {
                count: self.bytes.len(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framed_and_plain_writers_build_the_same_frame() {
        let mut framed = Writer::framed_with_capacity(7, 3);
        framed.u16(0x0102).bytes(b"xyz");
        let mut plain = Writer::new(7);
        plain.u16(0x0102).bytes(b"xyz");
        let body = vec![7, 1, 2, 0, 0, 0, 3, b'x', b'y', b'z'];
        let mut whole = (body.len() as u32).to_be_bytes().to_vec();
        whole.extend_from_slice(&body);
        assert_eq!(plain.finish_framed(), whole);
        assert_eq!(framed.finish_framed(), whole);
        let mut framed = Writer::framed(7);
        framed.u16(0x0102).bytes(b"xyz");
        assert_eq!(framed.finish(), body);
    }
}
