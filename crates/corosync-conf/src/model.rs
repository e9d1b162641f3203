//! The typed, validated configuration with corosync 3.1 defaults applied.

use core::net::IpAddr;
use std::collections::BTreeMap;

/// Default `totem.token`, ms.
pub const DEFAULT_TOKEN: u32 = 3000;
/// Default `totem.token_coefficient`, ms.
pub const DEFAULT_TOKEN_COEFFICIENT: u32 = 650;
/// Default `totem.token_retransmits_before_loss_const`.
pub const DEFAULT_TOKEN_RETRANSMITS_BEFORE_LOSS: u32 = 4;
/// Default `totem.seqno_unchanged_const`: idle token rotations before the representative
/// holds the token. Corosync's is 30; Tandem's is 2, the fewest with which every member has
/// seen an idle visit (and so cancels the hold when it queues a message). A held token costs
/// a new message one TOKEN_HOLD_CANCEL hop, about what waiting for a spinning token costs,
/// while each spinning rotation costs every member a packet to send and one to receive: under
/// a steady trickle of messages (a bulk start) most rotations carried nothing.
pub const DEFAULT_SEQNO_UNCHANGED_CONST: u32 = 2;
/// Default UDP port (`interface.mcastport`).
pub const DEFAULT_MCASTPORT: u16 = 5405;
/// Default key file.
pub const DEFAULT_KEYFILE: &str = "/etc/corosync/authkey";

/// A whole corosync.conf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// The `totem {}` section.
    pub totem: Totem,
    /// The `nodelist {}` section's nodes, in file order.
    pub nodelist: Vec<Node>,
    /// The `quorum {}` section.
    pub quorum: Quorum,
    /// The `logging {}` section.
    pub logging: Logging,
}

/// Which UDP transport carries Totem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransportKind {
    /// corosync 3 default. Tandem runs it as unicast UDP to the nodelist, like `udpu`.
    #[default]
    Knet,
    /// UDP unicast to every nodelist member.
    Udpu,
    /// UDP multicast to `interface.mcastaddr`.
    Udp,
}

/// How two rings (links) are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RingMode {
    /// One ring only (`rrp_mode: none`).
    #[default]
    None,
    /// Send every packet on every ring; the receiver drops duplicates.
    Active,
    /// Send each packet on one ring, alternating among healthy rings.
    Passive,
}

/// `totem.crypto_cipher`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cipher {
    /// No encryption.
    #[default]
    None,
    /// AES with a 256-bit key.
    Aes256,
    /// AES with a 192-bit key.
    Aes192,
    /// AES with a 128-bit key.
    Aes128,
}

/// `totem.crypto_hash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hash {
    /// No authentication.
    #[default]
    None,
    /// MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// One `totem.interface {}` section (a ring, or knet link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// `linknumber` (or the older `ringnumber`).
    pub linknumber: u8,
    /// `bindnetaddr`: the network (or address) whose local address to bind.
    pub bindnetaddr: Option<IpAddr>,
    /// `mcastaddr`: the multicast group (transport `udp`).
    pub mcastaddr: Option<IpAddr>,
    /// `mcastport`: the UDP port.
    pub mcastport: u16,
    /// `broadcast`: send to the broadcast address instead of `mcastaddr`.
    pub broadcast: bool,
    /// `ttl`: multicast time-to-live.
    pub ttl: u8,
    /// Line of the section in the file.
    pub line: usize,
}

