//! Bounds on input the CIB parser accepts.

/// Deepest element nesting accepted; deeper documents are rejected, not recursed into.
pub const MAX_DEPTH: usize = 64;
/// Largest CIB document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024 * 1024;
/// Deepest chain of `id-ref` indirections followed.
pub const MAX_IDREF_HOPS: usize = 8;
