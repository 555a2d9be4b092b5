//! The profile pass of the R→C engine: a flame graph per case at its definition's `profile_at`
//! points, and the differential graphs that explain a finding.

use std::hint::black_box;
use std::time::Duration;

use lab_record::{Machine, ResultFile, FLAMEGRAPH_DIR};

use crate::case::{Case, Scenario, Sweep};
use crate::options::Options;
use crate::passes::profile;

/// The profile pass of one scenario: a flame graph per case at its definition's `profile_at`
/// points, its definition's differential graphs, and the records' `flamegraph` fields pointing at
/// them.
pub(super) fn profile_scenario(
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
        // sample at all. Then a window five times as long, then none: a missing graph is said,
        // never a failed run (docs/evidence/2026-12-02-run-budget.md).
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
