//! Group messages on their way out. With batching on, the small frequent ones (actions,
//! results, administrator updates) wait for the end of the host's loop turn and leave as
//! one [`Message::Batch`]: a DC that records a burst of results dispatches the next
//! actions in one multicast, and a node reports the results of one turn together. Each
//! multicast costs its sender, the ring and every replica a delivery, whatever its size.

use crate::api::Output;
use crate::limits;
use crate::message::Message;

/// Messages waiting to be multicast, in sending order.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    /// Hold batchable messages until [`Outbox::flush`] (else each goes at once).
    pub(crate) batching: bool,
    waiting: Vec<Message>,
}

impl Outbox {
    /// Sends `m`: queued when batching and batchable, else multicast now, after whatever
    /// waits (the order of one sender's messages is kept).
    pub(crate) fn send(&mut self, m: Message, out: &mut Vec<Output>) {
        if self.batching && m.batchable() {
            self.waiting.push(m);
            if self.waiting.len() >= limits::MAX_BATCH_MESSAGES {
                self.flush(out);
            }
        } else {
            self.flush(out);
            out.push(Output::Multicast(m.encode()));
        }
    }

    /// Multicasts what waits: one message alone, several as one batch.
    pub(crate) fn flush(&mut self, out: &mut Vec<Output>) {
        match self.waiting.len() {
            0 => {}
            1 => {
                if let Some(m) = self.waiting.pop() {
                    out.push(Output::Multicast(m.encode()));
                }
            }
            n => {
                tracing::debug!(messages = n, "multicast batch");
                let msgs = std::mem::take(&mut self.waiting);
                out.push(Output::Multicast(Message::Batch(msgs).encode()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(out: &[Output]) -> Vec<Message> {
        out.iter()
            .map(|o| match o {
                Output::Multicast(b) => Message::decode(b).expect("decodes"),
                other => panic!("not a multicast: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn batchable_messages_wait_for_the_flush_and_keep_their_order() {
        let mut ob = Outbox {
            batching: true,
            ..Outbox::default()
        };
        let mut out = Vec::new();
        let cleanup = |rsc: &str| Message::Admin {
            req: 0,
            op: crate::message::CibOp::Cleanup {
                rsc: rsc.into(),
                node: None,
            },
        };
        ob.send(cleanup("a"), &mut out);
        ob.send(cleanup("b"), &mut out);
        assert!(out.is_empty(), "held until the flush");
        // A sync-round message goes at once, after what waited.
        ob.send(Message::Quorum(true), &mut out);
        assert_eq!(
            decoded(&out),
            vec![
                Message::Batch(vec![cleanup("a"), cleanup("b")]),
                Message::Quorum(true)
            ]
        );
        out.clear();
        ob.send(cleanup("c"), &mut out);
        ob.flush(&mut out);
        assert_eq!(decoded(&out), vec![cleanup("c")], "one message goes alone");
        out.clear();
        for i in 0..limits::MAX_BATCH_MESSAGES + 1 {
            ob.send(cleanup(&i.to_string()), &mut out);
        }
        assert_eq!(out.len(), 1, "a full batch leaves at once");
        ob.flush(&mut out);
        assert_eq!(
            decoded(&out)[1],
            cleanup(&limits::MAX_BATCH_MESSAGES.to_string())
        );
    }

    #[test]
    fn without_batching_every_message_goes_at_once() {
        let mut ob = Outbox::default();
        let mut out = Vec::new();
        ob.send(Message::Quorum(false), &mut out);
        ob.send(
            Message::Admin {
                req: 1,
                op: crate::message::CibOp::Cleanup {
                    rsc: "x".into(),
                    node: None,
                },
            },
            &mut out,
        );
        assert_eq!(out.len(), 2);
    }
}
