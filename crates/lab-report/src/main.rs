//! `lab-report`: rebuilds `REPORT.md` and the plots from the records under `results/`, without
//! running a benchmark (as `rebar report` does).
//!
//! ```text
//! lab-report [--root DIR] [--machine ID]
//! ```
//! `--root` is the directory holding `results/` and `REPORT.md` (default: the current directory);
//! `--machine` the machine id under `results/` (default: the only one there).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(path) => {
            println!("lab-report: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lab-report: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<PathBuf, String> {
    let mut root = PathBuf::from(".");
    let mut machine = None;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--root" => root = PathBuf::from(value("--root")?),
            "--machine" => machine = Some(value("--machine")?),
            "-h" | "--help" => {
                return Err("usage: lab-report [--root DIR] [--machine ID]".into());
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    let machine = match machine {
        Some(m) => m,
        None => only_machine(&root)?,
    };
    lab_report::write_report(&root, &machine).map_err(|e| e.to_string())
}

/// The one machine directory under `root/results/`; with several, the caller must choose.
fn only_machine(root: &Path) -> Result<String, String> {
    let results = root.join("results");
    let entries = std::fs::read_dir(&results)
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
            "several machines under {}: {}; choose one with --machine ID",
            results.display(),
            many.join(", ")
        )),
    }
}
