//! The cluster resource manager's brain as a pure state machine: DC election, node join, CIB replication, transition execution, attributes.
