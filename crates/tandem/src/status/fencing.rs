//! crm_mon's fencing sections, laid out as Pacemaker 2.1.5's: "Failed Fencing Actions",
//! then at `--fence-history=1` (the default) "Pending Fencing Actions", at 2 and 3
//! "Fencing History" (operations in progress first, then the successes, newest first); in
//! XML one `<fence_history>` with every operation, those in progress first.

use std::fmt::Write as _;

use resource_manager::fence_history::FenceRecord;
use resource_manager::fence_pending::PendingRecord;

use crate::clock_text::clock_text;

/// The completed operations `level` shows (`--fence-history`): 1 the latest failure of
/// each node and action, 2 the latest success and failure of each, 3 all; oldest first.
pub(super) fn shown(all: &[FenceRecord], level: u8) -> Vec<&FenceRecord> {
    let mut out: Vec<&FenceRecord> = Vec::new();
    for r in all {
        if level == 0 || (level == 1 && r.succeeded) {
            continue;
        }
        if level < 3 {
            out.retain(|x| {
                !(x.target == r.target && x.action == r.action && x.succeeded == r.succeeded)
            });
        }
        out.push(r);
    }
    out
}

/// `reboot of n3 by n1 for stonith_admin@n1 successful at 2026-11-26 13:53:51Z`, or
/// `... [last ]failed (why) at ...`.
fn completed_line(r: &FenceRecord, last: bool) -> String {
    let mut line = format!(
        "{} of {} by {} for {}@{} ",
        r.action, r.target, r.executioner, r.client, r.origin
    );
    if r.succeeded {
        line.push_str("successful");
    } else {
        if last {
            line.push_str("last ");
        }
        line.push_str("failed");
        if !r.detail.is_empty() {
            let _ = write!(line, " ({})", r.detail);
        }
    }
    let _ = write!(line, " at {}", clock_text(r.when_s));
    line
}

/// `reboot of n3 for stonith_admin@n1 [last ]pending`.
fn pending_line(p: &PendingRecord, last: bool) -> String {
    format!(
        "{} of {} for {}@{} {}pending",
        p.action,
        p.target,
        p.client,
        p.origin,
        if last { "last " } else { "" }
    )
}

