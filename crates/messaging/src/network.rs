//! What the daemon needs from a packet transport, so the event loop can run over the real
//! transport or a simpler one.

use std::os::fd::RawFd;

use crate::ipc::protocol::RingStatus;

/// A datagram received from a peer, with the node id the transport attributed it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Sending node.
    pub from: u32,
    /// The Totem packet.
    pub bytes: Vec<u8>,
}

/// Where a Totem packet goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Every other node.
    All,
    /// One node.
    Node(u32),
}

/// A packet transport driven by the event loop: non-blocking sockets plus a periodic tick.
pub trait Network {
    /// Descriptors to poll for readability.
    fn fds(&self) -> Vec<RawFd>;
    /// Sends a Totem packet (on every ring, or as the ring mode says); it may wait in a batch
    /// until [`Network::flush`].
    fn transmit(&mut self, now_ms: u64, target: Target, bytes: &[u8]);
    /// Sends every packet batched by [`Network::transmit`], in order.
    fn flush(&mut self) {}
    /// Reads up to `max` datagrams from the readable descriptor `fd` into `out`; undecodable,
    /// unauthenticated or foreign packets are dropped and counted.
    fn receive(&mut self, now_ms: u64, fd: RawFd, max: usize, out: &mut Vec<Received>);
    /// Whether received datagrams wait in user space (read from a socket in a batch but not
    /// yet returned by [`Network::receive`]): the event loop must not sleep on the sockets then.
    fn has_buffered(&self) -> bool {
        false
    }
    /// When [`Network::tick`] wants to run next (ring probes and fault checks), if at all.
    fn next_tick_ms(&self) -> Option<u64>;
    /// Periodic work: liveness probes, marking rings faulty or recovered.
    fn tick(&mut self, now_ms: u64);
    /// Status of each ring, for `cfgtool -s`.
    fn rings(&self, now_ms: u64) -> Vec<RingStatus>;
    /// Counters, as `stats.` key suffix and value.
    fn stats(&self) -> Vec<(String, u64)>;
    /// Transport name for tools (`udpu`, `udp`).
    fn name(&self) -> &'static str;
}
