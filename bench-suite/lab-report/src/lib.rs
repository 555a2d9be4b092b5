//! ffi-lab's report: result records (`lab-record`) in; `REPORT.md` (the front page), one page per
//! scenario under `report/`, and plots out. Per scenario, a page with a table (strategy, parameters, median ns with its bounds, ratio to the floor and to the best
//! strategy, allocations per call on each side, bytes allocated and copied) and the conclusions the
//! numbers support, computed from the records — never typed by hand. The conclusions are in
//! `conclusions/`, one module per scenario, named by its id (`s02_pass_string.rs`); they and the
//! table share the arithmetic of `stats.rs`.
//!
//! It reads what the runners wrote and never imports them (as `rebar report` reads what
//! `rebar measure` wrote): [`render`] is a pure function of the records, and the `lab-report`
//! command rebuilds the report from `results/` without running a benchmark.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use lab_record::{load_dir, write_atomically, PLOT_DIR};

mod anchors;
mod claims;
pub mod compare;
mod conclusions;
pub mod fixtures;
mod floor;
mod format;
pub mod gate;
mod guide;
pub mod plots;
pub mod rate;
mod releases;
pub mod render;
mod standing;
mod stats;

pub use anchors::PAGE_DIR;
pub use format::{ENVOY_NOT_MEASURED, GO_NOT_MEASURED, GO_NOT_WRITTEN, NGINX_NOT_MEASURED};
pub use render::{render, Report, MAX_COLUMNS};

/// Reads `root/results/<machine_id>/` and writes `root/REPORT.md` and the scenario pages under
/// `root/report/`, each file replaced atomically; a page of a scenario with no records any more
/// is removed. Returns the front page's path.
pub fn write_report(root: &Path, machine_id: &str) -> io::Result<PathBuf> {
    let files = load_dir(&root.join("results").join(machine_id))?;
    let plot_dir = root.join(PLOT_DIR);
    fs::create_dir_all(&plot_dir)?;
    // The plots draw the rows the report keeps (`render` refuses the same).
    for plot in plots::plots_for(&rate::refuse(&files).0) {
        plots::draw(&plot_dir, &plot)?;
    }
    let report = render::render(&files, machine_id);
    let page_dir = root.join(PAGE_DIR);
    fs::create_dir_all(&page_dir)?;
    for (path, text) in &report.pages {
        write_atomically(&root.join(path), text)?;
    }
    // Only generated pages live in `report/`: one no longer written is a scenario without records.
    for entry in fs::read_dir(&page_dir)? {
        let path = entry?.path();
        let written = report.pages.iter().any(|(p, _)| root.join(p) == path);
        if !written && path.extension().is_some_and(|e| e == "md") {
            fs::remove_file(&path)?;
        }
    }
    let path = root.join("REPORT.md");
    write_atomically(&path, &report.front)?;
    Ok(path)
}

/// Which machine's records under `root/results/` the report renders: `here`'s (this machine's id)
/// where they exist, else the only machine's there. A report never shows another machine's records
/// in place of this one's unless nothing else could be meant; with several and none of `here`,
/// the caller must choose (`--machine`).
pub fn report_machine(root: &Path, here: &str) -> Result<String, String> {
    let results = root.join("results");
    if results.join(here).is_dir() {
        return Ok(here.to_owned());
    }
    let entries = fs::read_dir(&results)
        .map_err(|e| format!("{}: {e} (run scripts/bench first)", results.display()))?;
    let mut ids: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().join(".").is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        // results/ also holds the plots and flame graphs of every machine.
        .filter(|name| name != "plots" && name != "flamegraphs")
        .collect();
    ids.sort();
    match ids.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("no machine directory under {}", results.display())),
        many => Err(format!(
            "several machines under {}, none of them this one ({here}): {}; choose one with --machine ID",
            results.display(),
            many.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_renders_this_machines_records() {
        let root = std::env::temp_dir().join(format!("lab-report-machine-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let dir = |id: &str| fs::create_dir_all(root.join("results").join(id)).unwrap();
        dir("plots");
        assert!(report_machine(&root, "b").is_err(), "no machine at all");
        dir("a");
        assert_eq!(report_machine(&root, "b").unwrap(), "a", "the only one");
        dir("b");
        dir("c");
        assert_eq!(report_machine(&root, "b").unwrap(), "b", "this machine's");
        let e = report_machine(&root, "d").unwrap_err();
        assert!(e.contains("a, b, c") && e.contains("--machine"), "{e}");
        fs::remove_dir_all(&root).unwrap();
    }
}
