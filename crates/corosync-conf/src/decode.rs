//! Turns the syntax tree into a typed [`Config`], checking every value and
//! collecting warnings for keys and sections that are unknown or obsolete.

use core::net::IpAddr;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use crate::error::{ConfError, Warning};
use crate::limits;
use crate::model::{
    Cipher, Config, DebugLevel, Hash, Interface, LoggerSubsys, Node, NodeAddr, RingMode,
    TieBreaker, Timestamp, TransportKind, DEFAULT_MCASTPORT,
};
use crate::syntax::{Item, Pair, Section};
use crate::timers::MIN_TOKEN_RETRANSMIT;

/// Keys of corosync 3.1 that Tandem accepts but does not act on.
const TOTEM_UNUSED: &[&str] = &[
    "crypto_model",
    "ip_version",
    "block_unlisted_ips",
    "cancel_token_hold_on_retransmit",
    "heartbeat_failures_allowed",
    "max_network_delay",
    "knet_pmtud_interval",
    "knet_mtu",
    "knet_compression_model",
    "knet_compression_threshold",
    "knet_compression_level",
    "ip_dscp",
    "nodeid",
    "key",
];
/// Keys of older corosync versions, ignored.
const TOTEM_OBSOLETE: &[&str] = &[
    "vsftype",
    "threads",
    "rrp_problem_count_timeout",
    "rrp_problem_count_threshold",
    "rrp_problem_count_mcast_threshold",
    "rrp_token_expired_timeout",
    "rrp_autorecovery_check_timeout",
    "max_retries",
    "fail_to_recv_const",
];
/// Interface keys Tandem accepts but does not act on.
const INTERFACE_UNUSED: &[&str] = &[
    "knet_link_priority",
    "knet_ping_interval",
    "knet_ping_timeout",
    "knet_ping_precision",
    "knet_pong_count",
    "knet_transport",
];
/// Logging keys Tandem accepts but does not act on.
const LOGGING_UNUSED: &[&str] = &[
    "logfile_priority",
    "syslog_priority",
    "blackbox",
    "syslog_level",
    "tags",
];
/// Top-level sections Tandem accepts but does not act on.
const SECTIONS_UNUSED: &[&str] = &["system", "resources", "qb", "uidgid"];
/// Top-level sections of older corosync versions, ignored.
const SECTIONS_OBSOLETE: &[&str] = &["amf", "service", "aisexec", "event"];

