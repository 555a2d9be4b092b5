//! S15's profile pass: perf samples the worker while wrk drives each profiled case.

use std::path::Path;
use std::time::Duration;

use super::cases::{params, Case, CASE_PATH, SCENARIO, STRATEGIES};
use super::config::{build_modules, Installation};
use super::load::load;
use super::process::Nginx;
use crate::passes::profile;
use crate::proxy::{load_headers, request};

/// The module's file name: how its frames are told apart in perf's output.
pub const MODULE_FILE: &str = "libffi_lab_nginx.so";

/// How long the profile pass samples the worker per case: ~1500 samples at
/// [`profile::PERF_HZ`] in full mode, a few hundred in quick mode.
pub fn profile_duration(opts: &crate::options::Options) -> Duration {
    match opts.sweep {
        crate::case::Sweep::Full => Duration::from_millis(1500),
        crate::case::Sweep::Quick => Duration::from_millis(400),
    }
}

/// The cases the profile pass samples: the module's strategies (the references have no Rust
/// frames to find) at the definition's `profile_at` points, among those selected.
pub fn profiled_cases(selected: &[Case]) -> Vec<Case> {
    let at = lab_record::scenario::get(SCENARIO)
        .and_then(|d| d.c2r.as_ref())
        .map_or(&[][..], |d| &d.profile_at);
    selected
        .iter()
        .filter(|c| {
            STRATEGIES.contains(&c.strategy) && at.contains(&lab_record::params_label(&params(c)))
        })
        .cloned()
        .collect()
}

/// The flame graph's file name (without `.svg`), as the other scenarios name theirs.
pub fn graph_name(case: &Case) -> String {
    profile::graph_name(
        SCENARIO,
        case.strategy,
        &lab_record::params_label(&params(case)),
    )
}

/// One case's flame graph: while wrk drives the case, perf samples the worker; perf script's
/// stacks are folded by inferno into `<dir>/<name>.folded` and `.svg`. Returns where the
/// worker's samples fell with respect to the module.
pub fn profile_case(
    inst: &Installation,
    nginx: &Nginx,
    case: &Case,
    duration: Duration,
    dir: &Path,
) -> Result<profile::DsoShare, String> {
    let (status, head) = request(nginx.port_of(case), CASE_PATH, &load_headers())?;
    if status != 200 {
        return Err(format!("{}: status {status}:\n{head}", case.name()));
    }
    // wrk's -d counts whole seconds: it runs past both ends of the recording (300 ms before it,
    // at least 200 ms after).
    let seconds = (duration.as_secs_f64() + 0.5).ceil() as u32;
    let (l, script) = std::thread::scope(|s| {
        let load = s.spawn(|| load(inst, nginx, case, seconds, 8));
        std::thread::sleep(Duration::from_millis(300));
        let data = nginx.prefix.join(format!("{}.perf.data", graph_name(case)));
        let script = profile::perf_record(nginx.worker, duration, &data);
        let _ = std::fs::remove_file(&data);
        let l = load.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (l, script)
    });
    let l = l?;
    if l.non_2xx > 0 || l.errors > 0 {
        return Err(format!(
            "{}: {} non-2xx responses, {} socket errors while profiling",
            case.name(),
            l.non_2xx,
            l.errors
        ));
    }
    let script = script?;
    let share = profile::dso_share(&script, MODULE_FILE);
    let folded = profile::collapse_perf(&script).map_err(|e| e.to_string())?;
    if folded.is_empty() {
        return Err("perf recorded no stack of the worker".into());
    }
    let name = graph_name(case);
    let title = format!(
        "{SCENARIO} — {} (filter={}): nginx's worker under wrk, perf {} Hz; the module on the stack in {:.1} % of {} samples",
        case.strategy,
        case.filter.unwrap_or("none"),
        profile::PERF_HZ,
        share.percent(share.on_stack),
        share.samples
    );
    profile::write_flamegraph(dir, &name, &title, &folded).map_err(|e| e.to_string())?;
    Ok(share)
}

