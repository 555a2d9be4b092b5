//! The C→R engine: the C driver (`c-harness/driver`) on an extension shared object. The driver
//! times the calls itself, in C, so a Rust extension, the same extension in C (the rows' floor)
//! and a Go one are measured by the very same loop; this side launches it (`run_driver`), turns
//! its JSON Lines into records (`records`) and, in the callgrind pass, runs it counted (`count`).

mod count;
mod records;

pub use count::{count_c2r, count_driver, parse_counted, CountedRun};
pub(crate) use count::{count_driver_on, file_counted};
pub use records::{parse_lines, to_result_files, unit, DriverRecord};

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use lab_record::Machine;

use crate::case::Sweep;
use crate::engine::{Engine, Measured};
use crate::options::Options;

/// The driver binary that build.rs compiled from `c-harness/driver/` and the host.
pub fn driver_path() -> &'static Path {
    Path::new(env!("LAB_DRIVER"))
}

/// The same extension written in C (`c-harness/driver/c_ext.c`), built by build.rs: the driver's
/// language-neutral reference.
pub fn c_extension_path() -> &'static Path {
    Path::new(env!("LAB_C_EXTENSION"))
}

/// This crate's cdylib, built with the running test or bench binary. Cargo leaves it beside the
/// binary in `target/<profile>/deps/` (it copies it up to `target/<profile>/` only when the library
/// itself was asked for), so look there first.
pub fn rust_extension_path() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let deps = exe.parent().expect("exe in a directory");
    let candidates = [
        deps.join("liblab_ext.so"),
        deps.parent().unwrap_or(deps).join("liblab_ext.so"),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .unwrap_or(&candidates[0])
        .clone()
}

/// A driver program and the extension it runs: build.rs's driver on a shared object it
/// dlopen()s, or a driver with the extension linked into it (`crate::engines::link`).
pub(crate) struct DriverRun {
    pub program: PathBuf,
    /// The shared object the driver loads; `None` for a driver with the extension linked in.
    pub extension: Option<PathBuf>,
    /// The run's name in its temporary files and callgrind's dump directory.
    pub stem: String,
    /// The driver's further flags (`--skip-panics`).
    pub flags: Vec<OsString>,
}

impl DriverRun {
    /// build.rs's driver on the shared object `extension`.
    pub fn loading(extension: &Path) -> DriverRun {
        DriverRun {
            program: driver_path().to_path_buf(),
            extension: Some(extension.to_path_buf()),
            stem: extension_stem(extension),
            flags: Vec::new(),
        }
    }

    /// The driver's command line up to the run's own options: the extension, then the flags.
    fn args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = self.extension.iter().map(|e| e.into()).collect();
        args.extend(self.flags.iter().cloned());
        args
    }
}

/// Runs the driver on `extension`; returns its records, or its stderr when it fails.
///
/// `leak_tolerance` loosens the driver's S10 check that the extension's allocations and frees
/// balance after 10 000 panicking requests: 0 (exact) for Rust and C, whose counts are per
/// thread; Go's are process-wide and its runtime allocates on its own (a new M mid-run), so the
/// Go run allows a handful.
pub fn run_driver(
    extension: &Path,
    sweep: Sweep,
    only: Option<&str>,
    leak_tolerance: u32,
) -> Result<Vec<DriverRecord>, String> {
    run_driver_on(&DriverRun::loading(extension), sweep, only, leak_tolerance)
}

/// [`run_driver`] for any [`DriverRun`]: its program, on its extension, with its flags. `only`:
/// the driver's `--only`, scenario substrings separated by commas.
pub(crate) fn run_driver_on(
    run: &DriverRun,
    sweep: Sweep,
    only: Option<&str>,
    leak_tolerance: u32,
) -> Result<Vec<DriverRecord>, String> {
    // The pid padded to one width: the path is on the driver's command line, so on its stack,
    // and a path one digit longer would move the driver's stack in the layout `layout` fixes.
    let out = std::env::temp_dir().join(format!(
        "lab-driver-{:010}-{}.jsonl",
        std::process::id(),
        run.stem
    ));
    let mut cmd = Command::new(&run.program);
    cmd.args(run.args()).arg("--out").arg(&out);
    // S11: the C extension's first call on each new thread stands beside the measured one's.
    cmd.arg("--floor-ext").arg(c_extension_path());
    if sweep == Sweep::Quick {
        cmd.arg("--quick");
    }
    if leak_tolerance > 0 {
        cmd.arg("--leak-tolerance").arg(leak_tolerance.to_string());
    }
    if let Some(only) = only {
        cmd.arg("--only").arg(only);
    }
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", run.program.display()))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        let _ = std::fs::remove_file(&out);
        return Err(format!(
            "lab-driver exited with {}:\n{stderr}",
            output.status
        ));
    }
    eprint!("{stderr}");
    let text =
        std::fs::read_to_string(&out).map_err(|e| format!("reading {}: {e}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    parse_lines(&text)
}

pub(crate) fn extension_stem(p: &Path) -> String {
    p.file_stem()
        .map_or_else(|| "ext".into(), |s| s.to_string_lossy().into_owned())
}

/// Runs the driver on `extension` for the scenarios `opts` names and keeps the records it selects
/// (perhaps none); `Ok(None)` when the filter names no C→R scenario, so the driver did not run.
pub fn measure_c2r(
    opts: &Options,
    extension: &Path,
    leak_tolerance: u32,
) -> Result<Option<Vec<DriverRecord>>, String> {
    let scenarios = opts.named_scenarios("c2r");
    if scenarios.is_empty() {
        return Ok(None);
    }
    let sweep = opts.driven_sweep();
    // The driver selects by scenario substring; a filter down to strategies is applied here.
    let only = opts.scenario_filter();
    let records = run_driver(extension, sweep, only, leak_tolerance)?
        .into_iter()
        .filter(|r| opts.selects(&r.case_id()))
        .collect();
    Ok(Some(records))
}

/// The C→R engine on the Rust extension, with the C extension as its floor.
pub struct C2r;

impl Engine for C2r {
    fn name(&self) -> &str {
        "c2r driver"
    }

    fn time(&self, opts: &Options, machine: &Machine) -> Measured {
        let ext = rust_extension_path();
        let Some(records) = measure_c2r(opts, &ext, 0)? else {
            println!("lab: the filter names no C->R scenario: the driver does not run");
            return Ok(Vec::new());
        };
        if records.is_empty() {
            return Err(format!(
                "the filter {:?} selects no case of {}",
                opts.filter.as_deref().unwrap_or_default(),
                opts.named_scenarios("c2r").join(", ")
            ));
        }
        let mut files = to_result_files(records, "rust", machine);
        // The C→R floor: the same filters written in C, through the same driver, in this run.
        if let Some(c) = measure_c2r(opts, c_extension_path(), 0)? {
            files.extend(to_result_files(c, "c", machine));
        }
        Ok(files)
    }

    fn count(&self, opts: &Options, machine: &Machine) -> Measured {
        count_c2r(opts, machine)
    }

    fn profile(&self, _opts: &Options, _machine: &Machine) -> Measured {
        println!("lab: the C->R driver is timed in C, outside this process: no flame graph here");
        Ok(Vec::new())
    }
}