/// The `totem {}` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totem {
    /// `version`; always 2 once validated.
    pub version: u32,
    /// `cluster_name`.
    pub cluster_name: Option<String>,
    /// `transport`.
    pub transport: TransportKind,
    /// `token`, ms (before the per-node coefficient; see [`crate::Timers`]).
    pub token: u32,
    /// `token_coefficient`, ms.
    pub token_coefficient: u32,
    /// `token_warning`, percent of the effective token.
    pub token_warning: u32,
    /// `token_retransmit`, ms, when set explicitly.
    pub token_retransmit: Option<u32>,
    /// `token_retransmits_before_loss_const`.
    pub token_retransmits_before_loss_const: u32,
    /// `hold`, ms, when set explicitly.
    pub hold: Option<u32>,
    /// `consensus`, ms, when set explicitly.
    pub consensus: Option<u32>,
    /// `join`, ms.
    pub join: u32,
    /// `send_join`, ms.
    pub send_join: u32,
    /// `merge`, ms.
    pub merge: u32,
    /// `downcheck`, ms.
    pub downcheck: u32,
    /// `fail_recv_const`, rotations.
    pub fail_recv_const: u32,
    /// `seqno_unchanged_const`, rotations (default [`DEFAULT_SEQNO_UNCHANGED_CONST`], not
    /// corosync's 30).
    pub seqno_unchanged_const: u32,
    /// `miss_count_const`.
    pub miss_count_const: u32,
    /// `window_size`, messages per rotation.
    pub window_size: u32,
    /// `max_messages`, messages per node per token visit.
    pub max_messages: u32,
    /// `netmtu`, bytes.
    pub netmtu: u32,
    /// `secauth` as written (it selects aes256/sha256 when the crypto keys are unset).
    pub secauth: bool,
    /// Effective `crypto_cipher`.
    pub crypto_cipher: Cipher,
    /// Effective `crypto_hash`.
    pub crypto_hash: Hash,
    /// `keyfile`.
    pub keyfile: String,
    /// `rrp_mode` or `link_mode`.
    pub ring_mode: RingMode,
    /// `clear_node_high_bit`.
    pub clear_node_high_bit: bool,
    /// `config_version`.
    pub config_version: u64,
    /// `interface {}` sections, sorted by link number.
    pub interfaces: Vec<Interface>,
    /// Line of the first `totem {` (0 when absent).
    pub line: usize,
}

impl Default for Totem {
    fn default() -> Self {
        Totem {
            version: 2,
            cluster_name: None,
            transport: TransportKind::Knet,
            token: DEFAULT_TOKEN,
            token_coefficient: DEFAULT_TOKEN_COEFFICIENT,
            token_warning: 75,
            token_retransmit: None,
            token_retransmits_before_loss_const: DEFAULT_TOKEN_RETRANSMITS_BEFORE_LOSS,
            hold: None,
            consensus: None,
            join: 50,
            send_join: 0,
            merge: 200,
            downcheck: 1000,
            fail_recv_const: 2500,
            seqno_unchanged_const: DEFAULT_SEQNO_UNCHANGED_CONST,
            miss_count_const: 5,
            window_size: 50,
            max_messages: 17,
            netmtu: 1500,
            secauth: false,
            crypto_cipher: Cipher::None,
            crypto_hash: Hash::None,
            keyfile: DEFAULT_KEYFILE.to_string(),
            ring_mode: RingMode::None,
            clear_node_high_bit: false,
            config_version: 0,
            interfaces: Vec::new(),
            line: 0,
        }
    }
}

impl Totem {
    /// True when packets must be encrypted and authenticated.
    pub fn crypto_enabled(&self) -> bool {
        self.crypto_cipher != Cipher::None || self.crypto_hash != Hash::None
    }

    /// The interface section for link `n`, if any.
    pub fn interface(&self, n: u8) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.linknumber == n)
    }
}

/// A node address as written: an IP address or a host name to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeAddr {
    /// A literal IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A host name; resolving it is the caller's job.
    Host(String),
}

impl std::fmt::Display for NodeAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeAddr::Ip(ip) => write!(f, "{ip}"),
            NodeAddr::Host(h) => f.write_str(h),
        }
    }
}

/// One `nodelist.node {}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `nodeid` (never 0 once validated).
    pub nodeid: Option<u32>,
    /// `name`.
    pub name: Option<String>,
    /// `ringX_addr` keyed by X.
    pub addrs: BTreeMap<u8, NodeAddr>,
    /// `quorum_votes`.
    pub quorum_votes: u32,
    /// Line of the `node {` section.
    pub line: usize,
}

