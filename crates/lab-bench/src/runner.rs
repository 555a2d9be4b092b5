//! Runs a scenario's cases: checks the work, times with criterion, writes the records and refreshes
//! the report. Every R→C bench target is one call to [`bench_main`].

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use lab_record::{Allocs, Machine, Record, ResultFile, FLAMEGRAPH_DIR};

use crate::case::{check_scenario, Case, Scenario, Sweep};
use crate::{criterion_json, fingerprint, profile};

/// What a bench binary was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub sweep: Sweep,
    /// `cargo test --benches` or `cargo bench -- --test`: run each case once, write nothing.
    pub test_only: bool,
    /// Only case ids containing this substring.
    pub filter: Option<String>,
    /// Where `results/` and `REPORT.md` go.
    pub out_root: PathBuf,
    /// `--profile` or `LAB_PROFILE=1`: instead of timing, sample each scenario's profiled cases and write flame
    /// graphs (a pass of its own, so sampling never skews the timed runs).
    pub profile: bool,
}

/// Cargo's target directory (`$CARGO_TARGET_DIR`, else `<workspace>/target`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// The workspace root (two levels above this crate: `crates/lab-bench`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("lab-bench lives in <root>/crates/")
        .to_path_buf()
}

impl Options {
    /// From the command line cargo gives a bench binary and the environment: `LAB_QUICK=1` or
    /// `--quick` for the quick sweep; `LAB_OUT` to redirect output (quick runs default to
    /// `target/lab-quick/` so they never overwrite the committed full results).
    pub fn from_env() -> Options {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let quick = args.iter().any(|a| a == "--quick")
            || std::env::var("LAB_QUICK").is_ok_and(|v| v != "0" && !v.is_empty());
        // cargo bench passes --bench; cargo test runs bench targets without it.
        let test_only = args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench");
        let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
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
            profile: args.iter().any(|a| a == "--profile")
                || std::env::var("LAB_PROFILE").is_ok_and(|v| v != "0" && !v.is_empty()),
        }
    }

    fn criterion(&self) -> Criterion {
        let c = Criterion::default()
            .output_directory(&self.criterion_home())
            .without_plots();
        match self.sweep {
            // ~1.6 s a case: the full sweep (~200 cases) stays well under the 15-minute budget.
            Sweep::Full => c
                .warm_up_time(Duration::from_millis(400))
                .measurement_time(Duration::from_millis(1200))
                .sample_size(50)
                .nresamples(20_000),
            Sweep::Quick => c
                .warm_up_time(Duration::from_millis(30))
                .measurement_time(Duration::from_millis(60))
                .sample_size(10)
                .nresamples(1_000),
        }
    }

    /// Where criterion keeps its estimates (quick and full runs apart, so neither is compared
    /// with the other).
    fn criterion_home(&self) -> PathBuf {
        target_dir().join(match self.sweep {
            Sweep::Full => "criterion",
            Sweep::Quick => "criterion-quick",
        })
    }

    pub fn mode(&self) -> &'static str {
        match self.sweep {
            Sweep::Full => "full",
            Sweep::Quick => "quick",
        }
    }
}

/// The `main` of every bench target: runs the scenarios, writes `results/<machine>/…json` and
/// refreshes `REPORT.md`.
pub fn bench_main(scenarios: &[&Scenario]) {
    run(&Options::from_env(), scenarios);
}

/// Runs `scenarios` as `opts` says (see [`bench_main`]).
pub fn run(opts: &Options, scenarios: &[&Scenario]) {
    let machine = fingerprint::detect(opts.mode());
    let mut criterion = opts.criterion();
    let home = opts.criterion_home();
    for scenario in scenarios {
        let cases: Vec<Case> = (scenario.cases)(opts.sweep)
            .into_iter()
            .filter(|c| {
                opts.filter
                    .as_ref()
                    .is_none_or(|f| c.id(scenario.id).contains(f.as_str()))
            })
            .collect();
        if cases.is_empty() {
            continue;
        }
        let checked = check_scenario(scenario, &cases);
        if opts.profile && !opts.test_only {
            profile_scenario(opts, &machine, scenario, &cases);
            continue;
        }
        if opts.test_only {
            for c in &cases {
                println!("{} ... ok", c.id(scenario.id));
            }
            continue;
        }
        let mut group = criterion.benchmark_group(scenario.id);
        for case in &cases {
            group.bench_function(
                BenchmarkId::new(case.strategy, case.params.to_string()),
                |b| {
                    b.iter_custom(|iters| {
                        let start = Instant::now();
                        let sum = case.run(iters);
                        let elapsed = start.elapsed();
                        black_box(sum).expect("checked before timing");
                        elapsed
                    })
                },
            );
        }
        group.finish();
        let estimates = criterion_json::read_group(&home.join(scenario.id))
            .unwrap_or_else(|e| panic!("reading criterion's estimates for {}: {e}", scenario.id));
        let records = cases
            .iter()
            .zip(&checked)
            .map(|(case, chk)| {
                let ns = *estimates.get(&case.id(scenario.id)).unwrap_or_else(|| {
                    panic!("criterion wrote no estimate for {}", case.id(scenario.id))
                });
                Record {
                    strategy: case.strategy.to_owned(),
                    params: case.params.to_map(),
                    ns_per_call: ns,
                    allocs_per_call: Allocs {
                        rust: Some(chk.rust_allocs),
                        c: Some(chk.c_allocs),
                        go: None,
                    },
                    bytes_allocated_per_call: chk.bytes_allocated,
                    bytes_copied_per_call: chk.bytes_copied,
                    percentiles_ns: None,
                    flamegraph: None,
                    checksum: Some(chk.checksum),
                }
            })
            .collect();
        let file = ResultFile {
            scenario: scenario.id.to_owned(),
            lang: Scenario::LANG.to_owned(),
            direction: Scenario::DIRECTION.to_owned(),
            unit: scenario.definition().unit.clone(),
            machine: machine.clone(),
            records,
        };
        save(opts, &machine, vec![file]);
    }
    if !opts.test_only {
        criterion.final_summary();
        refresh_report(opts, &machine);
    }
}

