//! Group messages between controllers and their wire codec (an XML element, versioned).

use cib::xml::Element;

use crate::error::ControllerError;
use crate::limits;
use crate::version::CibVersion;

/// Deepest element the scanner reads in a message: a batch (0), its messages (1), their
/// parameters (2); messages with bodies (admin, sync, join) go to the general parser.
const SCAN_DEPTH: usize = 2;

/// Codec version written in every message.
pub const WIRE_VERSION: &str = "1";

/// An administrator's change to the CIB, applied by every replica in agreed order.
#[derive(Clone, Debug, PartialEq)]
pub enum CibOp {
    /// Replace the whole CIB (a `<cib>`), one configuration section, or one element by id.
    Replace(Element),
    /// Add an element under `section` (derived from the element's name when `None`).
    Create {
        /// Section name (`resources`, `constraints`, `crm_config`, `nodes`, ...).
        section: Option<String>,
        /// The new element.
        xml: Element,
    },
    /// Merge attributes and children into the element with the same name and id.
    Modify(Element),
    /// Remove the element with the same name and id.
    Delete(Element),
    /// Set (`Some`) or delete (`None`) a transient node attribute.
    SetAttr {
        /// Node name.
        node: String,
        /// Attribute name.
        name: String,
        /// Value.
        value: Option<String>,
    },
    /// Forget a resource's operation history and fail counts (on one node or all).
    Cleanup {
        /// Resource id (as in the configuration).
        rsc: String,
        /// Node name, or every node.
        node: Option<String>,
    },
}

/// An action the DC asks one node to execute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecAction {
    /// Name of the node that must run it.
    pub node: String,
    /// Transition key `action:transition:target_rc:dc-uuid`.
    pub key: String,
    /// Resource id as recorded in the history.
    pub rsc: String,
    /// Agent class.
    pub class: String,
    /// Agent provider.
    pub provider: Option<String>,
    /// Agent type.
    pub kind: String,
    /// Operation (start, stop, monitor, promote, demote, reboot, ...).
    pub task: String,
    /// Interval in ms (recurring monitors).
    pub interval_ms: u64,
    /// Timeout in ms.
    pub timeout_ms: u64,
    /// Instance parameters and `CRM_meta_*` values.
    pub params: Vec<(String, String)>,
    /// Node to fence, for fencing actions.
    pub fence_target: Option<String>,
    /// `op-digest` of the parameters, recorded with the result.
    pub digest: Option<String>,
}

/// One operation result, recorded by every replica into the status section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRecord {
    /// Name of the node that ran it.
    pub node: String,
    /// Resource id as recorded in the history.
    pub rsc: String,
    /// Agent class.
    pub class: String,
    /// Agent provider.
    pub provider: Option<String>,
    /// Agent type.
    pub kind: String,
    /// Operation.
    pub task: String,
    /// Interval in ms.
    pub interval_ms: u64,
    /// Agent return code.
    pub rc: i32,
    /// Execution status (0 done, 1 cancelled, 2 timeout, 3 not supported, 4 error, ...).
    pub op_status: i32,
    /// The node's call counter.
    pub call_id: u64,
    /// Transition key of the request.
    pub key: String,
    /// Agent's exit reason.
    pub exit_reason: String,
    /// Run time in ms.
    pub exec_ms: u64,
    /// Queue time in ms.
    pub queue_ms: u64,
    /// When the result arrived, seconds since the epoch.
    pub when_s: i64,
    /// Fenced node, for fencing results.
    pub fence_target: Option<String>,
    /// `op-digest` of the parameters the operation ran with.
    pub digest: Option<String>,
}

