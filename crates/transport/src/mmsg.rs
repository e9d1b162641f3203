//! Many datagrams per system call: sendmmsg(2) and recvmmsg(2) on a UDP socket.

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;

use socket2::SockAddr;

/// Most datagrams handed to one sendmmsg or recvmmsg call.
pub const BATCH_MAX: usize = 64;

/// Outcome of [`send_batch`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendOutcome {
    /// Datagrams the kernel accepted.
    pub sent: usize,
    /// Datagrams that failed (each logged once by the caller).
    pub failed: usize,
}

/// Sends every `(payload, destination)` in order on `socket`, [`BATCH_MAX`] per system call.
/// A datagram the kernel refuses is counted and skipped; the rest still go.
pub fn send_batch(socket: &UdpSocket, datagrams: &[(&[u8], SocketAddr)]) -> SendOutcome {
    let mut outcome = SendOutcome::default();
    let mut start = 0;
    while start < datagrams.len() {
        let end = (start + BATCH_MAX).min(datagrams.len());
        let chunk = &datagrams[start..end];
        let addrs: Vec<SockAddr> = chunk.iter().map(|(_, a)| SockAddr::from(*a)).collect();
        let mut iovecs: Vec<libc::iovec> = chunk
            .iter()
            .map(|(payload, _)| libc::iovec {
                iov_base: payload.as_ptr() as *mut libc::c_void,
                iov_len: payload.len(),
            })
            .collect();
        let mut headers: Vec<libc::mmsghdr> = addrs
            .iter()
            .zip(iovecs.iter_mut())
            .map(|(addr, iov)| header(addr.as_ptr() as *mut libc::c_void, addr.len(), iov))
            .collect();
        // SAFETY: `headers` holds `len` initialised mmsghdr structs whose name and iovec pointers
        // point into `addrs`, `iovecs` and the caller's payloads, all alive and unmoved until
        // the call returns; sendmmsg only reads them (and writes msg_len).
        let result = unsafe {
            libc::sendmmsg(
                socket.as_raw_fd(),
                headers.as_mut_ptr(),
                headers.len() as libc::c_uint,
                libc::MSG_DONTWAIT,
            )
        };
        if result < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == ErrorKind::Interrupted {
                continue;
            }
            // The first datagram of the chunk failed: skip it, keep going with the next.
            tracing::debug!("sendmmsg to {} failed: {error}", chunk[0].1);
            outcome.failed += 1;
            start += 1;
        } else if result == 0 {
            outcome.failed += 1;
            start += 1;
        } else {
            let sent = (result as usize).min(chunk.len());
            outcome.sent += sent;
            start += sent;
        }
    }
    outcome
}

/// Receive buffers for [`recv_batch`]: `count` datagrams of up to `size` bytes each.
#[derive(Debug)]
pub struct RecvBatch {
    bufs: Vec<Vec<u8>>,
    lens: Vec<usize>,
    sources: Vec<Option<SocketAddr>>,
    filled: usize,
}

impl RecvBatch {
    /// Allocates `count` (at most [`BATCH_MAX`]) buffers of `size` bytes.
    pub fn new(count: usize, size: usize) -> Self {
        let count = count.clamp(1, BATCH_MAX);
        RecvBatch {
            bufs: vec![vec![0u8; size]; count],
            lens: vec![0; count],
            sources: vec![None; count],
            filled: 0,
        }
    }

    /// Buffers for nothing: a placeholder while the real batch is borrowed.
    pub fn empty() -> Self {
        RecvBatch {
            bufs: Vec::new(),
            lens: Vec::new(),
            sources: Vec::new(),
            filled: 0,
        }
    }

    /// How many datagrams the last [`recv_batch`] filled.
    pub fn filled(&self) -> usize {
        self.filled
    }

    /// The `i`th datagram of the last receive with its source, if any.
    pub fn get(&self, i: usize) -> Option<(&[u8], Option<SocketAddr>)> {
        if i >= self.filled {
            return None;
        }
        let len = *self.lens.get(i)?;
        Some((self.bufs.get(i)?.get(..len)?, *self.sources.get(i)?))
    }
}

