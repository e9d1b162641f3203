//! votequorum as specified by votequorum(5): votes, expected votes and the quorum flags, as a pure state machine.
