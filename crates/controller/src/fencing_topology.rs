//! Which fence devices fence a node, in what order: the CIB's `fencing-topology` levels
//! (tried by ascending `index`; every device of a level must succeed, in order; a failure
//! moves on to the next level), or without a level for the target, every device able to
//! fence it (`pcmk_host_list`, `pcmk_host_map`, `pcmk_host_check`), highest `priority`
//! first, each tried alone. [`FenceRun`] steps through such a plan as results arrive.
//!
//! Pure: the plan is a function of the CIB and the target's name.

use std::collections::BTreeMap;

use cib::xml::Element;
use regex_automata::meta::Regex;

use crate::options;

/// A fence device as configured (a `primitive` of class `stonith`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// Resource id.
    pub id: String,
    /// Agent type (`fence_dummy`, ...).
    pub kind: String,
    /// Instance attributes (the first set of each `instance_attributes`, rules ignored).
    pub params: BTreeMap<String, String>,
}

/// One level of a plan: the devices that must all succeed, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    /// The topology level's `index` (0 for a plan without topology).
    pub index: u32,
    /// The devices, in order.
    pub devices: Vec<Device>,
    /// Devices the level names that are not configured (the level then fails).
    pub missing: Vec<String>,
}

/// How to fence one node: levels tried in order until one passes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FencePlan {
    /// The levels, in the order they are tried.
    pub levels: Vec<Level>,
    /// True when the levels come from `fencing-topology`.
    pub from_topology: bool,
}

/// The configured fence devices of `cib`, in configuration order (devices disabled with
/// `target-role=Stopped` left out).
pub fn devices(cib: &Element) -> Vec<Device> {
    let mut out = Vec::new();
    if let Some(rs) = cib
        .child("configuration")
        .and_then(|c| c.child("resources"))
    {
        collect_devices(rs, &mut out);
    }
    out
}

fn collect_devices(e: &Element, out: &mut Vec<Device>) {
    for c in &e.children {
        if c.name == "primitive" {
            if c.attr("class") != Some("stonith") {
                continue;
            }
            let stopped = first_set(c, "meta_attributes")
                .get("target-role")
                .is_some_and(|r| r.eq_ignore_ascii_case("stopped"));
            if !stopped {
                out.push(Device {
                    id: c.id().to_string(),
                    kind: c.attr("type").unwrap_or("").to_string(),
                    params: first_set(c, "instance_attributes"),
                });
            }
        } else if matches!(c.name.as_str(), "group" | "clone" | "master" | "bundle") {
            collect_devices(c, out);
        }
    }
}

/// The nvpairs of `e`'s `set` children (the first value of each name wins).
fn first_set(e: &Element, set: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for s in e.children_named(set) {
        for nv in s.children_named("nvpair") {
            if let (Some(k), Some(v)) = (nv.attr("name"), nv.attr("value")) {
                m.entry(k.to_string()).or_insert_with(|| v.to_string());
            }
        }
    }
    m
}

/// Node names a `pcmk_host_list` or the keys of a `pcmk_host_map` name.
pub fn listed_hosts(params: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(list) = params.get("pcmk_host_list") {
        out.extend(
            list.split([' ', ',', ';', '\t', '\n'])
                .filter(|h| !h.is_empty())
                .map(str::to_string),
        );
    }
    if let Some(map) = params.get("pcmk_host_map") {
        for entry in map.split([';', ' ', '\t', '\n']).filter(|e| !e.is_empty()) {
            if let Some((node, _)) = entry.split_once([':', '=']) {
                out.push(node.to_string());
            }
        }
    }
    out
}

/// Whether a device with these parameters can fence `target`. `pcmk_host_check=static-list`
/// (the default when `pcmk_host_list` or `pcmk_host_map` is set) asks those lists;
/// `none`, and `dynamic-list` or `status` (which only the agent can answer, when it runs),
/// take the device as able to fence any node.
pub fn can_fence(params: &BTreeMap<String, String>, target: &str) -> bool {
    let listed = listed_hosts(params);
    let check = params
        .get("pcmk_host_check")
        .map(|s| s.trim().to_ascii_lowercase());
    let static_list = match check.as_deref() {
        Some("static-list") => true,
        Some(_) => false,
        None => !listed.is_empty(),
    };
    !static_list || listed.iter().any(|h| h.eq_ignore_ascii_case(target))
}

