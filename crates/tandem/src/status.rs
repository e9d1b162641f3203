//! `tandem status` / `crm_mon`: the cluster's state in crm_mon's layout, once or live.

use crate::flag_walker::FlagWalker;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use cib::xml::Element;
use resource_manager::admin::StatusReply;

use crate::cibadmin::cluster_api;

pub(crate) mod fencing;

const USAGE: &str =
    "Usage: tandem status [-1 | -w | --watch] [--interval SECONDS] [--output-as text|xml]

Show the cluster's state as Pacemaker's crm_mon does: the cluster summary (stack, DC,
quorum, counts), the node list, every resource and where it runs, and failed actions.

Options:
  -1, --one-shot       print once and exit (the default)
  -w, --watch          refresh the display until interrupted
  -i, --interval SEC   refresh period with --watch (default 2)
  --output-as FORMAT   text (default) or xml
  -m, --fence-history[=LEVEL]
                       fencing history: 0 none, 1 failures and fencing in progress
                       (the default), 2 (-m alone) also the latest success per node,
                       3 everything
  -r, --inactive       accepted for compatibility (inactive resources are always shown)
  -h, --help           this text
";

#[derive(Debug, PartialEq)]
struct Args {
    watch: bool,
    interval: Duration,
    xml: bool,
    fence_history: u8,
}

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut a = Args {
        watch: false,
        interval: Duration::from_secs(2),
        xml: false,
        fence_history: 1,
    };
    let mut walker = FlagWalker::new(args);
    while let Some(flag) = walker.next_flag() {
        let mut value = |flag_name: &str| walker.value(flag_name);
        match flag.as_str() {
            "-1" | "--one-shot" => a.watch = false,
            "-w" | "--watch" => a.watch = true,
            "-i" | "--interval" => {
                let v = value(&flag)?;
                let secs: f64 = v
                    .trim_end_matches('s')
                    .parse()
                    .map_err(|_| format!("{flag}: '{v}' is not a number of seconds"))?;
                if !(0.1..=3600.0).contains(&secs) {
                    return Err(format!("{flag}: {secs} is outside 0.1..3600 seconds"));
                }
                a.interval = Duration::from_secs_f64(secs);
            }
            "--output-as" | "--as-xml" | "-X" => {
                let v = if flag == "--output-as" {
                    value(&flag)?
                } else {
                    "xml".into()
                };
                a.xml = match v.as_str() {
                    "xml" => true,
                    "text" => false,
                    other => return Err(format!("--output-as: unknown format '{other}'")),
                };
            }
            "-r"
            | "--inactive"
            | "-f"
            | "--failcounts"
            | "-A"
            | "--show-node-attributes"
            | "-n"
            | "--group-by-node" => {}
            "-m" | "--fence-history" => {
                a.fence_history = match walker.optional_value() {
                    None => 2,
                    Some(v) => match v.parse::<u8>() {
                        Ok(l) if l <= 3 => l,
                        _ => return Err(format!("{flag}: level '{v}' is not 0, 1, 2 or 3")),
                    },
                };
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    Ok(Some(a))
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let (socket, a) = match cluster_api::parse_or_usage("crm_mon", USAGE, args, parse) {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    loop {
        let text = match cluster_api::call(&socket, "status", &[], "") {
            Ok(body) => {
                let reply = StatusReply::decode(&body);
                let depth = if a.xml {
                    ViewDepth::Unpacked
                } else {
                    ViewDepth::Placed
                };
                let view = StatusView::of(&reply, depth)?;
                // (A daemon without the fencing history answers an error: show none.)
                let (history, pending) = if a.fence_history > 0 {
                    (
                        cluster_api::call(&socket, "fence-history", &[], "")
                            .map(|t| resource_manager::fence_history::decode(&t))
                            .unwrap_or_default(),
                        cluster_api::call(&socket, "fence-pending", &[], "")
                            .map(|t| resource_manager::fence_pending::decode(&t))
                            .unwrap_or_default(),
                    )
                } else {
                    (Vec::new(), Vec::new())
                };
                let text = if a.xml {
                    let xml = xml_of(&reply, view.as_ref());
                    let fence = fencing::xml(&history, &pending, a.fence_history, &reply.node);
                    match xml.rfind("  <status code=") {
                        Some(at) if !fence.is_empty() => {
                            format!("{}{fence}{}", &xml[..at], &xml[at..])
                        }
                        _ => xml,
                    }
                } else {
                    text_of(&reply, view.as_ref())
                        + &fencing::text(&history, &pending, a.fence_history)
                };
                if !a.watch {
                    // The process ends right after printing: freeing the parsed CIB
                    // (~100,000 allocations at 1,000 resources) would only cost time.
                    std::mem::forget(view);
                }
                text
            }
            Err(e) if a.watch => format!("Error: {e}\n"),
            Err(e) => {
                eprintln!("crm_mon: {e:#}");
                return Ok(ExitCode::from(
                    crate::exit_code::code_of(&e).unwrap_or(crate::exit_code::NOT_CONNECTED),
                ));
            }
        };
        if a.watch {
            print!("\x1b[H\x1b[2J{text}");
            std::thread::sleep(a.interval);
        } else {
            print!("{text}");
            return Ok(ExitCode::SUCCESS);
        }
    }
}

fn format_time(secs: i64) -> String {
    crate::clock_text::clock_text(secs)
}

/// The live CIB of a status reply, parsed, and the cluster state the status shows.
pub struct StatusView {
    doc: cib::Cib,
    cluster: scheduler::Cluster,
}

/// How much of the scheduler a status display needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewDepth {
    /// The unpacked status alone (roles, failures, pending operations per node): what the
    /// XML shows. At 1,000 resources placing them all would cost as much again.
    Unpacked,
    /// Unpacked and placed (the text lists stopped clone instances where they may run).
    Placed,
}

impl StatusView {
    /// Parses the reply's CIB (`None` when the node has none yet).
    pub fn of(r: &StatusReply, depth: ViewDepth) -> anyhow::Result<Option<StatusView>> {
        if r.cib.trim().is_empty() {
            return Ok(None);
        }
        let root = cib::xml::parse(&r.cib).context("the CIB in the status reply")?;
        let doc = cib::Cib::from_element(root).context("the live CIB")?;
        let now = cluster_api::now_s();
        let cluster = match depth {
            ViewDepth::Unpacked => scheduler::unpack::unpack(&doc, now),
            ViewDepth::Placed => scheduler::schedule_with(&doc, now, false).before,
        };
        Ok(Some(StatusView { doc, cluster }))
    }
}

/// The crm_mon text for a status reply.
pub fn render_text(r: &StatusReply) -> anyhow::Result<String> {
    let view = StatusView::of(r, ViewDepth::Placed)?;
    Ok(text_of(r, view.as_ref()))
}

/// The crm_mon text for a status reply and its parsed CIB.
fn text_of(r: &StatusReply, view: Option<&StatusView>) -> String {
    let mut out = String::new();
    out.push_str("Cluster Summary:\n");
    out.push_str("  * Stack: tandem (corosync-compatible Totem + votequorum)\n");
    match &r.dc {
        Some(dc) => {
            let _ = writeln!(
                out,
                "  * Current DC: {dc} (version 2.1.5-tandem) - {}",
                if r.quorate {
                    "partition with quorum"
                } else {
                    "partition WITHOUT quorum"
                }
            );
        }
        None => out.push_str("  * Current DC: NONE\n"),
    }
    let _ = writeln!(
        out,
        "  * Last updated: {}",
        format_time(cluster_api::now_s())
    );
    let Some(view) = view else {
        let _ = writeln!(
            out,
            "  * This node ({}) has no CIB yet (phase {})",
            r.node, r.phase
        );
        return out;
    };
    let root = &view.doc.root;
    if let Some(t) = root.attr("cib-last-written") {
        let _ = writeln!(out, "  * Last change:  {t} on {}", r.node);
    }
    let c = &view.cluster;
    let (total, disabled, blocked) = scheduler::report::instance_counts(c);
    let _ = writeln!(out, "  * {} nodes configured", c.nodes.len());
    let _ = write!(out, "  * {total} resource instances configured");
    if disabled > 0 || blocked > 0 {
        let _ = write!(out, " ({disabled} DISABLED, {blocked} BLOCKED)");
    }
    out.push_str("\n\n");
    // The scheduler prints the blocks indented under crm_simulate's heading; crm_mon puts
    // them at the top level.
    for line in scheduler::report::status_text(c).lines() {
        let line = line.strip_prefix("  ").unwrap_or(line);
        if line.starts_with("* Node List:") {
            out.push_str("Node List:\n");
        } else if line.starts_with("* Full List of Resources:") {
            out.push_str("\nFull List of Resources:\n");
        } else if !line.trim().is_empty() {
            out.push_str(line);
            out.push('\n');
        }
    }
    let failed = failed_actions(root);
    if !failed.is_empty() {
        out.push_str("\nFailed Resource Actions:\n");
        for f in failed {
            let _ = writeln!(out, "  * {f}");
        }
    }
    out
}

fn rc_name(rc: &str) -> &'static str {
    match rc {
        "0" => "ok",
        "1" => "error",
        "2" => "invalid parameter",
        "3" => "unimplemented feature",
        "4" => "insufficient privileges",
        "5" => "not installed",
        "6" => "not configured",
        "7" => "not running",
        "8" => "promoted",
        "9" => "promoted (failed)",
        _ => "unknown",
    }
}

fn status_name(s: &str) -> &'static str {
    match s {
        "0" => "complete",
        "1" => "Cancelled",
        "2" => "Timed Out",
        "3" => "NOT SUPPORTED",
        "4" => "Error",
        "7" => "Not installed",
        _ => "pending",
    }
}

