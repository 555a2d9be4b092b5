//! The machine fingerprint every result carries (docs/DESIGN.md): the machine class (CPU family,
//! model and the features glibc dispatches on, cores, glibc, valgrind, nginx), kernel, toolchains
//! that built this binary, Go's version, the git commit and the date. A report never mixes
//! machines silently: results live under `results/<machine id>/`, the class's id.

use std::fs;
use std::process::Command;

use lab_record::{local, rfc3339_utc, Machine};

/// Fingerprints this machine (its class, kernel, the toolchains that built this binary, the git
/// commit of the work tree) at the current time.
pub fn detect(mode: &str) -> Machine {
    let class = local::machine_class().clone();
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown".into(), |s| s.trim().into());
    Machine {
        id: class.id(),
        cpu: class.model_name.clone(),
        cores: class.cores,
        class: Some(class),
        kernel,
        rustc: env!("LAB_RUSTC_VERSION").into(),
        cc: env!("LAB_CC_VERSION").into(),
        go: crate::engines::go::toolchain::go_binary()
            .and_then(|go| crate::engines::go::toolchain::go_version(&go)),
        commit: git_commit(),
        date: rfc3339_utc(std::time::SystemTime::now()),
        lto: crate::build::LTO,
        mode: mode.into(),
    }
}

fn git_commit() -> String {
    let run = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(local::workspace_root())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match run(&["rev-parse", "--short=12", "HEAD"]) {
        Some(c) => {
            // The lab's own outputs do not count: a full run rewrites results/, REPORT.md and
            // report/ as it goes, and every bench target after the first would otherwise call the tree dirty.
            let dirty = run(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ":(top)",
                ":(top,exclude)results",
                ":(top,exclude)REPORT.md",
                ":(top,exclude)report",
            ])
            .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{c}-dirty")
            } else {
                c
            }
        }
        None => "unknown".into(),
    }
}
