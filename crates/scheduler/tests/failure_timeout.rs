//! failure-timeout: an expired fail count no longer bans a node and is cleared with a
//! `clear_failcount` cluster action; expired failed operations are ignored; blocked
//! failures never expire; the graph carries `recheck-by` for the next expiry.
//! (Rules checked against Pacemaker 2.1's crm_simulate.)

fn run(xml: &str, now: i64) -> scheduler::Schedule {
    let cib = cib::Cib::parse(xml).expect("test CIB parses");
    scheduler::schedule(&cib, now)
}

fn labels(s: &scheduler::Schedule) -> Vec<String> {
    scheduler::report::execution_lines(&s.transition)
}

fn summary(s: &scheduler::Schedule) -> String {
    s.transition.summary.join("\n")
}

fn has(s: &scheduler::Schedule, label: &str) -> bool {
    labels(s).iter().any(|l| l.ends_with(label))
}

/// A history record of `rsc1` (recorded at `t`).
fn op(id: &str, task: &str, call: i64, rc: i32, interval: u64, t: i64) -> String {
    format!(
        r#"<lrm_rsc_op id="{id}" operation_key="rsc1_{task}_{interval}" operation="{task}" call-id="{call}" rc-code="{rc}" op-status="0" interval="{interval}" transition-key="1:1:0:x" last-run="{t}" last-rc-change="{t}"/>"#
    )
}

struct Case<'a> {
    /// `failure-timeout` meta-attribute (none when empty).
    timeout: &'a str,
    /// `on-fail` of the monitor (none when empty).
    on_fail: &'a str,
    /// Transient attributes of n1.
    attrs: String,
    /// History of rsc1 on n1 and n2.
    n1: String,
    n2: String,
}

impl Case<'_> {
    fn xml(&self) -> String {
        let timeout = if self.timeout.is_empty() {
            String::new()
        } else {
            format!(
                r#"<nvpair id="m2" name="failure-timeout" value="{}"/>"#,
                self.timeout
            )
        };
        let on_fail = if self.on_fail.is_empty() {
            String::new()
        } else {
            format!(r#" on-fail="{}""#, self.on_fail)
        };
        format!(
            r##"<cib have-quorum="1" crm_feature_set="3.6.1"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources><primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
<meta_attributes id="m"><nvpair id="m1" name="migration-threshold" value="1"/>{timeout}</meta_attributes>
<operations><op id="rsc1-mon" name="monitor" interval="10s"{on_fail}/></operations></primitive></resources>
<constraints><rsc_location id="prefer-n1" rsc="rsc1" node="n1" score="100"/></constraints></configuration>
<status>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<transient_attributes id="1"><instance_attributes id="s1">{attrs}</instance_attributes></transient_attributes>
<lrm id="1"><lrm_resources><lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{n1}</lrm_resource></lrm_resources></lrm></node_state>
<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">
<lrm id="2"><lrm_resources><lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Dummy">{n2}</lrm_resource></lrm_resources></lrm></node_state>
</status></cib>"##,
            attrs = self.attrs,
            n1 = self.n1,
            n2 = self.n2,
        )
    }
}

fn failcount(count: &str, last_failure: Option<i64>) -> String {
    let mut s =
        format!(r#"<nvpair id="s1a" name="fail-count-rsc1#monitor_10000" value="{count}"/>"#);
    if let Some(t) = last_failure {
        s.push_str(&format!(
            r#"<nvpair id="s1b" name="last-failure-rsc1#monitor_10000" value="{t}"/>"#
        ));
    }
    s
}

/// rsc1's monitor failed on n1 at `failed_at` (migration-threshold=1), so it was moved to
/// n2, where it runs; n1 is preferred.
fn moved_away(timeout: &str, last_failure: Option<i64>, failed_at: i64) -> Case<'_> {
    Case {
        timeout,
        on_fail: "",
        attrs: failcount("1", last_failure),
        n1: op("rsc1_last_failure_0", "monitor", 3, 7, 10000, failed_at)
            + &op("rsc1_last_0", "stop", 4, 0, 0, failed_at),
        n2: op("rsc1_last_0", "start", 5, 0, 0, failed_at)
            + &op("rsc1_monitor_10000", "monitor", 6, 0, 10000, failed_at),
    }
}

