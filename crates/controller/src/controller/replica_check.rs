//! Replicas check themselves against the DC's CIB and resynchronise when they differ.
//!
//! Every replica applies the same messages at the same points of the group's order, so
//! all should hold the same CIB; faults (a node syncing alone while the others move on,
//! messages of a superseded sync round) have left one with a different version. As
//! Pacemaker's CIB compares digests of its replicas, the DC, once idle after a change
//! (at most every [`limits::REPLICA_CHECK_INTERVAL_MS`]), multicasts its version and
//! digest; a replica that differs at that point of the order asks for a resync, and every
//! member then runs the same sync round as after a membership change (the newest copy
//! wins, each node's own history comes back with its join).

use md5::{Digest, Md5};

use crate::limits;
use crate::message::Message;
use crate::version::CibVersion;
use crate::{Output, Timer};

use super::{Controller, Phase};

/// MD5 of a CIB's text, hex.
pub(super) fn digest(cib: &cib::xml::Element) -> String {
    let mut text = String::new();
    cib.write(&mut text, 0);
    let sum = Md5::digest(text.as_bytes());
    sum.iter().map(|b| format!("{b:02x}")).collect()
}

impl Controller {
    /// The DC, idle with a CIB it has not had checked yet: sends a check now, or sets a
    /// timer for when the last one is old enough.
    pub(super) fn maybe_check_replicas(&mut self) {
        if !self.is_dc() || !self.is_idle() || self.sync.is_some() {
            return;
        }
        let Some(cib) = &self.cib else { return };
        let version = CibVersion::of(cib);
        if self.checked == Some(version) {
            return;
        }
        let due = self
            .last_check_ms
            .saturating_add(limits::REPLICA_CHECK_INTERVAL_MS);
        if self.now_ms < due && self.last_check_ms != 0 {
            if !self.check_timer_set {
                self.check_timer_set = true;
                self.out.push(Output::SetTimer {
                    timer: Timer::ReplicaCheck,
                    after_ms: due - self.now_ms,
                });
            }
            return;
        }
        let digest = digest(cib);
        self.checked = Some(version);
        self.last_check_ms = self.now_ms;
        self.send(Message::Check { version, digest });
    }

    /// The check timer fired: the next idle moment may send a check.
    pub(super) fn on_check_timer(&mut self) {
        self.check_timer_set = false;
    }

    /// The DC's version and digest, at this point of the order: a replica that differs
    /// asks for a resync.
    pub(super) fn on_check(&mut self, version: CibVersion, dc_digest: &str) {
        if self.sync.is_some() || self.phase() != Phase::Running {
            return;
        }
        let Some(cib) = &self.cib else { return };
        let mine = CibVersion::of(cib);
        if mine == version && digest(cib) == dc_digest {
            return;
        }
        tracing::warn!(
            node = %self.cfg.node_name,
            mine = %mine.dotted(),
            dc = %version.dotted(),
            "this CIB replica differs from the DC's: asking for a resync"
        );
        self.send(Message::Resync);
    }

    /// A member asked for a resync: every member enters the same sync round.
    pub(super) fn on_resync(&mut self) {
        if self.sync.is_some() {
            return;
        }
        tracing::info!(node = %self.cfg.node_name, "resynchronising the CIB replicas");
        self.run = None;
        self.dirty = true;
        self.start_sync_round();
    }
}
