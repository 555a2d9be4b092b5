//! What a bench target was asked to do: the pass, the sweep, the filter, where records go. The
//! command layer (`crate::command`) reads them and drives an engine.

use std::path::PathBuf;

use crate::case::Sweep;

/// What a bench binary was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub sweep: Sweep,
    /// How the cases are observed: checked once, timed, counted or profiled.
    pub pass: Pass,
    /// Only case ids (`scenario/strategy/params`) containing this substring; its part up to the
    /// first `/` must be part of a scenario id (see [`Options::from_env`]).
    pub filter: Option<String>,
    /// Where `results/` and `REPORT.md` go.
    pub out_root: PathBuf,
}

/// A way of observing an engine's cases. Each is a run of its own, so sampling or counting never
/// skews a timed run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// `cargo test --benches` or `cargo bench -- --test`: every selected case run once and
    /// checked (engines timed outside this process run their quick sweep); nothing is written.
    Check,
    /// The timed runs, the default of `cargo bench`.
    Time,
    /// `--callgrind` or `LAB_CALLGRIND=1`: instructions and simulated cache misses per call
    /// under callgrind (`crate::passes::callgrind`).
    Count,
    /// `--profile` or `LAB_PROFILE=1`: flame graphs of each scenario's profiled cases
    /// (`crate::passes::profile`).
    Profile,
}

/// Cargo's target directory (`$CARGO_TARGET_DIR`, else `<workspace>/target`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

pub use lab_record::local::workspace_root;

impl Options {
    /// From the command line cargo gives a bench binary and the environment: `LAB_QUICK=1` or
    /// `--quick` for the quick sweep; `LAB_OUT` to redirect output (quick runs default to
    /// `target/lab-quick/` so they never overwrite the committed full results).
    ///
    /// A filter that names no scenario ends the process at once (exit 2) with the scenario ids:
    /// every bench target would otherwise run nothing, or everything it cannot filter.
    pub fn from_env() -> Options {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let quick = lab_record::local::quick(&args);
        let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
        if let Some(f) = &filter {
            if let Err(e) = check_filter(f) {
                eprintln!("lab: {e}");
                std::process::exit(2);
            }
        }
        let out_root = lab_record::local::out_root(quick);
        let pass = if lab_record::local::checking(&args) {
            Pass::Check
        } else if args.iter().any(|a| a == "--callgrind") || env_flag("LAB_CALLGRIND") {
            Pass::Count
        } else if args.iter().any(|a| a == "--profile") || env_flag("LAB_PROFILE") {
            Pass::Profile
        } else {
            Pass::Time
        };
        Options {
            sweep: if quick { Sweep::Quick } else { Sweep::Full },
            pass,
            filter,
            out_root,
        }
    }

    /// The sweep of an engine that times outside this process (the C driver, Go, nginx): the
    /// check pass runs their quick sweep, each case once being what the check is.
    pub fn driven_sweep(&self) -> Sweep {
        if self.pass == Pass::Check {
            Sweep::Quick
        } else {
            self.sweep
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

    /// The scenarios with a `direction` (`r2c`, `c2r`) run by that direction's own engine (no
    /// `engine` in their definition: criterion for R→C, the C driver and Go for C→R) that the
    /// filter names, in id order: all of them without a filter.
    pub fn named_scenarios(&self, direction: &str) -> Vec<&'static str> {
        lab_record::scenario::all()
            .iter()
            .filter(|d| d.direction(direction).is_some_and(|x| x.engine.is_none()))
            .filter(|d| self.names(&d.id))
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
            pass: Pass::Check,
            filter: Some(f.into()),
            out_root: PathBuf::from("."),
        };
        let o = opts("s02_pass_string/ptr_len");
        assert!(o.selects("s02_pass_string/ptr_len/len=8"));
        assert!(!o.selects("s02_pass_string/cstring/len=8"));
        assert!(o.names("s02_pass_string") && !o.names("s05_pass_batch"));
    }
}
