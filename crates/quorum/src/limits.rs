//! Bounds on the state votequorum keeps.

/// Most nodes tracked as members or as seen (Totem's processor limit).
pub const MAX_MEMBERS: usize = 384;