/// Node attribute `name` of node `target` (permanent ones first, then transient).
fn node_attr(cib: &Element, target: &str, name: &str) -> Option<String> {
    let nodes = cib.child("configuration").and_then(|c| c.child("nodes"));
    let node = nodes.and_then(|ns| {
        ns.children_named("node")
            .find(|n| n.attr("uname") == Some(target))
    });
    if let Some(v) = node.and_then(|n| first_set(n, "instance_attributes").remove(name)) {
        return Some(v);
    }
    let state = cib.child("status").and_then(|s| {
        s.children_named("node_state")
            .find(|n| n.attr("uname") == Some(target))
    })?;
    first_set(state.child("transient_attributes")?, "instance_attributes").remove(name)
}

/// Whether topology level `l` applies to `target`.
fn level_applies(cib: &Element, l: &Element, target: &str) -> bool {
    if let Some(t) = l.attr("target") {
        return t == target;
    }
    if let Some(p) = l.attr("target-pattern") {
        // An expression that does not compile matches nothing (crm_verify names it).
        return Regex::new(p).is_ok_and(|re| re.is_match(target));
    }
    if let Some(a) = l.attr("target-attribute") {
        let want = l.attr("target-value");
        return node_attr(cib, target, a).is_some_and(|v| want.is_none_or(|w| w == v));
    }
    false
}

/// How to fence `target` per `cib`: its topology levels when any apply to it, else every
/// device able to fence it (each alone, by descending `priority`). Empty when nothing can.
pub fn plan(cib: &Element, target: &str) -> FencePlan {
    let all = devices(cib);
    let mut levels: Vec<Level> = Vec::new();
    let topology = cib
        .child("configuration")
        .and_then(|c| c.child("fencing-topology"));
    for l in topology
        .iter()
        .flat_map(|t| t.children_named("fencing-level"))
    {
        if !level_applies(cib, l, target) {
            continue;
        }
        let Some(index) = l.attr("index").and_then(|i| i.trim().parse::<u32>().ok()) else {
            tracing::warn!(level = %l.id(), "fencing-level without a valid index; ignored");
            continue;
        };
        // One level per index (the first configured wins).
        if levels.iter().any(|x| x.index == index) {
            continue;
        }
        let mut level = Level {
            index,
            devices: Vec::new(),
            missing: Vec::new(),
        };
        for name in l
            .attr("devices")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            match all.iter().find(|d| d.id == name) {
                Some(d) => level.devices.push(d.clone()),
                None => level.missing.push(name.to_string()),
            }
        }
        levels.push(level);
    }
    if !levels.is_empty() {
        levels.sort_by_key(|l| l.index);
        return FencePlan {
            levels,
            from_topology: true,
        };
    }
    let mut able: Vec<Device> = all
        .into_iter()
        .filter(|d| can_fence(&d.params, target))
        .collect();
    let priority = |d: &Device| {
        d.params
            .get("priority")
            .and_then(|p| p.trim().parse::<i64>().ok())
            .unwrap_or(0)
    };
    able.sort_by_key(|d| std::cmp::Reverse(priority(d)));
    FencePlan {
        levels: able
            .into_iter()
            .map(|d| Level {
                index: 0,
                devices: vec![d],
                missing: Vec::new(),
            })
            .collect(),
        from_topology: false,
    }
}

/// How long one device may take for fencing action `action`, in ms: the device's
/// `pcmk_<action>_timeout`, else the `stonith-timeout` property, else 60 s.
pub fn device_timeout_ms(cib: &Element, device: &Device, action: &str) -> u64 {
    device
        .params
        .get(&format!("pcmk_{action}_timeout"))
        .and_then(|t| options::duration_ms(t))
        .or_else(|| {
            options::property(cib, "stonith-timeout").and_then(|t| options::duration_ms(&t))
        })
        .unwrap_or(crate::limits::DEFAULT_STONITH_TIMEOUT_MS)
}

