//! The committed results say one thing per row: a row timed in rounds prints the median of its
//! rounds, its "− floor" lies on the side of 0 that its "× floor" lies of 1, and the report keeps
//! no row whose instructions could not have run in its time. These read `results/` as a full run
//! left it, so a lab change that breaks a row's consistency fails here, not in a reader's hands.

use std::path::Path;

use lab_record::{load_dir, local::workspace_root, quartiles, ResultFile};

/// Every machine's result files under `results/`.
fn committed() -> Vec<(String, Vec<ResultFile>)> {
    let results = workspace_root().join("results");
    let Ok(dirs) = std::fs::read_dir(&results) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<ResultFile>)> = dirs
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !is_artifact_dir(p))
        .map(|p| {
            let files = load_dir(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.display().to_string(), files)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `results/flamegraphs/` and `results/plots/` hold the report's pictures, not records.
fn is_artifact_dir(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n == "flamegraphs" || n == "plots")
}

#[test]
fn a_row_timed_in_rounds_prints_their_median() {
    for (dir, files) in committed() {
        for f in &files {
            for r in &f.records {
                let Some(x) = r.ratios.as_ref().filter(|x| !x.per_round.is_empty()) else {
                    continue;
                };
                let rounds = quartiles(x.per_round.clone());
                let ns = &r.ns_per_call;
                assert_eq!(
                    ns.median,
                    rounds.median,
                    "{dir}: {} {}: the printed median is not its rounds'",
                    f.lang,
                    f.case_id(r)
                );
                assert!(
                    ns.low <= ns.median && ns.median <= ns.high,
                    "{dir}: {} {}: {ns:?}",
                    f.lang,
                    f.case_id(r)
                );
            }
        }
    }
}

#[test]
fn minus_floor_and_times_floor_agree_in_sign() {
    for (dir, files) in committed() {
        for f in &files {
            for r in &f.records {
                let Some(x) = r.ratios.as_ref() else { continue };
                if let (Some(to), Some(minus)) = (x.to_floor, x.minus_floor) {
                    assert_eq!(
                        (to.median > 1.0, to.median < 1.0),
                        (minus.median > 0.0, minus.median < 0.0),
                        "{dir}: {} {}: × floor {} beside − floor {}",
                        f.lang,
                        f.case_id(r),
                        to.median,
                        minus.median
                    );
                }
            }
        }
    }
}

#[test]
fn no_committed_row_runs_faster_than_the_cpu_can() {
    for (dir, files) in committed() {
        let (_, refused) = lab_report::rate::refuse(&files);
        assert!(
            refused.is_empty(),
            "{dir}: rows whose instructions could not have run in their time: {refused:?}"
        );
    }
}

/// Every point whose best strategy runs more than ×1.2 of its floor's instructions has its
/// reason in the scenario's definition (`above_floor`), which its page prints beside the
/// functions that make the difference.
#[test]
fn every_best_strategy_above_its_floor_says_why() {
    for (dir, files) in committed() {
        let missing = lab_report::render::floor_gap::unexplained(&files);
        assert!(
            missing.is_empty(),
            "{dir}: no `above_floor` reason in scenarios/*.toml for:\n{}",
            missing.join("\n")
        );
    }
}
