//! Failure expiry (`failure-timeout`): which fail counts and failed operations no longer
//! count, which fail counts the cluster clears (`clear_failcount`), and when the next one
//! expires (the graph's `recheck-by`).
//!
//! The rules, as Pacemaker 2.1 applies them (checked against its `crm_simulate`):
//! - A resource's fail count on a node (the sum of its `fail-count-RSC[#OP_INTERVAL]`
//!   attributes there) has expired when the resource has a `failure-timeout` and
//!   `now > last-failure + failure-timeout`, where `last-failure` is the newest of its
//!   `last-failure-RSC[#OP_INTERVAL]` attributes (no such attribute: it never expires).
//!   An expired fail count is ignored for placement (migration-threshold).
//! - It never expires while a failed operation of the history there is configured with
//!   `on-fail=block`: the resource stays blocked until cleaned up.
//! - A recorded operation has expired when `last-rc-change + failure-timeout <= now`. An
//!   expired failed operation is ignored (as if it had not happened: a failed recurring
//!   monitor is scheduled again, a failed probe is repeated), unless a fail count there has
//!   not expired.
//! - When some recorded operation has expired and the fail count there, non-zero, has
//!   expired too, the scheduler clears it: a `clear_failcount` cluster action for that
//!   resource on that node.
//! - A non-zero fail count still within its timeout asks for a recheck one second after it
//!   expires (`last-failure + failure-timeout + 1`); the earliest is the graph's `recheck-by`.

use std::borrow::Cow;
use std::collections::HashMap;

use cib::failure_attr::{failure_attr, FailureAttr};
use cib::model::{LrmOp, LrmResource};
use cib::Score;

use crate::actions::{ActionKind, Builder};
use crate::cluster::{Cluster, Rsc};
use crate::on_fail::OnFail;

/// What failure expiry decided for one resource's history on one node.
#[derive(Debug, Default)]
pub(crate) struct Expiry {
    /// The resource's fail count there, expired or not.
    pub failcount: i64,
    /// That fail count has expired (it is ignored for placement).
    pub expired: bool,
    /// The scheduler clears the fail count there (`clear_failcount`).
    pub clear: bool,
    /// When the fail count expires, while it has not (seconds since the epoch).
    pub recheck_at: Option<i64>,
    /// Expired failed operations, ignored (indexes into the history's operations).
    pub ignored_ops: Vec<usize>,
}

/// A remote connection's `reconnect_interval` in seconds, when set and positive.
fn reconnect_interval_s(r: &Rsc) -> Option<i64> {
    if !crate::remote::is_remote_agent(r.agent.as_ref()) {
        return None;
    }
    let ms = r
        .params
        .get("reconnect_interval")
        .and_then(|v| cib::rule::parse_interval_ms(v))
        .filter(|&ms| ms > 0)?;
    Some(i64::try_from(ms / 1000).unwrap_or(i64::MAX).max(1))
}

/// The resource's `failure-timeout` in seconds, when set and positive (a remote
/// connection's `reconnect_interval` stands in for it: the connection is tried again once
/// its failure expires).
pub(crate) fn failure_timeout_s(r: &Rsc) -> Option<i64> {
    if let Some(s) = reconnect_interval_s(r) {
        return Some(s);
    }
    let ms = r
        .meta
        .get("failure-timeout")
        .and_then(|v| cib::rule::parse_interval_ms(v))
        .filter(|&ms| ms > 0)?;
    Some(i64::try_from(ms / 1000).unwrap_or(i64::MAX).max(1))
}

/// One node's fail counts and last failure times per resource (from its
/// `fail-count-RSC[#OP_INTERVAL]` and `last-failure-RSC[#OP_INTERVAL]` attributes), read
/// once per node rather than once per resource history.
#[derive(Debug, Default)]
pub(crate) struct NodeFailures<'a> {
    by_rsc: HashMap<&'a str, (Score, i64)>,
}

impl<'a> NodeFailures<'a> {
    /// Reads the transient attributes `attrs` of one node.
    pub(crate) fn of(attrs: &'a [(String, String)]) -> NodeFailures<'a> {
        let mut by_rsc: HashMap<&str, (Score, i64)> = HashMap::new();
        for (k, v) in attrs {
            match failure_attr(k) {
                Some((FailureAttr::Count, t)) => {
                    let n = Score::parse(v).map(|s| s.0).unwrap_or(0);
                    let e = by_rsc.entry(t).or_insert((Score(0), 0));
                    e.0 = e.0.plus(Score(n));
                }
                Some((FailureAttr::LastFailure, t)) => {
                    if let Ok(at) = v.trim().parse::<i64>() {
                        let e = by_rsc.entry(t).or_insert((Score(0), 0));
                        e.1 = e.1.max(at);
                    }
                }
                None => {}
            }
        }
        NodeFailures { by_rsc }
    }

    /// The fail count and newest failure time of a resource recorded or configured under
    /// any of `ids`.
    pub(crate) fn of_rsc(&self, ids: &[&str]) -> (i64, i64) {
        if self.by_rsc.is_empty() {
            return (0, 0);
        }
        let mut fc = Score(0);
        let mut last = 0i64;
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                continue;
            }
            if let Some(&(n, at)) = self.by_rsc.get(id) {
                fc = fc.plus(n);
                last = last.max(at);
            }
        }
        (fc.0, last)
    }
}