impl Node {
    /// The `ring{n}_addr` of this node.
    pub fn ring_addr(&self, n: u8) -> Option<&NodeAddr> {
        self.addrs.get(&n)
    }
}

/// `quorum.auto_tie_breaker_node`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TieBreaker {
    /// The partition holding the lowest node id wins a tie.
    #[default]
    Lowest,
    /// The partition holding the highest node id wins a tie.
    Highest,
    /// The first of these node ids present decides.
    List(Vec<u32>),
}

/// The `quorum {}` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quorum {
    /// `provider` (`corosync_votequorum` enables votequorum).
    pub provider: Option<String>,
    /// `expected_votes` when set in the section.
    pub expected_votes: Option<u32>,
    /// `votes` (deprecated; nodelist `quorum_votes` wins).
    pub votes: Option<u32>,
    /// `two_node`.
    pub two_node: bool,
    /// Effective `wait_for_all` (defaults to `two_node`).
    pub wait_for_all: bool,
    /// `last_man_standing`.
    pub last_man_standing: bool,
    /// `last_man_standing_window`, ms (default 10000).
    pub last_man_standing_window: u32,
    /// `auto_tie_breaker`.
    pub auto_tie_breaker: bool,
    /// `auto_tie_breaker_node`.
    pub auto_tie_breaker_node: TieBreaker,
    /// `allow_downscale`.
    pub allow_downscale: bool,
    /// `expected_votes_tracking` (implied by `allow_downscale`).
    pub expected_votes_tracking: bool,
}

impl Default for Quorum {
    fn default() -> Self {
        Quorum {
            provider: None,
            expected_votes: None,
            votes: None,
            two_node: false,
            wait_for_all: false,
            last_man_standing: false,
            last_man_standing_window: 10000,
            auto_tie_breaker: false,
            auto_tie_breaker_node: TieBreaker::Lowest,
            allow_downscale: false,
            expected_votes_tracking: false,
        }
    }
}

impl Quorum {
    /// True when `provider: corosync_votequorum`.
    pub fn votequorum_enabled(&self) -> bool {
        self.provider.as_deref() == Some("corosync_votequorum")
    }
}

/// `logging.debug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DebugLevel {
    /// No debug output.
    #[default]
    Off,
    /// Debug output.
    On,
    /// Debug and trace output.
    Trace,
}

/// `logging.timestamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timestamp {
    /// No timestamps.
    Off,
    /// Second-resolution timestamps.
    On,
    /// Millisecond-resolution timestamps.
    #[default]
    Hires,
}

/// One `logging.logger_subsys {}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggerSubsys {
    /// `subsys`, e.g. `QUORUM`.
    pub subsys: String,
    /// `debug` override.
    pub debug: Option<DebugLevel>,
    /// Line of the section.
    pub line: usize,
}

/// The `logging {}` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logging {
    /// `to_stderr`.
    pub to_stderr: bool,
    /// `to_logfile`.
    pub to_logfile: bool,
    /// `logfile`.
    pub logfile: Option<String>,
    /// `to_syslog`.
    pub to_syslog: bool,
    /// `syslog_facility`.
    pub syslog_facility: String,
    /// `debug`.
    pub debug: DebugLevel,
    /// `timestamp`.
    pub timestamp: Timestamp,
    /// `fileline`.
    pub fileline: bool,
    /// `function_name`.
    pub function_name: bool,
    /// `logger_subsys {}` sections.
    pub subsystems: Vec<LoggerSubsys>,
}

impl Default for Logging {
    fn default() -> Self {
        Logging {
            to_stderr: true,
            to_logfile: false,
            logfile: None,
            to_syslog: true,
            syslog_facility: "daemon".to_string(),
            debug: DebugLevel::Off,
            timestamp: Timestamp::Hires,
            fileline: false,
            function_name: false,
            subsystems: Vec::new(),
        }
    }
}
