//! ffi-lab's bench suite: the cost of crossing the Rust↔C boundary, strategy by strategy, measured
//! and written down as records (`lab-record`) from which `lab-report` makes `REPORT.md`.
//!
//! - [`case`]: the strategy author's API — cases, sweeps, [`strategies!`], the checks every case
//!   passes before it is timed;
//! - [`r2c`]: the Rust→C scenarios (S01–S06, S08, S09, S13), one module per scenario, one plain
//!   function per strategy, named as in `docs/FINDINGS.md`;
//! - the runners, each writing records: [`runner`] (criterion, R→C), [`driver`] (the C driver on
//!   the extension, C→R), [`go`] (the Go reference), [`profile`] (the flame-graph pass), with [`callgrind`] (the
//!   deterministic pass), with the [`fingerprint`] of the machine every record carries;
//! - [`options`]: what a bench target was asked to do, and the `main` they all share, which times
//!   in one address-space [`layout`];
//! - [`crew`]: threads that share a case (S08's writers, S09's callers).
//!
//! The boundary itself (bindings, host wrappers, counting allocator) is `lab-sys`; the extension
//! the C driver loads is `lab-ext`.

pub mod callgrind;
pub mod case;
pub mod crew;
pub mod criterion_json;
pub mod driver;
pub mod fingerprint;
pub mod go;
pub mod layout;
pub mod nginx;
pub mod options;
pub mod profile;
pub mod r2c;
pub mod runner;