/// Whether a recorded operation failed (a completed result other than the expected one).
fn op_failed(op: &LrmOp) -> bool {
    if op.op_status == -1 || op.call_id == -1 || op.op_status == 1 {
        return false;
    }
    let expected = op.target_rc.unwrap_or(0);
    let rc = match op.rc_code {
        190 => 0,
        191 => 8,
        rc => rc,
    };
    // A probe finding the resource stopped, running or promoted reports its state.
    if op.operation == "monitor" && op.interval_ms == 0 && op.op_status == 0 {
        return !matches!(rc, 0 | 7 | 8);
    }
    // An execution status of "error" with the expected exit code is a success.
    rc != expected || op.op_status != 0 && op.op_status != 4
}

/// When the operation's result was recorded (`last-rc-change`, else `last-run`).
fn recorded_at(op: &LrmOp) -> Option<i64> {
    let [change, run] = op.get_all(["last-rc-change", "last-run"]);
    change
        .or(run)
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|&t| t > 0)
}

/// Applies failure expiry (at the cluster's time) to the history `lrm` of primitive `p` on
/// a node whose fail counts are `failures`, and notes a last failure recorded with
/// other parameters.
pub(crate) fn evaluate(
    c: &Cluster,
    p: usize,
    lrm: &LrmResource,
    failures: &NodeFailures<'_>,
) -> Expiry {
    let r = &c.rscs[p];
    let now = c.now;
    // A bundle's implicit resources carry no configured parameters to compare.
    let compare = !r
        .parent
        .is_some_and(|q| c.rscs[q].variant == crate::cluster::Variant::Bundle);
    let ids = [lrm.id.as_str(), r.id.as_str()];
    let (raw, last_failure) = failures.of_rsc(&ids);
    let mut out = Expiry {
        failcount: raw,
        ..Expiry::default()
    };
    let Some(timeout) = failure_timeout_s(r) else {
        out.clear = compare && last_failure_params_changed(r, lrm, &[]);
        return out;
    };
    // A failure the configuration blocks on never times out.
    let blocked = lrm.ops.iter().any(|op| {
        op_failed(op)
            && crate::on_fail::configured(r, &op.operation, op.interval_ms) == Some(OnFail::Block)
    });
    if raw > 0 && !blocked && last_failure > 0 {
        let expires_at = last_failure.saturating_add(timeout);
        if now > expires_at {
            out.expired = true;
        } else {
            out.recheck_at = Some(expires_at.saturating_add(1));
        }
    }
    // Operations only expire with the fail count (or when there is none).
    if raw > 0 && !out.expired {
        out.clear = compare && last_failure_params_changed(r, lrm, &[]);
        return out;
    }
    let mut any_expired = false;
    for (i, op) in lrm.ops.iter().enumerate() {
        let Some(at) = recorded_at(op) else {
            continue;
        };
        if at.saturating_add(timeout) > now {
            continue;
        }
        any_expired = true;
        // A remote connection's failed monitor, with fencing, stands until the remote node
        // is fenced (its fail count, expired, is cleared after the fencing).
        let awaits_fencing = op.interval_ms > 0
            && op.operation == "monitor"
            && c.stonith_enabled
            && reconnect_interval_s(r).is_some()
            && !(0..c.nodes.len())
                .any(|m| c.nodes[m].connection == Some(p) && c.remote_fenced.contains(&m));
        if op_failed(op) && !awaits_fencing {
            out.ignored_ops.push(i);
        }
    }
    out.clear = any_expired && raw > 0 && out.expired
        || compare && last_failure_params_changed(r, lrm, &out.ignored_ops);
    out
}

/// Whether the digest recorded on a start or monitor no longer matches the definition of
/// `r` (a record without a digest, or a monitor configured without a timeout, is not
/// compared).
fn params_changed(r: &Rsc, op: &LrmOp) -> bool {
    if !matches!(op.operation.as_str(), "start" | "monitor") {
        return false;
    }
    let recorded = crate::digest::RecordDigests::of(op);
    let def = r
        .ops
        .iter()
        .find(|o| o.name == op.operation && o.interval_ms == op.interval_ms)
        .filter(|o| o.instance.iter().all(|set| set.rule.is_none()));
    let params = match def {
        Some(def) => crate::digest::with_op_params(&r.params, def),
        None => Cow::Borrowed(&r.params),
    };
    if op.interval_ms == 0 {
        return !recorded.matches(&params, 0, 0);
    }
    let Some(timeout) = def
        .and_then(|d| d.get("timeout"))
        .and_then(|t| cib::rule::parse_interval_ms(&t))
    else {
        return false;
    };
    !recorded.matches(&params, op.interval_ms, timeout)
}