/// One line per recorded failure (`*_last_failure_0` history entries).
fn failed_actions(root: &Element) -> Vec<String> {
    let mut out = Vec::new();
    let Some(status) = root.child("status") else {
        return out;
    };
    for ns in status.children_named("node_state") {
        let node = ns.attr("uname").unwrap_or("?");
        let Some(lrm) = ns.child("lrm") else { continue };
        let Some(rscs) = lrm.child("lrm_resources") else {
            continue;
        };
        for rsc in rscs.children_named("lrm_resource") {
            for op in rsc.children_named("lrm_rsc_op") {
                if !op.id().ends_with("_last_failure_0") {
                    continue;
                }
                let rc = op.attr("rc-code").unwrap_or("?");
                let interval = op.attr("interval").unwrap_or("0");
                let task = op.attr("operation").unwrap_or("?");
                let when = op
                    .attr("last-rc-change")
                    .and_then(|t| t.parse::<i64>().ok())
                    .map(format_time)
                    .unwrap_or_default();
                out.push(format!(
                    "{}_{task}_{interval} on {node} '{}' ({rc}): call={}, status='{}', exitreason='{}', last-rc-change='{when}', queued={}ms, exec={}ms",
                    rsc.id(),
                    rc_name(rc),
                    op.attr("call-id").unwrap_or("?"),
                    status_name(op.attr("op-status").unwrap_or("0")),
                    op.attr("exit-reason").unwrap_or(""),
                    op.attr("queue-time").unwrap_or("0"),
                    op.attr("exec-time").unwrap_or("0"),
                ));
            }
        }
    }
    out
}

