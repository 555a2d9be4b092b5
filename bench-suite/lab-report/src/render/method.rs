//! How to read the figures, stated once above the guide in a few sentences with this run's own
//! (interleaved rounds, calls counted, the cache model): what a row, its brackets and its ratios
//! are, what its floor is, and what the count columns and their marks mean. The method in full is
//! docs/METHODOLOGY.md, which the paragraph links.

use std::fmt::Write as _;

use lab_record::{ResultFile, COUNT_CALLS};

/// The rounds of the interleaved pass that timed these records (the most any record kept).
fn rounds(files: &[ResultFile]) -> u32 {
    files
        .iter()
        .flat_map(|f| &f.records)
        .filter_map(|r| r.ratios.as_ref().map(|x| x.rounds))
        .max()
        .unwrap_or(0)
}

/// The front page's "how to read" paragraph: what a row, its brackets, its ratios and its floor
/// are, and where the rules are stated.
pub(super) fn method(out: &mut String, files: &[ResultFile]) {
    let _ = writeln!(
        out,
        "## How to read\n\n\
         Each row is one measurement: a work's cases timed in turn over {} rounds; its median \
         ns, quartiles in brackets, ratios the medians of per-round ratios. The floor is the same \
         work without the boundary, in the same run. Compare ratios within a run, not medians \
         across runs. Rules: [docs/METHODOLOGY.md](docs/METHODOLOGY.md); claims: \
         [docs/FINDINGS.md](docs/FINDINGS.md). Reproduce: `scripts/bench`.\n",
        rounds(files)
    );
}

/// A scenario page's note on its count columns: allocations, instructions and the cache model's
/// cycles; the instructions' sentence only if any record has counts.
pub(super) fn columns(files: &[ResultFile]) -> String {
    let mut out = format!(
        "Allocations are counted exactly per call (over {COUNT_CALLS} calls). The floor is the \
         same work without the boundary (R→C: the `native` row, C calling the host; C→R: the \
         same filter written in C). "
    );
    if files
        .iter()
        .flat_map(|f| &f.records)
        .any(|r| r.counts.is_some())
    {
        let _ = write!(
            out,
            "Ir/call is instructions per call under callgrind, identical between runs (`~`: a count \
             that moves a little between passes, threads interleaving); est. cycles is callgrind's \
             estimate on a pinned cache model ({}), a ranking of memory traffic, not latency, and \
             `≠` marks a row it ranks otherwise than the clock does.",
            lab_record::CACHE_MODEL.join(" "),
        );
    }
    out.trim_end().to_owned()
}