/// Whether the last failure recorded in `lrm` (a start or monitor, not among `ignored`)
/// ran with parameters `r` no longer has: its fail count is cleared (and no longer counts).
fn last_failure_params_changed(r: &Rsc, lrm: &LrmResource, ignored: &[usize]) -> bool {
    lrm.ops.iter().enumerate().any(|(i, op)| {
        op.id.ends_with("_last_failure_0") && !ignored.contains(&i) && params_changed(r, op)
    })
}

/// Adds the fail count clears Pacemaker schedules when it finds a resource's definition
/// changed on a node where it has a fail count (a restart or reload for new parameters, a
/// monitor rescheduled for a new definition): these come after placement, which still
/// counted the failures.
pub(crate) fn note_changed_definitions(c: &mut Cluster) {
    let mut found = Vec::new();
    for &(p, n) in &c.failcount_recorded {
        let r = &c.rscs[p];
        let changed = r.definition_changed_on.contains(&n)
            || r.reload_on.contains(&n)
            || r.stale_recurring.iter().any(|&(m, _)| m == n);
        if changed && !c.clear_failcounts.contains(&(p, n)) && !found.contains(&(p, n)) {
            found.push((p, n));
        }
    }
    c.clear_failcounts_changed = found;
}

/// `lrm` without the operations `ignored` (borrowed as is when there are none).
pub(crate) fn without_ops<'a>(lrm: &'a LrmResource, ignored: &[usize]) -> Cow<'a, LrmResource> {
    if ignored.is_empty() {
        return Cow::Borrowed(lrm);
    }
    let ops = lrm
        .ops
        .iter()
        .enumerate()
        .filter(|(i, _)| !ignored.contains(i))
        .map(|(_, op)| op.clone())
        .collect();
    Cow::Owned(LrmResource {
        id: lrm.id.clone(),
        class: lrm.class.clone(),
        provider: lrm.provider.clone(),
        kind: lrm.kind.clone(),
        container: lrm.container.clone(),
        ops,
    })
}

/// The id a cluster action names a primitive by: the configured id for an instance of an
/// anonymous clone (its instances share one definition), the full id otherwise.
pub(crate) fn cluster_action_rsc_id(c: &Cluster, p: usize) -> &str {
    let r = &c.rscs[p];
    let anonymous = c.clone_ancestor(p).is_some_and(|k| !c.rscs[k].unique);
    if anonymous {
        &r.config_id
    } else {
        &r.id
    }
}

/// Adds a `clear_failcount` cluster action for every fail count to clear
/// ([`Cluster::clear_failcounts`], [`Cluster::clear_failcounts_changed`]); they wait for
/// nothing.
pub(crate) fn add_clear_failcounts(b: &mut Builder<'_>) {
    let c = b.c;
    if c.clear_failcounts.is_empty() && c.clear_failcounts_changed.is_empty() {
        return;
    }
    // Remote nodes and their connections.
    let remote_nodes: Vec<(usize, usize)> = (0..c.nodes.len())
        .filter_map(|m| c.nodes[m].connection.map(|conn| (m, conn)))
        .collect();
    let early = c.clear_failcounts.iter().map(|&pn| (pn, true));
    let late = c.clear_failcounts_changed.iter().map(|&pn| (pn, false));
    for ((p, n), early) in early.chain(late) {
        let i = b.add(ActionKind::Cluster, Some(p), CLEAR_FAILCOUNT, 0, Some(n));
        // Created while reading the history (listed after the resource's other actions in
        // the graph), or while comparing definitions (before them).
        b.t.actions[i].early = early;
        // A remote connection's fail count is cleared once its remote node is fenced.
        if let Some(m) = remote_nodes
            .iter()
            .find(|&&(_, conn)| conn == p)
            .map(|&(m, _)| m)
        {
            let fence = (0..b.t.actions.len()).find(|&f| {
                let a = &b.t.actions[f];
                a.node == Some(m)
                    && (a.kind == ActionKind::Fence
                        || a.kind == ActionKind::Pseudo && a.task.starts_with("stonith"))
            });
            if let Some(f) = fence {
                b.order(f, i);
            }
        }
        b.t.actions[i].label = format!(
            "{CLEAR_FAILCOUNT} for {} on {}",
            cluster_action_rsc_id(c, p),
            c.nodes[n].name
        );
    }
}

/// The cluster action that clears a resource's fail count on a node.
pub const CLEAR_FAILCOUNT: &str = "clear_failcount";
