//! Turning a parsed corosync.conf into what the sockets need: this node's
//! address and port on each ring, the peers' addresses, the multicast
//! groups, and the fault and probe intervals.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use corosync_conf::{Config, Node, NodeAddr, RingMode, TransportKind};

use crate::error::TransportError;
use crate::limits;

/// A cluster node id.
pub type NodeId = u32;

/// Shortest fault bound, ms, whatever the token timeout.
const MIN_FAULT_AFTER_MS: u32 = 200;

/// Unicast to every peer, or one multicast group per ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `udpu` (and `knet`, which Tandem runs the same way).
    Unicast,
    /// `udp`: multicast (or broadcast) per ring.
    Multicast,
}

/// The multicast side of a ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multicast {
    /// Group address (`mcastaddr`), or the broadcast address when `broadcast`.
    pub group: IpAddr,
    /// `ttl`.
    pub ttl: u32,
    /// Whether our own multicasts loop back to us (they are dropped as own packets).
    pub loopback: bool,
    /// Send to the limited broadcast address instead of a group.
    pub broadcast: bool,
}

/// One ring as this node uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingSetup {
    /// Ring (link) number.
    pub number: u8,
    /// This node's address on the ring.
    pub local: IpAddr,
    /// UDP port of the ring.
    pub port: u16,
    /// Multicast settings (mode `udp` only).
    pub multicast: Option<Multicast>,
}

/// Another node and its address on each ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Node id.
    pub node: NodeId,
    /// Address per ring number.
    pub addrs: BTreeMap<u8, IpAddr>,
}

/// Everything [`crate::Transport::new`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    /// This node.
    pub my_node: NodeId,
    /// Cluster name (bound into the packet key and tag).
    pub cluster_name: String,
    /// Unicast or multicast.
    pub mode: Mode,
    /// How two rings are used.
    pub ring_mode: RingMode,
    /// This node's rings, at most [`limits::MAX_RINGS`].
    pub rings: Vec<RingSetup>,
    /// The other nodes of the nodelist.
    pub peers: Vec<Peer>,
    /// A ring silent this long while another ring receives is FAULTY (and a
    /// peer silent this long on one ring but heard on another is avoided on
    /// it): the token retransmit interval, at least 200 ms.
    pub fault_after: Duration,
    /// A ring we have not sent on for this long gets a probe.
    pub probe_interval: Duration,
    /// How often a FAULTY ring is probed.
    pub downcheck: Duration,
    /// Whether packets are encrypted (secauth / crypto_cipher / crypto_hash).
    pub secure: bool,
    /// The authkey file.
    pub keyfile: PathBuf,
    /// Drop unicast packets whose source is not the sender's listed address.
    pub block_unlisted: bool,
}

fn resolve(addr: &NodeAddr) -> Result<IpAddr, TransportError> {
    match addr {
        NodeAddr::Ip(ip) => Ok(*ip),
        NodeAddr::Host(host) => {
            let addrs: Vec<SocketAddr> = (host.as_str(), 0)
                .to_socket_addrs()
                .map_err(|e| TransportError::Resolve {
                    host: host.clone(),
                    reason: e.to_string(),
                })?
                .collect();
            addrs
                .iter()
                .find(|a| a.is_ipv4())
                .or(addrs.first())
                .map(|a| a.ip())
                .ok_or_else(|| TransportError::Resolve {
                    host: host.clone(),
                    reason: "no address".to_string(),
                })
        }
    }
}

/// The node id of `node`: its `nodeid`, else derived from its IPv4 ring0
/// address (high bit cleared when `clear_node_high_bit`).
pub fn node_id(node: &Node, ring0: IpAddr, clear_high_bit: bool) -> Result<NodeId, TransportError> {
    if let Some(id) = node.nodeid {
        return Ok(id);
    }
    match ring0 {
        IpAddr::V4(v4) => {
            let id = u32::from(v4);
            let id = if clear_high_bit { id & 0x7fff_ffff } else { id };
            if id == 0 {
                return Err(TransportError::Config(format!(
                    "node at line {} has no nodeid and address {ring0} gives 0",
                    node.line
                )));
            }
            Ok(id)
        }
        IpAddr::V6(_) => Err(TransportError::Config(format!(
            "node at line {} needs an explicit nodeid (IPv6 address)",
            node.line
        ))),
    }
}

/// The nodelist with every address resolved: (node id, ring → address).
pub fn resolved_nodelist(config: &Config) -> Result<Vec<Peer>, TransportError> {
    let mut out = Vec::new();
    for node in &config.nodelist {
        let mut addrs = BTreeMap::new();
        for (ring, addr) in &node.addrs {
            addrs.insert(*ring, resolve(addr)?);
        }
        let ring0 = addrs.get(&0).copied().ok_or_else(|| {
            TransportError::Config(format!("node at line {} has no ring0_addr", node.line))
        })?;
        out.push(Peer {
            node: node_id(node, ring0, config.totem.clear_node_high_bit)?,
            addrs,
        });
    }
    Ok(out)
}

