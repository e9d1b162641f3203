//! The fencing history as the admin socket's `fence-history` verb sends it: one line per
//! operation, oldest first, tab-separated `when target action executioner result device
//! client origin detail` (result `ok` or `failed`; tabs and newlines in a field become
//! spaces).

use controller::controller::FenceHistory;

/// One fencing operation read back from the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FenceRecord {
    /// Completion time, seconds since the epoch.
    pub when_s: i64,
    /// The node fenced (or not).
    pub target: String,
    /// `reboot`, `off`, ...
    pub action: String,
    /// The node that ran the devices.
    pub executioner: String,
    /// Whether it succeeded.
    pub succeeded: bool,
    /// The last device that ran.
    pub device: String,
    /// The level used, or why every level failed.
    pub detail: String,
    /// Who asked (`stonith_admin`, `tandem-controller`).
    pub client: String,
    /// The node that asked.
    pub origin: String,
}

/// `s` made safe for one tab-separated field: tabs and line breaks become spaces.
pub(crate) fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Encodes a controller's fencing history.
pub fn encode(h: &FenceHistory) -> String {
    let mut out = String::new();
    for e in h {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            e.when_s,
            clean(&e.target),
            clean(&e.action),
            clean(&e.executioner),
            if e.succeeded { "ok" } else { "failed" },
            clean(&e.device),
            clean(&e.client),
            clean(&e.origin),
            clean(&e.detail)
        ));
    }
    out
}

/// Decodes [`encode`]'s text; malformed lines are skipped.
pub fn decode(text: &str) -> Vec<FenceRecord> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(9, '\t').collect();
            let [when, target, action, executioner, result, device, client, origin, detail] = f[..]
            else {
                return None;
            };
            Some(FenceRecord {
                when_s: when.parse().ok()?,
                target: target.to_string(),
                action: action.to_string(),
                executioner: executioner.to_string(),
                succeeded: result == "ok",
                device: device.to_string(),
                detail: detail.to_string(),
                client: client.to_string(),
                origin: origin.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use controller::FenceEvent;

    #[test]
    fn history_round_trips_and_bad_lines_are_skipped() {
        let mut h = FenceHistory::new();
        h.push_back(FenceEvent {
            target: "node3".into(),
            action: "reboot".into(),
            executioner: "node1".into(),
            succeeded: true,
            detail: "fenced by level 2 (ok)\tafter: level 1 bad: rc 1".into(),
            device: "ok".into(),
            when_s: 1_700_000_000,
            client: "tandem-controller".into(),
            origin: "node2".into(),
        });
        let text = encode(&h);
        let back = decode(&format!("garbage line\n{text}x\ty\n"));
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].target, "node3");
        assert_eq!(back[0].client, "tandem-controller");
        assert_eq!(back[0].origin, "node2");
        assert!(back[0].succeeded);
        assert_eq!(
            back[0].detail,
            "fenced by level 2 (ok) after: level 1 bad: rc 1"
        );
    }
}
