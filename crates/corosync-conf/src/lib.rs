//! Parser and validated model of corosync.conf (totem, nodelist, quorum, logging), with corosync 3.1 defaults.