/// The nodelist entry whose ring0 address is one of `local_addrs`.
pub fn find_local_node(
    config: &Config,
    local_addrs: &[IpAddr],
) -> Result<Option<NodeId>, TransportError> {
    Ok(resolved_nodelist(config)?
        .into_iter()
        .find(|p| p.addrs.get(&0).is_some_and(|a| local_addrs.contains(a)))
        .map(|p| p.node))
}

/// Whether `local` lies in the network `bindnetaddr` names: trailing zero
/// bytes of `bindnetaddr` are the host part (10.0.42.0 matches 10.0.42.x); a
/// host address matches only itself.
pub fn in_bindnet(local: IpAddr, bindnet: IpAddr) -> bool {
    match (local, bindnet) {
        (IpAddr::V4(l), IpAddr::V4(b)) => {
            let b = u32::from(b);
            let host_bits = (b.trailing_zeros() / 8 * 8).min(24);
            let mask = u32::MAX.checked_shl(host_bits).unwrap_or(0);
            u32::from(l) & mask == b
        }
        (IpAddr::V6(l), IpAddr::V6(b)) => {
            let b = u128::from(b);
            let host_bits = (b.trailing_zeros() / 8 * 8).min(120);
            let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
            u128::from(l) & mask == b
        }
        _ => false,
    }
}

/// Bits two addresses share from the left (0 across families).
fn common_prefix(a: IpAddr, b: IpAddr) -> u32 {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) ^ u32::from(b)).leading_zeros(),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a) ^ u128::from(b)).leading_zeros(),
        _ => 0,
    }
}

/// The local address inside `bindnet` closest to it (longest common prefix),
/// since a netmask is not known: 10.0.0.0 prefers 10.0.0.3 over 10.0.42.3.
fn best_local(local_addrs: &[IpAddr], bindnet: IpAddr) -> Option<IpAddr> {
    local_addrs
        .iter()
        .copied()
        .filter(|a| in_bindnet(*a, bindnet))
        .max_by_key(|a| common_prefix(*a, bindnet))
}

