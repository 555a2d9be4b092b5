//! The command layer: what every bench target calls. It reads the options, fixes the address-space
//! layout of a timed run, fingerprints the machine, drives the engine through the pass, and merges
//! what it measured into `results/<machine>/`. It writes records only: the report is built once
//! per run from them (`lab-report`, whose bench target `cargo bench` runs after these).

use lab_record::{Machine, ResultFile};

use crate::engine::Engine;
use crate::fingerprint;
use crate::options::{Options, Pass};

/// The `main` of every bench target: [`run`] with the options of the command line.
pub fn main(engine: &dyn Engine) {
    run(&Options::from_env(), engine);
}

/// Runs `opts.pass` of `engine` and files what it measured. A check writes nothing. A failed
/// measurement, or records that cannot be written, end the process with the message (exit 1),
/// leaving the results as they were.
pub fn run(opts: &Options, engine: &dyn Engine) {
    if opts.pass == Pass::Time {
        crate::layout::fix();
    }
    let machine = fingerprint::detect(opts.mode());
    let timed = opts.pass == Pass::Time;
    let before = if timed { crate::clock::measure() } else { None };
    let mut files = match opts.pass.drive(engine, opts, &machine) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("lab: {}: {e}", engine.name());
            std::process::exit(1);
        }
    };
    if opts.pass == Pass::Check {
        let n: usize = files.iter().map(|f| f.records.len()).sum();
        println!(
            "{}: {} result files, {n} records ... ok",
            engine.name(),
            files.len()
        );
        return;
    }
    if timed {
        // Every row the pass timed carries the pace it ran at (the report checks its rate).
        let clock = crate::clock::faster(before, crate::clock::measure());
        for r in files.iter_mut().flat_map(|f| f.records.iter_mut()) {
            r.clock = clock;
        }
    }
    // A damaged results file or a full disk: one line that names the file, not a backtrace.
    if let Err(e) = save(opts, &machine, files) {
        eprintln!("lab: {}: {e}", engine.name());
        std::process::exit(1);
    }
}

/// Writes result files into `<out_root>/results/<machine>/`, merging with what is there.
pub fn save(opts: &Options, machine: &Machine, files: Vec<ResultFile>) -> Result<(), String> {
    let dir = opts.out_root.join("results").join(&machine.id);
    for file in files {
        let path = file.merge_into(&dir).map_err(|e| e.to_string())?;
        println!("lab: wrote {}", path.display());
    }
    Ok(())
}
