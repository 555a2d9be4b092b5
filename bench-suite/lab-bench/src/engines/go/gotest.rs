//! Go→C with `go test -bench` (package `gotoc`): running it, and its output as records, repeated
//! runs of one benchmark bracketed as criterion brackets Rust's.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use lab_record::{Allocs, Machine, Ns, Record, ResultFile};

use super::toolchain::{go_command, run};
use crate::case::Sweep;

/// What one Go→C `ns_per_call` is: go test's own ns/op.
const GO_R2C_UNIT: &str = "one call (go test -bench, ns/op)";

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
    /// Garbage collections completed during the timed calls, per call (`gc/op`).
    pub gc_per_op: Option<f64>,
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
        gc_per_op: metric("gc/op"),
    })
}

/// Resamples of the bootstrap, seeded: more than criterion's full setting draws (its 5 000 are cut
/// for time), since resampling a handful of runs costs nothing and more resamples steady the
/// bracket's ends.
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
/// replacement, of the same size) — a 95 % confidence interval of the median. Rust resamples its
/// criterion samples, Go its `-count` runs: fewer, so Go's interval is coarser, but it answers the
/// same question. The generator is seeded with a constant, so the same runs give the same record.
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
        let gcs: Vec<f64> = benches.iter().filter_map(|b| b.gc_per_op).collect();
        let first = &benches[0];
        let allocs = Allocs {
            rust: None,
            c: first.c_allocs_per_op,
            go: first.allocs_per_op,
        };
        files.entry(scenario).or_default().push(Record {
            bytes_allocated_per_call: first.bytes_per_op.unwrap_or(0.0),
            // The runs' mean: collections are rare events a median of ten runs would hide.
            gc_per_call: (!gcs.is_empty()).then(|| gcs.iter().sum::<f64>() / gcs.len() as f64),
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

/// `-count` and `-benchtime` of the full and the quick run. Ten runs give the bootstrap of
/// [`median_with_ci`] something to resample; 20 ms each keeps the full run within its 10-minute
/// budget (timings: docs/evidence/2026-12-01-go-statistic.md). Quick runs three, for a bracket
/// that is not a single point.
pub const GO_FULL_RUNS: (&str, &str) = ("10", "20ms");
pub const GO_QUICK_RUNS: (&str, &str) = ("3", "5ms");

/// `-count` and `-benchtime` of each other release's run (full; quick runs as the main one's):
/// five runs of 20 ms, enough for a bracket, over the quick sweep (`-short`: the first, middle and
/// last point of each sweep), so that all the releases together add under 45 s to a full run
/// (timings: docs/evidence/2026-12-02-go-releases.md).
pub const GO_RELEASE_RUNS: (&str, &str) = ("5", "20ms");

/// Runs the Go→C benchmarks matching `pattern` (go test's `-bench`); quick runs pass `-short`
/// (the quick sweep).
pub fn run_go_test(go: &Path, sweep: Sweep, pattern: &str) -> Result<String, String> {
    run_go_test_with(go, None, sweep, pattern, GO_FULL_RUNS)
}

/// [`run_go_test`] with another go.mod (`-modfile`: an older release's `go` line) and other
/// runs in the full setting.
pub(super) fn run_go_test_with(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_bench_lines_parse() {
        let b = parse_bench_line(
            "Benchmark_s02_pass_string/cstring/len=64-2   \t 1000000\t        87.02 ns/op\t      65 B/op\t       1 allocs/op\t         0 c-allocs/op\t  0.0001632 gc/op",
        )
        .unwrap();
        assert_eq!(b.gc_per_op, Some(0.0001632));
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
}
