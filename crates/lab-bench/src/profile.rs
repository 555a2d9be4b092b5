//! Flame graphs: pprof samples a case's loop, inferno draws the SVG. Profiling is a pass of its
//! own (`cargo bench -- --profile`), never during the timed runs, so sampling cannot skew them.
//!
//! Besides one graph per strategy, differential graphs (inferno's diff-folded) show where one
//! strategy spends what another does not: the pairs that explain FINDINGS.md's copying findings.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use inferno::flamegraph;

fn other<E: std::fmt::Display>(e: E) -> io::Error {
    io::Error::other(e.to_string())
}

/// The frame under which a case's own work runs; frames above it (the runner) are cut away.
const CASE_ROOT: &str = "case::Case::new";

/// Samples `run` (called repeatedly) for `duration` at ~2 kHz and returns folded stacks, one
/// `frame;frame;… count` line per distinct stack, rooted at the case's loop.
pub fn profile_folded(duration: Duration, mut run: impl FnMut()) -> io::Result<Vec<String>> {
    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(1999)
        // libc stays sampled: malloc, memcpy and strlen are what the copying findings are about.
        // The unwinder's own library is skipped (a sample landing inside it could deadlock).
        .blocklist(&["libgcc", "vdso"])
        .build()
        .map_err(other)?;
    let start = Instant::now();
    while start.elapsed() < duration {
        run();
    }
    let report = guard.report().build().map_err(other)?;
    let mut lines: Vec<String> = report
        .data
        .iter()
        .map(|(frames, count)| {
            let stack: Vec<String> = frames
                .frames
                .iter()
                .rev()
                .flat_map(|f| f.iter().rev().map(|s| s.name()))
                .collect();
            let from = stack
                .iter()
                .position(|s| s.contains(CASE_ROOT))
                .unwrap_or(0);
            format!("{} {count}", stack[from..].join(";"))
        })
        .collect();
    lines.sort();
    Ok(lines)
}

/// Writes `<dir>/<name>.folded` and `<dir>/<name>.svg`.
pub fn write_flamegraph(dir: &Path, name: &str, title: &str, folded: &[String]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::write(dir.join(format!("{name}.folded")), folded.join("\n") + "\n")?;
    let mut opts = flamegraph::Options::default();
    opts.title = title.to_owned();
    opts.count_name = "samples".to_owned();
    flamegraph::from_lines(
        &mut opts,
        folded.iter().map(String::as_str),
        File::create(dir.join(format!("{name}.svg")))?,
    )
}

/// Writes `<dir>/<name>.svg`: the differential flame graph from `before` to `after` (two
/// `.folded` files of [`write_flamegraph`]); frames in red grew, in blue shrank.
pub fn write_differential(
    dir: &Path,
    name: &str,
    title: &str,
    before: &Path,
    after: &Path,
) -> io::Result<()> {
    let mut diff = Vec::new();
    inferno::differential::from_readers(
        inferno::differential::Options::default(),
        io::BufReader::new(File::open(before)?),
        io::BufReader::new(File::open(after)?),
        &mut diff,
    )?;
    let mut opts = flamegraph::Options::default();
    opts.title = title.to_owned();
    opts.count_name = "samples".to_owned();
    flamegraph::from_reader(
        &mut opts,
        &diff[..],
        File::create(dir.join(format!("{name}.svg")))?,
    )
}

/// A file name for a case: `s02_pass_string-ptr_len-len=64` (commas become dashes).
pub fn graph_name(scenario: &str, strategy: &str, params: &str) -> String {
    if params.is_empty() {
        format!("{scenario}-{strategy}")
    } else {
        format!("{scenario}-{strategy}-{}", params.replace(',', "-"))
    }
}
