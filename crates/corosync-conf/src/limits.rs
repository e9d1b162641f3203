//! Bounds on what the parser accepts, so hostile input cannot exhaust memory.

/// Largest configuration text accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 1 << 20;
/// Deepest nesting of sections (`totem { interface { ... } }` is depth 2).
pub const MAX_SECTION_DEPTH: usize = 8;
/// Most nodes a `nodelist` may hold (Totem's processor limit).
pub const MAX_NODES: usize = 384;
/// Most `interface {}` sections (knet links) a `totem` section may hold.
pub const MAX_INTERFACES: usize = 8;
/// Most `ringX_addr` keys a node may hold (`ring0_addr` .. `ring7_addr`).
pub const MAX_RING_ADDRS: usize = 8;
/// Most warnings kept; later ones are counted in a final summary warning.
pub const MAX_WARNINGS: usize = 256;
