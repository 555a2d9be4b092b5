//! Runs a scenario's cases: checks the work, counts allocations, times with criterion, writes the
//! records and refreshes the report. Every bench target is one call to [`bench_main`].
//!
//! A scenario module only lists its cases: a strategy is a plain function `fn(&Input) ->
//! Result<u64, LabError>` returning a checksum of the work, registered with [`strategies!`]. The
//! case's timing loop is generic over that function, so the call is direct and inlinable: the loop
//! adds the same sub-nanosecond overhead to every strategy, the floor included.

use std::fmt;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use serde_json::{Map, Value};

use super::alloc::{usage_of, Usage};
use super::criterion_json;
use super::profile;
use super::record::{params_label, Allocs, Machine, Record, ResultFile};
use crate::host::LabError;

/// How much of each parameter sweep to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Every point: the committed results.
    Full,
    /// The ends and the middle of each sweep: CI smoke runs and development.
    Quick,
}

impl Sweep {
    pub fn pick<T: Copy>(self, all: &[T]) -> Vec<T> {
        match self {
            Sweep::Full => all.to_vec(),
            Sweep::Quick => {
                let mut idx = vec![0, all.len() / 2, all.len().saturating_sub(1)];
                idx.dedup();
                idx.into_iter()
                    .filter(|&i| i < all.len())
                    .map(|i| all[i])
                    .collect()
            }
        }
    }
}

/// A strategy's parameters, in a fixed order (`len=64`, `n=16,k=8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params(pub Vec<(&'static str, u64)>);

impl Params {
    pub fn to_map(&self) -> Map<String, Value> {
        self.0
            .iter()
            .map(|&(k, v)| (k.to_owned(), Value::from(v)))
            .collect()
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&params_label(&self.to_map()))
    }
}

/// `params!(n, k)` is the parameter list `n=<n>,k=<k>` built from variables of those names.
#[macro_export]
macro_rules! params {
    ($($name:ident),* $(,)?) => {
        $crate::measure::runner::Params(vec![$((stringify!($name), $name as u64)),*])
    };
}

/// Registers strategies (plain functions over the same input) as cases: one identifier each.
#[macro_export]
macro_rules! strategies {
    ($cases:expr, $params:expr, $input:expr, [$($strategy:path),+ $(,)?]) => {
        $( $cases.push($crate::measure::runner::Case::new(
            $crate::measure::runner::strategy_name(stringify!($strategy)), &$params, &$input, $strategy)); )+
    };
}

/// The last path segment of a strategy's path: `s06::bulk_copy` is `bulk_copy`.
pub fn strategy_name(path: &'static str) -> &'static str {
    path.rsplit("::").next().unwrap_or(path).trim()
}

type RunFn = Box<dyn Fn(u64) -> Result<u64, LabError>>;

/// One strategy at one point of a sweep, ready to run any number of times.
pub struct Case {
    pub strategy: &'static str,
    pub params: Params,
    run: RunFn,
}

impl Case {
    /// A case running `f` on `input`. `f` is usually a fn item, so the loop below calls it
    /// directly; the input goes through `black_box` so nothing is hoisted out of the loop.
    pub fn new<I: 'static, F>(strategy: &'static str, params: &Params, input: &Rc<I>, f: F) -> Case
    where
        F: Fn(&I) -> Result<u64, LabError> + 'static,
    {
        let input = Rc::clone(input);
        Case {
            strategy,
            params: params.clone(),
            run: Box::new(move |iters| {
                let mut acc = 0u64;
                for _ in 0..iters {
                    acc = acc.wrapping_add(f(black_box(&*input))?);
                }
                Ok(acc)
            }),
        }
    }

    /// A case that makes its `iters` calls itself (on other threads, say: S08, S09) and returns the
    /// sum of their checksums. Work done on other threads must be [`credit`]ed to the calling
    /// thread for the allocation counts to see it (a [`Crew`] does).
    ///
    /// [`credit`]: super::alloc::credit
    /// [`Crew`]: super::crew::Crew
    pub fn batch<F>(strategy: &'static str, params: &Params, run: F) -> Case
    where
        F: Fn(u64) -> Result<u64, LabError> + 'static,
    {
        Case {
            strategy,
            params: params.clone(),
            run: Box::new(run),
        }
    }

    /// Runs the strategy `iters` times; returns the sum of its checksums.
    #[inline]
    pub fn run(&self, iters: u64) -> Result<u64, LabError> {
        (self.run)(iters)
    }

    /// criterion's full id: `scenario/strategy/params`.
    pub fn id(&self, scenario: &str) -> String {
        format!("{scenario}/{}/{}", self.strategy, self.params)
    }
}

/// A scenario of FINDINGS.md as the runner sees it.
pub struct Scenario {
    /// `s02_pass_string`: the FINDINGS.md ID and the module name.
    pub id: &'static str,
    pub lang: &'static str,
    /// `r2c` (Rust calls C) or `c2r`.
    pub direction: &'static str,
    /// What one measured call is (the report says it).
    pub unit: &'static str,
    /// Whether every strategy at the same parameters must return the same checksum.
    pub strategies_agree: bool,
    pub cases: fn(Sweep) -> Vec<Case>,
    /// The parameter points (labels such as `len=1024`; `""` for none) whose cases get a flame
    /// graph in the profile pass: one point per strategy keeps the pass short.
    pub profile_at: &'static [&'static str],
}