/// Decoding state: the file name and the warnings so far.
pub(crate) struct Decoder<'a> {
    file: &'a str,
    warnings: Vec<Warning>,
    dropped_warnings: usize,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(file: &'a str) -> Self {
        Decoder {
            file,
            warnings: Vec::new(),
            dropped_warnings: 0,
        }
    }

    pub(crate) fn into_warnings(mut self) -> Vec<Warning> {
        self.warnings.sort_by_key(|w| w.line);
        if self.dropped_warnings > 0 {
            self.warnings.push(Warning {
                file: self.file.to_string(),
                line: 0,
                key: String::new(),
                message: format!("{} more warnings not shown", self.dropped_warnings),
            });
        }
        self.warnings
    }

    /// Warns that the nested section `sub` of the section at `path` is not one corosync knows.
    fn unknown_section(&mut self, path: &str, sub: &Section) {
        self.warn(
            sub.line,
            format!("{path}.{}", sub.name),
            "unknown section ignored",
        );
    }

    /// The pairs of a section that may hold only pairs (`path` names it in warnings); nested
    /// sections are warned about and skipped.
    fn leaf_pairs<'s>(&mut self, s: &'s Section, path: &str) -> Vec<&'s Pair> {
        let mut pairs = Vec::with_capacity(s.items.len());
        for item in &s.items {
            match item {
                Item::Pair(p) => pairs.push(p),
                Item::Section(sub) => self.unknown_section(path, sub),
            }
        }
        pairs
    }

    fn warn(&mut self, line: usize, key: impl Into<String>, message: impl Into<String>) {
        if self.warnings.len() >= limits::MAX_WARNINGS {
            self.dropped_warnings += 1;
            return;
        }
        self.warnings.push(Warning {
            file: self.file.to_string(),
            line,
            key: key.into(),
            message: message.into(),
        });
    }

    fn value_error(&self, pair: &Pair, key: &str, expected: impl Into<String>) -> ConfError {
        ConfError::Value {
            file: self.file.to_string(),
            line: pair.line,
            key: key.to_string(),
            value: pair.value.clone(),
            expected: expected.into(),
        }
    }

    fn invalid(&self, line: usize, key: &str, message: impl Into<String>) -> ConfError {
        ConfError::Invalid {
            file: self.file.to_string(),
            line,
            key: key.to_string(),
            message: message.into(),
        }
    }

    fn int<T>(&self, pair: &Pair, key: &str, min: T, max: T) -> Result<T, ConfError>
    where
        T: FromStr + PartialOrd + Copy + std::fmt::Display,
    {
        match pair.value.parse::<T>() {
            Ok(v) if v >= min && v <= max => Ok(v),
            _ => Err(self.value_error(pair, key, format!("integer in {min}..={max}"))),
        }
    }

    fn boolean(&self, pair: &Pair, key: &str) -> Result<bool, ConfError> {
        match pair.value.as_str() {
            "yes" | "on" | "1" | "true" => Ok(true),
            "no" | "off" | "0" | "false" => Ok(false),
            _ => Err(self.value_error(pair, key, "yes/no (on/off, 1/0)")),
        }
    }

    /// A votequorum switch: an integer (non-zero is on, as corosync reads
    /// them) or yes/no.
    fn flag(&self, pair: &Pair, key: &str) -> Result<bool, ConfError> {
        match pair.value.parse::<u32>() {
            Ok(n) => Ok(n != 0),
            Err(_) => self.boolean(pair, key),
        }
    }

    fn ip(&self, pair: &Pair, key: &str) -> Result<IpAddr, ConfError> {
        pair.value
            .parse()
            .map_err(|_| self.value_error(pair, key, "an IPv4 or IPv6 address"))
    }

    fn choice<T: Copy>(
        &self,
        pair: &Pair,
        key: &str,
        options: &[(&str, T)],
    ) -> Result<T, ConfError> {
        options
            .iter()
            .find(|(name, _)| *name == pair.value)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                self.value_error(pair, key, format!("one of {}", names.join(", ")))
            })
    }

    fn unknown_key(&mut self, pair: &Pair, key: &str, unused: &[&str], obsolete: &[&str]) {
        if obsolete.contains(&pair.key.as_str()) {
            self.warn(pair.line, key, "obsolete key ignored");
        } else if unused.contains(&pair.key.as_str()) {
            self.warn(pair.line, key, "corosync key not used by tandem, ignored");
        } else {
            self.warn(pair.line, key, "unknown key ignored");
        }
    }

    /// Decodes the whole file.
    pub(crate) fn config(&mut self, root: &Section) -> Result<Config, ConfError> {
        let mut config = Config::default();
        let mut totem = TotemDraft::default();
        let mut quorum = QuorumDraft::default();
        let mut saw_totem = false;
        for item in &root.items {
            match item {
                Item::Pair(pair) => {
                    let key = pair.key.clone();
                    self.warn(pair.line, key, "key outside any section ignored")
                }
                Item::Section(s) => match s.name.as_str() {
                    "totem" => {
                        if !saw_totem {
                            config.totem.line = s.line;
                        }
                        saw_totem = true;
                        self.totem(s, &mut config, &mut totem)?
                    }
                    "nodelist" => self.nodelist(s, &mut config)?,
                    "quorum" => self.quorum(s, &mut config, &mut quorum)?,
                    "logging" => self.logging(s, &mut config)?,
                    name if SECTIONS_OBSOLETE.contains(&name) => {
                        self.warn(s.line, name, "obsolete section ignored")
                    }
                    name if SECTIONS_UNUSED.contains(&name) => {
                        self.warn(s.line, name, "corosync section not used by tandem, ignored")
                    }
                    name => self.warn(s.line, name, "unknown section ignored"),
                },
            }
        }
        self.finish_totem(&mut config, &totem)?;
        self.finish_nodelist(&config)?;
        self.finish_quorum(&mut config, &quorum);
        self.finish_logging(&mut config);
        Ok(config)
    }

    fn totem(
        &mut self,
        s: &Section,
        config: &mut Config,
        draft: &mut TotemDraft,
    ) -> Result<(), ConfError> {
        let t = &mut config.totem;
        for item in &s.items {
            let pair = match item {
                Item::Section(sub) if sub.name == "interface" => {
                    let iface = self.interface(sub)?;
                    if t.interfaces
                        .iter()
                        .any(|i| i.linknumber == iface.linknumber)
                    {
                        return Err(self.invalid(
                            sub.line,
                            "totem.interface.linknumber",
                            format!("link {} is configured twice", iface.linknumber),
                        ));
                    }
                    if t.interfaces.len() >= limits::MAX_INTERFACES {
                        return Err(self.invalid(
                            sub.line,
                            "totem.interface",
                            "more than 8 interfaces",
                        ));
                    }
                    t.interfaces.push(iface);
                    continue;
                }
                Item::Section(sub) => {
                    self.unknown_section("totem", sub);
                    continue;
                }
                Item::Pair(pair) => pair,
            };
            let key = format!("totem.{}", pair.key);
            let k = key.as_str();
            let ms = |d: &Self| d.int::<u32>(pair, k, 0, u32::MAX);
            match pair.key.as_str() {
                "version" => {
                    draft.version = Some((self.int::<u32>(pair, k, 0, u32::MAX)?, pair.line))
                }
                "cluster_name" => t.cluster_name = Some(pair.value.clone()),
                "transport" => {
                    draft.transport_set = true;
                    t.transport = self.choice(
                        pair,
                        k,
                        &[
                            ("knet", TransportKind::Knet),
                            ("udpu", TransportKind::Udpu),
                            ("udp", TransportKind::Udp),
                        ],
                    )?
                }
                "token" => t.token = self.int(pair, k, 1, u32::MAX)?,
                "token_coefficient" => t.token_coefficient = ms(self)?,
                "token_warning" => t.token_warning = self.int(pair, k, 0, 100)?,
                "token_retransmit" => t.token_retransmit = Some(ms(self)?),
                "token_retransmits_before_loss_const" => {
                    t.token_retransmits_before_loss_const = self.int(pair, k, 1, u32::MAX)?
                }
                "hold" => t.hold = Some(ms(self)?),
                "consensus" => t.consensus = Some(ms(self)?),
                "join" => t.join = self.int(pair, k, 1, u32::MAX)?,
                "send_join" => t.send_join = ms(self)?,
                "merge" => t.merge = self.int(pair, k, 1, u32::MAX)?,
                "downcheck" => t.downcheck = self.int(pair, k, 1, u32::MAX)?,
                "fail_recv_const" => t.fail_recv_const = self.int(pair, k, 1, u32::MAX)?,
                "seqno_unchanged_const" => t.seqno_unchanged_const = ms(self)?,
                "miss_count_const" => t.miss_count_const = self.int(pair, k, 1, u32::MAX)?,
                "window_size" => t.window_size = self.int(pair, k, 1, u32::MAX)?,
                "max_messages" => t.max_messages = self.int(pair, k, 1, u32::MAX)?,
                "netmtu" => t.netmtu = self.int(pair, k, 576, 65536)?,
                "secauth" => draft.secauth = Some(self.boolean(pair, k)?),
                "crypto_cipher" => {
                    draft.cipher = Some((
                        self.choice(
                            pair,
                            k,
                            &[
                                ("none", Cipher::None),
                                ("aes256", Cipher::Aes256),
                                ("aes192", Cipher::Aes192),
                                ("aes128", Cipher::Aes128),
                            ],
                        )?,
                        pair.line,
                    ))
                }
                "crypto_hash" => {
                    draft.hash = Some(self.choice(
                        pair,
                        k,
                        &[
                            ("none", Hash::None),
                            ("md5", Hash::Md5),
                            ("sha1", Hash::Sha1),
                            ("sha256", Hash::Sha256),
                            ("sha384", Hash::Sha384),
                            ("sha512", Hash::Sha512),
                        ],
                    )?)
                }
                "keyfile" => t.keyfile = pair.value.clone(),
                "rrp_mode" => {
                    t.ring_mode = self.choice(
                        pair,
                        k,
                        &[
                            ("none", RingMode::None),
                            ("active", RingMode::Active),
                            ("passive", RingMode::Passive),
                        ],
                    )?
                }
                "link_mode" => {
                    t.ring_mode = self.choice(
                        pair,
                        k,
                        &[
                            ("passive", RingMode::Passive),
                            ("active", RingMode::Active),
                            ("rr", RingMode::Passive),
                        ],
                    )?
                }
                "clear_node_high_bit" => t.clear_node_high_bit = self.boolean(pair, k)?,
                "config_version" => t.config_version = self.int(pair, k, 0, u64::MAX)?,
                _ => self.unknown_key(pair, k, TOTEM_UNUSED, TOTEM_OBSOLETE),
            }
            if pair.key == "token_retransmit" || pair.key == "token" {
                draft.token_line = pair.line;
            }
        }
        Ok(())
    }

    fn interface(&mut self, s: &Section) -> Result<Interface, ConfError> {
        let mut iface = Interface {
            linknumber: 0,
            bindnetaddr: None,
            mcastaddr: None,
            mcastport: DEFAULT_MCASTPORT,
            broadcast: false,
            ttl: 1,
            line: s.line,
        };
        for pair in self.leaf_pairs(s, "totem.interface") {
            let key = format!("totem.interface.{}", pair.key);
            let k = key.as_str();
            match pair.key.as_str() {
                "ringnumber" | "linknumber" => iface.linknumber = self.int(pair, k, 0, 7)?,
                "bindnetaddr" => iface.bindnetaddr = Some(self.ip(pair, k)?),
                "mcastaddr" => iface.mcastaddr = Some(self.ip(pair, k)?),
                "mcastport" => iface.mcastport = self.int(pair, k, 1, 65535)?,
                "broadcast" => iface.broadcast = self.boolean(pair, k)?,
                "ttl" => iface.ttl = self.int(pair, k, 0, 255)?,
                _ => self.unknown_key(pair, k, INTERFACE_UNUSED, &[]),
            }
        }
        Ok(iface)
    }

    fn nodelist(&mut self, s: &Section, config: &mut Config) -> Result<(), ConfError> {
        for item in &s.items {
            match item {
                Item::Pair(p) => {
                    let key = format!("nodelist.{}", p.key);
                    self.warn(p.line, key, "unknown key ignored")
                }
                Item::Section(sub) if sub.name == "node" => {
                    if config.nodelist.len() >= limits::MAX_NODES {
                        return Err(self.invalid(sub.line, "nodelist.node", "more than 384 nodes"));
                    }
                    let node = self.node(sub)?;
                    config.nodelist.push(node);
                }
                Item::Section(sub) => self.unknown_section("nodelist", sub),
            }
        }
        Ok(())
    }

    fn node(&mut self, s: &Section) -> Result<Node, ConfError> {
        let mut node = Node {
            nodeid: None,
            name: None,
            addrs: BTreeMap::new(),
            quorum_votes: 1,
            line: s.line,
        };
        for pair in self.leaf_pairs(s, "nodelist.node") {
            let key = format!("nodelist.node.{}", pair.key);
            let k = key.as_str();
            let ring = pair
                .key
                .strip_prefix("ring")
                .and_then(|r| r.strip_suffix("_addr"))
                .and_then(|n| n.parse::<u8>().ok());
            match (pair.key.as_str(), ring) {
                (_, Some(n)) if usize::from(n) < limits::MAX_RING_ADDRS => {
                    if pair.value.is_empty() || pair.value.contains(char::is_whitespace) {
                        return Err(self.value_error(pair, k, "an IP address or host name"));
                    }
                    let addr = match pair.value.parse::<IpAddr>() {
                        Ok(ip) => NodeAddr::Ip(ip),
                        Err(_) => NodeAddr::Host(pair.value.clone()),
                    };
                    node.addrs.insert(n, addr);
                }
                ("nodeid", _) => node.nodeid = Some(self.int(pair, k, 1, u32::MAX)?),
                ("name", _) => node.name = Some(pair.value.clone()),
                ("quorum_votes", _) => node.quorum_votes = self.int(pair, k, 0, u32::MAX)?,
                _ => self.unknown_key(pair, k, &[], &[]),
            }
        }
        Ok(node)
    }

    fn quorum(
        &mut self,
        s: &Section,
        config: &mut Config,
        draft: &mut QuorumDraft,
    ) -> Result<(), ConfError> {
        let q = &mut config.quorum;
        for item in &s.items {
            let pair = match item {
                Item::Pair(p) => p,
                Item::Section(sub) if sub.name == "device" => {
                    self.warn(
                        sub.line,
                        "quorum.device",
                        "quorum devices are not supported, section ignored",
                    );
                    continue;
                }
                Item::Section(sub) => {
                    self.unknown_section("quorum", sub);
                    continue;
                }
            };
            let key = format!("quorum.{}", pair.key);
            let k = key.as_str();
            match pair.key.as_str() {
                "provider" => {
                    if pair.value != "corosync_votequorum" {
                        self.warn(
                            pair.line,
                            k,
                            format!(
                                "unknown quorum provider \"{}\": quorum is disabled",
                                pair.value
                            ),
                        );
                    }
                    q.provider = Some(pair.value.clone())
                }
                "expected_votes" => {
                    // corosync accepts 0 and then uses the nodelist sum.
                    let v = self.int(pair, k, 0, u32::MAX)?;
                    q.expected_votes = (v > 0).then_some(v);
                }
                "votes" => q.votes = Some(self.int(pair, k, 0, u32::MAX)?),
                "two_node" => q.two_node = self.flag(pair, k)?,
                "wait_for_all" => draft.wait_for_all = Some(self.flag(pair, k)?),
                "last_man_standing" => q.last_man_standing = self.flag(pair, k)?,
                "last_man_standing_window" => {
                    q.last_man_standing_window = self.int(pair, k, 1, u32::MAX)?
                }
                "auto_tie_breaker" => q.auto_tie_breaker = self.flag(pair, k)?,
                "auto_tie_breaker_node" => {
                    q.auto_tie_breaker_node = match pair.value.as_str() {
                        "lowest" => TieBreaker::Lowest,
                        "highest" => TieBreaker::Highest,
                        list => {
                            let ids: Result<Vec<u32>, _> =
                                list.split_whitespace().map(str::parse::<u32>).collect();
                            match ids {
                                Ok(ids) if !ids.is_empty() && !ids.contains(&0) => {
                                    TieBreaker::List(ids)
                                }
                                _ => {
                                    return Err(self.value_error(
                                        pair,
                                        k,
                                        "lowest, highest or a space-separated list of node ids",
                                    ))
                                }
                            }
                        }
                    }
                }
                "allow_downscale" => q.allow_downscale = self.flag(pair, k)?,
                "expected_votes_tracking" => q.expected_votes_tracking = self.flag(pair, k)?,
                _ => self.unknown_key(pair, k, &["cancel_wait_for_all"], &[]),
            }
        }
        Ok(())
    }

    fn logging(&mut self, s: &Section, config: &mut Config) -> Result<(), ConfError> {
        let l = &mut config.logging;
        for item in &s.items {
            let pair = match item {
                Item::Pair(p) => p,
                Item::Section(sub) if sub.name == "logger_subsys" => {
                    let mut subsys = LoggerSubsys {
                        subsys: String::new(),
                        debug: None,
                        line: sub.line,
                    };
                    for item in &sub.items {
                        match item {
                            Item::Pair(p) => {
                                let key = format!("logging.logger_subsys.{}", p.key);
                                match p.key.as_str() {
                                    "subsys" => subsys.subsys = p.value.clone(),
                                    "debug" => subsys.debug = Some(self.debug_level(p, &key)?),
                                    "to_stderr" | "to_logfile" | "to_syslog" | "logfile"
                                    | "timestamp" | "fileline" | "function_name" => self.warn(
                                        p.line,
                                        key,
                                        "per-subsystem override not used by tandem, ignored",
                                    ),
                                    _ => self.unknown_key(p, &key, LOGGING_UNUSED, &[]),
                                }
                            }
                            Item::Section(s2) => self.unknown_section("logging.logger_subsys", s2),
                        }
                    }
                    if subsys.subsys.is_empty() {
                        return Err(self.invalid(
                            sub.line,
                            "logging.logger_subsys.subsys",
                            "missing subsys name",
                        ));
                    }
                    l.subsystems.push(subsys);
                    continue;
                }
                Item::Section(sub) => {
                    self.unknown_section("logging", sub);
                    continue;
                }
            };
            let key = format!("logging.{}", pair.key);
            let k = key.as_str();
            match pair.key.as_str() {
                "to_stderr" => l.to_stderr = self.boolean(pair, k)?,
                "to_logfile" => l.to_logfile = self.boolean(pair, k)?,
                "to_syslog" => l.to_syslog = self.boolean(pair, k)?,
                "logfile" => l.logfile = Some(pair.value.clone()),
                "syslog_facility" => l.syslog_facility = pair.value.clone(),
                "debug" => l.debug = self.debug_level(pair, k)?,
                "timestamp" => {
                    l.timestamp = self.choice(
                        pair,
                        k,
                        &[
                            ("off", Timestamp::Off),
                            ("on", Timestamp::On),
                            ("hires", Timestamp::Hires),
                        ],
                    )?
                }
                "fileline" => l.fileline = self.boolean(pair, k)?,
                "function_name" => l.function_name = self.boolean(pair, k)?,
                _ => self.unknown_key(pair, k, LOGGING_UNUSED, &[]),
            }
        }
        Ok(())
    }

    fn debug_level(&self, pair: &Pair, key: &str) -> Result<DebugLevel, ConfError> {
        self.choice(
            pair,
            key,
            &[
                ("off", DebugLevel::Off),
                ("on", DebugLevel::On),
                ("trace", DebugLevel::Trace),
            ],
        )
    }

    fn finish_totem(&mut self, config: &mut Config, draft: &TotemDraft) -> Result<(), ConfError> {
        match draft.version {
            None => {
                return Err(ConfError::Missing {
                    file: self.file.to_string(),
                    key: "totem.version".to_string(),
                })
            }
            Some((2, _)) => {}
            Some((_, line)) => {
                return Err(self.invalid(
                    line,
                    "totem.version",
                    "This totem parser can only parse version 2 configurations.",
                ))
            }
        }
        let t = &mut config.totem;
        t.secauth = draft.secauth.unwrap_or(false);
        let (mut cipher, cipher_line) = draft.cipher.map_or((None, 0), |(c, l)| (Some(c), l));
        let mut hash = draft.hash;
        if t.secauth {
            cipher = cipher.or(Some(Cipher::Aes256));
            hash = hash.or(Some(Hash::Sha256));
        }
        t.crypto_cipher = cipher.unwrap_or(Cipher::None);
        t.crypto_hash = hash.unwrap_or(Hash::None);
        if t.crypto_cipher != Cipher::None && t.crypto_hash == Hash::None {
            return Err(self.invalid(
                cipher_line,
                "totem.crypto_cipher",
                "crypto_cipher requires crypto_hash with value other than none",
            ));
        }
        t.interfaces.sort_by_key(|i| i.linknumber);
        if !draft.transport_set
            && config.nodelist.is_empty()
            && !t.interfaces.is_empty()
            && t.interfaces
                .iter()
                .all(|i| i.mcastaddr.is_some() || i.broadcast)
        {
            t.transport = TransportKind::Udp;
            let line = t.line;
            self.warn(
                line,
                "totem.transport",
                "no transport and no nodelist: using udp multicast, the corosync 2 default",
            );
        }
        let t = &mut config.totem;
        if t.transport == TransportKind::Udp {
            if t.interfaces.is_empty() {
                t.interfaces.push(Interface {
                    linknumber: 0,
                    bindnetaddr: None,
                    mcastaddr: None,
                    mcastport: DEFAULT_MCASTPORT,
                    broadcast: false,
                    ttl: 1,
                    line: t.line,
                });
            }
            let derived = t.cluster_name.as_deref().map(derived_mcastaddr);
            for iface in &mut t.interfaces {
                if iface.mcastaddr.is_none() && !iface.broadcast {
                    iface.mcastaddr = derived;
                }
            }
            for iface in &t.interfaces {
                match iface.mcastaddr {
                    Some(addr) if addr.is_multicast() || iface.broadcast => {}
                    None if iface.broadcast => {}
                    Some(addr) => {
                        return Err(self.invalid(
                            iface.line,
                            "totem.interface.mcastaddr",
                            format!("{addr} is not a multicast address"),
                        ))
                    }
                    None => {
                        return Err(self.invalid(
                            iface.line,
                            "totem.interface.mcastaddr",
                            format!(
                                "No multicast address specified for interface {} (set mcastaddr or cluster_name)",
                                iface.linknumber
                            ),
                        ))
                    }
                }
            }
        }
        let rings = t.interfaces.len().max(
            config
                .nodelist
                .iter()
                .map(|n| n.addrs.len())
                .max()
                .unwrap_or(0),
        );
        if rings > 1 && t.ring_mode == RingMode::None {
            t.ring_mode = RingMode::Passive;
        }
        let timers = config.timers();
        if timers.token_retransmit < MIN_TOKEN_RETRANSMIT {
            return Err(self.invalid(
                draft.token_line,
                "totem.token_retransmit",
                format!(
                    "The token retransmit timeout parameter ({} ms) may not be less than ({MIN_TOKEN_RETRANSMIT} ms)",
                    timers.token_retransmit
                ),
            ));
        }
        Ok(())
    }

    fn finish_nodelist(&mut self, config: &Config) -> Result<(), ConfError> {
        if !config.nodelist.is_empty() {
            for iface in &config.totem.interfaces {
                if iface.bindnetaddr.is_some() {
                    self.warn(
                        iface.line,
                        "totem.interface.bindnetaddr",
                        "bindnetaddr is used together with nodelist: the nodelist address is used",
                    );
                }
            }
        }
        let mut ids = BTreeSet::new();
        let mut addrs: BTreeSet<(u8, String)> = BTreeSet::new();
        let rings: BTreeSet<u8> = config
            .nodelist
            .first()
            .map(|n| n.addrs.keys().copied().collect())
            .unwrap_or_default();
        for node in &config.nodelist {
            if node.ring_addr(0).is_none() {
                return Err(self.invalid(
                    node.line,
                    "nodelist.node.ring0_addr",
                    "every node needs ring0_addr",
                ));
            }
            let these: BTreeSet<u8> = node.addrs.keys().copied().collect();
            if these != rings {
                return Err(self.invalid(
                    node.line,
                    "nodelist.node",
                    "all nodes must have the same number of ring addresses",
                ));
            }
            if let Some(id) = node.nodeid {
                if !ids.insert(id) {
                    return Err(self.invalid(
                        node.line,
                        "nodelist.node.nodeid",
                        format!("nodeid {id} is used twice"),
                    ));
                }
            }
            for (ring, addr) in &node.addrs {
                if !addrs.insert((*ring, addr.to_string())) {
                    return Err(self.invalid(
                        node.line,
                        &format!("nodelist.node.ring{ring}_addr"),
                        format!("address {addr} is used by two nodes"),
                    ));
                }
            }
        }
        let t = &config.totem;
        if t.transport != TransportKind::Udp && config.nodelist.is_empty() {
            return Err(ConfError::Missing {
                file: self.file.to_string(),
                key: "nodelist.node".to_string(),
            });
        }
        Ok(())
    }

    fn finish_quorum(&mut self, config: &mut Config, draft: &QuorumDraft) {
        let q = &mut config.quorum;
        q.wait_for_all = draft.wait_for_all.unwrap_or(q.two_node);
        if q.allow_downscale {
            q.expected_votes_tracking = true;
        }
        if q.last_man_standing && config.nodelist.iter().any(|n| n.quorum_votes != 1) {
            let line = config.nodelist.first().map_or(0, |n| n.line);
            self.warn(
                line,
                "quorum.last_man_standing",
                "last_man_standing needs every node to have 1 vote",
            );
        }
        if q.votes.is_some() && !config.nodelist.is_empty() {
            self.warn(
                0,
                "quorum.votes",
                "deprecated; nodelist quorum_votes is used instead",
            );
        }
    }

    fn finish_logging(&mut self, config: &mut Config) {
        if config.logging.to_logfile && config.logging.logfile.is_none() {
            self.warn(
                0,
                "logging.logfile",
                "to_logfile is yes but no logfile is given: not logging to a file",
            );
            config.logging.to_logfile = false;
        }
    }
}

/// The multicast group derived from `cluster_name` when `mcastaddr` is not
/// given: 239.192.x.y with x.y from an FNV-1a hash of the name (an
/// administratively scoped group; not corosync's own derivation).
pub(crate) fn derived_mcastaddr(cluster_name: &str) -> IpAddr {
    let h = cluster_name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    IpAddr::V4(core::net::Ipv4Addr::new(239, 192, (h >> 8) as u8, h as u8))
}

/// Values whose defaults depend on other keys, held until the file is read.
#[derive(Default)]
struct TotemDraft {
    version: Option<(u32, usize)>,
    secauth: Option<bool>,
    cipher: Option<(Cipher, usize)>,
    hash: Option<Hash>,
    token_line: usize,
    transport_set: bool,
}

/// Quorum values whose defaults depend on other keys.
#[derive(Default)]
struct QuorumDraft {
    wait_for_all: Option<bool>,
}
