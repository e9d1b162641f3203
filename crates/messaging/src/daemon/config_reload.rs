//! `cfgtool -R`: every node re-reads its corosync.conf when the reload request is delivered
//! (in agreed order, so all nodes apply it at the same point of the message stream) and
//! applies what corosync documents as changeable at runtime: the totem timers, votequorum's
//! expected votes and votes, and logging. Other differences are logged as needing a restart.

use crate::ipc_server::IpcServer;

use super::Daemon;

impl Daemon {
    /// Re-reads the configuration file and applies the runtime-changeable part of it.
    pub(super) fn reload_config(&mut self, now_ms: u64, sender: u32, ipc: &mut IpcServer) {
        let Some(path) = self.config_path.clone() else {
            tracing::warn!("node {sender} asked for a configuration reload, but this daemon does not know its configuration file");
            return;
        };
        let new = match corosync_conf::load(&path) {
            Ok(parsed) => parsed.config,
            Err(error) => {
                tracing::error!("configuration reload asked by node {sender} refused: {error}");
                return;
            }
        };
        let plan = corosync_conf::reload_plan(&self.running_config, &new);
        if plan.is_empty() {
            tracing::info!(
                "configuration reload asked by node {sender}: {} unchanged",
                path.display()
            );
            return;
        }
        if plan.totem_timers {
            let totem_config = crate::cluster_setup::totem_config(&new);
            match self.totem.update_timers(&totem_config) {
                Ok(()) => {
                    let timers = new.timers();
                    tracing::info!(
                        "configuration reload: totem token {} ms, consensus {} ms, join {} ms, merge {} ms",
                        timers.token,
                        timers.consensus,
                        timers.join,
                        timers.merge
                    );
                    for (key, value) in super::timer_values(&timers) {
                        if let Some(entry) = self.config_values.iter_mut().find(|(k, _)| k == key) {
                            entry.1 = u64::from(value);
                        }
                    }
                }
                Err(error) => {
                    tracing::error!("configuration reload: totem timers refused: {error}");
                }
            }
        }
        if let Some(quorum) = self.quorum.as_mut() {
            let mut outputs = Vec::new();
            for (nodeid, votes) in &plan.votes {
                match quorum.set_votes(now_ms, *nodeid, *votes) {
                    Ok(more) => outputs.extend(more),
                    Err(error) => {
                        tracing::warn!(target: "QUORUM", "configuration reload: votes of node {nodeid}: {error}")
                    }
                }
            }
            if let Some(expected) = plan.expected_votes {
                match quorum.set_expected(now_ms, expected) {
                    Ok(more) => {
                        tracing::info!(target: "QUORUM", "configuration reload: expected votes {expected}");
                        outputs.extend(more);
                    }
                    Err(error) => {
                        tracing::warn!(target: "QUORUM", "configuration reload: expected votes {expected}: {error}")
                    }
                }
            }
            self.apply_quorum_outputs(outputs, Some(ipc));
        }
        if plan.logging {
            let applied = self
                .log_hook
                .as_mut()
                .is_some_and(|hook| hook(&new.logging));
            if applied {
                tracing::info!("configuration reload: logging settings applied");
            } else {
                tracing::warn!("configuration reload: logging changes take effect after a restart");
            }
        }
        for key in &plan.restart_needed {
            tracing::warn!(
                "configuration reload: {key} changed in {}; it takes effect only after a restart",
                path.display()
            );
        }
        self.running_config = new;
    }
}
