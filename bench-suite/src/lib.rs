//! ffi-lab: the cost of crossing the Rust↔C boundary, strategy by strategy.
//!
//! The crate reproduces, in Rust, the findings of `../shared/FINDINGS.md` about embedding Go in
//! Envoy through cgo. Its parts, in the order data flows:
//!
//! - [`sys`]: the bindgen bindings of `c-harness/include/lab.h`, the one ABI;
//! - [`host`]: safe wrappers over the C host (requests, header views whose lifetimes the compiler
//!   checks, and every host error as a [`host::LabError`]);
//! - [`r2c`]: the Rust→C scenarios (S01–S06, S08, S09, S13), one module per scenario, one plain function per
//!   strategy, named as in FINDINGS.md;
//! - [`c2r`]: the C→R side — the extension the C driver `dlopen()`s (S01, S07, S10–S12, S14);
//! - [`measure`]: what every benchmark shares — allocation counting on both sides, the result
//!   records, the criterion runner;
//! - [`worker`]: the host's worker loop, where other threads post their writes (S08);
//! - [`report`]: turns `results/` into `REPORT.md`.

pub mod c2r;
pub mod host;
pub mod measure;
pub mod plots;
pub mod r2c;
pub mod report;
pub mod slots;
pub mod sys;
pub mod worker;
