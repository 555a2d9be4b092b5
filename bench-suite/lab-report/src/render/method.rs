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

/// The "how to read" paragraph; its sentence on counts only if any record has counts.
pub(super) fn method(out: &mut String, files: &[ResultFile]) {
    let _ = write!(
        out,
        "## How to read\n\n\
         Every row is one measurement: the cases of one work (its strategies, its floor, its \
         references) are timed in turn over {} rounds; a row shows its median ns with the 25th and \
         75th percentiles in brackets, and its × floor and × best are the median of the per-round \
         ratios. The floor is the same work without the boundary, in the same run (R→C: the \
         `native` row, C calling the host; C→R: the same filter written in C). This machine is \
         shared: quote ratios within one run, not medians across runs. Allocations are counted \
         exactly per call (over {} calls). ",
        rounds(files),
        COUNT_CALLS
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
             `≠` marks a row it ranks otherwise than the clock does. ",
            lab_record::CACHE_MODEL.join(" "),
        );
    }
    let _ = writeln!(
        out,
        "How every figure is measured and the rules that decide a lead: \
         [docs/METHODOLOGY.md](docs/METHODOLOGY.md); what the lab reproduces: \
         [docs/FINDINGS.md](docs/FINDINGS.md). Reproduce: `scripts/bench`.\n"
    );
}
