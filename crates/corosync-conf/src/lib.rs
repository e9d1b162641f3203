//! Parser and validated model of corosync.conf (totem, nodelist, quorum,
//! logging), with corosync 3.1 defaults.
//!
//! [`parse`] takes the file's text and its name (for messages) and returns a
//! typed [`Config`] plus [`Warning`]s for keys and sections that were ignored.
//! It does no IO; [`load`] is the small helper that reads a file and parses it. [`Config::timers`] gives the
//! derived Totem timers (token_real, consensus, token_retransmit, hold), and
//! [`cmap_keys`] the flat `section.key` view that `cmapctl` shows.

#![deny(missing_docs)]

mod decode;
mod error;
pub mod limits;
mod load;
mod model;
mod reload;
mod syntax;
mod timers;

pub use error::{ConfError, Warning};
pub use load::{load, LoadError};
pub use model::{
    Cipher, Config, DebugLevel, Hash, Interface, LoggerSubsys, Logging, Node, NodeAddr, Quorum,
    RingMode, TieBreaker, Timestamp, Totem, TransportKind, DEFAULT_KEYFILE, DEFAULT_MCASTPORT,
    DEFAULT_SEQNO_UNCHANGED_CONST, DEFAULT_TOKEN, DEFAULT_TOKEN_COEFFICIENT,
    DEFAULT_TOKEN_RETRANSMITS_BEFORE_LOSS,
};
pub use reload::{reload_plan, ReloadPlan};
pub use syntax::{parse_tree, Item, Pair, Section};
pub use timers::{Timers, MIN_TOKEN_RETRANSMIT};

/// A successfully parsed configuration and the warnings found on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The validated configuration.
    pub config: Config,
    /// Unknown, obsolete or unused keys and sections, in file order (bounded).
    pub warnings: Vec<Warning>,
}

/// Parses and validates corosync.conf text. `file` names the source in errors
/// and warnings (`file:line`).
pub fn parse(text: &str, file: &str) -> Result<Parsed, ConfError> {
    let tree = parse_tree(text, file)?;
    let mut decoder = decode::Decoder::new(file);
    let config = decoder.config(&tree)?;
    Ok(Parsed {
        config,
        warnings: decoder.into_warnings(),
    })
}

/// The flat cmap view of a syntax tree: `totem.token`,
/// `totem.interface.0.bindnetaddr`, `nodelist.node.0.ring0_addr`,
/// `logging.logger_subsys.QUORUM.debug`, in file order. Repeated keys keep
/// their last value.
pub fn cmap_keys(tree: &Section) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    flatten(tree, "", &mut out);
    out
}

fn flatten(section: &Section, prefix: &str, out: &mut Vec<(String, String)>) {
    let mut counters: std::collections::BTreeMap<&str, usize> = Default::default();
    for item in &section.items {
        match item {
            Item::Pair(p) => {
                let key = format!("{prefix}{}", p.key);
                if let Some(slot) = out.iter_mut().find(|(k, _)| *k == key) {
                    slot.1 = p.value.clone();
                } else {
                    out.push((key, p.value.clone()));
                }
            }
            Item::Section(sub) => {
                let label = match sub.name.as_str() {
                    "node" => {
                        let n = counters.entry("node").or_insert(0);
                        *n += 1;
                        format!("node.{}", *n - 1)
                    }
                    "interface" => {
                        let number = sub.items.iter().find_map(|i| match i {
                            Item::Pair(p) if p.key == "ringnumber" || p.key == "linknumber" => {
                                Some(p.value.clone())
                            }
                            _ => None,
                        });
                        format!("interface.{}", number.unwrap_or_else(|| "0".to_string()))
                    }
                    "logger_subsys" => {
                        let name = sub.items.iter().find_map(|i| match i {
                            Item::Pair(p) if p.key == "subsys" => Some(p.value.clone()),
                            _ => None,
                        });
                        format!("logger_subsys.{}", name.unwrap_or_default())
                    }
                    other => other.to_string(),
                };
                flatten(sub, &format!("{prefix}{label}."), out);
            }
        }
    }
}

impl Config {
    /// Number of rings (links) in use: the larger of the interface count and
    /// the ring addresses per node, at least 1.
    pub fn ring_count(&self) -> usize {
        let per_node = self
            .nodelist
            .iter()
            .map(|n| n.addrs.len())
            .max()
            .unwrap_or(0);
        self.totem.interfaces.len().max(per_node).max(1)
    }

    /// UDP port of ring `n`: its interface's `mcastport`, else 5405 + n.
    pub fn ring_port(&self, n: u8) -> u16 {
        self.totem
            .interface(n)
            .map(|i| i.mcastport)
            .unwrap_or_else(|| DEFAULT_MCASTPORT.saturating_add(u16::from(n)))
    }

    /// Expected votes for votequorum: `quorum.expected_votes`, else the sum of
    /// the nodelist's `quorum_votes`; `None` (votequorum disabled) with neither.
    pub fn expected_votes(&self) -> Option<u32> {
        if let Some(e) = self.quorum.expected_votes {
            return Some(e);
        }
        if self.nodelist.is_empty() {
            return None;
        }
        Some(
            self.nodelist
                .iter()
                .fold(0u32, |sum, n| sum.saturating_add(n.quorum_votes)),
        )
    }

    /// The node whose `nodeid` is `id`.
    pub fn node(&self, id: u32) -> Option<&Node> {
        self.nodelist.iter().find(|n| n.nodeid == Some(id))
    }
}