/// How long to wait before running `device` (`pcmk_delay_base`, plus a spread below
/// `pcmk_delay_max`), in ms. The spread is a hash of `runner` and `target`, not random: two
/// nodes fencing each other get different delays, the same inputs the same delay.
pub fn device_delay_ms(device: &Device, runner: &str, target: &str) -> u64 {
    let param = |name: &str| {
        device
            .params
            .get(name)
            .and_then(|v| options::duration_ms(v))
            .unwrap_or(0)
    };
    let base = param("pcmk_delay_base");
    let max = param("pcmk_delay_max");
    if max <= base {
        return base;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in runner.bytes().chain([0]).chain(target.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    base + h % (max - base)
}

/// What to do next in a [`FenceRun`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Run this device (the plan's level `level`, position `device`).
    Exec {
        /// Level position in the plan.
        level: usize,
        /// The device to run.
        device: Device,
    },
    /// A level passed: the target is fenced.
    Fenced {
        /// The level's `index` (0 without topology).
        index: u32,
        /// The devices that ran in it.
        devices: Vec<String>,
    },
    /// Every level failed.
    Failed {
        /// Why, level by level.
        reason: String,
    },
}

/// One fencing operation stepping through a [`FencePlan`].
#[derive(Clone, Debug)]
pub struct FenceRun {
    plan: FencePlan,
    level: usize,
    device: usize,
    failures: Vec<String>,
}

impl FenceRun {
    /// Starts at the first level; returns the run and its first step.
    pub fn start(plan: FencePlan) -> (FenceRun, Step) {
        let mut run = FenceRun {
            plan,
            level: 0,
            device: 0,
            failures: Vec::new(),
        };
        let step = run.current();
        (run, step)
    }

    /// The plan being run.
    pub fn plan(&self) -> &FencePlan {
        &self.plan
    }

    /// The failures so far (level or device, and why), in order.
    pub fn failures(&self) -> &[String] {
        &self.failures
    }

    fn level_name(&self, l: &Level) -> String {
        if self.plan.from_topology {
            format!("level {}", l.index)
        } else {
            "device".to_string()
        }
    }

    /// The step at the current position, skipping levels that cannot pass.
    fn current(&mut self) -> Step {
        loop {
            let Some(l) = self.plan.levels.get(self.level) else {
                let reason = if self.failures.is_empty() {
                    "no fence device can fence the target".to_string()
                } else {
                    self.failures.join("; ")
                };
                return Step::Failed { reason };
            };
            if !l.missing.is_empty() {
                let why = format!(
                    "{} names unconfigured device(s) {}",
                    self.level_name(l),
                    l.missing.join(",")
                );
                self.failures.push(why);
                self.level += 1;
                self.device = 0;
                continue;
            }
            match l.devices.get(self.device) {
                Some(d) => {
                    return Step::Exec {
                        level: self.level,
                        device: d.clone(),
                    }
                }
                None if self.device == 0 => {
                    self.failures
                        .push(format!("{} has no devices", self.level_name(l)));
                    self.level += 1;
                }
                None => {
                    return Step::Fenced {
                        index: l.index,
                        devices: l.devices.iter().map(|d| d.id.clone()).collect(),
                    }
                }
            }
        }
    }

    /// Records the result of the device last returned by [`Step::Exec`] (`error` is `None`
    /// on success) and returns the next step.
    pub fn result(&mut self, error: Option<&str>) -> Step {
        match error {
            None => self.device += 1,
            Some(e) => {
                if let Some(l) = self.plan.levels.get(self.level) {
                    let dev = l
                        .devices
                        .get(self.device)
                        .map(|d| d.id.as_str())
                        .unwrap_or("?");
                    let name = self.level_name(l);
                    self.failures.push(format!("{name} {dev}: {e}"));
                }
                self.level += 1;
                self.device = 0;
            }
        }
        self.current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cib(resources: &str, topology: &str, nodes: &str) -> Element {
        cib::xml::parse(&format!(
            "<cib><configuration><crm_config/><nodes>{nodes}</nodes><resources>{resources}</resources>\
             <constraints/>{topology}</configuration><status/></cib>"
        ))
        .expect("test CIB parses")
    }

    fn dev(id: &str, params: &[(&str, &str)]) -> String {
        let mut nv = String::new();
        for (k, v) in params {
            nv.push_str(&format!(
                "<nvpair id=\"{id}-{k}\" name=\"{k}\" value=\"{v}\"/>"
            ));
        }
        format!(
            "<primitive id=\"{id}\" class=\"stonith\" type=\"fence_dummy\">\
             <instance_attributes id=\"{id}-ia\">{nv}</instance_attributes></primitive>"
        )
    }

    fn ids(l: &Level) -> Vec<&str> {
        l.devices.iter().map(|d| d.id.as_str()).collect()
    }

    #[test]
    fn host_lists_decide_which_devices_can_fence() {
        let p = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
            kv.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(can_fence(&p(&[]), "node1"));
        assert!(can_fence(&p(&[("pcmk_host_list", "node1 node2")]), "node2"));
        assert!(!can_fence(
            &p(&[("pcmk_host_list", "node1,node2")]),
            "node3"
        ));
        assert!(can_fence(
            &p(&[("pcmk_host_map", "node1:1;node3:2,3")]),
            "node3"
        ));
        assert!(!can_fence(
            &p(&[("pcmk_host_map", "node1:1;node3:2,3")]),
            "node2"
        ));
        // An explicit check type other than static-list ignores the lists.
        let none = p(&[("pcmk_host_list", "node1"), ("pcmk_host_check", "none")]);
        assert!(can_fence(&none, "node9"));
        let dynamic = p(&[("pcmk_host_check", "dynamic-list")]);
        assert!(can_fence(&dynamic, "node9"));
        // static-list with no list can fence nothing.
        assert!(!can_fence(
            &p(&[("pcmk_host_check", "static-list")]),
            "node1"
        ));
    }

    #[test]
    fn without_topology_every_able_device_is_tried_by_priority() {
        let c = cib(
            &format!(
                "{}{}{}<primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>",
                dev("f-low", &[]),
                dev("f-other", &[("pcmk_host_list", "node2")]),
                dev("f-high", &[("priority", "10")]),
            ),
            "",
            "",
        );
        let p = plan(&c, "node1");
        assert!(!p.from_topology);
        let order: Vec<Vec<&str>> = p.levels.iter().map(ids).collect();
        assert_eq!(order, vec![vec!["f-high"], vec!["f-low"]]);
        assert!(plan(&cib("", "", ""), "node1").levels.is_empty());
    }

    #[test]
    fn topology_levels_apply_by_name_pattern_and_attribute() {
        let topo = "<fencing-topology>\
            <fencing-level id=\"l2\" target=\"node1\" index=\"2\" devices=\"power\"/>\
            <fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"disk,net\"/>\
            <fencing-level id=\"p1\" target-pattern=\"^rack2-\" index=\"1\" devices=\"power\"/>\
            <fencing-level id=\"a1\" target-attribute=\"rack\" target-value=\"3\" index=\"1\" devices=\"net\"/>\
            </fencing-topology>";
        let nodes = "<node id=\"7\" uname=\"r3n1\"><instance_attributes id=\"n7\">\
            <nvpair id=\"n7-rack\" name=\"rack\" value=\"3\"/></instance_attributes></node>";
        let c = cib(
            &format!(
                "{}{}{}",
                dev("disk", &[]),
                dev("net", &[]),
                dev("power", &[])
            ),
            topo,
            nodes,
        );
        let p = plan(&c, "node1");
        assert!(p.from_topology);
        let order: Vec<(u32, Vec<&str>)> = p.levels.iter().map(|l| (l.index, ids(l))).collect();
        assert_eq!(order, vec![(1, vec!["disk", "net"]), (2, vec!["power"])]);
        assert_eq!(ids(&plan(&c, "rack2-n4").levels[0]), vec!["power"]);
        assert_eq!(ids(&plan(&c, "r3n1").levels[0]), vec!["net"]);
        // A node no level names falls back to every able device.
        assert!(!plan(&c, "node2").from_topology);
        assert_eq!(plan(&c, "node2").levels.len(), 3);
    }

    #[test]
    fn a_run_passes_the_first_level_whose_devices_all_succeed() {
        let topo = "<fencing-topology>\
            <fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"disk,net\"/>\
            <fencing-level id=\"l2\" target=\"node1\" index=\"2\" devices=\"power\"/>\
            </fencing-topology>";
        let c = cib(
            &format!(
                "{}{}{}",
                dev("disk", &[]),
                dev("net", &[]),
                dev("power", &[])
            ),
            topo,
            "",
        );
        let (mut run, step) = FenceRun::start(plan(&c, "node1"));
        let exec = |s: &Step| match s {
            Step::Exec { device, .. } => device.id.clone(),
            other => panic!("expected a device to run, got {other:?}"),
        };
        assert_eq!(exec(&step), "disk");
        assert_eq!(exec(&run.result(None)), "net");
        // net fails: the rest of level 1 is abandoned, level 2 runs.
        assert_eq!(exec(&run.result(Some("rc 1"))), "power");
        assert_eq!(
            run.result(None),
            Step::Fenced {
                index: 2,
                devices: vec!["power".into()]
            }
        );

        let (mut run, _) = FenceRun::start(plan(&c, "node1"));
        run.result(Some("timeout"));
        match run.result(Some("rc 1")) {
            Step::Failed { reason } => {
                assert!(reason.contains("level 1 disk: timeout"), "{reason}");
                assert!(reason.contains("level 2 power: rc 1"), "{reason}");
            }
            other => panic!("expected failure, got {other:?}"),
        }
    }

    #[test]
    fn levels_naming_unknown_devices_fail_and_the_next_one_runs() {
        let topo = "<fencing-topology>\
            <fencing-level id=\"l1\" target=\"node1\" index=\"1\" devices=\"ghost\"/>\
            <fencing-level id=\"l2\" target=\"node1\" index=\"2\" devices=\"power\"/>\
            </fencing-topology>";
        let c = cib(&dev("power", &[]), topo, "");
        let (mut run, step) = FenceRun::start(plan(&c, "node1"));
        assert!(matches!(&step, Step::Exec { device, level: 1 } if device.id == "power"));
        assert_eq!(
            run.result(None),
            Step::Fenced {
                index: 2,
                devices: vec!["power".into()]
            }
        );
        let (_, step) = FenceRun::start(FencePlan::default());
        assert!(matches!(step, Step::Failed { .. }));
    }

    #[test]
    fn delays_follow_base_and_max() {
        let d = |kv: &[(&str, &str)]| Device {
            id: "f".into(),
            kind: "fence_dummy".into(),
            params: kv
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        assert_eq!(device_delay_ms(&d(&[]), "node1", "node2"), 0);
        assert_eq!(
            device_delay_ms(&d(&[("pcmk_delay_base", "5s")]), "node1", "node2"),
            5000
        );
        let spread = d(&[("pcmk_delay_base", "1s"), ("pcmk_delay_max", "10s")]);
        let a = device_delay_ms(&spread, "node1", "node2");
        let b = device_delay_ms(&spread, "node2", "node1");
        assert!(
            (1000..10_000).contains(&a) && (1000..10_000).contains(&b),
            "{a} {b}"
        );
        assert_ne!(a, b, "two nodes fencing each other wait differently");
        assert_eq!(a, device_delay_ms(&spread, "node1", "node2"));
    }

    #[test]
    fn disabled_devices_are_not_used() {
        let c = cib(
            "<primitive id=\"f\" class=\"stonith\" type=\"fence_dummy\">\
             <meta_attributes id=\"f-m\"><nvpair id=\"f-tr\" name=\"target-role\" value=\"Stopped\"/>\
             </meta_attributes></primitive>",
            "",
            "",
        );
        assert!(plan(&c, "node1").levels.is_empty());
    }
}
