//! Go across its releases, for the scenarios where releases differ (`release_scenarios`): a table
//! of Go's rows with Rust's median and each release's side by side, then why a release is missing
//! or built without `#cgo noescape`. The releases are [`releases`]'s, the list S01's conclusion
//! reads too.

use std::fmt::Write as _;

use lab_record::go::{release_key, release_scenarios};
use lab_record::{Record, ResultFile};

use super::table::sorted_rows;
use crate::releases::releases;
use crate::stats::{fmt_ns, twin};

/// Go across its releases, for the scenarios where releases differ ([`release_scenarios`]): per
/// row of Go's, Rust's median and each release's side by side; a release without records is
/// "not measured". Empty for the other scenarios.
pub(super) fn go_releases(f: &ResultFile, go: &ResultFile, others: &[&ResultFile]) -> String {
    if !release_scenarios()
        .iter()
        .any(|&(s, d)| s == f.scenario && d == f.direction)
    {
        return String::new();
    }
    let releases = releases(go, others);
    let mut out = String::new();
    let main = go.machine.go.as_deref().unwrap_or("the main toolchain");
    let _ = writeln!(
        out,
        "Go across its releases (`go-reference/toolchains`): the main toolchain ({main}) measured \
         the rows above; each other release measures the scenarios where releases differ, in the \
         same run, with fewer runs than the main toolchain's (Go→C: five of 20 ms per benchmark in a \
         full run, at the first, middle and last point of each sweep; C→Go: the driver's, one process \
         per scenario). Medians in ns:\n"
    );
    let _ = write!(out, "| strategy | params | Rust ns |");
    for (m, _, _) in &releases {
        let _ = write!(out, " Go {m} ns |");
    }
    let _ = writeln!(out, "\n|---|---|---|{}", "---|".repeat(releases.len()));
    // The rows some other release measured (it runs the quick sweep): every row of Go's when none did.
    let measured = |g: &Record| {
        releases
            .iter()
            .any(|(_, f, main)| !main && f.is_some_and(|f| twin(f, g).is_some()))
    };
    let any = go.records.iter().any(measured);
    for g in sorted_rows(&go.records)
        .into_iter()
        .filter(|g| !any || measured(g))
    {
        let _ = write!(
            out,
            "| `{}` | {} | {} |",
            g.strategy,
            g.params_label(),
            twin(f, g).map_or("–".into(), |r| fmt_ns(r.ns_per_call.median))
        );
        for (_, file, _) in &releases {
            let cell = match file {
                None => "not measured".into(),
                Some(file) => twin(file, g).map_or("–".into(), |r| fmt_ns(r.ns_per_call.median)),
            };
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out.push('\n');
    for (m, file, _) in &releases {
        if file.is_none() {
            let _ = writeln!(
                out,
                "Go {m}: not measured (no toolchain in `.venv-go/{m}/`: run scripts/setup).\n"
            );
        } else if release_key(m) < (1, 24) {
            let _ = writeln!(
                out,
                "Go {m} has no `#cgo noescape`/`nocallback` (Go 1.24): it builds the Go reference \
                 without them (go-reference/*/noescape.go are go1.24 files), so every pointer a cgo \
                 call is given escapes to the heap, as it does for any cgo call before Go 1.24.\n"
            );
            let slowest = file.and_then(|file| slowest_over_main(go, file));
            if let Some(x) = slowest.filter(|&x| f.direction == "c2r" && x >= MAPS_READ_RATIO) {
                let _ = writeln!(
                    out,
                    "Go {m}'s calls from C cost up to ×{x:.0} of the main toolchain's here: from \
                     Go 1.22.5 until 1.24 every call into Go from a process's main thread reads \
                     `/proc/self/maps` to update the goroutine's stack bounds (golang/go#68587; \
                     `strace` of the driver: one `openat` of it per call, \
                     docs/evidence/2026-12-02-go-releases.md). A host's other threads do not pay it.\n"
                );
            }
        }
    }
    out
}

/// From this ratio of a release's C→Go row over the main toolchain's, the release's call is not a
/// slower call but another code path (a file read per call), which the report names.
const MAPS_READ_RATIO: f64 = 50.0;

/// The highest ratio of a row of `release` over the same row of `main` (Go's main toolchain).
fn slowest_over_main(main: &ResultFile, release: &ResultFile) -> Option<f64> {
    release
        .records
        .iter()
        .filter_map(|r| Some(r.ns_per_call.median / twin(main, r)?.ns_per_call.median))
        .max_by(f64::total_cmp)
}