/// Operations that take a resource away from a node: while one is pending there (and its
/// history shows nothing else active), crm_mon still lists the resource on that node
/// ("Stopping n1", "Migrating n1"), though the scheduler plans as if it were stopped.
const LEAVING: [&str; 3] = ["stop", "migrate_to", "migrate_from"];

/// The role crm_mon's XML gives a resource with an operation in progress (`Starting`,
/// `Stopping`, `Migrating`, `Promoting`, `Demoting`), and its `pending` attribute
/// (`Monitoring` for a recurring monitor being set up): `(None, None)` when nothing is
/// pending or the resource failed.
fn pending_state(x: &scheduler::cluster::Rsc) -> (Option<&'static str>, Option<&'static str>) {
    let failed = x
        .running
        .keys()
        .any(|n| x.failed_on.contains(n) || x.demote_failed_on.contains(n));
    if x.running.is_empty() {
        // Only a pending stop or migration left: crm_mon says so, inactive.
        return match x.pending.values().find(|t| LEAVING.contains(&t.as_str())) {
            Some(t) if t == "stop" => (Some("Stopping"), None),
            Some(_) => (Some("Migrating"), None),
            None => (None, None),
        };
    }
    let Some(task) = x.running.keys().find_map(|n| x.pending.get(n)) else {
        return (None, None);
    };
    if failed {
        return (None, None);
    }
    match task.as_str() {
        "start" if x.role() == scheduler::Role::Started => (Some("Starting"), None),
        "stop" => (Some("Stopping"), None),
        "migrate_to" | "migrate_from" => (Some("Migrating"), None),
        "promote" => (Some("Promoting"), None),
        "demote" => (Some("Demoting"), None),
        "monitor" => (None, Some("Monitoring")),
        _ => (None, None),
    }
}

