//! Fencing operations requested and not answered yet, as every replica sees them: the
//! request (the DC's, or an administrator's) is a multicast to the node that runs the
//! devices, and the answer a multicast result, so every node can tell what is in
//! progress (`crm_mon`'s "Pending Fencing Actions").

use crate::limits;
use crate::message::{ExecAction, OpRecord};

use super::{Controller, NodeId};

/// A fencing operation in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingFence {
    /// The node to fence.
    pub target: String,
    /// The action (`reboot`, `off`, ...).
    pub action: String,
    /// Who asked: `stonith_admin` for an administrator, `tandem-controller` for the DC.
    pub client: String,
    /// The node that asked.
    pub origin: String,
    /// The node running the devices.
    pub executioner: String,
    /// When the request was delivered, seconds since the epoch.
    pub requested_s: i64,
    /// The request's transition key (its answer carries it back).
    key: String,
}

impl Controller {
    /// A fencing request was delivered (every replica).
    pub(super) fn note_fence_request(&mut self, from: NodeId, a: &ExecAction) {
        let Some(target) = &a.fence_target else {
            return;
        };
        let members: Vec<&str> = self.members.iter().map(|m| m.name.as_str()).collect();
        // Those whose runner left will never be answered.
        self.pending_fences
            .retain(|p| members.contains(&p.executioner.as_str()));
        if self.pending_fences.len() >= limits::MAX_FENCE_HISTORY {
            self.pending_fences.remove(0);
        }
        let admin = a.key.rsplit(':').next() == Some(limits::ADMIN_FENCE_KEY);
        let origin = self.name_of(from).unwrap_or_default().to_string();
        let requested_s = self.now_s();
        self.pending_fences.push(PendingFence {
            target: target.clone(),
            action: a.task.clone(),
            client: if admin {
                "stonith_admin".into()
            } else {
                "tandem-controller".into()
            },
            origin,
            executioner: a.node.clone(),
            requested_s,
            key: a.key.clone(),
        });
    }

    /// A fencing result was delivered: its request (returned, when this replica saw it)
    /// is no longer pending.
    pub(super) fn note_fence_answer(&mut self, rec: &OpRecord) -> Option<PendingFence> {
        let target = rec.fence_target.as_ref()?;
        let i = self
            .pending_fences
            .iter()
            .position(|p| p.key == rec.key && p.target == *target)?;
        Some(self.pending_fences.remove(i))
    }

    /// Fencing operations requested and not answered, oldest first (those whose runner
    /// is no longer a member are left out: they will not be answered).
    pub fn pending_fencing(&self) -> Vec<PendingFence> {
        self.pending_fences
            .iter()
            .filter(|p| self.members.iter().any(|m| m.name == p.executioner))
            .cloned()
            .collect()
    }
}
