//! Totem single-ring ordering and membership protocol as a sans-IO state machine.
