//! Operation digests: the fingerprint of an operation's parameters that Pacemaker records
//! in the history (`op-digest`), used to notice a changed resource definition.

use std::borrow::Cow;
use std::collections::HashMap;

use cib::model::{LrmOp, OpDef};

/// The digests a history record carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordDigests {
    /// `op-digest`: over every parameter.
    pub all: Option<String>,
    /// `op-secure-digest` and the names it leaves out (`op-secure-params`).
    pub secure: Option<(String, Vec<String>)>,
    /// `op-restart-digest` and the only names it covers (`op-force-restart`; without
    /// that list it covers every parameter).
    pub restart: Option<(String, Option<Vec<String>>)>,
}

impl RecordDigests {
    /// The digests recorded on `op`.
    pub fn of(op: &LrmOp) -> RecordDigests {
        let names = |v: &str| v.split_whitespace().map(str::to_string).collect();
        let [all, secure_digest, secure_params, restart_digest, force_restart] = op.get_all([
            "op-digest",
            "op-secure-digest",
            "op-secure-params",
            "op-restart-digest",
            "op-force-restart",
        ]);
        RecordDigests {
            all: all.map(str::to_string),
            secure: match (secure_digest, secure_params) {
                (Some(d), Some(n)) => Some((d.to_string(), names(n))),
                _ => None,
            },
            restart: restart_digest.map(|d| (d.to_string(), force_restart.map(names))),
        }
    }

