//! Operational token handling (brief §2.3–§2.5): retransmission, flow control, aru, ordered
//! delivery, token loss and retransmit, and the representative's idle hold.

use std::collections::BTreeSet;

use tracing::debug;

use crate::codec::{Mcast, McastBody, Message, OrfToken, RetransmitRequest};
use crate::limits::{RING_MESSAGES_IN_FLIGHT_MAX, RING_SEQ_LIMIT, RTR_ENTRIES_MAX};
use crate::node::{Node, State};
use crate::types::{Delivery, Destination, Guarantee, NodeId, Output, TimerKind};

impl Node {
    /// An ORF token arrived from `sender`.
    pub(crate) fn on_token(&mut self, now_ms: u64, sender: NodeId, token: OrfToken) {
        if !matches!(self.state, State::Operational | State::Recovery) {
            return;
        }
        if self.state == State::Recovery
            && self
                .forming
                .as_ref()
                .is_some_and(|f| !f.token_started && f.ring.members[0] == self.me)
        {
            return;
        }
        let ring = self.active_ring();
        if token.ring_id != ring.id {
            return;
        }
        if ring
            .last_token_seq
            .is_some_and(|last| token.token_seq <= last)
        {
            // A retransmitted copy: tell the predecessor I am alive and already have it.
            let ring_id = ring.id;
            self.transmit(
                Destination::Node(sender),
                &Message::TokenReceived { ring_id },
            );
            return;
        }
        if token.seq >= RING_SEQ_LIMIT {
            // The 32-bit seq space is nearly used up: force a new ring (seq restarts at 0).
            self.enter_gather(
                now_ms,
                "ring seq space exhausted",
                BTreeSet::new(),
                BTreeSet::new(),
            );
            return;
        }
        self.stats.orf_token_rx += 1;
        self.token_visit(now_ms, token);
    }

    /// Everything a node does on one token visit, then forwarding (or holding) the token.
    pub(crate) fn token_visit(&mut self, now_ms: u64, mut token: OrfToken) {
        let recovering = self.state == State::Recovery;
        self.timers
            .cancel(&mut self.outputs, TimerKind::TokenRetransmit);
        self.token_copy = None;
        self.timers.set(
            &mut self.outputs,
            TimerKind::TokenLoss,
            now_ms + self.config.token_ms,
        );
        let me = self.me;
        let is_rep = self.active_ring().members[0] == me;
        if is_rep {
            token.retrans_clean = !token.retrans_flg;
            token.retrans_flg = false;
        }
        let pending_at_start = self
            .forming
            .as_ref()
            .is_some_and(|f| recovering && !f.pending.is_empty());
        let seq_before = token.seq;
        let retransmitted = self.retransmit_requested(&mut token);
        self.broadcast_new(&mut token, retransmitted, recovering);
        self.request_missing(&mut token);
        self.update_aru(&mut token);
        if pending_at_start {
            token.retrans_flg = true;
        }
        let ring = self.active_ring_mut();
        ring.last_token_seq = Some(token.token_seq);
        ring.safe_point = ring.aru_last_visit.min(token.aru);
        ring.aru_last_visit = token.aru;
        let idle = token.seq == seq_before
            && token.seq == ring.seq_last_visit
            && token.rtr_list.is_empty()
            && token.aru == token.seq
            && token.backlog == 0;
        ring.idle_rotations = if idle {
            ring.idle_rotations.saturating_add(1)
        } else {
            0
        };
        ring.seq_last_visit = token.seq;
        if recovering {
            self.maybe_install(now_ms, &token);
        }
        if self.state == State::Operational && self.failed_to_receive(&token) {
            // brief §2.5 / §3.2 reason 6: I keep missing messages everyone else holds. Leave the
            // ring (form my own); merge detection brings me back once reception works.
            tracing::warn!(node = %me, "FAILED TO RECEIVE");
            self.stats.failed_to_receive += 1;
            let others: BTreeSet<NodeId> = self
                .current
                .members
                .iter()
                .copied()
                .filter(|n| *n != me)
                .collect();
            self.enter_gather(now_ms, "failed to receive", BTreeSet::new(), others);
            return;
        }
        if self.state == State::Operational {
            self.deliver_ready();
            let upto = self.current.safe_point;
            self.current.store.collect(upto);
            let cancelled = is_rep && std::mem::take(&mut self.hold_cancel_pending);
            if cancelled {
                self.current.idle_rotations = 0;
            }
            if is_rep
                && !cancelled
                && self.current.idle_rotations >= self.config.seqno_unchanged_const
                && self.send_queue.is_empty()
            {
                self.held_token = Some(token);
                self.timers.set(
                    &mut self.outputs,
                    TimerKind::TokenHold,
                    now_ms + self.config.hold_ms,
                );
                return;
            }
        }
        self.forward_token(now_ms, token);
    }