/// Calls made to count allocations; exact counts need no more than a few, and an amortised
/// strategy (a reused buffer) shows as its true average.
pub const COUNT_CALLS: u64 = 64;

/// One case's checked work and per-call usage, measured outside any timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checked {
    /// The checksum of one call.
    pub checksum: u64,
    pub rust_allocs: f64,
    pub c_allocs: f64,
    pub bytes_allocated: f64,
    pub bytes_copied: f64,
    /// Frees on both sides over the counted calls equal allocations: nothing leaked.
    pub balanced: bool,
}

/// Runs a case once to warm it (and fill any reused buffer), then [`COUNT_CALLS`] times counting
/// allocations and copies on both sides.
pub fn check_case(case: &Case) -> Result<Checked, LabError> {
    let checksum = case.run(1)?;
    let (sum, u): (Result<u64, LabError>, Usage) = usage_of(|| case.run(COUNT_CALLS));
    let sum = sum?;
    assert_eq!(
        sum,
        checksum.wrapping_mul(COUNT_CALLS),
        "{}/{}: the checksum changed between calls",
        case.strategy,
        case.params
    );
    let per = |x: u64| x as f64 / COUNT_CALLS as f64;
    Ok(Checked {
        checksum,
        rust_allocs: per(u.rust_allocs),
        c_allocs: per(u.c_allocs),
        bytes_allocated: per(u.bytes_allocated),
        bytes_copied: per(u.bytes_copied),
        balanced: u.rust_allocs == u.rust_frees && u.c_allocs == u.c_frees,
    })
}

/// Checks every case of a scenario: each runs, and strategies at the same parameters agree.
/// Returns the per-case results in case order. Panics with the disagreeing ids otherwise, so a
/// wrong strategy fails instead of looking fast.
pub fn check_scenario(scenario: &Scenario, cases: &[Case]) -> Vec<Checked> {
    let checked: Vec<Checked> = cases
        .iter()
        .map(|c| check_case(c).unwrap_or_else(|e| panic!("{}: {e}", c.id(scenario.id))))
        .collect();
    if scenario.strategies_agree {
        for (i, a) in cases.iter().enumerate() {
            for (j, b) in cases.iter().enumerate().skip(i + 1) {
                if a.params == b.params && checked[i].checksum != checked[j].checksum {
                    panic!(
                        "{} and {} disagree: checksums {:#x} vs {:#x}",
                        a.id(scenario.id),
                        b.id(scenario.id),
                        checked[i].checksum,
                        checked[j].checksum
                    );
                }
            }
        }
    }
    checked
}

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

/// The workspace root (the bench-suite crate's parent).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench-suite has a parent")
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
    let machine = Machine::detect(opts.mode());
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
            lang: scenario.lang.to_owned(),
            direction: scenario.direction.to_owned(),
            unit: scenario.unit.to_owned(),
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
    match crate::report::write_report(&opts.out_root, &machine.id) {
        Ok(path) => println!("lab: wrote {}", path.display()),
        Err(e) => panic!("writing the report: {e}"),
    }
}

/// The profile pass of one scenario: a flame graph per profiled case, the differential graphs of
/// [`profile::DIFFERENTIALS`], and the records' `flamegraph` fields pointing at them.
fn profile_scenario(opts: &Options, machine: &Machine, scenario: &Scenario, cases: &[Case]) {
    let dir = opts.out_root.join(profile::FLAMEGRAPH_DIR);
    let duration = match opts.sweep {
        // The profiling timer ticks at the kernel's HZ (~250 samples/s here): 4 s gives ~1000.
        Sweep::Full => Duration::from_secs(4),
        Sweep::Quick => Duration::from_millis(200),
    };
    let mut graphs = Vec::new();
    for case in cases
        .iter()
        .filter(|c| scenario.profile_at.contains(&c.params.to_string().as_str()))
    {
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
            format!("{}/{name}.svg", profile::FLAMEGRAPH_DIR),
        ));
    }
    for &(sc, params, before, after) in profile::DIFFERENTIALS.iter().filter(|d| d.0 == scenario.id)
    {
        let folded = |s: &str| dir.join(format!("{}.folded", profile::graph_name(sc, s, params)));
        if folded(before).is_file() && folded(after).is_file() {
            let name = format!("diff-{sc}-{before}-vs-{after}");
            let title =
                format!("{sc} ({params}): {after} minus {before} (red: more samples in {after})");
            profile::write_differential(&dir, &name, &title, &folded(before), &folded(after))
                .unwrap_or_else(|e| panic!("writing {name}: {e}"));
            println!("lab: differential flame graph {}/{name}.svg", dir.display());
        }
    }
    // Point the records at their graphs (the timed figures stay as the last timed run left them).
    let results = opts.out_root.join("results").join(&machine.id);
    let read = ResultFile::read(&results, scenario.id, scenario.lang, scenario.direction);
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