impl OpRecord {
    /// Expected rc, from the transition key (0 when it has none).
    pub fn target_rc(&self) -> i32 {
        self.key
            .split(':')
            .nth(2)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// True when the result is what the transition expected.
    pub fn succeeded(&self) -> bool {
        self.op_status == 0 && self.rc == self.target_rc()
    }
}

/// A message multicast to the controllers' group.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// A member's CIB version for the sync round of membership `view` (`None`: no valid CIB).
    Version {
        /// Membership digest the round belongs to.
        view: u64,
        /// The sender's version.
        version: Option<CibVersion>,
        /// What is left of the sender's recovery hold after losing nodes that ran
        /// resources, in ms (0: none): the new DC keeps it (see `loss_hold`).
        hold_ms: u64,
    },
    /// The DC's CIB version and digest (MD5 of its text), for every replica to compare
    /// with its own at this point of the order.
    Check {
        /// The DC's version.
        version: CibVersion,
        /// MD5 of the DC's CIB text, hex.
        digest: String,
    },
    /// A replica found it differs from the DC's: every member enters a sync round.
    Resync,
    /// The sync round's winning CIB.
    Sync {
        /// Membership digest.
        view: u64,
        /// The whole CIB.
        cib: Element,
    },
    /// A member's own operation history (`<lrm>`), sent after each sync: authoritative
    /// for its node.
    Join {
        /// Membership digest the join belongs to.
        view: u64,
        /// The sender's `<lrm>` element.
        lrm: Element,
        /// How many actions the sender runs at once (twice its cores), when it says.
        jobs: Option<u32>,
    },
    /// The DC's quorum verdict, recorded as `have-quorum`.
    Quorum(bool),
    /// An administrator's request (`req` is the sender's request number).
    Admin {
        /// Request number, echoed in the reply on the sending node.
        req: u64,
        /// The change.
        op: CibOp,
    },
    /// The DC asks a node to run an action.
    Exec(ExecAction),
    /// A node reports an action's result.
    Result(OpRecord),
    /// Several messages from one sender in one multicast (the actions a DC dispatches in
    /// one loop turn, the results a node collected in one): delivered, and applied, in
    /// order as if sent one by one. Never nested.
    Batch(Vec<Message>),
}

fn msg(kind: &str) -> Element {
    let mut e = Element::new("tandem-msg");
    e.set_attr("v", WIRE_VERSION);
    e.set_attr("kind", kind);
    e
}

fn opt_set(e: &mut Element, k: &str, v: &Option<String>) {
    if let Some(v) = v {
        e.set_attr(k, v);
    }
}

