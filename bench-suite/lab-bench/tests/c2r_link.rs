//! The link modes (quick sweep), end to end: each mode's programs build, its driver runs S01, S10
//! and S11 with their own checks, and its records are filed under its own language; the
//! `panic = "abort"` mode leaves out the panicking cases; a missing LTO toolchain leaves the LTO
//! mode out ("LTO build: not measured") and runs the others.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use lab_bench::case::Sweep;
use lab_bench::engine::Engine;
use lab_bench::engines::link::{LinkMode, LinkModes, PANICKING, SCENARIOS};
use lab_bench::options::{Options, Pass};
use lab_bench::passes::callgrind::counts_path_of;
use lab_record::{CountsFile, ResultFile};

/// The tests below set `LAB_CLANG` for the run they make: one at a time.
static ENV: Mutex<()> = Mutex::new(());

/// A fresh output root under the system's temporary directory.
fn out_root(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lab-link-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn opts(pass: Pass, out_root: &Path, filter: Option<&str>) -> Options {
    Options {
        sweep: Sweep::Quick,
        pass,
        filter: filter.map(str::to_owned),
        out_root: out_root.to_path_buf(),
    }
}

/// Runs `pass` of the engine and files what it gives under `out_root`; the results directory.
fn run(pass: Pass, out_root: &Path, filter: Option<&str>) -> PathBuf {
    let opts = opts(pass, out_root, filter);
    let machine = lab_bench::fingerprint::detect("quick");
    let files = pass
        .drive(&LinkModes, &opts, &machine)
        .unwrap_or_else(|e| panic!("{pass:?}: {e}"));
    lab_bench::command::save(&opts, &machine, files).unwrap();
    out_root.join("results").join(&machine.id)
}

fn strategies(results: &Path, scenario: &str, lang: &str) -> Option<Vec<String>> {
    let file = ResultFile::read(results, scenario, lang, "c2r").unwrap()?;
    assert_eq!((file.lang.as_str(), file.direction.as_str()), (lang, "c2r"));
    Some(file.records.iter().map(|r| r.strategy.clone()).collect())
}

#[test]
fn every_link_mode_files_the_three_scenarios_under_its_language() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let root = out_root("time");
    let results = run(Pass::Time, &root, None);
    for mode in LinkMode::ALL {
        for scenario in SCENARIOS {
            let rows = strategies(&results, scenario, mode.lang())
                .unwrap_or_else(|| panic!("{scenario}: no {} rows", mode.lang()));
            let panicking = rows
                .iter()
                .filter(|s| PANICKING.contains(&s.as_str()))
                .count();
            match (scenario, mode) {
                ("s01_call_floor", _) => {
                    assert_eq!(rows, ["empty_call", "call_with_args", "c_call"])
                }
                ("s10_panic", LinkMode::Abort) => {
                    assert_eq!(panicking, 0, "{rows:?}");
                    assert!(rows.iter().any(|s| s == "guarded"), "{rows:?}");
                }
                ("s10_panic", _) => assert_eq!(panicking, PANICKING.len(), "{rows:?}"),
                (_, _) => assert!(rows.iter().any(|s| s == "first_call"), "{rows:?}"),
            }
        }
    }
    // Only the three scenarios: the others are the C→R engine's.
    assert!(strategies(&results, "s14_filters", "rust-static").is_none());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn every_link_mode_is_counted_under_its_language() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = lab_bench::passes::callgrind::valgrind_version() {
        panic!("the callgrind pass needs valgrind: {e}");
    }
    let root = out_root("count");
    let results = run(Pass::Count, &root, Some("s01_call_floor"));
    for mode in LinkMode::ALL {
        let path = counts_path_of(&results, "s01_call_floor", mode.lang(), "c2r");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file: CountsFile = serde_json::from_str(&text).unwrap();
        let key = lab_record::counts_key(mode.lang(), "c2r", "s01_call_floor/empty_call/");
        let c = file.counts.get(&key).unwrap_or_else(|| panic!("{key}"));
        assert!(c.instructions > 0.0, "{key}: {c:?}");
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_missing_lto_toolchain_is_not_measured_and_the_other_modes_run() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let root = out_root("no-lto");
    std::env::set_var("LAB_CLANG", "/nonexistent/clang");
    let opts = opts(Pass::Time, &root, Some("s01_call_floor"));
    let machine = lab_bench::fingerprint::detect("quick");
    let files = LinkModes.time(&opts, &machine);
    std::env::remove_var("LAB_CLANG");
    let langs: Vec<String> = files
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|f| format!("{}.{}", f.scenario, f.lang))
        .collect();
    assert_eq!(
        langs,
        ["s01_call_floor.rust-static", "s01_call_floor.rust-abort"]
    );
}
