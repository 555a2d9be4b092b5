//! What a bench target was asked to do (sweep, filter, output), and the one `main` every bench
//! target shares: measure, then save the records and refresh the report.

use std::path::PathBuf;

use lab_record::{Machine, ResultFile};

use crate::case::Sweep;
use crate::fingerprint;

/// What a bench binary was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub sweep: Sweep,
    /// `cargo test --benches` or `cargo bench -- --test`: run each case once, write nothing.
    pub test_only: bool,
    /// Only case ids (`scenario/strategy/params`) containing this substring; its part up to the
    /// first `/` must be part of a scenario id (see [`Options::from_env`]).
    pub filter: Option<String>,
    /// Where `results/` and `REPORT.md` go.
    pub out_root: PathBuf,
    /// `--profile` or `LAB_PROFILE=1`: instead of timing, sample each scenario's profiled cases and write flame
    /// graphs (a pass of its own, so sampling never skews the timed runs).
    pub profile: bool,
    /// `--callgrind` or `LAB_CALLGRIND=1`: instead of timing, count each case's instructions and
    /// simulated cache misses under callgrind (`crate::callgrind`), a pass of its own.
    pub callgrind: bool,
}

/// Cargo's target directory (`$CARGO_TARGET_DIR`, else `<workspace>/target`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// The workspace root: the nearest directory above this crate's (`$CARGO_MANIFEST_DIR`, which
/// cargo sets for the benches it runs), else above the binary, that holds `bench-suite/lab-bench`.
/// Found at run time, never compiled in: a path in the binary's constants shifts every constant
/// after it, so two clones at different paths would build binaries of different data layout, and
/// the callgrind pass counts some rows differently (S06's reads moved up to 9 % between a clone
/// at `/work/main` and one at `/check/work/main`).
pub fn workspace_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_exe().ok())
        .unwrap_or_default();
    start
        .ancestors()
        .find(|d| d.join("bench-suite/lab-bench/Cargo.toml").is_file())
        .expect("the lab runs from its workspace (bench-suite/lab-bench)")
        .to_path_buf()
}

impl Options {
    /// From the command line cargo gives a bench binary and the environment: `LAB_QUICK=1` or
    /// `--quick` for the quick sweep; `LAB_OUT` to redirect output (quick runs default to
    /// `target/lab-quick/` so they never overwrite the committed full results).
    ///
    /// A filter that names no scenario ends the process at once (exit 2) with the scenario ids:
    /// every bench target would otherwise run nothing, or everything it cannot filter.
    pub fn from_env() -> Options {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let quick = args.iter().any(|a| a == "--quick")
            || std::env::var("LAB_QUICK").is_ok_and(|v| v != "0" && !v.is_empty());
        // cargo bench passes --bench; cargo test runs bench targets without it.
        let test_only = args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench");
        let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
        if let Some(f) = &filter {
            if let Err(e) = check_filter(f) {
                eprintln!("lab: {e}");
                std::process::exit(2);
            }
        }
        let out_root = match std::env::var_os("LAB_OUT") {
            Some(p) => PathBuf::from(p),
            None if quick => workspace_root().join("target/lab-quick"),
            None => workspace_root(),
        };
        Options {
            sweep: if quick { Sweep::Quick } else { Sweep::Full },
            test_only,
            filter,
            out_root,
            profile: args.iter().any(|a| a == "--profile") || env_flag("LAB_PROFILE"),
            callgrind: args.iter().any(|a| a == "--callgrind") || env_flag("LAB_CALLGRIND"),
        }
    }

    /// Whether the case `scenario/strategy/params` is selected.
    pub fn selects(&self, case_id: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| case_id.contains(f.as_str()))
    }

    /// Whether the filter names `scenario` (its part up to the first `/` is in the id): a
    /// scenario it names but none of whose cases it selects is an error, not a skip.
    pub fn names(&self, scenario: &str) -> bool {
        self.scenario_filter()
            .is_none_or(|part| scenario.contains(part))
    }

    /// The filter's scenario part (up to its first `/`), what the C driver's `--only` and go
    /// test's `-bench` select on; `None` without a filter.
    pub fn scenario_filter(&self) -> Option<&str> {
        self.filter.as_deref().map(scenario_part)
    }

    /// The scenarios with a `direction` (`r2c`, `c2r`) that the filter names, in id order: all of
    /// them without a filter.
    pub fn named_scenarios(&self, direction: &str) -> Vec<&'static str> {
        lab_record::scenario::all()
            .iter()
            .filter(|d| d.direction(direction).is_some() && self.names(&d.id))
            .map(|d| d.id.as_str())
            .collect()
    }

    pub fn mode(&self) -> &'static str {
        match self.sweep {
            Sweep::Full => "full",
            Sweep::Quick => "quick",
        }
    }
}

