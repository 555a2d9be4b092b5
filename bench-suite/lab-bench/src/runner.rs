//! Runs a scenario's cases: checks the work, times with criterion, writes the records and refreshes
//! the report. Every R→C bench target is one call to [`bench_main`].

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use lab_record::{Allocs, Machine, Ratios, Record, ResultFile, FLAMEGRAPH_DIR, NATIVE};

use crate::case::{check_scenario, Case, Scenario, Sweep};
use crate::options::{run_target, target_dir, Options};
use crate::{callgrind, criterion_json, profile};

fn criterion(opts: &Options) -> Criterion {
    let c = Criterion::default()
        .output_directory(&criterion_home(opts))
        .without_plots();
    match opts.sweep {
        // ~0.4 s a case, so the full sweep (~370 cases) fits the 10-minute budget. The row's ns
        // comes from here; the ratios the conclusions compare come from the interleaved pass,
        // which is what reproduces between runs (docs/METHODOLOGY.md), so criterion's time is
        // spent on the median alone.
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

/// Where criterion keeps its estimates (quick and full runs apart, so neither is compared
/// with the other).
fn criterion_home(opts: &Options) -> PathBuf {
    target_dir().join(match opts.sweep {
        Sweep::Full => "criterion",
        Sweep::Quick => "criterion-quick",
    })
}

/// The `main` of every R→C bench target: runs the scenarios, writes `results/<machine>/…json`
/// and refreshes `REPORT.md`.
pub fn bench_main(scenarios: &[&Scenario]) {
    run(&Options::from_env(), scenarios);
}

/// Runs `scenarios` as `opts` says (see [`bench_main`]).
pub fn run(opts: &Options, scenarios: &[&Scenario]) {
    run_target(opts, "r2c", |opts, machine| {
        measure(opts, machine, scenarios)
    });
}

/// Checks, then times (or, in the profile pass, samples; in the callgrind pass, counts) every
/// selected case of `scenarios`.
fn measure(
    opts: &Options,
    machine: &Machine,
    scenarios: &[&Scenario],
) -> Result<Vec<ResultFile>, String> {
    if opts.callgrind && !opts.test_only && callgrind::is_child() {
        // Counted on a thread of its own: its stack and its malloc arena are mappings of their
        // own, placed alike whatever the size of the binary, its path or the environment, which
        // move the main thread's stack and heap (and with them the alignment-dependent paths of
        // memcpy and strlen, and when malloc grows or trims its heap).
        let opts = opts.clone();
        let jobs: Vec<Scenario> = scenarios
            .iter()
            .map(|s| Scenario {
                id: s.id,
                strategies_agree: s.strategies_agree,
                cases: s.cases,
            })
            .collect();
        return std::thread::Builder::new()
            .name("counted".into())
            .spawn(move || {
                for scenario in &jobs {
                    if let Some(cases) = select(&opts, scenario)? {
                        callgrind::count_cases(scenario, &cases);
                    }
                }
                Ok(Vec::new())
            })
            .expect("spawning the counted thread")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
    }
    if opts.callgrind && !opts.test_only {
        let mut selected = Vec::new();
        for scenario in scenarios {
            if let Some(cases) = select(opts, scenario)? {
                selected.push((*scenario, cases));
            }
        }
        return callgrind::pass(opts, machine, selected);
    }
    let mut criterion = criterion(opts);
    let home = criterion_home(opts);
    let mut files = Vec::new();
    for scenario in scenarios {
        let Some(cases) = select(opts, scenario)? else {
            continue;
        };
        let checked = check_scenario(scenario, &cases);
        if opts.test_only {
            for c in &cases {
                println!("{} ... ok", c.id(scenario.id));
            }
            continue;
        }
        if opts.profile {
            files.extend(profile_scenario(opts, machine, scenario, &cases)?);
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
    if !opts.test_only && !opts.profile {
        criterion.final_summary();
    }
    Ok(files)
}

/// The cases of `scenario` the filter selects; `None` when it selects none of a scenario it does
/// not name, an error when it names the scenario and selects none of its cases.
fn select(opts: &Options, scenario: &Scenario) -> Result<Option<Vec<Case>>, String> {
    let all = (scenario.cases)(opts.sweep);
    let strategies: Vec<&str> = all.iter().map(|c| c.strategy).collect();
    let cases: Vec<Case> = all
        .into_iter()
        .filter(|c| opts.selects(&c.id(scenario.id)))
        .collect();
    if !cases.is_empty() {
        return Ok(Some(cases));
    }
    if opts.filter.is_some() && opts.names(scenario.id) {
        let mut strategies = strategies;
        strategies.dedup();
        return Err(format!(
            "the filter {:?} selects no case of {} (its strategies: {})",
            opts.filter.as_deref().unwrap_or_default(),
            scenario.id,
            strategies.join(", ")
        ));
    }
    Ok(None)
}

/// Rounds of the interleaved pass, and the time one case's batch takes in a round.
fn rounds(sweep: Sweep) -> (usize, Duration) {
    match sweep {
        Sweep::Full => (
            31,
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
/// record keeps the median of the rounds with their quartiles. Criterion's median, timed case
/// after case seconds apart, stays the row's ns.
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
        for (&i, r) in members.iter().zip(ratios) {
            records[i].ratios = Some(r);
        }
    }
}

/// The profile pass of one scenario: a flame graph per case at its definition's `profile_at`
/// points, its definition's differential graphs, and the records' `flamegraph` fields pointing at
/// them.
fn profile_scenario(
    opts: &Options,
    machine: &Machine,
    scenario: &Scenario,
    cases: &[Case],
) -> Result<Option<ResultFile>, String> {
    let dir = opts.out_root.join(FLAMEGRAPH_DIR);
    let duration = match opts.sweep {
        // The profiling timer ticks at the kernel's HZ (~250 samples/s here): 1 s gives ~250,
        // enough for every frame above 2 % of the time (a case is one tight loop).
        Sweep::Full => Duration::from_millis(1000),
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
        // The timer counts the process's CPU time: on a loaded machine a short window can take no
        // sample at all (seen at the quick 200 ms while other builds ran, S08 `post`). Then a
        // window five times as long, then none: a missing graph is said, never a failed run.
        let sample = |d: Duration| {
            profile::profile_folded(d, || {
                black_box(case.run(1000)).expect("checked before profiling");
            })
            .unwrap_or_else(|e| panic!("profiling {}: {e}", case.id(scenario.id)))
        };
        let mut folded = sample(duration);
        if folded.is_empty() {
            folded = sample(5 * duration);
        }
        if folded.is_empty() {
            println!(
                "lab: no flame graph of {}: the profiler took no sample in {} ms",
                case.id(scenario.id),
                6 * duration.as_millis()
            );
            continue;
        }
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
    let Some(mut file) = read.map_err(|e| e.to_string())? else {
        println!(
            "lab: no timed results for {} yet: flame graphs written, not linked",
            scenario.id
        );
        return Ok(None);
    };
    for r in &mut file.records {
        if let Some((_, _, svg)) = graphs
            .iter()
            .find(|(s, p, _)| *s == r.strategy && *p == r.params)
        {
            r.flamegraph = Some(svg.clone());
        }
    }
    Ok(Some(file))
}
