//! Helpers of the differential test against Debian's crm_simulate: a seeded
//! CIB generator, the summary comparison, and the runner of both tools.

pub mod cib_gen;
pub mod md5;
pub mod rng;
pub mod run;
pub mod summary;