/// Writes result files into `<out_root>/results/<machine>/`, merging with what is there.
pub fn save(opts: &Options, machine: &Machine, files: Vec<ResultFile>) {
    let dir = opts.out_root.join("results").join(&machine.id);
    for file in files {
        let path = file
            .merge_into(&dir)
            .unwrap_or_else(|e| panic!("writing results to {}: {e}", dir.display()));
        println!("lab: wrote {}", path.display());
    }
}

/// Regenerates `<out_root>/REPORT.md` from everything under `results/<machine>/`.
pub fn refresh_report(opts: &Options, machine: &Machine) {
    match lab_report::write_report(&opts.out_root, &machine.id) {
        Ok(path) => println!("lab: wrote {}", path.display()),
        Err(e) => panic!("writing the report: {e}"),
    }
}

/// The profile pass of one scenario: a flame graph per case at its definition's `profile_at`
/// points, its definition's differential graphs, and the records' `flamegraph` fields pointing at
/// them.
fn profile_scenario(opts: &Options, machine: &Machine, scenario: &Scenario, cases: &[Case]) {
    let dir = opts.out_root.join(FLAMEGRAPH_DIR);
    let duration = match opts.sweep {
        // The profiling timer ticks at the kernel's HZ (~250 samples/s here): 4 s gives ~1000.
        Sweep::Full => Duration::from_secs(4),
        Sweep::Quick => Duration::from_millis(200),
    };
    let mut graphs = Vec::new();
    for case in cases.iter().filter(|c| {
        scenario
            .definition()
            .profile_at
            .contains(&c.params.to_string())
    }) {
        let name = profile::graph_name(scenario.id, case.strategy, &case.params.to_string());
        let folded = profile::profile_folded(duration, || {
            black_box(case.run(1000)).expect("checked before profiling");
        })
        .unwrap_or_else(|e| panic!("profiling {}: {e}", case.id(scenario.id)));
        let title = format!("{} — {} ({})", scenario.id, case.strategy, case.params);
        profile::write_flamegraph(&dir, &name, &title, &folded)
            .unwrap_or_else(|e| panic!("writing the flame graph of {}: {e}", case.id(scenario.id)));
        println!(
            "lab: flame graph {}/{name}.svg ({} stacks)",
            dir.display(),
            folded.len()
        );
        graphs.push((
            case.strategy,
            case.params.to_map(),
            format!("{}/{name}.svg", FLAMEGRAPH_DIR),
        ));
    }
    let differentials =
        lab_record::scenario::get(scenario.id).map_or(&[][..], |d| &d.differentials);
    for d in differentials {
        let (sc, params) = (scenario.id, d.params.as_str());
        let folded = |s: &str| dir.join(format!("{}.folded", profile::graph_name(sc, s, params)));
        if folded(&d.before).is_file() && folded(&d.after).is_file() {
            let name = d.file_name(sc);
            let title = format!(
                "{sc} ({params}): {} minus {} (red: more samples in {})",
                d.after, d.before, d.after
            );
            profile::write_differential(&dir, &name, &title, &folded(&d.before), &folded(&d.after))
                .unwrap_or_else(|e| panic!("writing {name}: {e}"));
            println!("lab: differential flame graph {}/{name}.svg", dir.display());
        }
    }
    // Point the records at their graphs (the timed figures stay as the last timed run left them).
    let results = opts.out_root.join("results").join(&machine.id);
    let read = ResultFile::read(&results, scenario.id, Scenario::LANG, Scenario::DIRECTION);
    let Some(mut file) = read.unwrap_or_else(|e| panic!("{e}")) else {
        println!(
            "lab: no timed results for {} yet: flame graphs written, not linked",
            scenario.id
        );
        return;
    };
    for r in &mut file.records {
        if let Some((_, _, svg)) = graphs
            .iter()
            .find(|(s, p, _)| *s == r.strategy && *p == r.params)
        {
            r.flamegraph = Some(svg.clone());
        }
    }
    file.merge_into(&results)
        .unwrap_or_else(|e| panic!("{}: {e}", results.display()));
}
