//! The timed pass of the R→C engine: criterion warms each case and sizes its batches, then the
//! interleaved rounds of each work's cases give every figure of its rows.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use lab_record::{Allocs, Machine, Ratios, Record, ResultFile, NATIVE};

use super::{estimates, select};
use crate::case::{check_scenario, Case, Scenario, Sweep};
use crate::engine::Measured;
use crate::options::{target_dir, Options};

fn criterion(opts: &Options) -> Criterion {
    let c = Criterion::default()
        .output_directory(&criterion_home(opts))
        .without_plots();
    match opts.sweep {
        // About 0.4 s a case with its rounds, so a full run fits its 10-minute budget
        // (docs/evidence/2026-12-02-run-budget.md). Criterion's median sizes the rounds' batches
        // and stands only for a row without rounds: the rounds reproduce between runs.
        // The LTO build's rows compare with the normal build's by their instructions, which
        // only the counts resolve: timed shorter, so the run keeps its budget.
        Sweep::Full if crate::build::LTO => c
            .warm_up_time(Duration::from_millis(30))
            .measurement_time(Duration::from_millis(100))
            .sample_size(20)
            .nresamples(2_000),
        Sweep::Full => c
            .warm_up_time(Duration::from_millis(50))
            .measurement_time(Duration::from_millis(300))
            .sample_size(30)
            .nresamples(5_000),
        Sweep::Quick => c
            .warm_up_time(Duration::from_millis(30))
            .measurement_time(Duration::from_millis(60))
            .sample_size(10)
            .nresamples(1_000),
    }
}

/// Where criterion keeps its estimates (quick and full runs, the normal and the LTO build apart,
/// so none is compared with another).
fn criterion_home(opts: &Options) -> PathBuf {
    let sweep = match opts.sweep {
        Sweep::Full => "criterion",
        Sweep::Quick => "criterion-quick",
    };
    target_dir().join(if crate::build::LTO {
        format!("{sweep}-lto")
    } else {
        sweep.to_owned()
    })
}

/// Checks, then times every selected case of `scenarios`: criterion's median per case, then
/// [`interleave`]'s rounds, which replace it with the row's ns and ratios.
pub(super) fn time(opts: &Options, machine: &Machine, scenarios: &[&Scenario]) -> Measured {
    let mut criterion = criterion(opts);
    let home = criterion_home(opts);
    let mut files = Vec::new();
    for scenario in scenarios {
        let Some(cases) = select(opts, scenario)? else {
            continue;
        };
        let checked = check_scenario(scenario, &cases);
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
        let estimates = estimates::read_group(&home.join(scenario.id))
            .map_err(|e| format!("reading criterion's estimates for {}: {e}", scenario.id))?;
        let mut records: Vec<Record> = cases
            .iter()
            .zip(&checked)
            .map(|(case, chk)| {
                let id = case.id(scenario.id);
                let ns = *estimates
                    .get(&id)
                    .ok_or_else(|| format!("criterion wrote no estimate for {id}"))?;
                let allocs = Allocs {
                    rust: Some(chk.rust_allocs),
                    c: Some(chk.c_allocs),
                    go: None,
                };
                Ok(Record {
                    bytes_allocated_per_call: chk.bytes_allocated,
                    bytes_copied_per_call: chk.bytes_copied,
                    checksum: Some(chk.checksum),
                    ..Record::new(case.strategy, case.params.to_map(), ns, allocs)
                })
            })
            .collect::<Result<_, String>>()?;
        interleave(opts, scenario, &cases, &mut records);
        files.push(ResultFile::new(
            scenario.id,
            Scenario::LANG,
            Scenario::DIRECTION,
            &scenario.definition().unit,
            machine,
            records,
        ));
    }
    criterion.final_summary();
    Ok(files)
}

/// Rounds of the interleaved pass, and the time one case's batch takes in a round.
fn rounds(sweep: Sweep) -> (usize, Duration) {
    match sweep {
        Sweep::Full => (
            if crate::build::LTO { 11 } else { 31 },
            Duration::from_millis(
                std::env::var("LAB_ROUND_MS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(2),
            ),
        ),
        Sweep::Quick => (5, Duration::from_micros(300)),
    }
}

/// The ratios a conclusion compares, measured so that they reproduce: the cases of one work (the
/// strategies, their native floor, the references) are timed in turn, one short batch each, round
/// after round — the first case of each round rotating — so both sides of a ratio run within
/// milliseconds of each other and see the same state of a shared machine. Per round, each case's
/// ns per call over the native floor's and over the fastest strategy's of the same round; the
/// record keeps the median of the rounds with their quartiles, and so does the row's ns (one
/// measurement per row: docs/METHODOLOGY.md).
fn interleave(opts: &Options, scenario: &Scenario, cases: &[Case], records: &mut [Record]) {
    let (n_rounds, batch) = rounds(opts.sweep);
    let def = scenario.definition();
    let mut works: Vec<String> = records.iter().map(Record::work_label).collect();
    works.sort();
    works.dedup();
    for work in works {
        let members: Vec<usize> = (0..records.len())
            .filter(|&i| records[i].work_label() == work)
            .collect();
        // Both as indices among the members, as the per-round rows are.
        let strategies: Vec<usize> = (0..members.len())
            .filter(|&j| !def.is_reference(&records[members[j]].strategy))
            .collect();
        let floor = (0..members.len()).find(|&j| records[members[j]].strategy == NATIVE);
        if members.len() < 2 || strategies.is_empty() {
            continue;
        }
        // A batch of about `batch` per case, from criterion's median.
        let iters: Vec<u64> = members
            .iter()
            .map(|&i| {
                let per = records[i].ns_per_call.median.max(0.1);
                ((batch.as_nanos() as f64 / per).ceil() as u64).max(1)
            })
            .collect();
        let mut per_call = vec![Vec::with_capacity(n_rounds); members.len()];
        for round in 0..n_rounds {
            for k in 0..members.len() {
                let j = (k + round) % members.len();
                let (i, n) = (members[j], iters[j]);
                let start = Instant::now();
                let sum = cases[i].run(n);
                let elapsed = start.elapsed();
                black_box(sum).expect("checked before timing");
                per_call[j].push(elapsed.as_nanos() as f64 / n as f64);
            }
        }
        // Every row's floor is the one native row (its own included: 1).
        let ratios = Ratios::of_rounds(&per_call, &vec![floor; members.len()], &strategies);
        // The row's ns is its rounds' too: one measurement for every figure of the row.
        for (&i, r) in members.iter().zip(ratios) {
            records[i].ns_per_call = r.ns().unwrap_or(records[i].ns_per_call);
            records[i].ratios = Some(r);
        }
    }
}