    /// Whether `params` (with `CRM_meta_timeout` = `timeout_ms` for a recurring operation)
    /// still give a recorded digest: `op-digest` over every parameter, or the secure digest
    /// over all but the secure ones and the fencing `pcmk_*` ones (crm_simulate hides
    /// secure parameters, so a change there alone is no change). A record without digests matches anything.
    pub fn matches(
        &self,
        params: &HashMap<String, String>,
        interval_ms: u64,
        timeout_ms: u64,
    ) -> bool {
        // Old configurations kept meta-attributes such as `target_role` among the instance
        // attributes; their records were digested with or without them.
        let same = |recorded: &str, params: &HashMap<String, String>| {
            recorded == op_digest(params, interval_ms, timeout_ms)
                || recorded == op_digest(&without_meta(params), interval_ms, timeout_ms)
        };
        if self.all.is_none() && self.secure.is_none() {
            return true;
        }
        if self.all.as_deref().is_some_and(|d| same(d, params)) {
            return true;
        }
        self.secure.as_ref().is_some_and(|(d, hidden)| {
            let shown: HashMap<String, String> = params
                .iter()
                .filter(|(k, _)| !hidden.contains(k) && !k.starts_with("pcmk_"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            same(d, &shown)
        })
    }

    /// Whether the recorded restart digest still matches `params` (only the parameters that
    /// force a restart changed nothing, so the rest can be reloaded).
    pub fn restart_matches(&self, params: &HashMap<String, String>) -> bool {
        self.restart.as_ref().is_some_and(|(d, names)| match names {
            Some(names) => {
                let kept: HashMap<String, String> = params
                    .iter()
                    .filter(|(k, _)| names.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                *d == op_digest(&kept, 0, 0)
            }
            None => *d == op_digest(params, 0, 0),
        })
    }
}

/// `params` with the rule-less instance attributes of operation `def` added (an
/// operation's own parameters are digested with the resource's).
pub fn with_op_params<'a>(
    params: &'a HashMap<String, String>,
    def: &OpDef,
) -> Cow<'a, HashMap<String, String>> {
    let sets: Vec<_> = def
        .instance
        .iter()
        .filter(|set| set.rule.is_none() && !set.pairs.is_empty())
        .collect();
    if sets.is_empty() {
        return Cow::Borrowed(params);
    }
    let mut out = params.clone();
    for set in sets {
        for (k, v) in &set.pairs {
            if let Some(v) = v {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Cow::Owned(out)
}

/// `params` without meta-attribute names that old configurations put among them.
fn without_meta(params: &HashMap<String, String>) -> HashMap<String, String> {
    const META_NAMES: [&str; 4] = ["target_role", "target-role", "is_managed", "is-managed"];
    params
        .iter()
        .filter(|(k, _)| !META_NAMES.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Pacemaker's `op-digest`: the MD5 of the parameters as one XML line
/// (` <parameters k="v" .../>` plus a newline, names in byte order), with the operation's
/// `CRM_meta_timeout` added for recurring operations. Derived by comparing with
/// `crm_resource --digests` of Pacemaker 2.1.5.
pub fn op_digest(params: &HashMap<String, String>, interval_ms: u64, timeout_ms: u64) -> String {
    use md5::{Digest, Md5};
    let timeout = timeout_ms.to_string();
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if interval_ms > 0 {
        pairs.push(("CRM_meta_timeout", &timeout));
    }
    pairs.sort_unstable();
    // As `cib::xml::Element::write` writes a childless <parameters> element.
    let mut text = String::from(" <parameters");
    for (k, v) in pairs {
        text.push(' ');
        text.push_str(k);
        text.push_str("=\"");
        cib::xml::escape_into(v, &mut text);
        text.push('"');
    }
    text.push_str("/>\n");
    let sum = Md5::digest(text.as_bytes());
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(32);
    for b in sum {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_pacemaker() {
        // Values from `crm_resource --digests` (Pacemaker 2.1.5) on the same parameters.
        let none = HashMap::new();
        assert_eq!(
            op_digest(&none, 0, 20000),
            "f2317cad3d54cec5d7d7aa7d0bf35cf8"
        );
        let mut p = HashMap::new();
        p.insert("state".to_string(), "/run/x".to_string());
        p.insert("fake".to_string(), "abc".to_string());
        assert_eq!(op_digest(&p, 0, 20000), "8f88a7987f527ad2e809a60ac480034b");
        assert_eq!(
            op_digest(&p, 10000, 20000),
            "6fbe24ad039c272e89ee4052c92b20cd"
        );
        // A history entry from the shared regression case params-1.
        let mut ip = HashMap::new();
        ip.insert("ip".to_string(), "127.0.0.12".to_string());
        assert_eq!(op_digest(&ip, 0, 0), "d8eeae5f6724dfcab8f57ef54367eb0a");
    }
}

/// Whether a history record of `task` (at `interval_ms`, exit code `rc` where `expected`
/// was wanted) is one whose digest is compared with the definition: a successful start,
/// promote or migrate_from, or a probe that found the resource running. Notifications,
/// demotes, reloads and migrate_to records are not compared.
pub fn compared(task: &str, interval_ms: u64, rc: i32, expected: i32, exec_failed: bool) -> bool {
    match task {
        "monitor" => interval_ms == 0 && !exec_failed && matches!(rc, 0 | 8),
        "start" | "promote" | "migrate_from" => rc == expected && !exec_failed,
        _ => false,
    }
}

/// What the compared history records of a resource say about its definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Every record still matches.
    None,
    /// Only reloadable parameters changed.
    Reload,
    /// The definition changed: restart.
    Restart,
}

/// Compares each record of `records` (digests, operation name and interval) with the
/// definition of `r`; the strongest change wins.
pub fn compare_records(
    r: &crate::cluster::Rsc,
    records: &[(RecordDigests, (String, u64))],
) -> Change {
    let mut out = Change::None;
    for (d, (task, interval)) in records {
        // The operation's own instance attributes are digested with the resource's.
        let def = r
            .ops
            .iter()
            .find(|o| o.name == *task && o.interval_ms == *interval);
        let params = match def {
            Some(def) => with_op_params(&r.params, def),
            None => Cow::Borrowed(&r.params),
        };
        if d.matches(&params, 0, 0) {
            continue;
        }
        // Parameters of the operation itself cannot be reloaded.
        let op_params = def.is_some_and(|o| o.instance.iter().any(|s| !s.pairs.is_empty()));
        let change = if !op_params && d.restart_matches(&r.params) {
            Change::Reload
        } else {
            Change::Restart
        };
        out = out.max(change);
    }
    out
}
