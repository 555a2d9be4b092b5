//! The C→R side across the ways an extension is linked: S01's empty call, S10's guard and S11's
//! first call from a new thread, with the Rust extension linked statically into the driver (its
//! exports called directly, resolved at link time), statically with cross-language LTO (clang
//! `-flto=thin` and `-Clinker-plugin-lto`, linked by lld), and dlopen()ed but built with
//! `panic = "abort"`. The dlopen()ed extension of the normal build is the `c2r_driver` engine's
//! `rust` rows, the reference. Each mode's records are rows of their own language
//! ([`LinkMode::lang`]); the engine builds each mode's programs ([`artifacts`]) and runs them as
//! the C→R engine runs its driver (`crate::engines::driver`), in the timed and callgrind passes.
//! Without clang and lld of rustc's LLVM, the LTO mode says "LTO build: not measured" and the
//! others run.

pub mod artifacts;

use std::path::PathBuf;

use lab_record::Machine;

use crate::engine::{Engine, Measured};
use crate::engines::driver::{
    count_driver_on, file_counted, run_driver_on, to_result_files, DriverRun,
};
use crate::engines::lto::toolchain::Toolchain;
use crate::options::Options;
use crate::passes::callgrind;

/// The scenarios whose cost depends on how the extension is linked: the call itself (S01), the
/// panic guard (S10), the thread-locals a first call makes (S11).
pub const SCENARIOS: [&str; 3] = ["s01_call_floor", "s10_panic", "s11_thread_attach"];

/// S10's cases whose filter panics: a panic ends the process of an extension built with
/// `panic = "abort"`, so that mode leaves them out (the driver's `--skip-panics`).
pub const PANICKING: [&str; 2] = ["panic", "panic_survival"];

/// How the extension under test reaches the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkMode {
    /// A static library linked into the driver by the normal build's C compiler, without LTO.
    Static,
    /// The same static link with cross-language LTO: both sides LLVM bitcode, linked by lld.
    Lto,
    /// The dlopen()ed cdylib, built with `panic = "abort"`.
    Abort,
}

impl LinkMode {
    pub const ALL: [LinkMode; 3] = [LinkMode::Static, LinkMode::Lto, LinkMode::Abort];

    /// The language of the mode's rows: `<scenario>.<lang>.c2r.json`.
    pub fn lang(self) -> &'static str {
        match self {
            LinkMode::Static => lab_record::builds::STATIC,
            LinkMode::Lto => lab_record::builds::LTO,
            LinkMode::Abort => lab_record::builds::PANIC_ABORT,
        }
    }

    /// Builds the mode's programs: the driver run, or `None` when the mode cannot be built here
    /// (the LTO toolchain missing: said in a line).
    pub(crate) fn build(self) -> Result<Option<DriverRun>, String> {
        let linked = |program: PathBuf| DriverRun {
            program,
            extension: None,
            stem: self.lang().into(),
            flags: Vec::new(),
        };
        match self {
            LinkMode::Static => {
                let lib = artifacts::static_library(None)?;
                let out = artifacts::link_dir().join("lab-driver-static");
                let cc = PathBuf::from(env!("LAB_DRIVER_CC"));
                artifacts::link_driver(&cc, &[], &lib, &out)?;
                Ok(Some(linked(out)))
            }
            LinkMode::Lto => {
                let toolchain = match Toolchain::detect() {
                    Ok(t) => t,
                    Err(e) => {
                        println!("lab: LTO build: not measured ({e})");
                        return Ok(None);
                    }
                };
                let lib = artifacts::static_library(Some(&toolchain))?;
                let out = artifacts::link_dir().join("lab-driver-lto");
                // DWARF 4, as rustc's: clang's default DWARF 5 stops valgrind 3.19's reader.
                let flags = [
                    "-flto=thin".to_owned(),
                    "-gdwarf-4".to_owned(),
                    format!("--target={}", env!("LAB_RUST_TARGET")),
                    "-fuse-ld=lld".to_owned(),
                    format!("--ld-path={}", toolchain.lld.display()),
                ];
                artifacts::link_driver(&toolchain.clang, &flags, &lib, &out)?;
                Ok(Some(linked(out)))
            }
            LinkMode::Abort => {
                let so = artifacts::abort_cdylib()?;
                let mut run = DriverRun::loading(&so);
                run.stem = self.lang().into();
                run.flags.push("--skip-panics".into());
                Ok(Some(run))
            }
        }
    }
}

/// The C→R scenarios across the link modes.
pub struct LinkModes;

/// The link modes' scenarios the filter names, as the driver's `--only`; `None` when it names
/// none of them.
fn only(opts: &Options) -> Option<String> {
    let named = opts.named_scenarios("c2r");
    let selected: Vec<&str> = SCENARIOS
        .into_iter()
        .filter(|s| named.contains(s))
        .collect();
    if selected.is_empty() {
        println!(
            "lab: link modes: the filter names none of {}: not run",
            SCENARIOS.join(", ")
        );
        return None;
    }
    Some(selected.join(","))
}

/// The line that says what the `panic = "abort"` mode leaves out, when it runs S10.
fn say_left_out(mode: LinkMode, only: &str) {
    if mode == LinkMode::Abort && only.contains("s10_panic") {
        println!(
            "lab: {}: s10_panic's {} left out: a panic ends the process of an extension built \
             with panic = \"abort\"",
            mode.lang(),
            PANICKING.join(" and ")
        );
    }
}

impl Engine for LinkModes {
    fn name(&self) -> &str {
        "link modes"
    }

    fn time(&self, opts: &Options, machine: &Machine) -> Measured {
        let Some(only) = only(opts) else {
            return Ok(Vec::new());
        };
        let mut files = Vec::new();
        let mut ran = false;
        for mode in LinkMode::ALL {
            let Some(run) = mode.build()? else {
                continue;
            };
            say_left_out(mode, &only);
            let records: Vec<_> = run_driver_on(&run, opts.driven_sweep(), Some(&only), 0)?
                .into_iter()
                .filter(|r| opts.selects(&r.case_id()))
                .collect();
            ran |= !records.is_empty();
            files.extend(to_result_files(records, mode.lang(), machine));
        }
        if !ran {
            return Err(format!(
                "the filter {:?} selects no case of {only} in any link mode",
                opts.filter.as_deref().unwrap_or_default()
            ));
        }
        Ok(files)
    }

    fn count(&self, opts: &Options, machine: &Machine) -> Measured {
        let Some(only) = only(opts) else {
            return Ok(Vec::new());
        };
        let valgrind = callgrind::valgrind_version()?;
        let mut files = Vec::new();
        for mode in LinkMode::ALL {
            let Some(run) = mode.build()? else {
                continue;
            };
            say_left_out(mode, &only);
            let counted = count_driver_on(&run, opts.sweep, Some(&only))?;
            if !counted.ids.iter().any(|id| opts.selects(id)) {
                println!(
                    "lab: {}: the filter selects no counted case of this mode",
                    mode.lang()
                );
                continue;
            }
            files.extend(file_counted(
                opts,
                machine,
                &valgrind,
                mode.lang(),
                &counted,
            )?);
        }
        Ok(files)
    }

    fn profile(&self, _opts: &Options, _machine: &Machine) -> Measured {
        println!("lab: link modes: timed in C, outside this process: no flame graph here");
        Ok(Vec::new())
    }
}