    pub(crate) fn active_ring_mut(&mut self) -> &mut crate::node::Ring {
        match (&mut self.forming, self.state) {
            (Some(forming), State::Recovery | State::Commit) => &mut forming.ring,
            _ => &mut self.current,
        }
    }

    /// Counts consecutive visits on which I hold the ring's aru down without progress.
    fn failed_to_receive(&mut self, token: &OrfToken) -> bool {
        let me = self.me;
        let limit = self.config.fail_recv_const;
        let ring = &mut self.current;
        let stuck = token.aru_addr == Some(me)
            && ring.store.aru < token.seq
            && ring.store.aru == ring.aru_at_last_stuck_check;
        ring.aru_at_last_stuck_check = ring.store.aru;
        ring.stuck_visits = if stuck {
            ring.stuck_visits.saturating_add(1)
        } else {
            0
        };
        ring.stuck_visits >= limit
    }

    /// Step 2: re-send every requested message I hold; returns how many.
    fn retransmit_requested(&mut self, token: &mut OrfToken) -> u32 {
        let ring_id = self.active_ring().id;
        let mut resend = Vec::new();
        token.rtr_list.retain(|request| {
            if request.ring_id != ring_id {
                return false;
            }
            match self.active_ring().store.get(request.seq) {
                Some(message) => {
                    resend.push(message.clone());
                    false
                }
                None => true,
            }
        });
        let count = resend.len() as u32;
        for message in resend {
            self.stats.mcast_retx += 1;
            self.transmit(Destination::All, &Message::Mcast(message));
        }
        count
    }

    /// Step 4 and 6: broadcast new messages within the flow-control limits (brief §2.4).
    fn broadcast_new(&mut self, token: &mut OrfToken, retransmitted: u32, recovering: bool) {
        let (sent_last, backlog_last) = {
            let ring = self.active_ring();
            (ring.sent_last_visit, ring.backlog_last_visit)
        };
        token.fcc = token.fcc.saturating_sub(sent_last);
        token.backlog = token.backlog.saturating_sub(backlog_last);
        let queued = if recovering {
            self.forming.as_ref().map_or(0, |f| f.pending.len())
        } else if self.state == State::Operational {
            self.send_queue.len()
        } else {
            0
        };
        let queued = u32::try_from(queued).unwrap_or(u32::MAX);
        let window = self.config.window_size;
        let mut allowed = self
            .config
            .max_messages
            .min(window.saturating_sub(token.fcc.saturating_add(retransmitted)));
        let total_backlog = token.backlog.saturating_add(queued);
        if total_backlog > 0 {
            let share = (u64::from(window) * u64::from(queued)).div_ceil(u64::from(total_backlog));
            allowed = allowed.min(u32::try_from(share).unwrap_or(u32::MAX).max(1));
        }
        let in_flight = token.seq - token.aru;
        allowed = allowed
            .min(RING_MESSAGES_IN_FLIGHT_MAX.saturating_sub(in_flight))
            .min(queued);
        let mut sent_new = 0;
        for _ in 0..allowed {
            let Some(message) = self.next_outgoing(token.seq + 1, recovering) else {
                break;
            };
            sent_new += 1;
            token.seq += 1;
            let seq = token.seq;
            self.stats.mcast_tx += 1;
            self.transmit(Destination::All, &Message::Mcast(message.clone()));
            if recovering {
                self.store_forming(message);
            } else {
                self.current.store.insert(seq, message);
            }
        }
        let sent = retransmitted + sent_new;
        let remaining = if recovering {
            self.forming.as_ref().map_or(0, |f| f.pending.len())
        } else {
            self.send_queue.len()
        };
        let remaining = u32::try_from(remaining).unwrap_or(u32::MAX);
        token.fcc = token.fcc.saturating_add(sent);
        token.backlog = token.backlog.saturating_add(remaining);
        let ring = self.active_ring_mut();
        ring.sent_last_visit = sent;
        ring.backlog_last_visit = remaining;
    }

