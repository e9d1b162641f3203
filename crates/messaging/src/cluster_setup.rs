//! Turns a validated corosync.conf into what the daemon runs with: the local node id, the
//! nodelist with names and addresses, Totem settings.

use std::collections::BTreeMap;
use std::net::IpAddr;

use corosync_conf::Config;

use crate::local_addresses::LocalAddress;

/// Why the configuration cannot be run on this host.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The nodelist is empty.
    #[error("{file}: the nodelist is empty; tandemd needs a nodelist")]
    NoNodelist {
        /// Config file.
        file: String,
    },
    /// The nodelist could not be resolved (names, missing ids).
    #[error("{file}: {source}")]
    Nodelist {
        /// Config file.
        file: String,
        /// Cause.
        source: transport::TransportError,
    },
    /// No nodelist entry matches a local address (and no --nodeid was given).
    #[error("{file}: no node of the nodelist has an address of this host (local addresses: {local}); use --nodeid")]
    LocalNodeNotFound {
        /// Config file.
        file: String,
        /// Local addresses, for the message.
        local: String,
    },
    /// --nodeid names a node that is not in the nodelist.
    #[error("{file}: node {nodeid} (from --nodeid) is not in the nodelist")]
    UnknownNodeId {
        /// Config file.
        file: String,
        /// The id.
        nodeid: u32,
    },
}

/// One node of the nodelist, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEntry {
    /// Node id (explicit or derived from the IPv4 ring0 address).
    pub nodeid: u32,
    /// `name`, else the ring0 address as written.
    pub name: String,
    /// Resolved address per ring.
    pub addresses: BTreeMap<u8, IpAddr>,
}

/// Everything the daemon needs from the configuration besides the transport setup.
#[derive(Debug, Clone)]
pub struct ClusterSetup {
    /// Local node id.
    pub nodeid: u32,
    /// Every node, ascending by id.
    pub nodes: Vec<NodeEntry>,
}

/// Resolves the nodelist and finds the local node among `local` addresses (or by `nodeid`).
pub fn resolve_setup(
    config: &Config,
    file: &str,
    local: &[LocalAddress],
    nodeid_override: Option<u32>,
) -> Result<ClusterSetup, SetupError> {
    if config.nodelist.is_empty() {
        return Err(SetupError::NoNodelist {
            file: file.to_string(),
        });
    }
    let peers = transport::resolved_nodelist(config).map_err(|source| SetupError::Nodelist {
        file: file.to_string(),
        source,
    })?;
    let mut nodes: Vec<NodeEntry> = peers
        .iter()
        .zip(&config.nodelist)
        .map(|(peer, node)| NodeEntry {
            nodeid: peer.node,
            name: node.name.clone().unwrap_or_else(|| {
                node.ring_addr(0)
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| peer.node.to_string())
            }),
            addresses: peer.addrs.clone(),
        })
        .collect();
    nodes.sort_by_key(|n| n.nodeid);
    let nodeid = match nodeid_override {
        Some(id) => {
            if !nodes.iter().any(|n| n.nodeid == id) {
                return Err(SetupError::UnknownNodeId {
                    file: file.to_string(),
                    nodeid: id,
                });
            }
            id
        }
        None => nodes
            .iter()
            .find(|n| {
                n.addresses
                    .values()
                    .any(|ip| local.iter().any(|l| l.address == *ip))
            })
            .map(|n| n.nodeid)
            .ok_or_else(|| SetupError::LocalNodeNotFound {
                file: file.to_string(),
                local: local
                    .iter()
                    .map(|l| l.address.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            })?,
    };
    Ok(ClusterSetup { nodeid, nodes })
}

/// Totem settings from the configuration's derived timers.
pub fn totem_config(config: &Config) -> totem::Config {
    let timers = config.timers();
    let mut totem_config = totem::Config::for_token(u64::from(timers.token));
    totem_config.token_retransmit_ms = u64::from(timers.token_retransmit);
    totem_config.token_retransmits_before_loss_const = timers.token_retransmits_before_loss_const;
    totem_config.hold_ms = u64::from(timers.hold);
    totem_config.seqno_unchanged_const = timers.seqno_unchanged_const;
    totem_config.join_ms = u64::from(timers.join);
    totem_config.send_join_ms = u64::from(timers.send_join);
    totem_config.miss_count_const = timers.miss_count_const;
    // Seeds the send_join delays; any value that differs between runs and nodes will do.
    totem_config.jitter_seed = u64::from(std::process::id())
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
    totem_config.consensus_ms = u64::from(timers.consensus);
    totem_config.merge_ms = u64::from(timers.merge);
    totem_config.downcheck_ms = u64::from(timers.downcheck);
    totem_config.fail_recv_const = timers.fail_recv_const;
    totem_config.window_size = config.totem.window_size;
    totem_config.max_messages = config.totem.max_messages;
    // The transport carries one datagram per Totem message: larger CPG messages are
    // fragmented by tandemd (see `cluster_message::cpg_messages`).
    totem_config.message_size_bytes_max = crate::cluster_message::TOTEM_MESSAGE_BYTES_MAX;
    totem_config
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "totem {\n version: 2\n cluster_name: t\n transport: udpu\n}\n\
nodelist {\n node {\n  ring0_addr: 127.0.0.1\n  nodeid: 1\n  name: one\n }\n\
 node {\n  ring0_addr: 127.0.0.2\n  nodeid: 2\n }\n}\n";

    #[test]
    fn the_simulator_and_the_daemon_hold_an_idle_token_alike() {
        // totem's own default (what the seeded simulator runs) is corosync.conf's default.
        assert_eq!(
            totem::DEFAULT_SEQNO_UNCHANGED_CONST,
            corosync_conf::DEFAULT_SEQNO_UNCHANGED_CONST
        );
        let config = corosync_conf::parse(CONF, "c.conf").expect("parse").config;
        assert_eq!(
            totem_config(&config).seqno_unchanged_const,
            totem::Config::for_token(1000).seqno_unchanged_const
        );
    }

    #[test]
    fn local_node_found_by_address_or_override() {
        let config = corosync_conf::parse(CONF, "c.conf").expect("parse").config;
        let local = [LocalAddress {
            interface: "lo".to_string(),
            address: "127.0.0.2".parse().expect("ip"),
        }];
        let setup = resolve_setup(&config, "c.conf", &local, None).expect("setup");
        assert_eq!(setup.nodeid, 2);
        assert_eq!(setup.nodes[0].name, "one");
        assert_eq!(setup.nodes[1].name, "127.0.0.2");
        let setup = resolve_setup(&config, "c.conf", &[], Some(1)).expect("override");
        assert_eq!(setup.nodeid, 1);
        assert!(matches!(
            resolve_setup(&config, "c.conf", &[], None),
            Err(SetupError::LocalNodeNotFound { .. })
        ));
        assert!(matches!(
            resolve_setup(&config, "c.conf", &[], Some(9)),
            Err(SetupError::UnknownNodeId { nodeid: 9, .. })
        ));
    }
}