#[test]
fn a_fail_count_within_its_timeout_keeps_the_resource_away_and_asks_for_a_recheck() {
    let xml = moved_away("60", Some(1000), 1000).xml();
    for now in [1000, 1030, 1060] {
        let s = run(&xml, now);
        assert_eq!(summary(&s), "", "at {now}");
        assert!(!has(&s, "clear_failcount for rsc1 on n1"), "at {now}");
        // One second after the failure expires.
        assert_eq!(s.before.recheck_by, Some(1061), "at {now}");
        let graph = scheduler::report::graph_xml(&s);
        assert!(graph.contains(r#"recheck-by="1061""#), "{graph}");
    }
}

#[test]
fn an_expired_fail_count_lets_the_resource_back_and_is_cleared() {
    let s = run(&moved_away("60", Some(1000), 1000).xml(), 1061);
    assert_eq!(summary(&s), "Move rsc1 ( n2 -> n1 )");
    assert_eq!(
        labels(&s),
        vec![
            "Resource action: rsc1 stop on n2",
            "Cluster action:  clear_failcount for rsc1 on n1",
            "Resource action: rsc1 start on n1",
            "Resource action: rsc1 monitor=10000 on n1",
        ]
    );
    assert_eq!(s.before.recheck_by, None);
    let graph = scheduler::report::graph_xml(&s);
    assert!(!graph.contains("recheck-by"), "{graph}");
    assert!(
        graph.contains(r#"<crm_event id="#)
            && graph.contains(
                r#"operation="clear_failcount" operation_key="rsc1_clear_failcount_0" on_node="n1""#
            ),
        "{graph}"
    );
    assert!(graph.contains(r#"CRM_meta_op_no_wait="true""#), "{graph}");
}

#[test]
fn without_a_failure_timeout_the_fail_count_never_expires() {
    let s = run(&moved_away("", Some(1000), 1000).xml(), 1_000_000);
    assert_eq!(summary(&s), "");
    assert_eq!(s.before.recheck_by, None);
}

#[test]
fn without_a_last_failure_time_the_fail_count_never_expires() {
    let s = run(&moved_away("60", None, 1000).xml(), 1_000_000);
    assert_eq!(summary(&s), "");
    assert!(!has(&s, "clear_failcount for rsc1 on n1"));
}

#[test]
fn the_last_failure_attribute_times_the_fail_count_not_the_history() {
    // The history is old, the last failure recent: still banned, nothing cleared.
    let mut case = moved_away("60", Some(1990), 1000);
    let s = run(&case.xml(), 2000);
    assert_eq!(summary(&s), "");
    assert!(!has(&s, "clear_failcount for rsc1 on n1"));
    assert_eq!(s.before.recheck_by, Some(2051));
    // The last failure is old, the history recent: allowed back, but the fail count is
    // only cleared once some record there has expired too.
    case = moved_away("60", Some(1000), 1990);
    let s = run(&case.xml(), 2000);
    assert_eq!(summary(&s), "Move rsc1 ( n2 -> n1 )");
    assert!(!has(&s, "clear_failcount for rsc1 on n1"));
    let s = run(&case.xml(), 2050);
    assert!(has(&s, "clear_failcount for rsc1 on n1"));
}

#[test]
fn a_failure_configured_to_block_never_expires() {
    let case = Case {
        timeout: "60",
        on_fail: "block",
        attrs: failcount("1", Some(1000)),
        n1: op("rsc1_last_0", "start", 2, 0, 0, 900)
            + &op("rsc1_monitor_10000", "monitor", 3, 1, 10000, 1000),
        n2: op("rsc1_last_0", "monitor", 1, 7, 0, 900),
    };
    let s = run(&case.xml(), 1_000_000);
    assert_eq!(summary(&s), "");
    assert!(labels(&s).is_empty(), "{:?}", labels(&s));
    let status = scheduler::report::status_text(&s.before);
    assert!(status.contains("FAILED n1 (blocked)"), "{status}");
}

#[test]
fn an_expired_failed_monitor_is_ignored_and_scheduled_again() {
    // No fail count at all: the failed monitor simply expires.
    let case = Case {
        timeout: "60",
        on_fail: "",
        attrs: String::new(),
        n1: op("rsc1_last_0", "start", 2, 0, 0, 900)
            + &op("rsc1_monitor_10000", "monitor", 3, 1, 10000, 1000),
        n2: op("rsc1_last_0", "monitor", 1, 7, 0, 900),
    };
    let s = run(&case.xml(), 1060);
    assert_eq!(summary(&s), "");
    assert_eq!(
        labels(&s),
        vec!["Resource action: rsc1 monitor=10000 on n1"]
    );
    // Within the timeout it is recovered (and moved: migration-threshold is not reached
    // without a fail count, so in place).
    let s = run(&case.xml(), 1059);
    assert_eq!(summary(&s), "Recover rsc1 ( n1 )");
}

#[test]
fn an_expired_failure_of_a_running_resource_is_cleared_in_place() {
    let case = Case {
        timeout: "60",
        on_fail: "",
        attrs: failcount("1", Some(1000)),
        n1: op("rsc1_last_0", "start", 2, 0, 0, 900)
            + &op("rsc1_monitor_10000", "monitor", 3, 7, 10000, 1000),
        n2: op("rsc1_last_0", "monitor", 1, 7, 0, 900),
    };
    let s = run(&case.xml(), 1100);
    assert_eq!(summary(&s), "");
    assert_eq!(
        labels(&s),
        vec![
            "Resource action: rsc1 monitor=10000 on n1",
            "Cluster action:  clear_failcount for rsc1 on n1",
        ]
    );
}

/// rsc1's start failed on n1 (fail count INFINITY) with the parameters digested as
/// `digest`, so it runs on n2.
fn start_failed(digest: &str) -> Case<'static> {
    let failed = format!(
        r#"<lrm_rsc_op id="rsc1_last_failure_0" operation_key="rsc1_start_0" operation="start" call-id="3" rc-code="1" op-status="0" interval="0" transition-key="1:1:0:x" last-rc-change="1000" op-digest="{digest}"/>"#
    );
    Case {
        timeout: "",
        on_fail: "",
        attrs: r#"<nvpair id="s1a" name="fail-count-rsc1#start_0" value="INFINITY"/><nvpair id="s1b" name="last-failure-rsc1#start_0" value="1000"/>"#.into(),
        n1: failed + &op("rsc1_last_0", "stop", 4, 0, 0, 1000),
        n2: op("rsc1_last_0", "start", 5, 0, 0, 1000),
    }
}

/// The digest of Dummy's (empty) parameters.
const EMPTY_DIGEST: &str = "f2317cad3d54cec5d7d7aa7d0bf35cf8";

#[test]
fn a_last_failure_with_the_current_parameters_keeps_counting() {
    let s = run(&start_failed(EMPTY_DIGEST).xml(), 5000);
    assert!(
        !has(&s, "clear_failcount for rsc1 on n1"),
        "{:?}",
        labels(&s)
    );
    assert!(!summary(&s).contains("n1"), "{}", summary(&s));
}

#[test]
fn a_last_failure_with_other_parameters_is_cleared_and_no_longer_counts() {
    let s = run(
        &start_failed("0123456789abcdef0123456789abcdef").xml(),
        5000,
    );
    assert!(
        has(&s, "clear_failcount for rsc1 on n1"),
        "{:?}",
        labels(&s)
    );
    assert_eq!(summary(&s), "Move rsc1 ( n2 -> n1 )");
}

#[test]
fn a_changed_definition_where_a_fail_count_is_clears_it_after_placement() {
    // Running on n1 with an old fail count (no failure-timeout) and a start recorded with
    // other parameters: restarted in place, its fail count cleared.
    let case = Case {
        timeout: "",
        on_fail: "",
        attrs: failcount("1", Some(1000)),
        n1: r#"<lrm_rsc_op id="rsc1_last_0" operation_key="rsc1_start_0" operation="start" call-id="5" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x" last-rc-change="1000" op-digest="0123456789abcdef0123456789abcdef"/>"#.to_string()
            + &op("rsc1_monitor_10000", "monitor", 6, 0, 10000, 1000),
        n2: op("rsc1_last_0", "monitor", 1, 7, 0, 900),
    };
    let xml = case.xml().replace(
        r#"name="migration-threshold" value="1""#,
        r#"name="migration-threshold" value="3""#,
    );
    let s = run(&xml, 5000);
    assert_eq!(
        summary(&s),
        "Restart rsc1 ( n1 ) due to resource definition change"
    );
    assert!(
        has(&s, "clear_failcount for rsc1 on n1"),
        "{:?}",
        labels(&s)
    );
}
