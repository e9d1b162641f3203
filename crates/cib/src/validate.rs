//! Configuration checks beyond parsing: dangling references, unknown cluster options, and
//! constraints without a target.

use std::collections::HashSet;

use crate::model::{Cib, Constraint, Resource, ResourceKind};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The configuration is invalid.
    Error,
    /// Suspicious but accepted.
    Warning,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, naming the element by id.
    pub message: String,
}

/// Cluster options Pacemaker 2.1 knows.
const KNOWN_OPTIONS: &[&str] = &[
    "batch-limit",
    "cluster-delay",
    "cluster-infrastructure",
    "cluster-ipc-limit",
    "cluster-name",
    "cluster-recheck-interval",
    "concurrent-fencing",
    "dc-deadtime",
    "dc-version",
    "election-timeout",
    "enable-acl",
    "enable-startup-probes",
    "fence-reaction",
    "have-watchdog",
    "join-finalization-timeout",
    "join-integration-timeout",
    "load-threshold",
    "maintenance-mode",
    "migration-limit",
    "no-quorum-policy",
    "node-action-limit",
    "node-health-base",
    "node-health-green",
    "node-health-red",
    "node-health-strategy",
    "node-health-yellow",
    "pe-error-series-max",
    "pe-input-series-max",
    "pe-warn-series-max",
    "placement-strategy",
    "priority-fencing-delay",
    "remove-after-stop",
    "shutdown-escalation",
    "shutdown-lock",
    "shutdown-lock-limit",
    "start-failure-is-fatal",
    "startup-fencing",
    "stonith-action",
    "stonith-enabled",
    "stonith-max-attempts",
    "stonith-timeout",
    "stonith-watchdog-timeout",
    "stop-all-resources",
    "stop-orphan-actions",
    "stop-orphan-resources",
    "symmetric-cluster",
    "transition-delay",
    "default-resource-stickiness",
    "is-managed-default",
    "default-action-timeout",
    "last-lrm-refresh",
    "expected-quorum-votes",
    "crmd-transition-delay",
    "crmd-integration-timeout",
    "crmd-finalization-timeout",
    "notification-agent",
    "notification-recipient",
    "default-resource-failure-stickiness",
    "stonith-action",
    "no_quorum_policy",
    "symmetric_cluster",
    "stonith_enabled",
    "short_resource_names",
];

fn collect_ids(r: &Resource, out: &mut HashSet<String>) {
    out.insert(r.id.clone());
    match &r.kind {
        ResourceKind::Primitive { .. } => {}
        ResourceKind::Group(members) => {
            for m in members {
                collect_ids(m, out);
            }
        }
        ResourceKind::Clone { child, .. } => collect_ids(child, out),
        ResourceKind::Bundle(b) => {
            if let Some(c) = &b.child {
                collect_ids(c, out);
            }
        }
    }
}

/// Checks a parsed CIB.
pub fn check(cib: &Cib) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut ids = HashSet::new();
    for r in &cib.resources {
        collect_ids(r, &mut ids);
    }
    for tag in cib.tags.keys() {
        ids.insert(tag.clone());
    }
    let refer = |what: &str, cid: &str, rsc: &str, issues: &mut Vec<Issue>| {
        if !rsc.is_empty() && !ids.contains(rsc) {
            issues.push(Issue {
                severity: Severity::Error,
                message: format!("{what} {cid}: no resource or tag named '{rsc}'"),
            });
        }
    };
    for k in &cib.constraints {
        match k {
            Constraint::Location(l) => {
                for r in &l.rsc {
                    refer("rsc_location", &l.id, r, &mut issues);
                }
                if l.rsc.is_empty() && l.rsc_pattern.is_none() && l.sets.is_empty() {
                    issues.push(Issue {
                        severity: Severity::Error,
                        message: format!("rsc_location {}: no resource given", l.id),
                    });
                }
                if l.rules.is_empty()
                    && l.sets.is_empty()
                    && (l.node.is_none() || l.score.is_none())
                {
                    issues.push(Issue {
                        severity: Severity::Error,
                        message: format!(
                            "rsc_location {}: needs a node and score, or a rule",
                            l.id
                        ),
                    });
                }
            }
            Constraint::Colocation(co) => {
                if co.sets.is_empty() {
                    refer("rsc_colocation", &co.id, &co.rsc, &mut issues);
                    refer("rsc_colocation", &co.id, &co.with_rsc, &mut issues);
                }
            }
            Constraint::Order(o) => {
                if o.sets.is_empty() {
                    refer("rsc_order", &o.id, &o.first, &mut issues);
                    refer("rsc_order", &o.id, &o.then, &mut issues);
                }
            }
            Constraint::Ticket(t) => {
                if t.sets.is_empty() {
                    refer("rsc_ticket", &t.id, &t.rsc, &mut issues);
                }
            }
        }
        let sets = match k {
            Constraint::Location(l) => &l.sets,
            Constraint::Colocation(c) => &c.sets,
            Constraint::Order(o) => &o.sets,
            Constraint::Ticket(t) => &t.sets,
        };
        for s in sets {
            for r in &s.resources {
                refer("resource_set", &s.id, r, &mut issues);
            }
        }
    }
    for set in &cib.crm_config {
        for (name, _) in &set.pairs {
            if !KNOWN_OPTIONS.contains(&name.as_str()) {
                issues.push(Issue {
                    severity: Severity::Warning,
                    message: format!(
                        "cluster_property_set {}: unknown cluster option '{name}'",
                        set.id
                    ),
                });
            }
        }
    }
    let stonith = cib
        .cluster_options(None)
        .get("stonith-enabled")
        .is_none_or(|v| crate::model::is_true(v));
    let has_fencing = cib.resources.iter().any(|r| {
        let mut all = HashSet::new();
        collect_ids(r, &mut all);
        fn any_stonith(r: &Resource) -> bool {
            match &r.kind {
                ResourceKind::Primitive { agent, .. } => agent.class == "stonith",
                ResourceKind::Group(m) => m.iter().any(any_stonith),
                ResourceKind::Clone { child, .. } => any_stonith(child),
                ResourceKind::Bundle(_) => false,
            }
        }
        any_stonith(r)
    });
    if stonith && !has_fencing && !cib.resources.is_empty() {
        issues.push(Issue {
            severity: Severity::Error,
            message: "Resource start-up disabled since no STONITH resources have been defined; \
                      either configure some or disable STONITH with the stonith-enabled option"
                .to_string(),
        });
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangling_reference_is_an_error() {
        let text = r#"<cib><configuration><crm_config><cluster_property_set id="o">
<nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="bogus-option" value="1"/>
</cluster_property_set></crm_config><resources>
<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/></resources>
<constraints><rsc_order id="o" first="a" then="missing"/></constraints></configuration></cib>"#;
        let cib = Cib::parse(text).expect("parses");
        let issues = check(&cib);
        assert!(issues
            .iter()
            .any(|i| i.severity == Severity::Error && i.message.contains("'missing'")));
        assert!(issues
            .iter()
            .any(|i| i.severity == Severity::Warning && i.message.contains("bogus-option")));
    }
}