/// `s` with the characters XML attribute values escape (`&`, `<`, `>`, `"`) escaped.
fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"']) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(escape_all(s))
}

fn escape_all(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// crm_mon's `--output-as xml` for a status reply (summary, nodes, resources, failures).
#[cfg(test)]
fn render_xml(r: &StatusReply) -> anyhow::Result<String> {
    let view = StatusView::of(r, ViewDepth::Unpacked)?;
    Ok(xml_of(r, view.as_ref()))
}

/// crm_mon's XML for a status reply and its parsed CIB.
fn xml_of(r: &StatusReply, view: Option<&StatusView>) -> String {
    let mut out = String::from("<?xml version=\"1.0\"?>\n<pacemaker-result api-version=\"2.25\" request=\"crm_mon --output-as xml\">\n  <summary>\n    <stack type=\"corosync\"/>\n");
    let _ = writeln!(
        out,
        "    <current_dc present=\"{}\" name=\"{}\" with_quorum=\"{}\"/>",
        r.dc.is_some(),
        esc(r.dc.as_deref().unwrap_or("")),
        r.quorate
    );
    let Some(view) = view else {
        out.push_str("  </summary>\n  <status code=\"0\" message=\"OK\"/>\n</pacemaker-result>\n");
        return out;
    };
    let c = &view.cluster;
    let (total, disabled, blocked) = scheduler::report::instance_counts(c);
    let _ = writeln!(out, "    <nodes_configured number=\"{}\"/>", c.nodes.len());
    let _ = writeln!(
        out,
        "    <resources_configured number=\"{total}\" disabled=\"{disabled}\" blocked=\"{blocked}\"/>\n  </summary>\n  <nodes>"
    );
    for (i, n) in c.nodes.iter().enumerate() {
        let count = c
            .rscs
            .iter()
            .filter(|x| {
                x.variant == scheduler::cluster::Variant::Primitive && x.running.contains_key(&i)
            })
            .count();
        let _ = writeln!(
            out,
            "    <node name=\"{}\" id=\"{}\" online=\"{}\" standby=\"{}\" maintenance=\"{}\" pending=\"{}\" unclean=\"{}\" shutdown=\"{}\" is_dc=\"{}\" resources_running=\"{count}\" type=\"member\"/>",
            esc(&n.name), esc(&n.id), n.online, n.standby, n.maintenance, n.pending, n.unclean, n.shutdown,
            r.dc.as_deref() == Some(n.name.as_str())
        );
    }
    out.push_str("  </nodes>\n  <resources>\n");
    for x in &c.rscs {
        if x.variant != scheduler::cluster::Variant::Primitive {
            continue;
        }
        let agent = x.agent.as_ref().map(|a| a.spec()).unwrap_or_default();
        let (pending_role, pending) = pending_state(x);
        let _ = write!(
            out,
            "    <resource id=\"{}\" resource_agent=\"{}\" role=\"{}\" active=\"{}\" failed=\"{}\" nodes_running_on=\"{}\"",
            esc(&x.id),
            esc(&agent),
            pending_role.unwrap_or(x.role().name()),
            !x.running.is_empty(),
            !x.failed_on.is_empty(),
            x.running.len()
        );
        if let Some(p) = pending {
            let _ = write!(out, " pending=\"{p}\"");
        }
        if x.running.is_empty() {
            out.push_str("/>\n");
        } else {
            out.push_str(">\n");
            for &n in x.running.keys() {
                let _ = writeln!(
                    out,
                    "      <node name=\"{}\" id=\"{}\" cached=\"true\"/>",
                    esc(&c.nodes[n].name),
                    esc(&c.nodes[n].id)
                );
            }
            out.push_str("    </resource>\n");
        }
    }
    out.push_str("  </resources>\n");
    let failed = failed_actions(&view.doc.root);
    if !failed.is_empty() {
        out.push_str("  <failures>\n");
        for f in failed {
            let _ = writeln!(out, "    <failure text=\"{}\"/>", esc(&f));
        }
        out.push_str("  </failures>\n");
    }
    out.push_str("  <status code=\"0\" message=\"OK\"/>\n</pacemaker-result>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_args::s;

    #[test]
    fn flags_parse() {
        let a = parse(&s(&["-w", "--interval=0.5", "--output-as", "xml"]))
            .expect("ok")
            .expect("some");
        assert!(a.watch && a.xml);
        assert_eq!(a.interval, Duration::from_millis(500));
        assert!(parse(&s(&["--output-as", "json"])).is_err());
        assert_eq!(parse(&s(&[])).expect("ok").expect("some").fence_history, 1);
        assert_eq!(
            parse(&s(&["-m"])).expect("ok").expect("some").fence_history,
            2
        );
        let a = parse(&s(&["--fence-history=3", "-1"]))
            .expect("ok")
            .expect("some");
        assert_eq!(a.fence_history, 3);
        assert!(parse(&s(&["--fence-history=7"])).is_err());
        assert!(parse(&s(&["-i", "0"])).is_err());
    }

    #[test]
    fn text_layout_from_a_cib() {
        let cib = r#"<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.9" have-quorum="1" dc-uuid="1">
  <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
  <resources><primitive id="d1" class="ocf" provider="heartbeat" type="Dummy"/></resources><constraints/></configuration>
  <status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
   <lrm id="1"><lrm_resources><lrm_resource id="d1" class="ocf" provider="heartbeat" type="Dummy">
    <lrm_rsc_op id="d1_last_0" operation_key="d1_start_0" operation="start" transition-key="1:1:0:x" call-id="3" rc-code="0" op-status="0" interval="0"/>
    <lrm_rsc_op id="d1_last_failure_0" operation_key="d1_monitor_10000" operation="monitor" transition-key="2:1:0:x" call-id="4" rc-code="7" op-status="0" interval="10000" last-rc-change="0"/>
   </lrm_resource></lrm_resources></lrm></node_state>
   <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#;
        let r = StatusReply {
            node: "n1".into(),
            dc: Some("n1".into()),
            quorate: true,
            members: vec!["n1".into(), "n2".into()],
            phase: "Idle".into(),
            cib: cib.into(),
        };
        let text = render_text(&r).expect("renders");
        assert!(text.contains("Current DC: n1"), "{text}");
        assert!(text.contains("Node List:\n  * Online: [ n1 n2 ]"), "{text}");
        assert!(
            text.contains("d1\t(ocf:heartbeat:Dummy):\t Started n1") || text.contains("d1"),
            "{text}"
        );
        assert!(
            text.contains("Failed Resource Actions:\n  * d1_monitor_10000 on n1 'not running' (7)"),
            "{text}"
        );
        let xml = render_xml(&r).expect("renders");
        assert!(cib::xml::parse(&xml).is_ok(), "{xml}");
        assert!(
            xml.contains("resource_agent=\"ocf:heartbeat:Dummy\""),
            "{xml}"
        );
    }

    /// A recorded pending operation (`op-status=-1`, as the controller writes when it
    /// dispatches one) reads as crm_mon 2.1.5 shows it (`CIB_file=... crm_mon -1`, text
    /// and `--output-as xml`).
    #[test]
    fn pending_operations_show_as_crm_mon_shows_them() {
        let op = |rsc: &str, task: &str, interval: &str, pending: bool| {
            let (magic, call, rc, status) = if pending {
                ("-1:193", "-1", "193", "-1")
            } else {
                ("0:0", "3", "0", "0")
            };
            let id = if interval == "0" {
                format!("{rsc}_last_0")
            } else {
                format!("{rsc}_{task}_{interval}")
            };
            format!(
                "<lrm_rsc_op id=\"{id}\" operation_key=\"{rsc}_{task}_{interval}\" operation=\"{task}\" \
                 transition-key=\"1:1:0:x\" transition-magic=\"{magic};1:1:0:x\" call-id=\"{call}\" \
                 rc-code=\"{rc}\" op-status=\"{status}\" interval=\"{interval}\" on_node=\"n1\"/>"
            )
        };
        let lrm = |rsc: &str, kind: &str, ops: String| {
            let (provider, kind) = kind.split_once(':').expect("provider:type");
            format!(
                "<lrm_resource id=\"{rsc}\" class=\"ocf\" provider=\"{provider}\" type=\"{kind}\">{ops}</lrm_resource>"
            )
        };
        let cib = format!(
            r#"<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.9" have-quorum="1" dc-uuid="1">
  <configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
  <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
  <resources>
   <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy"/>
   <primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/>
   <primitive id="d3" class="ocf" provider="heartbeat" type="Dummy"/>
   <clone id="sc"><meta_attributes id="scm"><nvpair id="scp" name="promotable" value="true"/></meta_attributes>
    <primitive id="st" class="ocf" provider="pacemaker" type="Stateful"/></clone>
   <primitive id="d4" class="ocf" provider="heartbeat" type="Dummy"/>
  </resources><constraints/></configuration>
  <status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
   <lrm id="1"><lrm_resources>{}{}{}{}{}</lrm_resources></lrm></node_state>
   <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>"#,
            lrm("d1", "heartbeat:Dummy", op("d1", "start", "0", true)),
            lrm("d2", "heartbeat:Dummy", op("d2", "stop", "0", true)),
            lrm("d3", "heartbeat:Dummy", op("d3", "migrate_to", "0", true)),
            lrm("st", "pacemaker:Stateful", op("st", "promote", "0", true)),
            lrm(
                "d4",
                "heartbeat:Dummy",
                op("d4", "start", "0", false) + &op("d4", "monitor", "10000", true)
            ),
        );
        let r = StatusReply {
            node: "n1".into(),
            dc: Some("n1".into()),
            quorate: true,
            members: vec!["n1".into(), "n2".into()],
            phase: "Running".into(),
            cib,
        };
        let text = render_text(&r).expect("renders");
        for line in [
            "* d1\t(ocf:heartbeat:Dummy):\t Starting n1",
            "* d2\t(ocf:heartbeat:Dummy):\t Stopping n1",
            "* d3\t(ocf:heartbeat:Dummy):\t Migrating n1",
            "* st\t(ocf:pacemaker:Stateful):\t Promoting n1",
            "* d4\t(ocf:heartbeat:Dummy):\t Started n1 (Monitoring)",
        ] {
            assert!(text.contains(line), "{line:?} missing in\n{text}");
        }
        let xml = render_xml(&r).expect("renders");
        for want in [
            "<resource id=\"d1\" resource_agent=\"ocf:heartbeat:Dummy\" role=\"Starting\" active=\"true\"",
            "<resource id=\"d2\" resource_agent=\"ocf:heartbeat:Dummy\" role=\"Stopping\" active=\"false\"",
            "<resource id=\"d3\" resource_agent=\"ocf:heartbeat:Dummy\" role=\"Migrating\" active=\"false\"",
            "resource_agent=\"ocf:pacemaker:Stateful\" role=\"Promoting\"",
            "nodes_running_on=\"1\" pending=\"Monitoring\"",
        ] {
            assert!(xml.contains(want), "{want:?} missing in\n{xml}");
        }
        assert!(cib::xml::parse(&xml).is_ok(), "{xml}");
    }
}

#[cfg(test)]
mod view_tests {
    use super::*;

    /// The XML status shows the scheduler's unpacked cluster, not a placed one: for every
    /// scheduler case (Pacemaker's regression inputs, ../shared/scheduler-cases) both give
    /// the same crm_mon XML.
    #[test]
    fn unpacked_view_shows_what_a_full_schedule_shows() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/scheduler-cases/xml");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: no scheduler cases at {}", dir.display());
            return;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut compared = 0;
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(doc) = cib::Cib::parse(&text) else {
                continue;
            };
            let now = doc.execution_date.unwrap_or(1_700_000_000);
            let r = StatusReply {
                node: "n1".into(),
                dc: Some("n1".into()),
                quorate: true,
                members: Vec::new(),
                phase: "Running".into(),
                cib: String::new(),
            };
            let unpacked = StatusView {
                cluster: scheduler::unpack::unpack(&doc, now),
                doc: doc.clone(),
            };
            let scheduled = StatusView {
                cluster: scheduler::schedule_with(&doc, now, false).before,
                doc,
            };
            assert_eq!(
                xml_of(&r, Some(&unpacked)),
                xml_of(&r, Some(&scheduled)),
                "{}",
                path.display()
            );
            compared += 1;
        }
        assert!(compared > 100, "only {compared} cases compared");
    }
}
