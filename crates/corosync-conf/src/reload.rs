//! What a configuration reload (`tandem cfgtool -R`, corosync-cfgtool(8) `-R`) may change at
//! runtime: the totem timers, votequorum's expected votes and votes (votequorum(5): "Only votes,
//! quorum_votes, expected_votes and two_node can be changed at runtime"; two_node is refused
//! here, it changes wait_for_all too) and the logging section. Everything else takes effect
//! only after a restart, and is listed so that the daemon can say so.

use crate::model::Config;

/// The differences between the running configuration and a newly read one, sorted into what
/// can be applied now and what needs a restart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReloadPlan {
    /// A totem timer changed (token, token_coefficient, consensus, join, send_join, merge,
    /// hold, downcheck, token_retransmit(s_before_loss_const), fail_recv_const,
    /// seqno_unchanged_const, miss_count_const, token_warning).
    pub totem_timers: bool,
    /// `quorum.expected_votes`, when it changed (None: unchanged or now unset).
    pub expected_votes: Option<u32>,
    /// Nodes whose `quorum_votes` changed: (nodeid, votes).
    pub votes: Vec<(u32, u32)>,
    /// The logging section changed.
    pub logging: bool,
    /// Keys that differ but take effect only after a restart (`totem.transport`, `nodelist`...).
    pub restart_needed: Vec<String>,
}

impl ReloadPlan {
    /// Whether the new configuration changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == ReloadPlan::default()
    }
}

/// Compares `running` with `new` (line numbers are ignored).
pub fn reload_plan(running: &Config, new: &Config) -> ReloadPlan {
    let mut plan = ReloadPlan::default();
    let (a, b) = (&running.totem, &new.totem);
    plan.totem_timers = (
        a.token,
        a.token_coefficient,
        a.token_warning,
        a.token_retransmit,
        a.token_retransmits_before_loss_const,
        a.hold,
        a.consensus,
        a.join,
        a.send_join,
        a.merge,
        a.downcheck,
        a.fail_recv_const,
    ) != (
        b.token,
        b.token_coefficient,
        b.token_warning,
        b.token_retransmit,
        b.token_retransmits_before_loss_const,
        b.hold,
        b.consensus,
        b.join,
        b.send_join,
        b.merge,
        b.downcheck,
        b.fail_recv_const,
    ) || (a.seqno_unchanged_const, a.miss_count_const)
        != (b.seqno_unchanged_const, b.miss_count_const);
    let mut restart = Vec::new();
    let mut differs = |key: &str, changed: bool| {
        if changed {
            restart.push(format!("totem.{key}"));
        }
    };
    differs("version", a.version != b.version);
    differs("cluster_name", a.cluster_name != b.cluster_name);
    differs("transport", a.transport != b.transport);
    differs("window_size", a.window_size != b.window_size);
    differs("max_messages", a.max_messages != b.max_messages);
    differs("netmtu", a.netmtu != b.netmtu);
    differs(
        "secauth/crypto_cipher/crypto_hash/keyfile",
        (a.secauth, a.crypto_cipher, a.crypto_hash, &a.keyfile)
            != (b.secauth, b.crypto_cipher, b.crypto_hash, &b.keyfile),
    );
    differs("rrp_mode", a.ring_mode != b.ring_mode);
    differs(
        "clear_node_high_bit",
        a.clear_node_high_bit != b.clear_node_high_bit,
    );
    differs("config_version", a.config_version != b.config_version);
    let interfaces = |c: &Config| {
        let mut list = c.totem.interfaces.clone();
        for i in &mut list {
            i.line = 0;
        }
        list
    };
    differs("interface", interfaces(running) != interfaces(new));
    let nodes = |c: &Config| {
        let mut list = c.nodelist.clone();
        for n in &mut list {
            n.line = 0;
            n.quorum_votes = 0;
        }
        list
    };
    if nodes(running) != nodes(new) {
        restart.push("nodelist".to_string());
    } else {
        for (old, node) in running.nodelist.iter().zip(&new.nodelist) {
            if old.quorum_votes != node.quorum_votes {
                if let Some(nodeid) = node.nodeid {
                    plan.votes.push((nodeid, node.quorum_votes));
                }
            }
        }
    }
    let (qa, qb) = (&running.quorum, &new.quorum);
    if qa.expected_votes != qb.expected_votes {
        plan.expected_votes = qb.expected_votes;
    }
    let rest = |q: &crate::model::Quorum| {
        let mut q = q.clone();
        q.expected_votes = None;
        q.votes = None;
        q
    };
    if rest(qa) != rest(qb) {
        restart.push("quorum (only expected_votes and votes change at runtime)".to_string());
    }
    if qa.votes != qb.votes && running.nodelist.is_empty() {
        restart.push("quorum.votes".to_string());
    }
    let logging = |c: &Config| {
        let mut l = c.logging.clone();
        for s in &mut l.subsystems {
            s.line = 0;
        }
        l
    };
    plan.logging = logging(running) != logging(new);
    plan.restart_needed = restart;
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "totem {\n version: 2\n cluster_name: c\n transport: udpu\n token: 1000\n}\n\
nodelist {\n node {\n  ring0_addr: 10.0.0.1\n  nodeid: 1\n }\n node {\n  ring0_addr: 10.0.0.2\n  nodeid: 2\n }\n}\n\
quorum {\n provider: corosync_votequorum\n}\nlogging {\n to_stderr: yes\n}\n";

    fn config(text: &str) -> Config {
        crate::parse(text, "c.conf").expect("valid").config
    }

    #[test]
    fn identical_files_change_nothing_even_with_moved_lines() {
        let moved = format!("# a comment\n\n{BASE}");
        assert!(reload_plan(&config(BASE), &config(&moved)).is_empty());
    }

    #[test]
    fn timers_quorum_and_logging_apply_the_rest_needs_a_restart() {
        let new = BASE
            .replace("token: 1000", "token: 1500\n consensus: 2000")
            .replace(
                "provider: corosync_votequorum",
                "provider: corosync_votequorum\n expected_votes: 3",
            )
            .replace("to_stderr: yes", "to_stderr: yes\n debug: on")
            .replace("nodeid: 2\n", "nodeid: 2\n  quorum_votes: 2\n");
        let plan = reload_plan(&config(BASE), &config(&new));
        assert!(plan.totem_timers);
        assert_eq!(plan.expected_votes, Some(3));
        assert_eq!(plan.votes, vec![(2, 2)]);
        assert!(plan.logging);
        assert!(plan.restart_needed.is_empty(), "{:?}", plan.restart_needed);
        let new = BASE
            .replace("cluster_name: c", "cluster_name: d")
            .replace("10.0.0.2", "10.0.0.3");
        let plan = reload_plan(&config(BASE), &config(&new));
        assert!(!plan.totem_timers);
        assert_eq!(
            plan.restart_needed,
            vec!["totem.cluster_name".to_string(), "nodelist".to_string()]
        );
    }
}
