//! The cross-language LTO build: every R→C scenario again, in a build whose C host and native
//! floors are LLVM bitcode (`clang -flto=thin`) optimised together with the Rust side's
//! (`-Clinker-plugin-lto`) by lld, so a call into C can be inlined into its caller. The engine
//! builds that program (`src/bin/r2c.rs`: the R→C engine over every scenario) into `target/lto/`
//! with the toolchain of rustc's LLVM major ([`toolchain`]) and runs it with this pass's arguments
//! and environment; it files its records itself, as `rust-lto` rows (`crate::build`). Without the
//! toolchain the lab runs on and says "LTO build: not measured", with the reason.

pub mod toolchain;

use std::path::{Path, PathBuf};
use std::process::Command;

use lab_record::Machine;

use crate::case::Sweep;
use crate::engine::{Engine, Measured};
use crate::options::{target_dir, Options, Pass};
use toolchain::Toolchain;

/// The R→C scenarios in the cross-language LTO build.
pub struct LtoBuild;

/// The program the LTO build runs: `src/bin/r2c.rs`.
const PROGRAM: &str = "r2c";

impl Engine for LtoBuild {
    fn name(&self) -> &str {
        "lto build"
    }

    fn time(&self, opts: &Options, _machine: &Machine) -> Measured {
        run(opts)
    }

    fn count(&self, opts: &Options, _machine: &Machine) -> Measured {
        run(opts)
    }

    fn profile(&self, _opts: &Options, _machine: &Machine) -> Measured {
        println!("lab: lto build: no flame graph in the profile pass (the normal build has them)");
        Ok(Vec::new())
    }
}

/// Builds the LTO program and runs `opts` in it (the pass, the sweep, the filter, where records
/// go); it files its records where this pass's would.
fn run(opts: &Options) -> Measured {
    if opts.named_scenarios("r2c").is_empty() {
        return Ok(Vec::new());
    }
    let toolchain = match Toolchain::detect() {
        Ok(t) => t,
        Err(e) => {
            println!("lab: LTO build: not measured ({e})");
            return Ok(Vec::new());
        }
    };
    let program = build(&toolchain)?;
    let status = command(&program, opts)
        .status()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if !status.success() {
        return Err(format!(
            "the LTO build's {} failed ({status})",
            program.display()
        ));
    }
    Ok(Vec::new())
}

/// The LTO program run as `opts` asks: the arguments a bench target gets from cargo (`--bench`
/// but for a check, `--quick`, the filter) and the pass and output root in its environment, so
/// nothing of this process's own arguments or environment decides what it runs.
fn command(program: &Path, opts: &Options) -> Command {
    let mut cmd = Command::new(program);
    if opts.pass != Pass::Check {
        cmd.arg("--bench");
    }
    if opts.sweep == Sweep::Quick {
        cmd.arg("--quick");
    }
    cmd.args(&opts.filter)
        .env("LAB_OUT", &opts.out_root)
        .env_remove("LAB_QUICK")
        .env_remove("LAB_PROFILE")
        .env_remove("LAB_CALLGRIND");
    if opts.pass == Pass::Count {
        cmd.env("LAB_CALLGRIND", "1");
    }
    cmd
}

/// Where the LTO build's artifacts go: apart from the normal build's, whose flags differ.
pub fn lto_target_dir() -> PathBuf {
    target_dir().join("lto")
}

/// `cargo build --profile bench --bin r2c` in the LTO build; the program's path.
pub fn build(toolchain: &Toolchain) -> Result<PathBuf, String> {
    let dir = lto_target_dir();
    println!(
        "lab: building the LTO build ({}, rustc's LLVM {}) into {}",
        toolchain.clang_version,
        toolchain.rustc_llvm,
        dir.display()
    );
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "build",
            "--quiet",
            "--profile",
            "bench",
            "-p",
            "lab-bench",
            "--bin",
            PROGRAM,
        ])
        .env("CARGO_TARGET_DIR", &dir)
        .envs(toolchain.cargo_env())
        .current_dir(crate::options::workspace_root())
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the LTO build failed ({status})"));
    }
    Ok(dir.join("release").join(PROGRAM))
}
