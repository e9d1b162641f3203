//! Seeded deterministic simulator that runs whole Totem clusters over a faulty simulated network.
