//! Copies of anonymous clone instances held by orphaned instances (numbered after the
//! clone's instances, stopped): a group instance's second copy on one node beyond
//! `clone-node-max`, and what a lost node still runs of a clone that does not wait for
//! fencing when the clone has fewer instances than the cluster has nodes.

use crate::cluster::{Cluster, Variant};
use crate::rsc_lookup::RscLookup;
use crate::unpack::stopped_orphan;

/// Adds an orphaned instance of the group cloned by `clone` (a copy of its first
/// instance's members, every one an orphan to stop) and returns its member configured as
/// `member`.
pub(crate) fn orphan_group_instance(
    c: &mut Cluster,
    lookup: &mut RscLookup,
    clone: usize,
    member: &str,
) -> Option<usize> {
    let template = *c.rscs[clone].children.first()?;
    if c.rscs[template].variant != Variant::Group {
        return None;
    }
    let n = c.rscs[clone].children.len();
    // A copy of a configured clone's instance is stopped even with
    // `stop-orphan-resources=false`.
    let managed = c.rscs[clone].managed;
    let group_config = c.rscs[template].config_id.clone();
    let mut group = stopped_orphan(
        &format!("{group_config}:{n}"),
        &group_config,
        Variant::Group,
        Some(clone),
    );
    group.managed = managed;
    group.meta = c.rscs[template].meta.clone();
    group.promotable = c.rscs[clone].promotable;
    let g = c.rscs.len();
    c.rscs.push(group);
    c.rscs[clone].children.push(g);
    lookup.note(c, g);
    let mut found = None;
    for m in c.rscs[template].children.clone() {
        let config = c.rscs[m].config_id.clone();
        let mut r = stopped_orphan(
            &format!("{config}:{n}"),
            &config,
            Variant::Primitive,
            Some(g),
        );
        r.managed = managed;
        r.agent = c.rscs[m].agent.clone();
        r.promotable = c.rscs[clone].promotable;
        let i = c.rscs.len();
        c.rscs.push(r);
        c.rscs[g].children.push(i);
        lookup.note(c, i);
        if config == member {
            found = Some(i);
        }
    }
    found
}

/// Whether a copy of primitive `p` (an instance of the anonymous clone `clone`) active on
/// `node` is held by an orphaned instance: the node is lost (unclean, offline), `p` does
/// not wait for fencing to start elsewhere, and the clone has fewer instances than the
/// cluster has nodes.
pub(crate) fn lost_copy(c: &Cluster, clone: usize, p: usize, node: usize) -> bool {
    let n = &c.nodes[node];
    n.unclean
        && !n.online
        && c.rscs[p].parent == Some(clone)
        && !c.rscs[clone].unique
        && matches!(crate::fencing::requires(c, p), "quorum" | "nothing")
        && c.rscs[clone].clone_max < c.nodes.len()
}