/// The text sections for the completed operations `history` (oldest first) and those in
/// progress `pending` (oldest first) at `level`; empty when there is nothing to show.
pub(super) fn text(history: &[FenceRecord], pending: &[PendingRecord], level: u8) -> String {
    if level == 0 {
        return String::new();
    }
    let shown = shown(history, level);
    let mut out = String::new();
    let failed: Vec<&&FenceRecord> = shown.iter().rev().filter(|r| !r.succeeded).collect();
    if !failed.is_empty() {
        out.push_str("\nFailed Fencing Actions:\n");
        for r in failed {
            let _ = writeln!(out, "  * {}", completed_line(r, level == 1));
        }
    }
    if level == 1 {
        if !pending.is_empty() {
            out.push_str("\nPending Fencing Actions:\n");
            for p in pending.iter().rev() {
                let _ = writeln!(out, "  * {}", pending_line(p, true));
            }
        }
        return out;
    }
    let succeeded: Vec<&&FenceRecord> = shown.iter().rev().filter(|r| r.succeeded).collect();
    if !pending.is_empty() || !succeeded.is_empty() {
        out.push_str("\nFencing History:\n");
        for p in pending.iter().rev() {
            let _ = writeln!(out, "  * {}", pending_line(p, false));
        }
        for r in succeeded {
            let _ = writeln!(out, "  * {}", completed_line(r, false));
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `<fence_history>` element (every operation: those in progress, then the completed
/// ones newest first), or nothing at `level` 0 or with nothing to show.
pub(super) fn xml(history: &[FenceRecord], pending: &[PendingRecord], level: u8) -> String {
    if level == 0 || (history.is_empty() && pending.is_empty()) {
        return String::new();
    }
    let mut out = String::from("  <fence_history>\n");
    for p in pending.iter().rev() {
        let _ = writeln!(
            out,
            "    <fence_event action=\"{}\" target=\"{}\" client=\"{}\" origin=\"{}\" status=\"pending\" extended-status=\"1\"/>",
            esc(&p.action),
            esc(&p.target),
            esc(&p.client),
            esc(&p.origin)
        );
    }
    for r in history.iter().rev() {
        let _ = write!(
            out,
            "    <fence_event action=\"{}\" target=\"{}\" client=\"{}\" origin=\"{}\" status=\"{}\"",
            esc(&r.action),
            esc(&r.target),
            esc(&r.client),
            esc(&r.origin),
            if r.succeeded { "success" } else { "failed" }
        );
        if !r.succeeded && !r.detail.is_empty() {
            let _ = write!(out, " exit-reason=\"{}\"", esc(&r.detail));
        }
        let _ = writeln!(
            out,
            " delegate=\"{}\" completed=\"{}\"/>",
            esc(&r.executioner),
            esc(&clock_text(r.when_s))
        );
    }
    out.push_str("  </fence_history>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(target: &str, ok: bool, when_s: i64) -> FenceRecord {
        FenceRecord {
            when_s,
            target: target.into(),
            action: "reboot".into(),
            executioner: "n1".into(),
            succeeded: ok,
            device: "f".into(),
            detail: if ok {
                "fenced by device f".into()
            } else {
                "Fence agent did not complete within 20s".into()
            },
            client: "stonith_admin".into(),
            origin: "n1".into(),
        }
    }

    fn pending(target: &str) -> PendingRecord {
        PendingRecord {
            requested_s: 5,
            target: target.into(),
            action: "reboot".into(),
            client: "stonith_admin".into(),
            origin: "n1".into(),
            executioner: "n1".into(),
        }
    }

    #[test]
    fn levels_pick_what_crm_mon_shows() {
        let all = vec![
            rec("n2", false, 1),
            rec("n2", false, 2),
            rec("n2", true, 3),
            rec("n3", true, 4),
        ];
        assert!(shown(&all, 0).is_empty());
        let failures = shown(&all, 1);
        assert_eq!(
            failures.len(),
            1,
            "the latest failure per node: {failures:?}"
        );
        assert_eq!(failures[0].when_s, 2);
        assert_eq!(shown(&all, 2).len(), 3);
        assert_eq!(shown(&all, 3).len(), 4);
    }

    // The layout below is what Debian's crm_mon 2.1.5 printed for a failed reboot of n2,
    // a successful one of n3 and one of n3 in progress (pcmk-lab, fence_dummy devices).
    #[test]
    fn default_level_shows_the_last_failure_and_what_is_pending() {
        let history = [
            rec("n2", false, 1_795_701_281),
            rec("n3", true, 1_795_701_231),
        ];
        assert_eq!(
            text(&history, &[pending("n3")], 1),
            "\nFailed Fencing Actions:\n\
             \x20 * reboot of n2 by n1 for stonith_admin@n1 last failed (Fence agent did not complete within 20s) at 2026-11-26 13:54:41Z\n\
             \nPending Fencing Actions:\n\
             \x20 * reboot of n3 for stonith_admin@n1 last pending\n"
        );
        assert_eq!(
            text(&[], &[pending("n3")], 1),
            "\nPending Fencing Actions:\n  * reboot of n3 for stonith_admin@n1 last pending\n"
        );
        assert_eq!(text(&history, &[pending("n3")], 0), "");
        assert_eq!(text(&[], &[], 1), "");
    }

    #[test]
    fn higher_levels_list_pending_then_successes_under_fencing_history() {
        let history = [
            rec("n3", true, 1_795_701_231),
            rec("n2", false, 1_795_701_281),
        ];
        assert_eq!(
            text(&history, &[pending("n3")], 2),
            "\nFailed Fencing Actions:\n\
             \x20 * reboot of n2 by n1 for stonith_admin@n1 failed (Fence agent did not complete within 20s) at 2026-11-26 13:54:41Z\n\
             \nFencing History:\n\
             \x20 * reboot of n3 for stonith_admin@n1 pending\n\
             \x20 * reboot of n3 by n1 for stonith_admin@n1 successful at 2026-11-26 13:53:51Z\n"
        );
    }

    #[test]
    fn xml_lists_every_operation_pending_first() {
        let history = [
            rec("n3", true, 1_795_701_231),
            rec("n2", false, 1_795_701_281),
        ];
        let x = xml(&history, &[pending("n3")], 1);
        assert_eq!(
            x,
            "  <fence_history>\n\
             \x20   <fence_event action=\"reboot\" target=\"n3\" client=\"stonith_admin\" origin=\"n1\" status=\"pending\" extended-status=\"1\"/>\n\
             \x20   <fence_event action=\"reboot\" target=\"n2\" client=\"stonith_admin\" origin=\"n1\" status=\"failed\" exit-reason=\"Fence agent did not complete within 20s\" delegate=\"n1\" completed=\"2026-11-26 13:54:41Z\"/>\n\
             \x20   <fence_event action=\"reboot\" target=\"n3\" client=\"stonith_admin\" origin=\"n1\" status=\"success\" delegate=\"n1\" completed=\"2026-11-26 13:53:51Z\"/>\n\
             \x20 </fence_history>\n"
        );
        assert!(cib::xml::parse(&x).is_ok(), "{x}");
        assert_eq!(xml(&history, &[], 0), "");
        assert_eq!(xml(&[], &[], 1), "");
    }
}
