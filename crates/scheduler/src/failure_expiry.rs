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

use cib::model::{LrmOp, LrmResource};
use cib::Score;

use crate::actions::{ActionKind, Builder};
use crate::cluster::{Cluster, Rsc};
use crate::on_fail::OnFail;

/// What failure expiry decided for one resource's history on one node.
#[derive(Debug, Default)]
pub(crate) struct Expiry {
    /// That fail count has expired (it is ignored for placement).
    pub expired: bool,
    /// The scheduler clears the fail count there (`clear_failcount`).
    pub clear: bool,
    /// When the fail count expires, while it has not (seconds since the epoch).
    pub recheck_at: Option<i64>,
    /// Expired failed operations, ignored (indexes into the history's operations).
    pub ignored_ops: Vec<usize>,
}

/// The resource's `failure-timeout` in seconds, when set and positive.
pub(crate) fn failure_timeout_s(r: &Rsc) -> Option<i64> {
    let ms = r
        .meta
        .get("failure-timeout")
        .and_then(|v| cib::rule::parse_interval_ms(v))
        .filter(|&ms| ms > 0)?;
    Some(i64::try_from(ms / 1000).unwrap_or(i64::MAX).max(1))
}

/// Whether transient attribute `name` (`PREFIX<rsc>[#op_interval]`) belongs to a resource
/// recorded as `history_id` or configured as `rsc_id`.
fn attr_target<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = name.strip_prefix(prefix)?;
    Some(rest.split('#').next().unwrap_or(rest))
}

/// The fail count and newest failure time of `history_id`/`rsc_id` in `attrs`.
pub(crate) fn failcount_of(attrs: &[(String, String)], ids: &[&str]) -> (i64, i64) {
    let mut fc = Score(0);
    let mut last = 0i64;
    for (k, v) in attrs {
        if let Some(t) = attr_target(k, "fail-count-") {
            if ids.contains(&t) {
                let n = Score::parse(v).map(|s| s.0).unwrap_or(0);
                fc = fc.plus(Score(n));
            }
        } else if let Some(t) = attr_target(k, "last-failure-") {
            if ids.contains(&t) {
                if let Ok(t) = v.trim().parse::<i64>() {
                    last = last.max(t);
                }
            }
        }
    }
    (fc.0, last)
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
/// a node whose transient attributes are `attrs`, and notes a last failure recorded with
/// other parameters.
pub(crate) fn evaluate(
    c: &Cluster,
    p: usize,
    lrm: &LrmResource,
    attrs: &[(String, String)],
) -> Expiry {
    let r = &c.rscs[p];
    let now = c.now;
    // A bundle's implicit resources carry no configured parameters to compare.
    let compare = !r
        .parent
        .is_some_and(|q| c.rscs[q].variant == crate::cluster::Variant::Bundle);
    let ids = [lrm.id.as_str(), r.id.as_str()];
    let (raw, last_failure) = failcount_of(attrs, &ids);
    let mut out = Expiry::default();
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
        if op_failed(op) {
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
    let early = c.clear_failcounts.iter().map(|&pn| (pn, true));
    let late = c.clear_failcounts_changed.iter().map(|&pn| (pn, false));
    for ((p, n), early) in early.chain(late) {
        let i = b.add(ActionKind::Cluster, Some(p), CLEAR_FAILCOUNT, 0, Some(n));
        // Created while reading the history (listed after the resource's other actions in
        // the graph), or while comparing definitions (before them).
        b.t.actions[i].early = early;
        b.t.actions[i].label = format!(
            "{CLEAR_FAILCOUNT} for {} on {}",
            cluster_action_rsc_id(c, p),
            c.nodes[n].name
        );
    }
}

/// The cluster action that clears a resource's fail count on a node.
pub const CLEAR_FAILCOUNT: &str = "clear_failcount";