/// Receives up to the batch's capacity of datagrams waiting on `socket` with one system call.
/// Returns how many arrived (0 when none waits); lengths larger than a buffer mean truncation
/// (reported as the buffer's full length plus one, so callers can drop them).
pub fn recv_batch(socket: &UdpSocket, batch: &mut RecvBatch) -> std::io::Result<usize> {
    batch.filled = 0;
    let count = batch.bufs.len().min(BATCH_MAX);
    // On the stack, not the heap: a call per wake-up, and an 8 KiB allocation each time made
    // glibc consolidate its free lists (7 % of the messaging thread's time in a bulk start).
    // SAFETY: sockaddr_storage, iovec and mmsghdr are plain C structs for which all-zero bytes
    // (null pointers, zero lengths) are valid values.
    let mut names: [libc::sockaddr_storage; BATCH_MAX] = unsafe { std::mem::zeroed() };
    let mut iovecs: [libc::iovec; BATCH_MAX] = unsafe { std::mem::zeroed() };
    let mut headers: [libc::mmsghdr; BATCH_MAX] = unsafe { std::mem::zeroed() };
    for (((name, iov), hdr), buf) in names
        .iter_mut()
        .zip(iovecs.iter_mut())
        .zip(headers.iter_mut())
        .zip(batch.bufs.iter_mut())
    {
        *iov = libc::iovec {
            iov_base: buf.as_mut_ptr() as *mut libc::c_void,
            iov_len: buf.len(),
        };
        *hdr = header(
            name as *mut libc::sockaddr_storage as *mut libc::c_void,
            std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t,
            iov,
        );
    }
    let result = loop {
        // SAFETY: `headers` holds `count` mmsghdr structs whose name and iovec pointers point
        // into `names`, `iovecs` and `batch.bufs`, all alive, unmoved and exclusively borrowed
        // until the call returns; the kernel writes at most each buffer's stated length.
        let result = unsafe {
            libc::recvmmsg(
                socket.as_raw_fd(),
                headers.as_mut_ptr(),
                count as libc::c_uint,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if result >= 0 {
            break result as usize;
        }
        let error = std::io::Error::last_os_error();
        match error.kind() {
            ErrorKind::Interrupted => continue,
            ErrorKind::WouldBlock => return Ok(0),
            _ => return Err(error),
        }
    };
    for i in 0..result.min(count) {
        let hdr = &headers[i];
        let truncated = hdr.msg_hdr.msg_flags & libc::MSG_TRUNC != 0;
        let len = hdr.msg_len as usize;
        batch.lens[i] = if truncated {
            batch.bufs[i].len()
        } else {
            len.min(batch.bufs[i].len())
        };
        let name = &names[i];
        let namelen = hdr.msg_hdr.msg_namelen;
        // SAFETY: the kernel wrote a socket address of `namelen` bytes into `name`, a
        // sockaddr_storage large enough for any address family.
        let addr = unsafe { SockAddr::new(*name, namelen) };
        batch.sources[i] = addr.as_socket();
    }
    batch.filled = result.min(count);
    Ok(batch.filled)
}

/// One message header over a single buffer `iov`, with the address at `name` (`namelen`
/// bytes): the destination for sendmmsg, the space for the source for recvmmsg.
fn header(
    name: *mut libc::c_void,
    namelen: libc::socklen_t,
    iov: &mut libc::iovec,
) -> libc::mmsghdr {
    // SAFETY: msghdr is a plain C struct for which all-zero bytes is a valid value.
    let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
    hdr.msg_name = name;
    hdr.msg_namelen = namelen;
    hdr.msg_iov = iov as *mut libc::iovec;
    hdr.msg_iovlen = 1;
    libc::mmsghdr {
        msg_hdr: hdr,
        msg_len: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (UdpSocket, UdpSocket) {
        let a = UdpSocket::bind("127.0.0.1:0").expect("bind a");
        let b = UdpSocket::bind("127.0.0.1:0").expect("bind b");
        b.set_nonblocking(true).expect("nonblocking");
        (a, b)
    }

    #[test]
    fn a_batch_arrives_whole_and_in_order() {
        let (a, b) = pair();
        let to = b.local_addr().expect("addr");
        let payloads: Vec<Vec<u8>> = (0..100u8).map(|i| vec![i; 10 + i as usize]).collect();
        let datagrams: Vec<(&[u8], SocketAddr)> =
            payloads.iter().map(|p| (p.as_slice(), to)).collect();
        let outcome = send_batch(&a, &datagrams);
        assert_eq!(
            outcome,
            SendOutcome {
                sent: 100,
                failed: 0
            }
        );
        let mut batch = RecvBatch::new(16, 2048);
        let mut got = Vec::new();
        for _ in 0..100 {
            let n = recv_batch(&b, &mut batch).expect("recv");
            if n == 0 {
                break;
            }
            for i in 0..n {
                let (bytes, from) = batch.get(i).expect("datagram");
                assert_eq!(from, Some(a.local_addr().expect("addr")));
                got.push(bytes.to_vec());
            }
        }
        assert_eq!(got, payloads);
        assert_eq!(recv_batch(&b, &mut batch).expect("recv"), 0);
        assert!(batch.get(0).is_none());
    }

    #[test]
    fn an_oversized_datagram_is_reported_truncated() {
        let (a, b) = pair();
        let to = b.local_addr().expect("addr");
        let big = vec![7u8; 3000];
        assert_eq!(send_batch(&a, &[(&big, to)]).sent, 1);
        let mut batch = RecvBatch::new(4, 1024);
        assert_eq!(recv_batch(&b, &mut batch).expect("recv"), 1);
        let (bytes, _) = batch.get(0).expect("datagram");
        // Full buffer length: the caller's size check (buffer = max + 1) drops it.
        assert_eq!(bytes.len(), 1024);
    }

    #[test]
    fn a_refused_datagram_does_not_stop_the_rest() {
        let (a, b) = pair();
        let to = b.local_addr().expect("addr");
        let too_big = vec![0u8; 70_000];
        let ok = vec![1u8; 10];
        let outcome = send_batch(&a, &[(&too_big, to), (&ok, to)]);
        assert_eq!(outcome, SendOutcome { sent: 1, failed: 1 });
        let mut batch = RecvBatch::new(4, 1024);
        assert_eq!(recv_batch(&b, &mut batch).expect("recv"), 1);
        assert_eq!(batch.get(0).expect("datagram").0, &ok[..]);
    }
}
