//! Typed model of the Pacemaker 2.1 CIB: XML in and out.
//!
//! [`xml`] holds a small owned element tree (parsed with line numbers, written
//! back verbatim); [`model`] is the typed view the scheduler works on: cluster
//! options, nodes, resources, constraints, rules and the status section.

pub mod empty;
pub mod error;
pub mod failure_attr;
pub mod limits;
pub mod model;
pub mod packed_attrs;
pub mod rule;
pub mod score;
pub mod validate;
pub mod xml;
pub mod xml_scan;

pub use error::CibError;
pub use model::Cib;
pub use score::Score;
