//! Resources active on several nodes at once (multiple-active): how the recovery is summed up.

use crate::cluster::{Role, Rsc};

/// The Transition Summary line of a primitive active on each of `active` that is stopped
/// everywhere and started on `target`: a restart (or a recovery when a failure is involved)
/// when `target` is one of the active nodes, otherwise a move from the first active node.
pub(crate) fn summary(
    name: &str,
    active: &[(usize, Role)],
    target: usize,
    failed: bool,
    node_name: &dyn Fn(usize) -> String,
) -> String {
    let stays = active.iter().any(|&(n, _)| n == target);
    match (stays, active.first()) {
        (false, Some(&(from, _))) => {
            let verb = if failed { "Recover" } else { "Move" };
            format!(
                "{verb} {name} ( {} -> {} )",
                node_name(from),
                node_name(target)
            )
        }
        _ => {
            let verb = if failed { "Recover" } else { "Restart" };
            format!("{verb} {name} ( {} )", node_name(target))
        }
    }
}

/// With `multiple-active="stop_unexpected"`, the active node the resource stays on (only
/// the other instances stop, and the start there is a pseudo action); `None` otherwise
/// (every instance stops, the default `stop_start`). A failure does not change that: the
/// kept copy is recovered in place "due to being multiply active".
pub(crate) fn kept_instance(
    r: &Rsc,
    active: &[(usize, Role)],
    target: Option<usize>,
) -> Option<usize> {
    let target = target?;
    let policy = r.meta.get("multiple-active").map(String::as_str);
    (policy == Some("stop_unexpected") && active.iter().any(|&(n, _)| n == target))
        .then_some(target)
}