impl Message {
    /// Encodes the message as bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.element().to_xml().into_bytes()
    }

    /// True for the small, frequent messages worth sending together in a [`Message::Batch`]
    /// (actions, results, administrator updates); sync-round messages go alone.
    pub fn batchable(&self) -> bool {
        matches!(
            self,
            Message::Exec(_) | Message::Result(_) | Message::Admin { .. }
        )
    }

    /// The message as a `<tandem-msg>` element.
    fn element(&self) -> Element {
        match self {
            Message::Version {
                view,
                version,
                hold_ms,
            } => {
                let mut e = msg("version");
                e.set_attr("view", &view.to_string());
                if let Some(v) = version {
                    e.set_attr("cib", &v.dotted());
                }
                if *hold_ms > 0 {
                    e.set_attr("hold-ms", &hold_ms.to_string());
                }
                e
            }
            Message::Check { version, digest } => {
                let mut e = msg("check");
                e.set_attr("cib", &version.dotted());
                e.set_attr("digest", digest);
                e
            }
            Message::Resync => msg("resync"),
            Message::Sync { view, cib } => {
                let mut e = msg("sync");
                e.set_attr("view", &view.to_string());
                e.children.push(cib.clone());
                e
            }
            Message::Join { view, lrm, jobs } => {
                let mut e = msg("join");
                e.set_attr("view", &view.to_string());
                if let Some(j) = jobs {
                    e.set_attr("jobs", &j.to_string());
                }
                e.children.push(lrm.clone());
                e
            }
            Message::Quorum(q) => {
                let mut e = msg("quorum");
                e.set_attr("quorate", if *q { "1" } else { "0" });
                e
            }
            Message::Admin { req, op } => {
                let mut e = msg("admin");
                e.set_attr("req", &req.to_string());
                match op {
                    CibOp::Replace(x) => {
                        e.set_attr("op", "replace");
                        e.children.push(x.clone());
                    }
                    CibOp::Create { section, xml } => {
                        e.set_attr("op", "create");
                        opt_set(&mut e, "section", section);
                        e.children.push(xml.clone());
                    }
                    CibOp::Modify(x) => {
                        e.set_attr("op", "modify");
                        e.children.push(x.clone());
                    }
                    CibOp::Delete(x) => {
                        e.set_attr("op", "delete");
                        e.children.push(x.clone());
                    }
                    CibOp::SetAttr { node, name, value } => {
                        e.set_attr("op", "attr");
                        e.set_attr("node", node);
                        e.set_attr("name", name);
                        opt_set(&mut e, "value", value);
                    }
                    CibOp::Cleanup { rsc, node } => {
                        e.set_attr("op", "cleanup");
                        e.set_attr("rsc", rsc);
                        opt_set(&mut e, "node", node);
                    }
                }
                e
            }
            Message::Exec(a) => {
                let mut e = msg("exec");
                e.set_attr("node", &a.node);
                e.set_attr("key", &a.key);
                e.set_attr("rsc", &a.rsc);
                e.set_attr("class", &a.class);
                opt_set(&mut e, "provider", &a.provider);
                e.set_attr("type", &a.kind);
                e.set_attr("task", &a.task);
                e.set_attr("interval", &a.interval_ms.to_string());
                e.set_attr("timeout", &a.timeout_ms.to_string());
                opt_set(&mut e, "fence-target", &a.fence_target);
                opt_set(&mut e, "digest", &a.digest);
                for (k, v) in &a.params {
                    let mut p = Element::new("param");
                    p.set_attr("name", k);
                    p.set_attr("value", v);
                    e.children.push(p);
                }
                e
            }
            Message::Result(r) => {
                let mut e = msg("result");
                e.set_attr("node", &r.node);
                e.set_attr("rsc", &r.rsc);
                e.set_attr("class", &r.class);
                opt_set(&mut e, "provider", &r.provider);
                e.set_attr("type", &r.kind);
                e.set_attr("task", &r.task);
                e.set_attr("interval", &r.interval_ms.to_string());
                e.set_attr("rc", &r.rc.to_string());
                e.set_attr("op-status", &r.op_status.to_string());
                e.set_attr("call-id", &r.call_id.to_string());
                e.set_attr("key", &r.key);
                e.set_attr("exit-reason", &r.exit_reason);
                e.set_attr("exec-time", &r.exec_ms.to_string());
                e.set_attr("queue-time", &r.queue_ms.to_string());
                e.set_attr("when", &r.when_s.to_string());
                opt_set(&mut e, "fence-target", &r.fence_target);
                opt_set(&mut e, "digest", &r.digest);
                e
            }
            Message::Batch(msgs) => {
                let mut e = msg("batch");
                e.children = msgs.iter().map(Message::element).collect();
                e
            }
        }
    }

    /// Decodes a message; errors name the field.
    pub fn decode(bytes: &[u8]) -> Result<Message, ControllerError> {
        if bytes.len() > limits::MAX_MESSAGE_BYTES {
            return Err(ControllerError::Message(format!(
                "{} bytes exceeds the message limit",
                bytes.len()
            )));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|e| ControllerError::Message(format!("not UTF-8: {e}")))?;
        // Results and actions, the bulk of the traffic, take the scanner; whatever it does not
        // read (or reads as an error) goes through the general parser, which has the last word.
        let scanned =
            cib::xml_scan::scan(text, SCAN_DEPTH).and_then(|e| Message::from_node(&e).ok());
        let m = match scanned {
            Some(m) => m,
            None => {
                let e = parse_message(text)?;
                Message::from_node(&e)?
            }
        };
        if let Message::Batch(msgs) = &m {
            if msgs.len() > limits::MAX_BATCH_MESSAGES {
                return Err(batch_error("too many messages"));
            }
            if msgs.iter().any(|m| matches!(m, Message::Batch(_))) {
                return Err(batch_error("nested batch"));
            }
        }
        Ok(m)
    }

    /// Decodes one `<tandem-msg>` element.
    fn from_node<N: MsgNode>(e: &N) -> Result<Message, ControllerError> {
        if e.name() != "tandem-msg" {
            return Err(bad(e, "root", "is not <tandem-msg>"));
        }
        if e.attr("v") != Some(WIRE_VERSION) {
            return Err(bad(e, "v", "unsupported wire version"));
        }
        let kind = req(e, "kind")?;
        Ok(match kind {
            "batch" => Message::Batch(
                e.children()
                    .iter()
                    .map(Message::from_node)
                    .collect::<Result<_, _>>()?,
            ),
            "version" => Message::Version {
                view: num(e, "view")?,
                version: match e.attr("cib") {
                    Some(v) => Some(
                        CibVersion::parse(v).ok_or_else(|| bad(e, "cib", "malformed version"))?,
                    ),
                    None => None,
                },
                hold_ms: match e.attr("hold-ms") {
                    Some(_) => num(e, "hold-ms")?,
                    None => 0,
                },
            },
            "check" => Message::Check {
                version: CibVersion::parse(req(e, "cib")?)
                    .ok_or_else(|| bad(e, "cib", "malformed version"))?,
                digest: req(e, "digest")?.to_string(),
            },
            "resync" => Message::Resync,
            "sync" => Message::Sync {
                view: num(e, "view")?,
                cib: e.body()?,
            },
            "join" => Message::Join {
                view: num(e, "view")?,
                lrm: e.body()?,
                jobs: e.attr("jobs").and_then(|j| j.trim().parse().ok()),
            },
            "quorum" => Message::Quorum(req(e, "quorate")? == "1"),
            "admin" => {
                let r = num(e, "req")?;
                let op = match req(e, "op")? {
                    "replace" => CibOp::Replace(e.body()?),
                    "create" => CibOp::Create {
                        section: e.attr("section").map(str::to_string),
                        xml: e.body()?,
                    },
                    "modify" => CibOp::Modify(e.body()?),
                    "delete" => CibOp::Delete(e.body()?),
                    "attr" => CibOp::SetAttr {
                        node: req(e, "node")?.to_string(),
                        name: req(e, "name")?.to_string(),
                        value: e.attr("value").map(str::to_string),
                    },
                    "cleanup" => CibOp::Cleanup {
                        rsc: req(e, "rsc")?.to_string(),
                        node: e.attr("node").map(str::to_string),
                    },
                    other => return Err(bad(e, "op", &format!("unknown operation {other:?}"))),
                };
                Message::Admin { req: r, op }
            }
            "exec" => Message::Exec(ExecAction {
                node: req(e, "node")?.to_string(),
                key: req(e, "key")?.to_string(),
                rsc: req(e, "rsc")?.to_string(),
                class: req(e, "class")?.to_string(),
                provider: e.attr("provider").map(str::to_string),
                kind: req(e, "type")?.to_string(),
                task: req(e, "task")?.to_string(),
                interval_ms: num(e, "interval")?,
                timeout_ms: num(e, "timeout")?,
                params: e
                    .children()
                    .iter()
                    .filter(|p| p.name() == "param")
                    .map(|p| {
                        (
                            p.attr("name").unwrap_or("").to_string(),
                            p.attr("value").unwrap_or("").to_string(),
                        )
                    })
                    .collect(),
                fence_target: e.attr("fence-target").map(str::to_string),
                digest: e.attr("digest").map(str::to_string),
            }),
            "result" => Message::Result(OpRecord {
                node: req(e, "node")?.to_string(),
                rsc: req(e, "rsc")?.to_string(),
                class: req(e, "class")?.to_string(),
                provider: e.attr("provider").map(str::to_string),
                kind: req(e, "type")?.to_string(),
                task: req(e, "task")?.to_string(),
                interval_ms: num(e, "interval")?,
                rc: num::<i32, _>(e, "rc")?,
                op_status: num::<i32, _>(e, "op-status")?,
                call_id: num(e, "call-id")?,
                key: req(e, "key")?.to_string(),
                exit_reason: e.attr("exit-reason").unwrap_or("").to_string(),
                exec_ms: num(e, "exec-time")?,
                queue_ms: num(e, "queue-time")?,
                when_s: num(e, "when")?,
                fence_target: e.attr("fence-target").map(str::to_string),
                digest: e.attr("digest").map(str::to_string),
            }),
            other => return Err(bad(e, "kind", &format!("unknown message kind {other:?}"))),
        })
    }
}

