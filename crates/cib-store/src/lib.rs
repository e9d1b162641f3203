//! Durable CIB storage on disk: atomic writes with checksums, backups, and the pe-input series.
//!
//! - [`CibStore`] keeps `cib.xml` in a state directory beside a checksum sidecar
//!   `cib.xml.sig` (SHA-256 hex of the file's bytes; Pacemaker's sidecar holds an MD5).
//!   Every write goes to a temp file, is fsynced, renamed over the old file, and the
//!   directory is fsynced; the previous copy is kept as a numbered backup
//!   `cib-N.raw` (+ `.sig`), at most [`limits::MAX_BACKUPS`] of them, numbered round-robin
//!   with the last number in `cib.last`.
//! - [`CibStore::load`] verifies the checksum and that the text is a `<cib>` document, and
//!   reports a corrupt file as [`StoreError::Corrupt`], so the daemon can start without a
//!   CIB and take the cluster's copy. Leftover temp files from a crash are ignored (and
//!   removed on the next write).
//! - [`PeSeries`] saves scheduler inputs as `pe-input-N.xml`, `pe-warn-N.xml` and
//!   `pe-error-N.xml`, wrapping at the `pe-*-series-max` property. Pacemaker compresses
//!   these with bzip2; Tandem writes plain XML, which `crm_simulate -x` reads as well.
//! - [`empty_cib`] is the configuration written on first start.
//!
//! This is the only controller-side crate that touches files.

#![deny(missing_docs)]

pub mod error;
pub mod limits;
pub mod series;
pub mod store;

pub use error::StoreError;
pub use series::{PeSeries, SeriesKind};
pub use store::{empty_cib, CibStore, Loaded};
