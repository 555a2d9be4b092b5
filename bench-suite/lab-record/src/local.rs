//! Where this run's records go, and which machine they are of: read the same way by the measuring
//! crate, which writes the records, and by the report, which reads them after a run.

use std::path::PathBuf;

/// The workspace root: the nearest directory above `$CARGO_MANIFEST_DIR` (which cargo sets for
/// the benches and tests it runs), else above the running binary, that holds `scenarios/` and
/// `bench-suite/`. Found at run time, never compiled in: a path in a binary's constants moves
/// every constant after it, so clones at two paths would build binaries of different layout and
/// count differently under callgrind.
///
/// # Panics
/// When run outside the workspace.
pub fn workspace_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_exe().ok())
        .unwrap_or_default();
    start
        .ancestors()
        .find(|d| d.join("scenarios").is_dir() && d.join("bench-suite").is_dir())
        .expect("the lab runs from its workspace (scenarios/ and bench-suite/)")
        .to_path_buf()
}

/// Where `results/` and `REPORT.md` go: `$LAB_OUT`, else `target/lab-quick/` for the quick
/// sweep (so a quick run never overwrites the committed results), else the workspace root.
pub fn out_root(quick: bool) -> PathBuf {
    match std::env::var_os("LAB_OUT") {
        Some(p) => PathBuf::from(p),
        None if quick => workspace_root().join("target/lab-quick"),
        None => workspace_root(),
    }
}

/// Whether `LAB_QUICK` (or `--quick` among `args`) asks for the quick sweep.
pub fn quick(args: &[String]) -> bool {
    args.iter().any(|a| a == "--quick")
        || std::env::var("LAB_QUICK").is_ok_and(|v| v != "0" && !v.is_empty())
}

/// Whether a bench binary runs as a check (`cargo test --benches`, or `-- --test`): cargo bench
/// passes `--bench`, cargo test runs bench targets without it.
pub fn checking(args: &[String]) -> bool {
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

/// This machine's CPU model (`/proc/cpuinfo`'s first `model name`), `unknown` where it has none.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The cores this process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// This machine's id, the directory of its records: [`crate::machine_id`] of its CPU and cores.
pub fn machine_id() -> String {
    crate::machine_id(&cpu_model(), cores())
}