/// Parses a message of any shape: `cib::xml::parse` (its scanner reads what our own writer
/// wrote, such as whole CIBs in sync messages, in one pass; anything else goes to the
/// general parser), within the message size limit.
fn parse_message(text: &str) -> Result<Element, ControllerError> {
    if text.len() > limits::MAX_MESSAGE_BYTES {
        return Err(ControllerError::Message("message too large".into()));
    }
    cib::xml::parse(text).map_err(|e| ControllerError::Message(e.to_string()))
}

/// What decoding reads of an element: the general parser's [`Element`] or the scanner's.
trait MsgNode: Sized {
    fn name(&self) -> &str;
    fn attr(&self, key: &str) -> Option<&str>;
    fn children(&self) -> &[Self];
    /// The first child as an owned element (the body of a sync, join or admin message).
    fn body(&self) -> Result<Element, ControllerError>;
}

impl MsgNode for Element {
    fn name(&self) -> &str {
        &self.name
    }
    fn attr(&self, key: &str) -> Option<&str> {
        Element::attr(self, key)
    }
    fn children(&self) -> &[Element] {
        &self.children
    }
    fn body(&self) -> Result<Element, ControllerError> {
        let mut c = self
            .children
            .first()
            .cloned()
            .ok_or_else(|| bad(self, "body", "missing element"))?;
        clear_lines(&mut c);
        Ok(c)
    }
}

