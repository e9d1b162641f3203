//! A seeded generator of random but valid Pacemaker CIBs (configuration and
//! status with operation history) for the differential tests.

use super::md5::op_digest;
use super::rng::Rng;
use std::fmt::Write;

/// Pacemaker 2.1.5's CRM feature set.
const FEATURE_SET: &str = "3.16.1";
/// The transition-key UUID of every recorded operation.
const UUID: &str = "5c2b3c6e-0000-4000-8000-0000000000d1";
/// Timestamp of the first recorded operation.
const BASE_TIME: u64 = 1_700_000_000;

/// Which features a generated CIB may use.
#[derive(Clone, Copy, Debug, Default)]
pub struct Features {
    /// Offline (clean) and standby nodes.
    pub node_states: bool,
    /// Unclean (lost) nodes; fencing only when `fencing` is also set.
    pub unclean: bool,
    /// Groups of 2–4 primitives.
    pub groups: bool,
    /// Anonymous clones.
    pub clones: bool,
    /// Promotable clones of ocf:pacemaker:Stateful.
    pub promotable: bool,
    /// Location constraints (finite and ±INFINITY scores).
    pub locations: bool,
    /// Colocation constraints.
    pub colocations: bool,
    /// Order constraints.
    pub orders: bool,
    /// Failed monitors/starts with fail counts and migration-threshold.
    pub failures: bool,
    /// stonith-enabled=true with a stonith primitive.
    pub fencing: bool,
    /// Clusters without quorum, with a random no-quorum-policy.
    pub quorum: bool,
    /// IPaddr2 primitives with instance attributes (digests over parameters).
    pub ipaddr: bool,
}

/// The node states a generated node can be in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NodeState {
    Online,
    Offline,
    Unclean,
    Never,
}

/// A configured primitive.
struct Prim {
    id: String,
    agent: Agent,
    params: Vec<(&'static str, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Agent {
    Dummy,
    IPaddr2,
    Stateful,
    Stonith,
}

impl Agent {
    fn attrs(self) -> &'static str {
        match self {
            Agent::Dummy => r#"class="ocf" provider="pacemaker" type="Dummy""#,
            Agent::IPaddr2 => r#"class="ocf" provider="heartbeat" type="IPaddr2""#,
            Agent::Stateful => r#"class="ocf" provider="pacemaker" type="Stateful""#,
            Agent::Stonith => r#"class="stonith" type="fence_dummy""#,
        }
    }
}

/// A top-level resource.
enum Unit {
    Primitive(Prim),
    Group(String, Vec<Prim>),
    Clone(String, Prim),
    Promotable(String, Prim),
}

impl Unit {
    fn id(&self) -> &str {
        match self {
            Unit::Primitive(p) => &p.id,
            Unit::Group(id, _) | Unit::Clone(id, _) | Unit::Promotable(id, _) => id,
        }
    }
}

/// History writer for one node's lrm section.
struct History {
    node: String,
    call: u32,
    xml: String,
}

impl History {
    #[allow(clippy::too_many_arguments)]
    fn op(
        &mut self,
        prim: &Prim,
        id: &str,
        task: &str,
        interval_ms: u32,
        rc: u8,
        target_rc: u8,
    ) -> String {
        self.call += 1;
        let key = format!("{}:1:{}:{}", self.call, target_rc, UUID);
        let mut params = prim.params.clone();
        if interval_ms > 0 {
            params.push(("CRM_meta_timeout", "20000".to_string()));
        }
        let digest = op_digest(&params);
        format!(
            r#"<lrm_rsc_op id="{id}" operation_key="{pid}_{task}_{interval_ms}" operation="{task}" crm-debug-origin="do_update_resource" crm_feature_set="{FEATURE_SET}" transition-key="{key}" transition-magic="0:{rc};{key}" exit-reason="" on_node="{node}" call-id="{call}" rc-code="{rc}" op-status="0" interval="{interval_ms}" last-rc-change="{t}" exec-time="10" queue-time="0" op-digest="{digest}"/>"#,
            pid = prim.id,
            node = self.node,
            call = self.call,
            t = BASE_TIME + self.call as u64,
        )
    }

    fn resource(&mut self, prim: &Prim, ops: &[String]) {
        let _ = writeln!(
            self.xml,
            r#"<lrm_resource id="{}" {}>{}</lrm_resource>"#,
            prim.id,
            prim.agent.attrs(),
            ops.concat()
        );
    }
}

