//! `lab-report`: rebuilds `REPORT.md` and the plots from the records under `results/`, without
//! running a benchmark (as `rebar report` does), or compares two result sets.
//!
//! ```text
//! lab-report [--root DIR] [--machine ID]
//! lab-report machine [--id]
//! lab-report compare OLD_DIR NEW_DIR [--noise FRACTION] [--all]
//! lab-report check-counts (COMMITTED.json | --fixtures DIR) COUNTS_DIR [--tolerance FRACTION] [--skip PART] [--write]
//! ```
//! `--root` is the directory holding `results/` and `REPORT.md` (default: the current directory);
//! `--machine` the machine id under `results/` (default: this machine's, where `results/` has it,
//! else the only one there).
//!
//! `machine` prints this machine's class line (`lab_record::MachineClass::line`), or with `--id`
//! the id its records go under (`scripts/counts-machine`).
//!
//! `compare` reads two directories of record files (`results/<machine-id>/`, or a baseline saved
//! by `scripts/bench --save-baseline NAME` under `target/lab-baselines/NAME/`) and prints, per
//! record in both, new / old and whether the change is beyond the noise (`--noise`, default 0.10:
//! the between-run spread of this machine class, docs/METHODOLOGY.md), largest change first;
//! `--all` lists the rows within the noise too. Exit 0 either way: it reports, it does not gate.
//!
//! `check-counts` is the gate that does: the callgrind pass's counts in `COUNTS_DIR`
//! (`results/<machine>/counts/`) against a committed set; exit 1, listing the rows, when any moved
//! beyond the tolerance (default 0.02 of its instructions; its misses' cycles by their own size or
//! 100) or is missing on either side; `--skip PART` leaves out the rows whose id contains PART on
//! both sides. `--fixtures DIR` chooses the committed set by the class the counts were taken on
//! (`fixtures.rs`: `DIR/<id>.json` of the same class; S15's rows left out when only nginx's
//! packages differ; a failure naming the class when none fits). `--write` instead replaces the
//! committed set with the pass's counts, with `--fixtures` this class's `<id>.json` and
//! `<id>.machine` (`scripts/bench --refresh-counts`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.split_first() {
        Some((first, rest)) if first == "compare" => compare(rest),
        Some((first, rest)) if first == "check-counts" => check_counts(rest),
        Some((first, rest)) if first == "machine" => machine(rest),
        _ => rebuild(args).map(|path| println!("lab-report: wrote {}", path.display())),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lab-report: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Rebuilds `REPORT.md` and the plots; returns the report's path.
fn rebuild(args: Vec<String>) -> Result<PathBuf, String> {
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
        None => lab_report::report_machine(&root, &lab_record::local::machine_id())?,
    };
    lab_report::write_report(&root, &machine).map_err(|e| e.to_string())
}

fn compare(args: &[String]) -> Result<(), String> {
    let usage = "usage: lab-report compare OLD_DIR NEW_DIR [--noise FRACTION] [--all]";
    let mut dirs = Vec::new();
    let (mut noise, mut all) = (0.10, false);
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--noise" => {
                noise = args
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| (0.0..1.0).contains(v))
                    .ok_or("--noise needs a fraction between 0 and 1, e.g. 0.10")?;
            }
            "--all" => all = true,
            "-h" | "--help" => return Err(usage.into()),
            d => dirs.push(PathBuf::from(d)),
        }
    }
    let [old, new] = dirs.as_slice() else {
        return Err(usage.into());
    };
    let load = |d: &Path| -> Result<Vec<lab_record::ResultFile>, String> {
        let files = lab_record::load_dir(d).map_err(|e| e.to_string())?;
        if files.is_empty() {
            return Err(format!("{}: no result records", d.display()));
        }
        Ok(files)
    };
    let c = lab_report::compare::compare(&load(old)?, &load(new)?, noise);
    print!(
        "{}",
        c.render(&old.display().to_string(), &new.display().to_string(), all)
    );
    Ok(())
}

fn machine(args: &[String]) -> Result<(), String> {
    let class = lab_record::local::machine_class();
    match args {
        [] => println!("{}", class.line()),
        [id] if id == "--id" => println!("{}", class.id()),
        _ => return Err("usage: lab-report machine [--id]".into()),
    }
    Ok(())
}