    /// Builds the next message to broadcast with `seq`: an application message, or in recovery
    /// an old-ring message wrapped for the new ring.
    fn next_outgoing(&mut self, seq: u32, recovering: bool) -> Option<Mcast> {
        let ring_id = self.active_ring().id;
        let origin = self.me;
        if recovering {
            let old = self.forming.as_mut()?.pending.pop_front()?;
            let body = match old.body {
                McastBody::Application { guarantee, payload } => McastBody::Recovered {
                    old_ring_id: old.ring_id,
                    old_seq: old.seq,
                    origin: old.origin,
                    guarantee,
                    payload,
                },
                McastBody::Recovered { .. } | McastBody::RecoveredFiller { .. } => {
                    McastBody::RecoveredFiller {
                        old_ring_id: old.ring_id,
                        old_seq: old.seq,
                    }
                }
            };
            return Some(Mcast {
                ring_id,
                seq,
                origin,
                body,
            });
        }
        let (guarantee, payload) = self.send_queue.pop_front()?;
        Some(Mcast {
            ring_id,
            seq,
            origin,
            body: McastBody::Application { guarantee, payload },
        })
    }

    /// Step 3: ask for every message in (my aru, token.seq] I lack.
    fn request_missing(&mut self, token: &mut OrfToken) {
        let threshold = self.config.miss_count_const;
        let ring = self.active_ring_mut();
        let ring_id = ring.id;
        let mut seq = ring.store.aru;
        ring.miss_counts.forget_through(seq);
        let mut added = Vec::new();
        while seq < token.seq && token.rtr_list.len() + added.len() < RTR_ENTRIES_MAX {
            seq += 1;
            if ring.store.has(seq) {
                ring.miss_counts.forget(seq);
            } else if !token
                .rtr_list
                .iter()
                .any(|r| r.seq == seq && r.ring_id == ring_id)
                && ring.miss_counts.due(seq, threshold)
            {
                added.push(RetransmitRequest { ring_id, seq });
            }
        }
        token.rtr_list.extend(added);
    }

    /// Step 5: the aru rule.
    fn update_aru(&mut self, token: &mut OrfToken) {
        let my_aru = self.active_ring().store.aru;
        let me = self.me;
        if my_aru < token.aru {
            token.aru = my_aru;
            token.aru_addr = Some(me);
        } else if token.aru_addr.is_none() || token.aru_addr == Some(me) {
            token.aru = my_aru.min(token.seq);
            token.aru_addr = if token.aru == token.seq {
                None
            } else {
                Some(me)
            };
        }
    }

    /// Step 8: pass the token on, keeping a copy for retransmission.
    pub(crate) fn forward_token(&mut self, now_ms: u64, mut token: OrfToken) {
        token.token_seq = token.token_seq.wrapping_add(1);
        let me = self.me;
        let ring = self.active_ring_mut();
        ring.last_token_seq = Some(token.token_seq);
        let next = ring.successor(me);
        let seq_forwarded = token.seq;
        let message = Message::Token(token);
        let bytes = crate::codec::encode(me, &message);
        self.outputs.push_back(Output::Transmit {
            dest: Destination::Node(next),
            bytes: bytes.clone(),
        });
        self.stats.orf_token_tx += 1;
        self.token_copy = Some((next, bytes));
        self.unanswered_retransmits = 0;
        self.forwarded_seq = seq_forwarded;
        self.timers.set(
            &mut self.outputs,
            TimerKind::TokenRetransmit,
            now_ms + self.config.token_retransmit_ms,
        );
    }

