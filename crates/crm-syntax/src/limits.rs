//! Bounds on the input the parser accepts.

/// Largest configuration text accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;
/// Most statements in one text.
pub const MAX_STATEMENTS: usize = 100_000;
/// Most words in one statement.
pub const MAX_WORDS_PER_STATEMENT: usize = 100_000;
/// Longest single word (after unquoting), in bytes.
pub const MAX_WORD_BYTES: usize = 1024 * 1024;
/// Most ids tried when looking for a free generated id (`base-0`, `base-1`, ...).
pub const MAX_ID_SUFFIX: usize = 1_000_000;