fn check_counts(args: &[String]) -> Result<(), String> {
    let usage =
        "usage: lab-report check-counts (COMMITTED.json | --fixtures DIR) COUNTS_DIR [--tolerance FRACTION] [--skip PART] [--write]";
    let (mut paths, mut tolerance, mut write) = (Vec::new(), lab_report::gate::TOLERANCE, false);
    let mut skip: Vec<String> = Vec::new();
    let mut fixtures: Option<PathBuf> = None;
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tolerance" => {
                tolerance = args
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| (0.0..1.0).contains(v))
                    .ok_or("--tolerance needs a fraction between 0 and 1, e.g. 0.02")?;
            }
            "--write" => write = true,
            "--skip" => skip.push(
                args.next()
                    .filter(|v| !v.is_empty())
                    .ok_or("--skip needs a part of a row id, e.g. s15_real_proxy")?
                    .clone(),
            ),
            "--fixtures" => {
                fixtures = Some(PathBuf::from(
                    args.next().ok_or("--fixtures needs a directory")?,
                ));
            }
            "-h" | "--help" => return Err(usage.into()),
            p => paths.push(PathBuf::from(p)),
        }
    }
    let (committed, dir) = match (paths.as_slice(), &fixtures) {
        ([committed, dir], None) => (Some(committed.clone()), dir.clone()),
        ([dir], Some(_)) => (None, dir.clone()),
        _ => return Err(usage.into()),
    };
    if write && !skip.is_empty() {
        return Err("--skip is for checking; --write writes every row".into());
    }
    let files = lab_record::load_counts_files(&dir).map_err(|e| e.to_string())?;
    // With --fixtures, the committed set is the one of the class the counts were taken on.
    let committed = match (committed, &fixtures) {
        (Some(c), _) => c,
        (None, Some(fixtures)) => {
            let class = counted_class(&files, &dir)?;
            if write {
                let (json, line) = lab_report::fixtures::paths_for(fixtures, &class);
                std::fs::create_dir_all(fixtures)
                    .map_err(|e| format!("{}: {e}", fixtures.display()))?;
                lab_record::write_atomically(&line, &(class.line() + "\n"))
                    .map_err(|e| format!("{}: {e}", line.display()))?;
                json
            } else {
                let listed = lab_report::fixtures::list(fixtures)
                    .map_err(|e| format!("{}: {e}", fixtures.display()))?;
                let choice = lab_report::fixtures::choose(&listed, &class.line(), fixtures)?;
                println!("{}", choice.note);
                skip.extend(choice.skip.map(str::to_owned));
                choice.counts
            }
        }
        (None, None) => return Err(usage.into()),
    };
    let mut new: std::collections::BTreeMap<String, lab_record::Counts> =
        files.into_iter().flat_map(|f| f.counts).collect();
    let kept = |id: &String| !skip.iter().any(|part| id.contains(part.as_str()));
    new.retain(|id, _| kept(id));
    if new.is_empty() {
        return Err(format!(
            "{}: no counts (run the callgrind pass: LAB_CALLGRIND=1 cargo bench)",
            dir.display()
        ));
    }
    if write {
        let json = serde_json::to_string_pretty(&new).map_err(|e| e.to_string())?;
        lab_record::write_atomically(&committed, &(json + "\n"))
            .map_err(|e| format!("{}: {e}", committed.display()))?;
        println!(
            "lab-report: wrote {} ({} rows)",
            committed.display(),
            new.len()
        );
        return Ok(());
    }
    let text = std::fs::read_to_string(&committed).map_err(|e| {
        format!(
            "{}: {e} (write it with scripts/bench --refresh-counts)",
            committed.display()
        )
    })?;
    let mut old: std::collections::BTreeMap<String, lab_record::Counts> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", committed.display()))?;
    old.retain(|id, _| kept(id));
    for part in &skip {
        println!("counts: rows containing {part:?} left out (--skip)");
    }
    let failures = lab_report::gate::check(&old, &new, tolerance);
    print!(
        "{}",
        lab_report::gate::render(&failures, new.len(), lab_report::gate::varying(&new))
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} rows differ from {}",
            failures.len(),
            committed.display()
        ))
    }
}

/// The machine class the counts under `dir` were taken on: one class for every file.
fn counted_class(
    files: &[lab_record::CountsFile],
    dir: &Path,
) -> Result<lab_record::MachineClass, String> {
    let mut classes = files.iter().map(|f| f.machine.class.as_ref());
    let Some(Some(first)) = classes.next() else {
        return Err(format!(
            "{}: no counts of a recorded machine class (run the callgrind pass: LAB_CALLGRIND=1 cargo bench)",
            dir.display()
        ));
    };
    if classes.any(|c| c != Some(first)) {
        return Err(format!(
            "{}: counts of several machine classes; count on one machine into an empty directory",
            dir.display()
        ));
    }
    Ok(first.clone())
}
