//! Bounds on what the store keeps and reads.

/// Numbered backups of `cib.xml` kept (round-robin).
pub const MAX_BACKUPS: u32 = 10;

/// Largest CIB file the store reads, in bytes.
pub const MAX_CIB_BYTES: u64 = 64 * 1024 * 1024;

/// Largest number of files in a pe-* series, whatever the property says.
pub const MAX_SERIES: u32 = 100_000;

/// Default of the pe-input-series-max property (Pacemaker 2.1's value).
pub const DEFAULT_INPUT_SERIES_MAX: u32 = 4000;

/// Default of pe-warn-series-max and pe-error-series-max.
pub const DEFAULT_WARN_ERROR_SERIES_MAX: u32 = 5000;
