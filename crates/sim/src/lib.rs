//! Seeded deterministic simulator that runs whole Totem clusters over a faulty simulated network.
//!
//! A run ([`Simulation`]) owns N [`totem::Node`]s, a [`network::Network`] with loss,
//! duplication, delay/reordering and partitions, and a client workload; it crashes, restarts
//! and cleanly stops nodes, all drawn from one [`prng::Prng`] seeded by [`Options::seed`].
//! After every output the [`checker::Checker`] asserts the guarantees; at the end it checks the
//! whole-history ones and that the ring re-formed once faults stopped.
//!
//! Replay one seed: `tandem-sim --seed 42 --nodes 5` (add `-v` for the protocol's debug log);
//! run many: `tandem-sim --seeds 0..1000 --nodes 3,5,7 [--sim-seconds 30] [--adversarial]`. Scripted
//! scenarios use [`Simulation::scripted`] and drive time, sends and faults themselves.

pub mod checker;
pub mod network;
pub mod prng;
mod simulation;

pub use network::NetworkFaults;
pub use simulation::{Options, Report, Simulation, Swarm};

/// Runs one seed.
pub fn run(options: Options) -> Report {
    Simulation::new(options).run()
}
