//! Where this run's records go, and which machine they are of: read the same way by the measuring
//! crate, which writes the records, and by the report, which reads them after a run.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::{MachineClass, Probes};

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

/// The cores this process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The nginx packages whose versions are part of the class (S15 runs inside them).
const NGINX_PACKAGES: &[&str] = &["nginx", "libnginx-mod-http-lua", "libnginx-mod-http-js"];

/// This machine's class, probed once per process: `/proc/cpuinfo`, [`cores`], `ldd --version`,
/// `valgrind --version`, and `dpkg-query` for the versions of [`NGINX_PACKAGES`] (`<name>
/// <version>` each, sorted by name; none where dpkg or the packages are missing).
pub fn machine_class() -> &'static MachineClass {
    static CLASS: OnceLock<MachineClass> = OnceLock::new();
    CLASS.get_or_init(|| {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let ldd = output("ldd", &["--version"]);
        let valgrind = output("valgrind", &["--version"]);
        let mut dpkg = vec!["-W", "-f=${Package} ${Version}\\n"];
        dpkg.extend_from_slice(NGINX_PACKAGES);
        let mut nginx: Vec<&str> = Vec::new();
        let listed = output("dpkg-query", &dpkg);
        nginx.extend(listed.lines().filter(|l| l.split_whitespace().count() == 2));
        nginx.sort_unstable();
        MachineClass::from_probes(&Probes {
            cpuinfo: &cpuinfo,
            cores: cores(),
            ldd: &ldd,
            valgrind: &valgrind,
            nginx: &nginx.join(" "),
        })
    })
}

/// This machine's id, the directory of its records: its [`machine_class`]'s id.
pub fn machine_id() -> String {
    machine_class().id()
}

/// What `program args` prints on stdout, empty where it cannot run. Run from `/`, with its
/// output read whole, so neither the directory nor the caller's streams matter.
fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .current_dir("/")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}
