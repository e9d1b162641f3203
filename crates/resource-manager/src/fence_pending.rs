//! The fencing operations in progress as the admin socket's `fence-pending` verb sends
//! them: one line per operation, oldest first, tab-separated `requested target action
//! client origin executioner` (tabs and newlines in a field become spaces).

use crate::fence_history::clean;
use controller::controller::PendingFence;

/// One fencing operation in progress, read back from the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRecord {
    /// When it was requested, seconds since the epoch.
    pub requested_s: i64,
    /// The node to fence.
    pub target: String,
    /// `reboot`, `off`, ...
    pub action: String,
    /// Who asked (`stonith_admin`, `tandem-controller`).
    pub client: String,
    /// The node that asked.
    pub origin: String,
    /// The node running the devices.
    pub executioner: String,
}

/// Encodes a controller's fencing operations in progress.
pub fn encode(pending: &[PendingFence]) -> String {
    let mut out = String::new();
    for p in pending {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            p.requested_s,
            clean(&p.target),
            clean(&p.action),
            clean(&p.client),
            clean(&p.origin),
            clean(&p.executioner)
        ));
    }
    out
}

/// Decodes [`encode`]'s text; malformed lines are skipped.
pub fn decode(text: &str) -> Vec<PendingRecord> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(6, '\t').collect();
            let [when, target, action, client, origin, executioner] = f[..] else {
                return None;
            };
            Some(PendingRecord {
                requested_s: when.parse().ok()?,
                target: target.to_string(),
                action: action.to_string(),
                client: client.to_string(),
                origin: origin.to_string(),
                executioner: executioner.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_skipped() {
        let text = "17\tnode3\treboot\tstonith_admin\tnode1\tnode2\nnonsense\nx\ta\tb\tc\td\te\n";
        assert_eq!(
            decode(text),
            [PendingRecord {
                requested_s: 17,
                target: "node3".into(),
                action: "reboot".into(),
                client: "stonith_admin".into(),
                origin: "node1".into(),
                executioner: "node2".into(),
            }]
        );
    }
}
