//! ffi-lab's bench suite: the cost of crossing the Rust↔C boundary, strategy by strategy, measured
//! and written down as records (`lab-record`) from which `lab-report` makes `REPORT.md`.
//!
//! - [`case`]: the strategy author's API — cases, sweeps, [`strategies!`], the checks every case
//!   passes before it is timed;
//! - [`r2c`]: the Rust→C scenarios (S01–S06, S08, S09, S13), one module per scenario, one plain
//!   function per strategy, named as in `docs/FINDINGS.md`;
//! - [`engine`]: engines (ways of running cases) and passes (ways of observing them); the engines
//!   are in [`engines`] (criterion R→C, the C driver C→R, the Go reference, nginx), the passes'
//!   machinery in [`passes`] (callgrind, the profilers);
//! - [`command`]: what every bench target calls — options ([`options`]), the machine's
//!   [`fingerprint`], one address-space [`layout`] for timed runs, the engine's pass, the records
//!   merged into `results/`;
//! - [`clock`]: the clock and peak instruction rate measured beside a timed pass;
//! - [`crew`]: threads that share a case (S08's writers, S09's callers).
//!
//! The layers point one way: `command` → `engine`/`engines` → `passes`, `case`, `r2c` →
//! `options`. The boundary itself (bindings, host wrappers, counting allocator) is `lab-sys`; the
//! extension the C driver loads is `lab-ext`.

pub mod build;
pub mod case;
pub mod clock;
pub mod command;
pub mod crew;
pub mod engine;
pub mod engines;
pub mod fingerprint;
pub mod layout;
pub mod options;
pub mod passes;
pub mod proxy;
pub mod r2c;