/// Whether the environment variable `name` is set to something other than `0` or nothing.
fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v != "0" && !v.is_empty())
}

/// The part of a filter up to its first `/`: what must be part of a scenario id.
fn scenario_part(filter: &str) -> &str {
    filter.split('/').next().unwrap_or(filter)
}

/// Checks that `filter` names a scenario; the error lists every scenario id.
pub fn check_filter(filter: &str) -> Result<(), String> {
    let part = scenario_part(filter);
    let ids: Vec<&str> = lab_record::scenario::all()
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    if !part.is_empty() && ids.iter().any(|id| id.contains(part)) {
        Ok(())
    } else {
        Err(format!(
            "the filter {filter:?} names no scenario: it must start with (part of) a scenario id, \
             then optionally /strategy/params, e.g. s02_pass_string/ptr_len. Scenario ids: {}",
            ids.join(", ")
        ))
    }
}

/// The `main` of every bench target, with the options of the command line: see [`run_target`].
pub fn target_main(
    name: &str,
    measure: impl FnOnce(&Options, &Machine) -> Result<Vec<ResultFile>, String>,
) {
    run_target(&Options::from_env(), name, measure);
}

/// Runs `measure` and files what it measured: merged into `results/<machine>/`, then the report
/// rebuilt from everything there. In test mode nothing is written. A failed measurement ends the
/// process with its message (exit 1), leaving the results as they were.
pub fn run_target(
    opts: &Options,
    name: &str,
    measure: impl FnOnce(&Options, &Machine) -> Result<Vec<ResultFile>, String>,
) {
    if !(opts.test_only || opts.profile || opts.callgrind) {
        crate::layout::fix();
    }
    let machine = fingerprint::detect(opts.mode());
    let files = match measure(opts, &machine) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("lab: {name}: {e}");
            std::process::exit(1);
        }
    };
    if opts.test_only {
        let n: usize = files.iter().map(|f| f.records.len()).sum();
        println!("{name}: {} result files, {n} records ... ok", files.len());
        return;
    }
    if files.is_empty() {
        return;
    }
    // A damaged results file or a full disk: one line that names the file, not a backtrace.
    if let Err(e) = save(opts, &machine, files).and_then(|()| refresh_report(opts, &machine)) {
        eprintln!("lab: {name}: {e}");
        std::process::exit(1);
    }
}

/// Writes result files into `<out_root>/results/<machine>/`, merging with what is there.
pub fn save(opts: &Options, machine: &Machine, files: Vec<ResultFile>) -> Result<(), String> {
    let dir = opts.out_root.join("results").join(&machine.id);
    for file in files {
        let path = file.merge_into(&dir).map_err(|e| e.to_string())?;
        println!("lab: wrote {}", path.display());
    }
    Ok(())
}

/// Regenerates `<out_root>/REPORT.md` from everything under `results/<machine>/`.
pub fn refresh_report(opts: &Options, machine: &Machine) -> Result<(), String> {
    let path = lab_report::write_report(&opts.out_root, &machine.id)
        .map_err(|e| format!("writing the report: {e}"))?;
    println!("lab: wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_must_name_a_scenario() {
        assert!(check_filter("s02_pass_string/ptr_len").is_ok());
        assert!(check_filter("s14").is_ok());
        assert!(check_filter("pass").is_ok(), "part of S02's and S05's ids");
        let e = check_filter("nosuchfilter").unwrap_err();
        assert!(
            e.contains("nosuchfilter") && e.contains("s01_call_floor") && e.contains("s14_filters"),
            "{e}"
        );
        assert!(
            check_filter("ptr_len").is_err(),
            "a strategy alone names no scenario"
        );
        assert!(check_filter("/ptr_len").is_err());
    }

    #[test]
    fn selection_and_naming() {
        let opts = |f: &str| Options {
            sweep: Sweep::Quick,
            test_only: true,
            filter: Some(f.into()),
            out_root: PathBuf::from("."),
            profile: false,
            callgrind: false,
        };
        let o = opts("s02_pass_string/ptr_len");
        assert!(o.selects("s02_pass_string/ptr_len/len=8"));
        assert!(!o.selects("s02_pass_string/cstring/len=8"));
        assert!(o.names("s02_pass_string") && !o.names("s05_pass_batch"));
    }
}
