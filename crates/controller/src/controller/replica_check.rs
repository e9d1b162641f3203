//! Replicas check themselves against the DC's CIB and resynchronise when they differ.
//!
//! Every replica applies the same messages at the same points of the group's order, so
//! all should hold the same CIB; faults (a node syncing alone while the others move on,
//! messages of a superseded sync round) have left one with a different version. As
//! Pacemaker's CIB compares digests of its replicas: the DC, once idle after a change (at
//! most every [`limits::REPLICA_CHECK_INTERVAL_MS`]), asks for a check; at that point of
//! the order every member reports its version and digest, and once all reports are in,
//! every member compares them with the DC's the same way. When one differs, all enter the
//! same sync round as after a membership change (the newest copy wins, each node's own
//! history comes back with its join).

use std::collections::BTreeMap;

use md5::{Digest, Md5};

use crate::api::NodeId;
use crate::limits;
use crate::message::Message;
use crate::version::CibVersion;
use crate::{Output, Timer};

use super::{Controller, Phase};

/// The controller's replica-check state.
#[derive(Debug, Default)]
pub(super) struct ReplicaChecks {
    /// The CIB version the DC last had checked.
    checked: Option<CibVersion>,
    /// When the DC last asked for a check (ms since the epoch; 0: never).
    last_ms: u64,
    /// A [`Timer::ReplicaCheck`] is pending.
    timer_set: bool,
    /// The DC's check counter.
    seq: u64,
    /// Resynchronisations after a check found a difference.
    pub(super) resyncs: u64,
    /// The check in progress.
    pub(super) round: Option<CheckRound>,
}

/// A check in progress: its number and each member's (version, digest).
#[derive(Debug)]
pub(super) struct CheckRound {
    id: u64,
    reports: BTreeMap<NodeId, (CibVersion, String)>,
}

/// MD5 of a CIB's text, hex.
fn digest(cib: &cib::xml::Element) -> String {
    let mut text = String::new();
    cib.write(&mut text, 0);
    let sum = Md5::digest(text.as_bytes());
    sum.iter().map(|b| format!("{b:02x}")).collect()
}

impl Controller {
    /// The DC, idle with a CIB it has not had checked yet: asks for a check now, or sets a
    /// timer for when the last one is old enough.
    pub(super) fn maybe_check_replicas(&mut self) {
        if !self.is_dc() || !self.is_idle() || self.sync.is_some() || self.checks.round.is_some() {
            return;
        }
        let Some(cib) = &self.cib else { return };
        let version = CibVersion::of(cib);
        if self.checks.checked == Some(version) {
            return;
        }
        let due = self
            .checks
            .last_ms
            .saturating_add(limits::REPLICA_CHECK_INTERVAL_MS);
        if self.now_ms < due && self.checks.last_ms != 0 {
            if !self.checks.timer_set {
                self.checks.timer_set = true;
                self.out.push(Output::SetTimer {
                    timer: Timer::ReplicaCheck,
                    after_ms: due - self.now_ms,
                });
            }
            return;
        }
        self.checks.checked = Some(version);
        self.checks.last_ms = self.now_ms;
        self.checks.seq += 1;
        self.send(Message::Check {
            id: self.checks.seq,
        });
    }

    /// The check timer fired: the next idle moment may ask for a check.
    pub(super) fn on_check_timer(&mut self) {
        self.checks.timer_set = false;
    }

    /// The DC asked for check `id`: report this replica's version and digest as of now.
    pub(super) fn on_check(&mut self, id: u64) {
        if self.sync.is_some() || self.phase() != Phase::Running {
            return;
        }
        let Some(cib) = &self.cib else { return };
        let version = CibVersion::of(cib);
        let digest = digest(cib);
        self.checks.round = Some(CheckRound {
            id,
            reports: BTreeMap::new(),
        });
        self.send(Message::CheckReport {
            id,
            version,
            digest,
        });
    }

    /// A member's report for a check: once every member reported, all compare with the
    /// DC's report and resynchronise together when one differs.
    pub(super) fn on_check_report(
        &mut self,
        from: NodeId,
        id: u64,
        version: CibVersion,
        digest: String,
    ) {
        let Some(round) = &mut self.checks.round else {
            return;
        };
        if round.id != id {
            return;
        }
        round.reports.insert(from, (version, digest));
        if !self
            .members
            .iter()
            .all(|m| round.reports.contains_key(&m.id))
        {
            return;
        }
        let Some(round) = self.checks.round.take() else {
            return;
        };
        let Some(dc) = self.dc() else { return };
        let Some(reference) = round.reports.get(&dc) else {
            return;
        };
        let differing: Vec<String> = round
            .reports
            .iter()
            .filter(|(_, r)| *r != reference)
            .map(|(node, (v, _))| format!("{node}:{}", v.dotted()))
            .collect();
        if differing.is_empty() {
            return;
        }
        tracing::warn!(
            node = %self.cfg.node_name,
            dc = %reference.0.dotted(),
            differing = ?differing,
            "CIB replicas differ from the DC's: resynchronising"
        );
        self.checks.resyncs += 1;
        self.run = None;
        self.dirty = true;
        self.start_sync_round();
    }
}
