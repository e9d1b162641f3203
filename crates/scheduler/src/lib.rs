//! Pacemaker-compatible policy engine: a pure function from a CIB to scores and a transition graph.