    /// Re-sends the last forwarded token (or commit token) and re-arms the timer.
    pub(crate) fn on_token_retransmit(&mut self, now_ms: u64) {
        if let Some((next, bytes)) = self.token_copy.clone() {
            self.stats.token_retransmits += 1;
            self.unanswered_retransmits = self.unanswered_retransmits.saturating_add(1);
            self.outputs.push_back(Output::Transmit {
                dest: Destination::Node(next),
                bytes,
            });
            self.timers.set(
                &mut self.outputs,
                TimerKind::TokenRetransmit,
                now_ms + self.config.token_retransmit_ms,
            );
        }
    }

    /// The representative stops holding the idle token because traffic is waiting: the
    /// idle count starts again.
    pub(crate) fn release_held_token(&mut self, now_ms: u64) {
        self.current.idle_rotations = 0;
        self.forward_held_token(now_ms);
    }

    /// The hold is over and the ring is still idle: the token goes on, and the next idle
    /// visit holds it again (`seqno_unchanged_const` counts rotations without traffic, so
    /// only traffic restarts that count).
    pub(crate) fn hold_expired(&mut self, now_ms: u64) {
        self.forward_held_token(now_ms);
    }

    fn forward_held_token(&mut self, now_ms: u64) {
        self.timers.cancel(&mut self.outputs, TimerKind::TokenHold);
        if let Some(token) = self.held_token.take() {
            if self.state == State::Operational {
                self.forward_token(now_ms, token);
            }
        }
    }

    /// No token within `token` ms (brief §2.5, §3.2 reasons 2/4/5).
    pub(crate) fn on_token_loss(&mut self, now_ms: u64) {
        self.stats.token_lost += 1;
        // enter_gather fails the successor if my token to it went unanswered.
        let suspects = BTreeSet::new();
        let reason = match self.state {
            State::Operational => "The token was lost in the OPERATIONAL state.",
            State::Commit => "The token was lost in the COMMIT state.",
            State::Recovery => "The token was lost in the RECOVERY state.",
            State::Gather | State::Left => return,
        };
        debug!(node = %self.me, ?suspects, "{reason}");
        self.enter_gather(now_ms, reason, BTreeSet::new(), suspects);
    }

    /// Delivers, in seq order, every held message up to my aru on the installed ring (agreed),
    /// holding back safe messages beyond the safe point (brief §2.3 step 7).
    pub(crate) fn deliver_ready(&mut self) {
        let ring_id = self.current.id;
        while self.current.store.delivered < self.current.store.aru {
            let seq = self.current.store.delivered + 1;
            let Some(message) = self.current.store.get(seq) else {
                break;
            };
            if let McastBody::Application { guarantee, payload } = &message.body {
                if *guarantee == Guarantee::Safe && seq > self.current.safe_point {
                    break;
                }
                let delivery = Delivery {
                    ring_id,
                    sender: message.origin,
                    seq,
                    guarantee: *guarantee,
                    payload: payload.clone(),
                };
                self.outputs.push_back(Output::Deliver(delivery));
            }
            self.current.store.delivered = seq;
        }
    }

    /// A singleton ring needs no token: messages are ordered and delivered at once.
    pub(crate) fn singleton_send(&mut self, _now_ms: u64) {
        debug_assert_eq!(self.current.members.len(), 1);
        let ring_id = self.current.id;
        while let Some((guarantee, payload)) = self.send_queue.pop_front() {
            let seq = self.current.store.high_seq + 1;
            let message = Mcast {
                ring_id,
                seq,
                origin: self.me,
                body: McastBody::Application { guarantee, payload },
            };
            self.stats.mcast_tx += 1;
            self.current.store.insert(seq, message);
        }
        self.current.safe_point = self.current.store.aru;
        self.deliver_ready();
        let upto = self.current.store.delivered;
        self.current.store.collect(upto);
    }
}
