//! ffi-lab's data: the result record (docs/DESIGN.md), the contract between the runners (criterion,
//! the C driver, the Go reference) and the report, and the `results/` store it lives in. One file
//! per scenario, language and direction: `results/<machine-id>/<scenario>.<lang>.<direction>.json`.
//!
//! Serde only: this crate describes and stores what was measured; it measures nothing and probes
//! no toolchain (the fingerprint is taken by lab-bench), but for `local`'s machine class, which
//! the measuring crate and the report must compute alike.
//!
//! Modules by role, each depending only on those listed before it: `class` (the machine class
//! and the id it gives), `machine` (the fingerprint), `clock` (the pace a timed pass ran at),
//! `ratios` (a median with its bounds, ratios over interleaved rounds), `counts` (the callgrind
//! pass's counts and their files), `record` (the result record and its labels) and
//! `store` (result files under `results/<machine-id>/`), whose items are re-exported here and named
//! `lab_record::X`; then the public modules `scenario` (the definitions), `go` (the Go releases)
//! and `local` (this run's output root and machine).

mod class;
mod clock;
mod counts;
mod machine;
mod ratios;
mod record;
mod store;

pub mod builds;
pub mod go;
pub mod local;
pub mod scenario;

pub use class::{line_hash, line_without_nginx, MachineClass, Probes, DISPATCH_FEATURES};
pub use clock::Clock;
pub use counts::{
    counts_key, load_counts, load_counts_files, Counts, CountsFile, FunctionCost, CACHE_MODEL,
    COUNTS_DIR,
};
pub use machine::{rfc3339_utc, Machine};
pub use ratios::{quartiles, Ns, Ratios};
pub use record::{
    params_label, work_label, Allocs, LoadFigures, Record, COUNT_CALLS, NATIVE, VARIANT_PARAMS,
};
pub use store::{file_name, load_dir, write_atomically, ResultFile, FLAMEGRAPH_DIR, PLOT_DIR};
