//! crm_mon's fencing sections, laid out as Pacemaker 2.1.5's: "Failed Fencing Actions",
//! then at `--fence-history=1` (the default) "Pending Fencing Actions", at 2 and 3
//! "Fencing History" (operations in progress first, then the successes, newest first); in
//! XML one `<fence_history>` with every operation, those in progress first. Also
//! `stonith_admin --history`'s lines and `<list name="fencing history">`, from the same
//! records and the same wording.

use std::fmt::Write as _;

use resource_manager::fence_history::FenceRecord;
use resource_manager::fence_pending::PendingRecord;

use super::esc;
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

/// An action as Pacemaker 2.1.5's tools name it in text: `off` is "turning off", `on`
/// "unfencing", the others (`reboot`) their own name.
fn action_text(action: &str) -> &str {
    match action {
        "off" => "turning off",
        "on" => "unfencing",
        other => other,
    }
}

/// `reboot of n3 by n1 for stonith_admin@n1 successful at 2026-11-26 13:53:51Z`, or
/// `... [last ]failed (why) at ...`.
fn completed_line(r: &FenceRecord, last: bool) -> String {
    let mut line = format!(
        "{} of {} by {} for {}@{} ",
        action_text(&r.action),
        r.target,
        r.executioner,
        r.client,
        r.origin
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
        action_text(&p.action),
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

/// One `<fence_event>` line for an operation in progress, at `indent`. Pacemaker's
/// `extended-status` is 1 on the node that asked for it (`local`), 0 on the others.
fn pending_xml(out: &mut String, indent: &str, p: &PendingRecord, local: &str) {
    let _ = writeln!(
        out,
        "{indent}<fence_event action=\"{}\" target=\"{}\" client=\"{}\" origin=\"{}\" status=\"pending\" extended-status=\"{}\"/>",
        esc(&p.action),
        esc(&p.target),
        esc(&p.client),
        esc(&p.origin),
        u8::from(p.origin == local)
    );
}

/// One `<fence_event>` line for a completed operation, at `indent`.
fn completed_xml(out: &mut String, indent: &str, r: &FenceRecord) {
    let _ = write!(
        out,
        "{indent}<fence_event action=\"{}\" target=\"{}\" client=\"{}\" origin=\"{}\" status=\"{}\"",
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

/// The `<fence_history>` element (every operation: those in progress, then the completed
/// ones newest first), or nothing at `level` 0 or with nothing to show; `local` is the
/// node answering.
pub(super) fn xml(
    history: &[FenceRecord],
    pending: &[PendingRecord],
    level: u8,
    local: &str,
) -> String {
    if level == 0 || (history.is_empty() && pending.is_empty()) {
        return String::new();
    }
    let mut out = String::from("  <fence_history>\n");
    for p in pending.iter().rev() {
        pending_xml(&mut out, "    ", p, local);
    }
    for r in history.iter().rev() {
        completed_xml(&mut out, "    ", r);
    }
    out.push_str("  </fence_history>\n");
    out
}

/// One operation `stonith_admin --history` lists.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum AdminEvent<'a> {
    /// In progress.
    Pending(&'a PendingRecord),
    /// Completed, successfully or not.
    Done(&'a FenceRecord),
}

/// The operations on `target` (`*`: every node) that `stonith_admin --history` lists, from
/// `history` and `pending` (both oldest first). With `verbose`, all of them: those in
/// progress, then the completed ones, each newest first. Without, one: the *earliest*
/// recorded success — Debian's 2.1.5 prints that one (and labels it `last-successful`), as
/// the pcmk-lab showed with three successes of one node and with `*`.
pub(crate) fn admin_events<'a>(
    history: &'a [FenceRecord],
    pending: &'a [PendingRecord],
    target: &str,
    verbose: bool,
) -> Vec<AdminEvent<'a>> {
    let on = |t: &str| target == "*" || t == target;
    if !verbose {
        return history
            .iter()
            .find(|r| r.succeeded && on(&r.target))
            .map(AdminEvent::Done)
            .into_iter()
            .collect();
    }
    let mut out: Vec<AdminEvent> = pending
        .iter()
        .rev()
        .filter(|p| on(&p.target))
        .map(AdminEvent::Pending)
        .collect();
    out.extend(
        history
            .iter()
            .rev()
            .filter(|r| on(&r.target))
            .map(AdminEvent::Done),
    );
    out
}

/// `stonith_admin --history`'s text for `events` ([`admin_events`]), as Debian's 2.1.5
/// prints it: one line per operation then `N events found`. Without `verbose` the single
/// success shows its time as `last-successful`. `quiet` prints only the Unix time of the
/// earliest success (whatever `verbose` says) and `0 events found`, as 2.1.5 does.
pub(crate) fn admin_text(events: &[AdminEvent], verbose: bool, quiet: bool) -> String {
    let mut out = String::new();
    let mut count = 0;
    if quiet {
        let first_success = events.iter().rev().find_map(|e| match e {
            AdminEvent::Done(r) if r.succeeded => Some(r.when_s),
            _ => None,
        });
        if let Some(when) = first_success {
            let _ = writeln!(out, "{when}");
        }
    } else {
        for e in events {
            count += 1;
            match e {
                AdminEvent::Pending(p) => {
                    let _ = writeln!(
                        out,
                        "{} of {} pending: client={}, origin={}",
                        action_text(&p.action),
                        p.target,
                        p.client,
                        p.origin
                    );
                }
                AdminEvent::Done(r) => {
                    let outcome = if r.succeeded {
                        "successful".to_string()
                    } else if r.detail.is_empty() {
                        "failed".to_string()
                    } else {
                        format!("failed ({})", r.detail)
                    };
                    let _ = writeln!(
                        out,
                        "{} of {} {outcome}: delegate={}, client={}, origin={}, {}='{}'",
                        action_text(&r.action),
                        r.target,
                        r.executioner,
                        r.client,
                        r.origin,
                        if verbose {
                            "completed"
                        } else {
                            "last-successful"
                        },
                        clock_text(r.when_s)
                    );
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "{count} {} found",
        if count == 1 { "event" } else { "events" }
    );
    out
}

/// `stonith_admin --history --output-as xml`'s document for `events`: `request` is the
/// command line, `local` the node answering.
pub(crate) fn admin_xml(events: &[AdminEvent], request: &str, local: &str) -> String {
    let mut out = format!(
        "<pacemaker-result api-version=\"2.25\" request=\"{}\">\n",
        esc(request)
    );
    if events.is_empty() {
        out.push_str("  <list name=\"fencing history\" count=\"0\"/>\n");
    } else {
        let _ = writeln!(
            out,
            "  <list name=\"fencing history\" count=\"{}\">",
            events.len()
        );
        for e in events {
            match e {
                AdminEvent::Pending(p) => pending_xml(&mut out, "    ", p, local),
                AdminEvent::Done(r) => completed_xml(&mut out, "    ", r),
            }
        }
        out.push_str("  </list>\n");
    }
    out.push_str("  <status code=\"0\" message=\"OK\"/>\n</pacemaker-result>\n");
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
        let x = xml(&history, &[pending("n3")], 1, "n1");
        assert_eq!(
            x,
            "  <fence_history>\n\
             \x20   <fence_event action=\"reboot\" target=\"n3\" client=\"stonith_admin\" origin=\"n1\" status=\"pending\" extended-status=\"1\"/>\n\
             \x20   <fence_event action=\"reboot\" target=\"n2\" client=\"stonith_admin\" origin=\"n1\" status=\"failed\" exit-reason=\"Fence agent did not complete within 20s\" delegate=\"n1\" completed=\"2026-11-26 13:54:41Z\"/>\n\
             \x20   <fence_event action=\"reboot\" target=\"n3\" client=\"stonith_admin\" origin=\"n1\" status=\"success\" delegate=\"n1\" completed=\"2026-11-26 13:53:51Z\"/>\n\
             \x20 </fence_history>\n"
        );
        assert!(cib::xml::parse(&x).is_ok(), "{x}");
        assert_eq!(xml(&history, &[], 0, "n1"), "");
        assert_eq!(xml(&[], &[], 1, "n1"), "");
        // Elsewhere than on the node that asked, extended-status is 0.
        assert!(xml(&[], &[pending("n3")], 1, "n2")
            .contains("status=\"pending\" extended-status=\"0\""));
    }

    fn lab(
        action: &str,
        target: &str,
        by: &str,
        client: &str,
        origin: &str,
        ok: bool,
        when_s: i64,
    ) -> FenceRecord {
        FenceRecord {
            when_s,
            target: target.into(),
            action: action.into(),
            executioner: by.into(),
            succeeded: ok,
            device: "fd".into(),
            detail: if ok {
                "fenced by device fd".into()
            } else {
                "Fence agent did not complete within 20s".into()
            },
            client: client.into(),
            origin: origin.into(),
        }
    }

    /// What the pcmk-lab's fenced recorded (fence_dummy devices for n5..n9; n6's delayed),
    /// oldest first, and n6's reboot in progress.
    fn lab_history() -> (Vec<FenceRecord>, Vec<PendingRecord>) {
        (
            vec![
                lab(
                    "reboot",
                    "n9",
                    "n1",
                    "stonith_admin.1307",
                    "n1",
                    true,
                    1_795_709_479,
                ),
                lab(
                    "off",
                    "n9",
                    "n1",
                    "stonith_admin.1325",
                    "n1",
                    true,
                    1_795_709_480,
                ),
                lab(
                    "reboot",
                    "n8",
                    "n1",
                    "stonith_admin.1338",
                    "n2",
                    true,
                    1_795_709_480,
                ),
                lab(
                    "reboot",
                    "n7",
                    "n2",
                    "stonith_admin.1352",
                    "n1",
                    false,
                    1_795_709_500,
                ),
                lab(
                    "off",
                    "n5",
                    "a human",
                    "stonith_admin.1526",
                    "n1",
                    true,
                    1_795_709_501,
                ),
            ],
            vec![PendingRecord {
                requested_s: 1_795_709_502,
                target: "n6".into(),
                action: "reboot".into(),
                client: "stonith_admin.1564".into(),
                origin: "n2".into(),
                executioner: "n3".into(),
            }],
        )
    }

    // The expected texts below are what Debian's stonith_admin 2.1.5 printed on the
    // pcmk-lab for the same history (`stonith_admin -H '*' --verbose` etc.).
    #[test]
    fn admin_history_verbose_lists_everything_pending_first_newest_first() {
        let (h, p) = lab_history();
        assert_eq!(
            admin_text(&admin_events(&h, &p, "*", true), true, false),
            "reboot of n6 pending: client=stonith_admin.1564, origin=n2\n\
             turning off of n5 successful: delegate=a human, client=stonith_admin.1526, origin=n1, completed='2026-11-26 16:11:41Z'\n\
             reboot of n7 failed (Fence agent did not complete within 20s): delegate=n2, client=stonith_admin.1352, origin=n1, completed='2026-11-26 16:11:40Z'\n\
             reboot of n8 successful: delegate=n1, client=stonith_admin.1338, origin=n2, completed='2026-11-26 16:11:20Z'\n\
             turning off of n9 successful: delegate=n1, client=stonith_admin.1325, origin=n1, completed='2026-11-26 16:11:20Z'\n\
             reboot of n9 successful: delegate=n1, client=stonith_admin.1307, origin=n1, completed='2026-11-26 16:11:19Z'\n\
             6 events found\n"
        );
        assert_eq!(
            admin_text(&admin_events(&h, &p, "n6", true), true, false),
            "reboot of n6 pending: client=stonith_admin.1564, origin=n2\n1 event found\n"
        );
        assert_eq!(
            admin_text(&admin_events(&h, &p, "n1", true), true, false),
            "0 events found\n"
        );
    }

    #[test]
    fn admin_history_plain_shows_the_earliest_success_only() {
        let (h, p) = lab_history();
        let line = "reboot of n9 successful: delegate=n1, client=stonith_admin.1307, origin=n1, last-successful='2026-11-26 16:11:19Z'\n1 event found\n";
        assert_eq!(
            admin_text(&admin_events(&h, &p, "*", false), false, false),
            line
        );
        assert_eq!(
            admin_text(&admin_events(&h, &p, "n9", false), false, false),
            line
        );
        assert_eq!(
            admin_text(&admin_events(&h, &p, "n5", false), false, false),
            "turning off of n5 successful: delegate=a human, client=stonith_admin.1526, origin=n1, last-successful='2026-11-26 16:11:41Z'\n1 event found\n"
        );
        // A failure or an operation in progress is no success.
        for node in ["n7", "n6"] {
            assert_eq!(
                admin_text(&admin_events(&h, &p, node, false), false, false),
                "0 events found\n"
            );
        }
    }

    #[test]
    fn admin_history_quiet_prints_the_success_time_and_no_count() {
        let (h, p) = lab_history();
        for verbose in [false, true] {
            assert_eq!(
                admin_text(&admin_events(&h, &p, "*", verbose), verbose, true),
                "1795709479\n0 events found\n"
            );
            assert_eq!(
                admin_text(&admin_events(&h, &p, "n8", verbose), verbose, true),
                "1795709480\n0 events found\n"
            );
            assert_eq!(
                admin_text(&admin_events(&h, &p, "n6", verbose), verbose, true),
                "0 events found\n"
            );
        }
    }

    #[test]
    fn admin_history_xml_is_a_fencing_history_list() {
        let (h, p) = lab_history();
        let x = admin_xml(
            &admin_events(&h, &p, "*", true),
            "stonith_admin -H * --verbose --output-as xml",
            "n1",
        );
        assert_eq!(
            x,
            "<pacemaker-result api-version=\"2.25\" request=\"stonith_admin -H * --verbose --output-as xml\">\n\
             \x20 <list name=\"fencing history\" count=\"6\">\n\
             \x20   <fence_event action=\"reboot\" target=\"n6\" client=\"stonith_admin.1564\" origin=\"n2\" status=\"pending\" extended-status=\"0\"/>\n\
             \x20   <fence_event action=\"off\" target=\"n5\" client=\"stonith_admin.1526\" origin=\"n1\" status=\"success\" delegate=\"a human\" completed=\"2026-11-26 16:11:41Z\"/>\n\
             \x20   <fence_event action=\"reboot\" target=\"n7\" client=\"stonith_admin.1352\" origin=\"n1\" status=\"failed\" exit-reason=\"Fence agent did not complete within 20s\" delegate=\"n2\" completed=\"2026-11-26 16:11:40Z\"/>\n\
             \x20   <fence_event action=\"reboot\" target=\"n8\" client=\"stonith_admin.1338\" origin=\"n2\" status=\"success\" delegate=\"n1\" completed=\"2026-11-26 16:11:20Z\"/>\n\
             \x20   <fence_event action=\"off\" target=\"n9\" client=\"stonith_admin.1325\" origin=\"n1\" status=\"success\" delegate=\"n1\" completed=\"2026-11-26 16:11:20Z\"/>\n\
             \x20   <fence_event action=\"reboot\" target=\"n9\" client=\"stonith_admin.1307\" origin=\"n1\" status=\"success\" delegate=\"n1\" completed=\"2026-11-26 16:11:19Z\"/>\n\
             \x20 </list>\n\
             \x20 <status code=\"0\" message=\"OK\"/>\n\
             </pacemaker-result>\n"
        );
        assert!(cib::xml::parse(&x).is_ok(), "{x}");
        assert_eq!(
            admin_xml(&admin_events(&h, &p, "n4", false), "stonith_admin -H n4 --output-as xml", "n1"),
            "<pacemaker-result api-version=\"2.25\" request=\"stonith_admin -H n4 --output-as xml\">\n\
             \x20 <list name=\"fencing history\" count=\"0\"/>\n\
             \x20 <status code=\"0\" message=\"OK\"/>\n\
             </pacemaker-result>\n"
        );
        // On the node that asked, an operation in progress has extended-status 1.
        assert!(admin_xml(&admin_events(&h, &p, "n6", true), "r", "n2")
            .contains("status=\"pending\" extended-status=\"1\""));
    }

    #[test]
    fn crm_mon_names_off_and_on_as_pacemaker_does() {
        let mut off = rec("n3", true, 1_795_701_231);
        off.action = "off".into();
        let mut on = rec("n3", true, 1_795_701_232);
        on.action = "on".into();
        assert_eq!(
            text(&[off, on], &[], 3),
            "\nFencing History:\n\
             \x20 * unfencing of n3 by n1 for stonith_admin@n1 successful at 2026-11-26 13:53:52Z\n\
             \x20 * turning off of n3 by n1 for stonith_admin@n1 successful at 2026-11-26 13:53:51Z\n"
        );
    }
}
