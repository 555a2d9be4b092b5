//! The Go reference engine (`go-reference/`), measured in the same run as Rust over the same C
//! host: Go→C with `go test -bench` (package `gotoc`, [`gotest`]), C→Go with the same C driver on
//! a `-buildmode=c-shared` library (package `cext`), with the main toolchain and the other
//! releases of the list ([`releases`], [`claim`]). Its records are `lang: "go"` (`go<minor>` for
//! another release).

pub mod claim;
pub mod gotest;
pub mod releases;
pub mod toolchain;

use lab_record::go::GO_NOT_MEASURED;
use lab_record::{Machine, Record};

use crate::engine::{Engine, Measured};
use crate::engines::driver::{measure_c2r, to_result_files};
use crate::options::Options;
use gotest::{records_from_go_test, run_go_test};
use toolchain::{build_go_extension, go_binary, go_dir};

/// The driver's S10 leak check for Go: its allocation counts are process-wide, and its runtime
/// allocates on its own (a new M starting mid-run), so the Go run allows 16, twice the largest
/// imbalance seen (docs/evidence/2026-12-01-go-statistic.md).
pub const GO_LEAK_TOLERANCE: u32 = 16;

/// The Go reference: Go→C and C→Go in this run, beside the Rust figures.
pub struct GoReference;

impl Engine for GoReference {
    fn name(&self) -> &str {
        "go reference"
    }

    fn time(&self, opts: &Options, machine: &Machine) -> Measured {
        let Some(go) = go_binary().filter(|_| go_dir().join("go.mod").is_file()) else {
            println!("lab: {GO_NOT_MEASURED}");
            return Ok(Vec::new());
        };
        // go test names its benchmarks Benchmark_<scenario>: run those the filter names.
        let r2c = opts.named_scenarios("r2c");
        let mut files = Vec::new();
        if !r2c.is_empty() {
            let pattern = format!("^Benchmark_({})$", r2c.join("|"));
            let out = run_go_test(&go, opts.driven_sweep(), &pattern)?;
            files = records_from_go_test(&out, machine);
        }
        if !opts.named_scenarios("c2r").is_empty() {
            let so = build_go_extension(&go)?;
            // Go has fewer strategies than Rust in some scenarios: selecting none of Go's is no
            // error.
            if let Some(c2r) = measure_c2r(opts, &so, GO_LEAK_TOLERANCE)? {
                files.extend(to_result_files(c2r, "go", machine));
            }
        }
        // The other Go releases, on the scenarios where releases differ.
        files.extend(releases::measure_releases(opts, machine, &go));
        for f in &mut files {
            let keep: Vec<Record> = f
                .records
                .iter()
                .filter(|r| opts.selects(&f.case_id(r)))
                .cloned()
                .collect();
            f.records = keep;
        }
        files.retain(|f| !f.records.is_empty());
        Ok(files)
    }

    fn count(&self, _opts: &Options, _machine: &Machine) -> Measured {
        println!("lab: the Go reference is not counted by the callgrind pass");
        Ok(Vec::new())
    }

    fn profile(&self, _opts: &Options, _machine: &Machine) -> Measured {
        println!("lab: the Go reference is profiled by Go's own tools, not here");
        Ok(Vec::new())
    }
}
