//! Go 1.26's claim: its C→Go and Go→C empty calls against the newest earlier release measured,
//! each run several times more, the two in turn, so the report compares them run by run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lab_record::go::{claim_baseline, release_lang, CLAIM_RELEASE, CLAIM_ROUNDS, CLAIM_SCENARIO};
use lab_record::{Machine, ResultFile};

use super::gotest::{records_from_go_test, run_go_test_with, GO_QUICK_RUNS};
use super::toolchain::{build_go_extension_in, release_modfile};
use super::GO_LEAK_TOLERANCE;
use crate::case::Sweep;
use crate::engines::driver::run_driver;
use crate::options::{target_dir, Options, Pass};

/// One run of [`CLAIM_SCENARIO`] with a release: go test's Go→C rows at the quick setting
/// (`-short`, [`GO_QUICK_RUNS`]: many short processes rather than few long ones) and the driver's
/// C→Go rows, their medians by (direction, row).
fn claim_run(
    release: &ClaimRelease,
    sweep: Sweep,
    machine: &Machine,
) -> Result<BTreeMap<(String, String), f64>, String> {
    let ClaimRelease { go, modfile, so } = release;
    let mut out = BTreeMap::new();
    let pattern = format!("^Benchmark_({CLAIM_SCENARIO})$");
    let text = run_go_test_with(go, Some(modfile), Sweep::Quick, &pattern, GO_QUICK_RUNS)?;
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
/// `strategy/params`) as its rounds, and their median and quartiles as its ns, where it has all
/// [`CLAIM_ROUNDS`] of them.
pub(super) fn attach_rounds(
    files: &mut [ResultFile],
    rounds: &BTreeMap<(String, String), Vec<f64>>,
) {
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
                minus_floor: None,
                to_best: None,
                rounds: 0,
                per_round: Vec::new(),
            });
            ratios.rounds = CLAIM_ROUNDS as u32;
            ratios.per_round.clone_from(per_round);
            // One measurement per row: its figures are those of its rounds, the runs' medians.
            r.ns_per_call = lab_record::quartiles(per_round.clone());
        }
    }
}

/// The claim's pair ([`CLAIM_RELEASE`] and the newest earlier release measured), each run
/// [`CLAIM_ROUNDS`] times more, the two in turn (the first of each pair alternating): each of
/// their S01 rows keeps the runs' medians as its rounds, so the report compares the two releases
/// run by run. `measured`: the releases' minors, binaries and files of this run.
pub(super) fn claim_rounds(
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
    // A full run's, when the filter names its scenario: quick runs and the tests smoke-run each
    // release once, in the releases' pass.
    if opts.pass == Pass::Check || opts.sweep == Sweep::Quick || !opts.names(CLAIM_SCENARIO) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        // The row's ns is its rounds' median, not its own run's 40 ns.
        assert_eq!(
            s01.records[0].ns_per_call,
            lab_record::quartiles(runs.clone())
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
}