/// What the history of one primitive on one node says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Past {
    Started,
    Promoted,
    Stopped,
    Probed,
    MonitorFailed,
    StartFailed,
}

/// Writes the history of `prim` on `h`'s node; returns fail-count attributes.
fn record(h: &mut History, prim: &Prim, past: Past, fails: u32) -> Vec<(String, String)> {
    let monitor = |h: &mut History, promoted: bool, rc: u8, target: u8| {
        let ms = if prim.agent == Agent::Stateful && !promoted {
            11000
        } else {
            10000
        };
        h.op(
            prim,
            &format!("{}_monitor_{ms}", prim.id),
            "monitor",
            ms,
            rc,
            target,
        )
    };
    let mut attrs = Vec::new();
    let ops = match past {
        Past::Started | Past::Promoted => {
            let promoted = past == Past::Promoted;
            let task = if promoted { "promote" } else { "start" };
            let last = h.op(prim, &format!("{}_last_0", prim.id), task, 0, 0, 0);
            if prim.agent == Agent::Stonith {
                vec![last]
            } else {
                let rc = if promoted { 8 } else { 0 };
                vec![last, monitor(h, promoted, rc, rc)]
            }
        }
        Past::Stopped => vec![h.op(prim, &format!("{}_last_0", prim.id), "stop", 0, 0, 0)],
        Past::Probed => vec![h.op(prim, &format!("{}_last_0", prim.id), "monitor", 0, 7, 7)],
        Past::MonitorFailed => {
            let last = h.op(prim, &format!("{}_last_0", prim.id), "start", 0, 0, 0);
            let mon = monitor(h, false, 7, 0);
            let fail = mon.replace(
                &format!("{}_monitor_10000\"", prim.id),
                &format!("{}_last_failure_0\"", prim.id),
            );
            attrs.push((
                format!("fail-count-{}#monitor_10000", prim.id),
                fails.to_string(),
            ));
            attrs.push((
                format!("last-failure-{}#monitor_10000", prim.id),
                (BASE_TIME + h.call as u64).to_string(),
            ));
            vec![last, mon, fail]
        }
        Past::StartFailed => {
            let last = h.op(prim, &format!("{}_last_0", prim.id), "start", 0, 1, 0);
            let fail = last.replace(
                &format!("{}_last_0\"", prim.id),
                &format!("{}_last_failure_0\"", prim.id),
            );
            attrs.push((
                format!("fail-count-{}#start_0", prim.id),
                "INFINITY".to_string(),
            ));
            attrs.push((
                format!("last-failure-{}#start_0", prim.id),
                (BASE_TIME + h.call as u64).to_string(),
            ));
            vec![last, fail]
        }
    };
    h.resource(prim, &ops);
    attrs
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

fn op_xml(prim: &Prim) -> String {
    let mon = |ms: u32, role: &str| {
        format!(
            r#"<op id="{id}-monitor-interval-{s}s" name="monitor" interval="{s}s" timeout="20s"{role}/>"#,
            id = prim.id,
            s = ms / 1000,
        )
    };
    match prim.agent {
        Agent::Stateful => format!(
            "<operations>{}{}</operations>",
            mon(10000, r#" role="Promoted""#),
            mon(11000, r#" role="Unpromoted""#)
        ),
        Agent::Stonith => String::new(),
        _ => format!("<operations>{}</operations>", mon(10000, "")),
    }
}

fn prim_xml(prim: &Prim, meta: &str) -> String {
    let params = if prim.params.is_empty() {
        String::new()
    } else {
        let nv: String = prim
            .params
            .iter()
            .map(|(k, v)| {
                format!(
                    r#"<nvpair id="{id}-instance_attributes-{k}" name="{k}" value="{v}"/>"#,
                    id = prim.id,
                    v = esc(v)
                )
            })
            .collect();
        format!(
            r#"<instance_attributes id="{}-instance_attributes">{nv}</instance_attributes>"#,
            prim.id
        )
    };
    format!(
        r#"<primitive id="{}" {}>{params}{meta}{}</primitive>"#,
        prim.id,
        prim.agent.attrs(),
        op_xml(prim)
    )
}

fn meta_xml(id: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let nv: String = pairs
        .iter()
        .map(|(k, v)| format!(r#"<nvpair id="{id}-meta_attributes-{k}" name="{k}" value="{v}"/>"#))
        .collect();
    format!(r#"<meta_attributes id="{id}-meta_attributes">{nv}</meta_attributes>"#)
}

/// A random score from `choices`.
fn score(rng: &mut Rng, choices: &[&str]) -> String {
    rng.pick(choices).to_string()
}

/// Generates the CIB for `seed` under `f`.
pub fn generate(seed: u64, f: Features) -> String {
    let mut rng = Rng::new(seed);
    let n_nodes = rng.range(2, 5);
    let nodes: Vec<String> = (1..=n_nodes).map(|i| format!("node{i}")).collect();
    let mut states: Vec<NodeState> = vec![NodeState::Online; n_nodes];
    let mut standby = vec![false; n_nodes];
    // Node 1 stays online so that something can run and be the DC.
    for i in 1..n_nodes {
        if f.node_states && rng.chance(0.15) {
            states[i] = *rng.pick(&[NodeState::Offline, NodeState::Never]);
        } else if f.unclean && rng.chance(0.2) {
            states[i] = NodeState::Unclean;
        }
        if f.node_states && states[i] == NodeState::Online && rng.chance(0.15) {
            standby[i] = true;
        }
    }
    let fencing = f.fencing && rng.chance(0.7);
    let have_quorum = !(f.quorum && rng.chance(0.6));
    let nq_policy = if f.quorum {
        rng.pick(&["stop", "freeze", "ignore"]).to_string()
    } else {
        "ignore".to_string()
    };

    // Resources.
    let mut units: Vec<Unit> = Vec::new();
    let mut n_prim = 0;
    let mut next_prim = |rng: &mut Rng, allow_ip: bool| {
        n_prim += 1;
        if allow_ip && f.ipaddr && rng.chance(0.3) {
            Prim {
                id: format!("ip{n_prim}"),
                agent: Agent::IPaddr2,
                params: vec![
                    (
                        "ip",
                        format!("192.168.{}.{}", 100 + n_prim / 200, 1 + n_prim % 200),
                    ),
                    ("cidr_netmask", "24".to_string()),
                ],
            }
        } else {
            Prim {
                id: format!("rsc{n_prim}"),
                agent: Agent::Dummy,
                params: Vec::new(),
            }
        }
    };
    let n_units = rng.range(2, 8);
    for u in 0..n_units {
        let roll = rng.range(0, 99);
        let unit = if f.groups && roll < 25 {
            let k = rng.range(2, 4);
            Unit::Group(
                format!("grp{u}"),
                (0..k).map(|_| next_prim(&mut rng, true)).collect(),
            )
        } else if f.clones && (25..45).contains(&roll) {
            Unit::Clone(format!("clone{u}"), next_prim(&mut rng, false))
        } else if f.promotable && (45..60).contains(&roll) {
            let mut p = next_prim(&mut rng, false);
            p.id = format!("stateful{u}");
            p.agent = Agent::Stateful;
            Unit::Promotable(format!("ms{u}"), p)
        } else {
            Unit::Primitive(next_prim(&mut rng, true))
        };
        units.push(unit);
    }
    let fence_prim = Prim {
        id: "fencer".to_string(),
        agent: Agent::Stonith,
        params: Vec::new(),
    };

    // Configuration.
    let mut cfg = String::new();
    let _ = write!(
        cfg,
        r#"<configuration><crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="cib-bootstrap-options-have-watchdog" name="have-watchdog" value="false"/><nvpair id="cib-bootstrap-options-dc-version" name="dc-version" value="2.1.5-a3f44794f94"/><nvpair id="cib-bootstrap-options-cluster-infrastructure" name="cluster-infrastructure" value="corosync"/><nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="{fencing}"/><nvpair id="cib-bootstrap-options-no-quorum-policy" name="no-quorum-policy" value="{nq_policy}"/></cluster_property_set></crm_config>"#
    );
    cfg.push_str("<nodes>");
    for (i, n) in nodes.iter().enumerate() {
        if standby[i] {
            let _ = write!(
                cfg,
                r#"<node id="{id}" uname="{n}"><instance_attributes id="nodes-{id}"><nvpair id="nodes-{id}-standby" name="standby" value="on"/></instance_attributes></node>"#,
                id = i + 1
            );
        } else {
            let _ = write!(cfg, r#"<node id="{}" uname="{n}"/>"#, i + 1);
        }
    }
    cfg.push_str("</nodes><resources>");
    if fencing {
        cfg.push_str(&prim_xml(&fence_prim, ""));
    }
    for u in &units {
        let mut meta: Vec<(&str, String)> = Vec::new();
        if rng.chance(0.2) {
            meta.push((
                "resource-stickiness",
                score(&mut rng, &["0", "50", "200", "INFINITY"]),
            ));
        }
        if f.failures && rng.chance(0.5) {
            let t = rng.range(1, 3) as u32;
            meta.push(("migration-threshold", t.to_string()));
        }
        match u {
            Unit::Primitive(p) => cfg.push_str(&prim_xml(p, &meta_xml(&p.id, &meta))),
            Unit::Group(id, ps) => {
                let _ = write!(cfg, r#"<group id="{id}">{}"#, meta_xml(id, &meta));
                for p in ps {
                    cfg.push_str(&prim_xml(p, ""));
                }
                cfg.push_str("</group>");
            }
            Unit::Clone(id, p) => {
                if rng.chance(0.3) {
                    meta.push(("clone-max", rng.range(1, n_nodes).to_string()));
                }
                let _ = write!(
                    cfg,
                    r#"<clone id="{id}">{}{}</clone>"#,
                    meta_xml(id, &meta),
                    prim_xml(p, "")
                );
            }
            Unit::Promotable(id, p) => {
                meta.push(("promotable", "true".to_string()));
                let _ = write!(
                    cfg,
                    r#"<clone id="{id}">{}{}</clone>"#,
                    meta_xml(id, &meta),
                    prim_xml(p, "")
                );
            }
        }
    }
    cfg.push_str("</resources><constraints>");
    let ids: Vec<String> = units.iter().map(|u| u.id().to_string()).collect();
    // Constraint ids must be unique; a repeated pair is skipped.
    let mut used = std::collections::HashSet::new();
    if f.locations {
        for _ in 0..rng.range(0, units.len()) {
            let r = rng.pick(&ids).clone();
            let n = rng.pick(&nodes).clone();
            let s = score(
                &mut rng,
                &["-INFINITY", "-100", "50", "100", "200", "INFINITY"],
            );
            if !used.insert(format!("loc-{r}-{n}")) {
                continue;
            }
            let _ = write!(
                cfg,
                r#"<rsc_location id="loc-{r}-{n}" rsc="{r}" node="{n}" score="{s}"/>"#
            );
        }
    }
    if f.colocations && units.len() > 1 {
        for _ in 0..rng.range(0, units.len() / 2 + 1) {
            // Dependent after its target in unit order: no cycles.
            let d = rng.range(1, units.len() - 1);
            let t = rng.range(0, d - 1);
            if matches!(units[d], Unit::Clone(..) | Unit::Promotable(..)) {
                continue;
            }
            let s = score(
                &mut rng,
                &["INFINITY", "INFINITY", "-INFINITY", "100", "-100"],
            );
            let role = if matches!(units[t], Unit::Promotable(..)) && rng.chance(0.6) {
                r#" with-rsc-role="Promoted""#
            } else {
                ""
            };
            if !used.insert(format!("col-{}-{}", ids[d], ids[t])) {
                continue;
            }
            let _ = write!(
                cfg,
                r#"<rsc_colocation id="col-{a}-{b}" rsc="{a}" with-rsc="{b}" score="{s}"{role}/>"#,
                a = ids[d],
                b = ids[t]
            );
        }
    }
    if f.orders && units.len() > 1 {
        for _ in 0..rng.range(0, units.len() / 2 + 1) {
            let b = rng.range(1, units.len() - 1);
            let a = rng.range(0, b - 1);
            let kind = rng.pick(&["Mandatory", "Mandatory", "Optional"]);
            if !used.insert(format!("ord-{}-{}", ids[a], ids[b])) {
                continue;
            }
            let _ = write!(
                cfg,
                r#"<rsc_order id="ord-{x}-{y}" first="{x}" then="{y}" kind="{kind}" first-action="start" then-action="start"/>"#,
                x = ids[a],
                y = ids[b]
            );
        }
    }
    cfg.push_str("</constraints>");
    let stick = score(&mut rng, &["0", "1", "100"]);
    let _ = write!(
        cfg,
        r#"<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="{stick}"/></meta_attributes></rsc_defaults></configuration>"#
    );

    // Status: where things run and what happened.
    let mut hist: Vec<History> = nodes
        .iter()
        .map(|n| History {
            node: n.clone(),
            call: 0,
            xml: String::new(),
        })
        .collect();
    let mut tattrs: Vec<Vec<(String, String)>> = vec![Vec::new(); n_nodes];
    let hosts: Vec<usize> = (0..n_nodes)
        .filter(|&i| matches!(states[i], NodeState::Online | NodeState::Unclean))
        .collect();
    if fencing {
        let at = *rng.pick(&hosts);
        record(&mut hist[at], &fence_prim, Past::Started, 0);
    }
    let failure = |rng: &mut Rng| -> Option<(Past, u32)> {
        if !f.failures || !rng.chance(0.25) {
            return None;
        }
        if rng.chance(0.7) {
            Some((Past::MonitorFailed, rng.range(1, 3) as u32))
        } else {
            Some((Past::StartFailed, 0))
        }
    };
    for u in &units {
        match u {
            Unit::Primitive(_) | Unit::Group(..) => {
                let prims: Vec<&Prim> = match u {
                    Unit::Primitive(p) => vec![p],
                    Unit::Group(_, ps) => ps.iter().collect(),
                    _ => Vec::new(),
                };
                let at = *rng.pick(&hosts);
                let running = rng.chance(0.7);
                // A group runs a prefix of its members.
                let upto = if running {
                    rng.range(1, prims.len())
                } else {
                    0
                };
                for (k, p) in prims.iter().enumerate() {
                    if k < upto {
                        let (past, fails) = if k + 1 == upto {
                            failure(&mut rng).unwrap_or((Past::Started, 0))
                        } else {
                            (Past::Started, 0)
                        };
                        let a = record(&mut hist[at], p, past, fails);
                        tattrs[at].extend(a);
                    } else if rng.chance(0.3) {
                        record(&mut hist[at], p, Past::Stopped, 0);
                    }
                    for &other in &hosts {
                        if other != at && rng.chance(0.4) {
                            record(&mut hist[other], p, Past::Probed, 0);
                        }
                    }
                }
            }
            Unit::Clone(_, p) => {
                for &at in &hosts {
                    if rng.chance(0.75) {
                        let (past, fails) = failure(&mut rng).unwrap_or((Past::Started, 0));
                        let a = record(&mut hist[at], p, past, fails);
                        tattrs[at].extend(a);
                    } else if rng.chance(0.5) {
                        record(&mut hist[at], p, Past::Probed, 0);
                    }
                }
            }
            Unit::Promotable(_, p) => {
                let promoted_at = if rng.chance(0.7) {
                    Some(*rng.pick(&hosts))
                } else {
                    None
                };
                for &at in &hosts {
                    let pscore = rng.pick(&["5", "10", "100"]).to_string();
                    if Some(at) == promoted_at {
                        record(&mut hist[at], p, Past::Promoted, 0);
                        tattrs[at].push((format!("master-{}", p.id), pscore));
                    } else if rng.chance(0.7) {
                        record(&mut hist[at], p, Past::Started, 0);
                        tattrs[at].push((format!("master-{}", p.id), pscore));
                    } else if rng.chance(0.5) {
                        record(&mut hist[at], p, Past::Probed, 0);
                    }
                }
            }
        }
    }
    let mut status = String::from("<status>");
    for (i, n) in nodes.iter().enumerate() {
        let id = i + 1;
        let head = match states[i] {
            NodeState::Never => continue,
            NodeState::Online => r#"in_ccm="true" crmd="online" join="member" expected="member""#,
            NodeState::Offline => r#"in_ccm="false" crmd="offline" join="down" expected="down""#,
            NodeState::Unclean => r#"in_ccm="false" crmd="offline" join="down" expected="member""#,
        };
        let _ = write!(
            status,
            r#"<node_state id="{id}" uname="{n}" {head} crm-debug-origin="do_update_resource">"#
        );
        let nv: String = tattrs[i]
            .iter()
            .map(|(k, v)| {
                format!(
                    r#"<nvpair id="status-{id}-{}" name="{k}" value="{v}"/>"#,
                    k.replace('#', ".")
                )
            })
            .collect();
        let _ = write!(
            status,
            r#"<transient_attributes id="{id}"><instance_attributes id="status-{id}">{nv}</instance_attributes></transient_attributes>"#
        );
        let _ = write!(
            status,
            r#"<lrm id="{id}"><lrm_resources>{}</lrm_resources></lrm></node_state>"#,
            hist[i].xml
        );
    }
    status.push_str("</status>");
    format!(
        r#"<cib crm_feature_set="{FEATURE_SET}" validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0" have-quorum="{q}" dc-uuid="1">{cfg}{status}</cib>
"#,
        q = u8::from(have_quorum)
    )
}