impl MsgNode for cib::xml_scan::ScanElement<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn attr(&self, key: &str) -> Option<&str> {
        cib::xml_scan::ScanElement::attr(self, key)
    }
    fn children(&self) -> &[Self] {
        &self.children
    }
    /// Bodies are left to the general parser.
    fn body(&self) -> Result<Element, ControllerError> {
        Err(bad(self, "body", "not scanned"))
    }
}

fn batch_error(what: &str) -> ControllerError {
    ControllerError::Message(format!("<tandem-msg kind=\"batch\"> batch: {what}"))
}

fn bad<N: MsgNode>(e: &N, field: &str, what: &str) -> ControllerError {
    ControllerError::Message(format!(
        "<tandem-msg kind={:?}> {field}: {what}",
        e.attr("kind").unwrap_or("")
    ))
}

fn req<'a, N: MsgNode>(e: &'a N, k: &str) -> Result<&'a str, ControllerError> {
    e.attr(k).ok_or_else(|| bad(e, k, "missing"))
}

fn num<T: std::str::FromStr, N: MsgNode>(e: &N, k: &str) -> Result<T, ControllerError> {
    req(e, k)?
        .parse::<T>()
        .map_err(|_| bad(e, k, "not a number"))
}

/// Line numbers of a message body mean nothing to the receiver: zero them so every
/// replica holds the same tree.
fn clear_lines(e: &mut Element) {
    e.line = 0;
    for c in &mut e.children {
        clear_lines(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        let mut cib = Element::new("cib");
        cib.set_attr("epoch", "3");
        let msgs = vec![
            Message::Version {
                view: 7,
                version: CibVersion::parse("0.3.9"),
                hold_ms: 0,
            },
            Message::Version {
                view: 7,
                version: None,
                hold_ms: 450,
            },
            Message::Check {
                version: CibVersion::parse("0.3.9").expect("version"),
                digest: "0123456789abcdef0123456789abcdef".into(),
            },
            Message::Resync,
            Message::Sync {
                view: 7,
                cib: cib.clone(),
            },
            Message::Join {
                view: 7,
                lrm: Element::new("lrm"),
                jobs: Some(4),
            },
            Message::Quorum(true),
            Message::Admin {
                req: 4,
                op: CibOp::SetAttr {
                    node: "n1".into(),
                    name: "pingd".into(),
                    value: Some("a&b<\"c\">".into()),
                },
            },
            Message::Admin {
                req: 5,
                op: CibOp::Cleanup {
                    rsc: "d1".into(),
                    node: None,
                },
            },
            Message::Exec(ExecAction {
                node: "n2".into(),
                key: "3:1:0:uuid".into(),
                rsc: "d1".into(),
                class: "ocf".into(),
                provider: Some("heartbeat".into()),
                kind: "Dummy".into(),
                task: "start".into(),
                interval_ms: 0,
                timeout_ms: 20000,
                params: vec![("state".into(), "/run/x".into())],
                fence_target: None,
                digest: Some("8f88a7987f527ad2e809a60ac480034b".into()),
            }),
            Message::Result(OpRecord {
                node: "n2".into(),
                rsc: "d1".into(),
                class: "ocf".into(),
                provider: Some("heartbeat".into()),
                kind: "Dummy".into(),
                task: "monitor".into(),
                interval_ms: 10000,
                rc: 7,
                op_status: 0,
                call_id: 12,
                key: "4:1:0:uuid".into(),
                exit_reason: "gone".into(),
                exec_ms: 3,
                queue_ms: 0,
                when_s: 1_700_000_000,
                fence_target: None,
                digest: None,
            }),
        ];
        for m in &msgs {
            let back = Message::decode(&m.encode()).expect("decodes");
            assert_eq!(&back, m);
        }
        let batch = Message::Batch(msgs.into_iter().filter(Message::batchable).collect());
        let back = Message::decode(&batch.encode()).expect("decodes");
        assert_eq!(back, batch);
        let Message::Batch(inner) = &back else {
            panic!("not a batch: {back:?}");
        };
        assert_eq!(inner.len(), 4, "two admin updates, an action and a result");
    }

    /// The decoding the scanner stands in for: the general parser alone.
    fn decode_general(bytes: &[u8]) -> Result<Message, ControllerError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| ControllerError::Message(format!("not UTF-8: {e}")))?;
        Message::from_node(
            &cib::xml::parse_general(text).map_err(|e| ControllerError::Message(e.to_string()))?,
        )
    }

    fn odd_batch() -> Message {
        let exec = Message::Exec(ExecAction {
            node: "n2".into(),
            key: "3:1:0:uuid".into(),
            rsc: "d&1".into(),
            class: "ocf".into(),
            provider: None,
            kind: "Dummy".into(),
            task: "start".into(),
            interval_ms: 0,
            timeout_ms: 20000,
            params: vec![
                ("state".into(), "/run/x y".into()),
                ("odd".into(), "a&b<c>\"d\"\ne'f".into()),
                ("empty".into(), String::new()),
            ],
            fence_target: Some("n3".into()),
            digest: None,
        });
        let result = Message::Result(OpRecord {
            node: "n2".into(),
            rsc: "d&1".into(),
            class: "ocf".into(),
            provider: Some("heartbeat".into()),
            kind: "Dummy".into(),
            task: "monitor".into(),
            interval_ms: 10000,
            rc: -7,
            op_status: 0,
            call_id: 12,
            key: "4:1:0:uuid".into(),
            exit_reason: "gone: <x> & \"y\"\n'z'".into(),
            exec_ms: 3,
            queue_ms: 0,
            when_s: -1,
            fence_target: None,
            digest: Some("8f88".into()),
        });
        Message::Batch(vec![exec, result, Message::Quorum(false)])
    }

    #[test]
    fn the_scanner_reads_actions_and_results_as_the_general_parser_does() {
        let batch = odd_batch();
        let Message::Batch(inner) = &batch else {
            unreachable!()
        };
        let mut all = inner.clone();
        all.push(batch.clone());
        all.push(Message::Version {
            view: 7,
            version: CibVersion::parse("0.3.9"),
            hold_ms: 0,
        });
        for m in &all {
            let bytes = m.encode();
            let text = std::str::from_utf8(&bytes).expect("UTF-8");
            let scanned = cib::xml_scan::scan(text, SCAN_DEPTH).expect("in the scanner's grammar");
            let fast = Message::from_node(&scanned).expect("scanned message decodes");
            assert_eq!(&fast, m);
            assert_eq!(decode_general(&bytes).expect("general"), fast);
        }
        // Values outside the scanner's grammar decode as they always did.
        let Message::Result(mut r) = inner[1].clone() else {
            unreachable!()
        };
        r.exit_reason = "caf\u{e9} \u{7f}".into();
        let m = Message::Result(r);
        let text = String::from_utf8(m.encode()).expect("UTF-8");
        assert!(cib::xml_scan::scan(&text, SCAN_DEPTH).is_none());
        assert_eq!(Message::decode(text.as_bytes()).expect("decodes"), m);
    }

    #[test]
    fn mangled_messages_decode_as_the_general_parser_decodes_them() {
        let bytes = odd_batch().encode();
        let mut compared = 0;
        for i in 0..bytes.len() {
            for b in [
                b'<', b'>', b'&', b'"', b'\'', b' ', b'/', b'=', b'x', b'\t', b'1', b';',
            ] {
                let mut mangled = bytes.clone();
                mangled[i] = b;
                let ours = Message::decode(&mangled).ok();
                let general = decode_general(&mangled).ok().filter(|m| match m {
                    Message::Batch(msgs) => !msgs.iter().any(|m| matches!(m, Message::Batch(_))),
                    _ => true,
                });
                assert_eq!(ours, general, "byte {i} set to {:?}", b as char);
                compared += 1;
            }
            let ours = Message::decode(&bytes[..i]).ok();
            assert_eq!(ours, decode_general(&bytes[..i]).ok(), "cut at {i}");
        }
        assert!(compared > 1000);
    }

    #[test]
    fn nested_or_oversized_batches_are_refused() {
        let q = Message::Quorum(true);
        let nested = Message::Batch(vec![Message::Batch(vec![q.clone()])]);
        let err = Message::decode(&nested.encode()).expect_err("nested");
        assert!(err.to_string().contains("nested batch"), "{err}");
        let big = Message::Batch(vec![q; limits::MAX_BATCH_MESSAGES + 1]);
        let err = Message::decode(&big.encode()).expect_err("too many");
        assert!(err.to_string().contains("too many messages"), "{err}");
        let err = Message::decode(
            b"<tandem-msg v=\"1\" kind=\"batch\"><tandem-msg v=\"1\" kind=\"exec\"/></tandem-msg>",
        )
        .expect_err("bad member");
        assert!(err.to_string().contains("node: missing"), "{err}");
    }

    #[test]
    fn malformed_messages_are_errors_naming_the_field() {
        let err = Message::decode(b"<tandem-msg v=\"1\" kind=\"exec\"/>").expect_err("bad");
        assert!(err.to_string().contains("node: missing"), "{err}");
        let err = Message::decode(b"<tandem-msg v=\"9\" kind=\"exec\"/>").expect_err("bad");
        assert!(err.to_string().contains("wire version"), "{err}");
        assert!(Message::decode(b"\xff\xfe").is_err());
        assert!(Message::decode(b"<tandem-msg v=\"1\" kind=\"quorum\"").is_err());
    }
}