/// The profile pass of S15 (`LAB_PROFILE=1`): nginx with the module, each profiled case driven by
/// wrk while perf samples the worker, a flame graph per case under `results/flamegraphs/`, and
/// the timed records' `flamegraph` fields pointing at them. Without a working perf it says so in
/// one line and writes nothing; a perf that fails on a case ends the pass there, keeping the
/// graphs made so far (the timed figures are never touched).
pub(super) fn profile_pass(
    opts: &crate::options::Options,
    machine: &lab_record::Machine,
    inst: &Installation,
    selected: &[Case],
) -> Result<Vec<lab_record::ResultFile>, String> {
    let cases = profiled_cases(selected);
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    if let Err(e) = profile::perf_version() {
        println!("lab: S15: no flame graph of the nginx worker: {e}");
        return Ok(Vec::new());
    }
    let dir = opts.out_root.join(lab_record::FLAMEGRAPH_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let modules = build_modules()?;
    let nginx = Nginx::start(inst, &modules, "profile", "")?;
    let duration = profile_duration(opts);
    let mut graphs = Vec::new();
    for case in &cases {
        match profile_case(inst, &nginx, case, duration, &dir) {
            Ok(share) => {
                println!(
                    "lab: flame graph {}/{}.svg: the module on the stack in {:.1} % of the worker's {} samples, its own code {:.1} %; {} of its {} frames unnamed",
                    dir.display(),
                    graph_name(case),
                    share.percent(share.on_stack),
                    share.samples,
                    share.percent(share.leaf),
                    share.unresolved,
                    share.frames
                );
                graphs.push(case.clone());
            }
            Err(e) => {
                println!("lab: S15: no flame graph of {}: {e}", case.name());
                break;
            }
        }
    }
    nginx.stop()?;
    let results = opts.out_root.join("results").join(&machine.id);
    let read = lab_record::ResultFile::read(&results, SCENARIO, "rust", "c2r");
    let Some(mut file) = read.map_err(|e| e.to_string())? else {
        if !graphs.is_empty() {
            println!("lab: no timed results for {SCENARIO} yet: flame graphs written, not linked");
        }
        return Ok(Vec::new());
    };
    link_graphs(&mut file.records, &graphs);
    Ok(vec![file])
}

/// Points the records of the `graphed` cases at their flame graphs (`results/flamegraphs/…svg`,
/// as the report links them); the others keep what they had.
pub fn link_graphs(records: &mut [lab_record::Record], graphed: &[Case]) {
    for r in records {
        if let Some(c) = graphed
            .iter()
            .find(|c| c.strategy == r.strategy && params(c) == r.params)
        {
            r.flamegraph = Some(format!(
                "{}/{}.svg",
                lab_record::FLAMEGRAPH_DIR,
                graph_name(c)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::nginx::{cases, FILTERS};

    /// The profile pass samples the module's strategies at the definition's points, never a
    /// reference, and names their graphs as the other scenarios name theirs.
    #[test]
    fn the_profile_pass_samples_the_modules_strategies() {
        let profiled = profiled_cases(&cases());
        assert_eq!(profiled.len(), STRATEGIES.len() * FILTERS.len());
        assert!(profiled.iter().all(|c| STRATEGIES.contains(&c.strategy)));
        let names: Vec<String> = profiled.iter().map(graph_name).collect();
        assert!(names.contains(&"s15_real_proxy-borrow-filter=basic_auth".to_string()));
        assert!(names.contains(&"s15_real_proxy-bulk_copy-filter=header_get_set".to_string()));
        let only_lua: Vec<Case> = cases()
            .into_iter()
            .filter(|c| c.strategy == "lua")
            .collect();
        assert!(profiled_cases(&only_lua).is_empty());
    }

    #[test]
    fn the_records_link_their_graphs() {
        let ns = lab_record::Ns {
            median: 1.0,
            low: 1.0,
            high: 1.0,
        };
        let allocs = lab_record::Allocs::NONE;
        let mut records: Vec<lab_record::Record> = cases()
            .iter()
            .map(|c| lab_record::Record::new(c.strategy, params(c), ns, allocs))
            .collect();
        let borrow = Case {
            strategy: "borrow",
            filter: Some("basic_auth"),
        };
        link_graphs(&mut records, std::slice::from_ref(&borrow));
        let linked: Vec<(&str, &str)> = records
            .iter()
            .filter_map(|r| Some((r.strategy.as_str(), r.flamegraph.as_deref()?)))
            .collect();
        assert_eq!(
            linked,
            [(
                "borrow",
                "results/flamegraphs/s15_real_proxy-borrow-filter=basic_auth.svg"
            )]
        );
    }
}
