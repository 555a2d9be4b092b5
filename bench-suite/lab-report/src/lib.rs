//! ffi-lab's report: result records (`lab-record`) in, `REPORT.md` and plots out. Per scenario, a
//! table (strategy, parameters, median ns with its bounds, ratio to the floor and to the best
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

use lab_record::{load_dir, PLOT_DIR};

mod anchors;
pub mod compare;
mod conclusions;
pub mod fixtures;
mod floor;
mod format;
pub mod gate;
mod guide;
pub mod plots;
mod releases;
pub mod render;
mod standing;
mod stats;

pub use format::{GO_NOT_MEASURED, GO_NOT_WRITTEN, NGINX_NOT_MEASURED};
pub use render::render;

/// Reads `root/results/<machine_id>/` and writes `root/REPORT.md`; returns its path.
pub fn write_report(root: &Path, machine_id: &str) -> io::Result<PathBuf> {
    let files = load_dir(&root.join("results").join(machine_id))?;
    let plot_dir = root.join(PLOT_DIR);
    fs::create_dir_all(&plot_dir)?;
    for plot in plots::plots_for(&files) {
        plots::draw(&plot_dir, &plot)?;
    }
    let path = root.join("REPORT.md");
    fs::write(&path, render::render(&files, machine_id))?;
    Ok(path)
}
