//! votequorum as specified by votequorum(5): votes, expected votes and the
//! quorum flags, as a pure state machine.
//!
//! [`Votequorum`] takes membership changes ([`Votequorum::membership`]),
//! members' vote reports ([`Votequorum::report`]) and timer expiry
//! ([`Votequorum::timer_expired`]), each with the current time in ms, and
//! returns [`Output`]s: status changes (quorum notifications) and timers to
//! set or cancel. Quorum is `floor(E/2)+1` over the members' total votes `T`,
//! where `E = max(expected, highest expected reported, T)`; two_node,
//! wait_for_all, last_man_standing and auto_tie_breaker modify it as the man
//! page says. It does no IO and reads no clock.

#![deny(missing_docs)]

pub mod limits;
mod machine;
mod settings;
mod status;

pub use machine::{NodeReport, Output, QuorumError, Timer, Votequorum};
pub use settings::{NodeId, Settings, TieBreaker};
pub use status::{Flags, MemberVotes, Status};
