//! The other Go releases of `go-reference/toolchains`, measured in the same run over the scenarios
//! where releases differ, each into files of its own (lang `go<minor>`).

use std::path::Path;

use lab_record::go::{minor_of_version, release_lang, release_scenarios};
use lab_record::{Machine, ResultFile};

use super::claim::claim_rounds;
use super::gotest::{records_from_go_test, run_go_test_with, GO_RELEASE_RUNS};
use super::toolchain::{
    build_go_extension_in, go_version, release_binary, release_modfile, releases, toolchains,
    Release,
};
use super::GO_LEAK_TOLERANCE;
use crate::engines::driver::{run_driver, to_result_files};
use crate::options::{target_dir, Options};

/// One other release over [`release_scenarios`] the filter names: Go→C with go test
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
    let sweep = opts.driven_sweep();
    let named = |direction: &str| -> Vec<&'static str> {
        release_scenarios()
            .into_iter()
            .filter(|(s, d)| *d == direction && opts.names(s))
            .map(|(s, _)| s)
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

/// Every other release of the list in this run, after the main toolchain's: each one missing is
/// "not measured", and so is each one whose run fails (with its error: the lab goes on).
pub(super) fn measure_releases(opts: &Options, machine: &Machine, main: &Path) -> Vec<ResultFile> {
    // A filter that names none of their scenarios runs no other release.
    if !release_scenarios().iter().any(|(s, _)| opts.names(s)) {
        return Vec::new();
    }
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