impl TransportConfig {
    /// Builds the transport setup of node `my_node` from `config`.
    /// `local_addrs` are this host's addresses, used to pick the address
    /// inside each multicast interface's `bindnetaddr` when the nodelist
    /// does not give one.
    pub fn from_config(
        config: &Config,
        my_node: NodeId,
        local_addrs: &[IpAddr],
    ) -> Result<Self, TransportError> {
        let totem = &config.totem;
        let timers = config.timers();
        let mode = match totem.transport {
            TransportKind::Udp => Mode::Multicast,
            TransportKind::Udpu | TransportKind::Knet => Mode::Unicast,
        };
        let nodes = resolved_nodelist(config)?;
        let me = nodes.iter().find(|p| p.node == my_node);
        let mut rings = Vec::new();
        match mode {
            Mode::Unicast => {
                let me = me.ok_or_else(|| {
                    TransportError::Config(format!("node {my_node} is not in the nodelist"))
                })?;
                for (number, local) in &me.addrs {
                    rings.push(RingSetup {
                        number: *number,
                        local: *local,
                        port: config.ring_port(*number),
                        multicast: None,
                    });
                }
            }
            Mode::Multicast => {
                for iface in &totem.interfaces {
                    let local = match me.and_then(|m| m.addrs.get(&iface.linknumber)) {
                        Some(addr) => *addr,
                        None => {
                            let bind = iface.bindnetaddr.ok_or_else(|| {
                                TransportError::Config(format!(
                                    "interface {} has no bindnetaddr and node {my_node} has no ring{}_addr",
                                    iface.linknumber, iface.linknumber
                                ))
                            })?;
                            best_local(local_addrs, bind).ok_or_else(|| {
                                TransportError::Config(format!(
                                    "no local address in bindnetaddr {bind} (interface {})",
                                    iface.linknumber
                                ))
                            })?
                        }
                    };
                    let group = match (iface.mcastaddr, iface.broadcast) {
                        (_, true) => IpAddr::V4(std::net::Ipv4Addr::BROADCAST),
                        (Some(g), false) => g,
                        (None, false) => {
                            return Err(TransportError::Config(format!(
                                "interface {} has no mcastaddr",
                                iface.linknumber
                            )))
                        }
                    };
                    rings.push(RingSetup {
                        number: iface.linknumber,
                        local,
                        port: iface.mcastport,
                        multicast: Some(Multicast {
                            group,
                            ttl: u32::from(iface.ttl),
                            loopback: true,
                            broadcast: iface.broadcast,
                        }),
                    });
                }
            }
        }
        if rings.is_empty() {
            return Err(TransportError::Config("no ring configured".to_string()));
        }
        if rings.len() > limits::MAX_RINGS {
            return Err(TransportError::Config(format!(
                "{} rings configured; this transport drives at most {}",
                rings.len(),
                limits::MAX_RINGS
            )));
        }
        let ring_mode = if rings.len() == 1 {
            RingMode::None
        } else {
            totem.ring_mode
        };
        // A ring (or a peer on it) is declared dead after one token
        // retransmit interval of silence: well before the token-loss timeout,
        // so Totem's retransmissions already avoid the dead ring. Idle rings
        // are probed four times per interval, so silence means loss.
        let fault_after =
            Duration::from_millis(u64::from(timers.token_retransmit.max(MIN_FAULT_AFTER_MS)));
        Ok(TransportConfig {
            my_node,
            cluster_name: totem.cluster_name.clone().unwrap_or_default(),
            mode,
            ring_mode,
            rings,
            peers: nodes.into_iter().filter(|p| p.node != my_node).collect(),
            fault_after,
            probe_interval: (fault_after / 4).max(Duration::from_millis(10)),
            downcheck: Duration::from_millis(u64::from(timers.downcheck)),
            secure: totem.crypto_enabled(),
            keyfile: PathBuf::from(&totem.keyfile),
            block_unlisted: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindnetaddr_matching() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("literal");
        assert!(in_bindnet(ip("10.0.42.7"), ip("10.0.42.0")));
        assert!(!in_bindnet(ip("10.0.43.7"), ip("10.0.42.0")));
        assert!(in_bindnet(ip("10.0.0.9"), ip("10.0.0.0")));
        assert!(in_bindnet(ip("10.0.0.9"), ip("10.0.0.9")));
        assert!(!in_bindnet(ip("10.0.0.8"), ip("10.0.0.9")));
    }

    #[test]
    fn unicast_setup_from_nodelist() {
        let text = "totem {\n version: 2\n transport: udpu\n cluster_name: c\n secauth: on\n token: 1000\n}\nnodelist {\n node {\n  ring0_addr: 127.0.0.1\n  ring1_addr: 127.0.1.1\n  nodeid: 1\n }\n node {\n  ring0_addr: 127.0.0.2\n  ring1_addr: 127.0.1.2\n  nodeid: 2\n }\n}\n";
        let config = corosync_conf::parse(text, "t").expect("valid").config;
        let tc = TransportConfig::from_config(&config, 2, &[]).expect("setup");
        assert_eq!(tc.mode, Mode::Unicast);
        assert_eq!(tc.rings.len(), 2);
        assert_eq!(
            tc.rings[1].local,
            "127.0.1.2".parse::<IpAddr>().expect("literal")
        );
        assert_eq!((tc.rings[0].port, tc.rings[1].port), (5405, 5406));
        assert_eq!(tc.ring_mode, RingMode::Passive);
        assert_eq!(tc.peers.len(), 1);
        assert_eq!(tc.peers[0].node, 1);
        assert!(tc.secure);
        assert_eq!(
            tc.fault_after,
            Duration::from_millis(238),
            "token_retransmit of token 1000"
        );
        assert_eq!(
            find_local_node(&config, &["127.0.0.2".parse().expect("literal")]).expect("ok"),
            Some(2)
        );
        assert!(TransportConfig::from_config(&config, 9, &[]).is_err());
    }

    #[test]
    fn multicast_setup_picks_local_address_in_bindnet() {
        let text = include_str!("../../corosync-conf/tests/fixtures/openstack-multicast.conf");
        let config = corosync_conf::parse(text, "t").expect("valid").config;
        let locals: Vec<IpAddr> = ["192.168.1.5", "10.0.42.3", "10.0.0.3"]
            .iter()
            .map(|s| s.parse().expect("literal"))
            .collect();
        let tc = TransportConfig::from_config(&config, 3, &locals).expect("setup");
        assert_eq!(tc.mode, Mode::Multicast);
        assert_eq!(tc.ring_mode, RingMode::Active);
        assert_eq!(tc.rings[0].local, locals[2]);
        assert_eq!(tc.rings[1].local, locals[1]);
        let m = tc.rings[1].multicast.as_ref().expect("multicast");
        assert_eq!(m.group, "239.255.42.2".parse::<IpAddr>().expect("literal"));
        assert!(tc.secure);
        let err = TransportConfig::from_config(&config, 3, &locals[..1]).expect_err("no address");
        assert!(
            err.to_string()
                .contains("no local address in bindnetaddr 10.0.0.0"),
            "{err}"
        );
    }
}
