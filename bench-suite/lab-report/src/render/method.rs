//! How the records were measured, stated once above the guide: the timing and counting method with
//! this run's figures (calls counted, interleaved rounds), and, where the callgrind pass counted
//! any row, what its counts are and what the `≠` and `~` marks of the tables mean.

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

/// The method paragraph, then the counts paragraph if any record has counts.
pub(super) fn method(out: &mut String, files: &[ResultFile]) {
    let _ = writeln!(
        out,
        "What the lab reproduces: [docs/FINDINGS.md](docs/FINDINGS.md); how it measures: \
         [docs/METHODOLOGY.md](docs/METHODOLOGY.md). \
         Reproduce: `scripts/bench` (set-up, then `cargo bench`; `scripts/bench --quick` for the quick mode). \
         Method: every row of R→C and C→R is one measurement: every case of one work (the strategies, their floor, the \
         references) is timed in turn, a short batch each, over {} rounds (the first case rotating; for C→R, in the C \
         driver's process, beside the C extension's same case), and a row's median ns and its brackets (the 25th and \
         75th percentiles), its × floor and × best (the median per-round ratio, quartiles in brackets), its − floor ns \
         (the median per-round difference, so its sign is always × floor's side of 1) and its plot point all come from \
         those rounds. R→C cases run in a loop that calls the strategy directly (criterion 0.8 warms each case and \
         sizes its batches); C→R calls are timed in C by the driver (`c-harness/driver`), which `dlopen()`s the \
         extension and reads `clock_gettime(CLOCK_MONOTONIC)` around batches (S12 times every call singly into a \
         log-bucket histogram; S11 times single first calls). Go's rows are `go test -bench`'s median over its runs \
         with a bootstrap 95 % interval. Allocations are counted exactly per call, Rust side by a counting global \
         allocator and C side by the host's own counters, over {} calls after one warm-up call; bytes copied are \
         counted where the copy happens. The floor of a row is the same work done without the boundary, measured in \
         the same run: for R→C the scenario's `native` row (C calling the host directly, `c-harness/native/native.c`), \
         for C→R the same filter written in C (`c-harness/driver/c_ext.c`) through the same driver; each section says \
         which, and scenarios without one fall back to the empty call of S01 plus S01's `memcpy` of the bytes the row \
         copies. Medians move between runs on this shared machine: quote ratios within one run.\n",
        rounds(files),
        COUNT_CALLS
    );
    if files
        .iter()
        .flat_map(|f| &f.records)
        .any(|r| r.counts.is_some())
    {
        let _ = writeln!(
            out,
            "Deterministic counts (R→C and C→R): **Ir/call** and **est. cycles/call** come from a pass of \
             their own under Valgrind's callgrind (`LAB_CALLGRIND=1 cargo bench`, \
             `bench-suite/lab-bench/src/passes/callgrind.rs`), with its cache simulation on a pinned model ({}) \
             rather than this machine's caches. Each case is warmed, then counted at n₁ and at \
             n₂ calls with collection limited to the calls (callgrind's client requests around \
             `case.run(n)`; 100 and 1100 calls, or 40 and 440 above 2000 instructions per call, \
             10 and 110 above 20 000); a row shows the difference divided by n₂ − n₁, the \
             steady state, the C host included, identical between runs. C→R rows are counted \
             alike by the C driver under callgrind (`lab-driver --count`, around each batch of \
             calls into the extension), on the Rust and on the C extension. S11's first call and \
             its timer (a new thread's first clock reads) are counted once, on a fresh thread, \
             against an empty window; S10's survival run counts its calls alone, each request's \
             set-up and destruction left out as its timing leaves them. Ir is instructions \
             executed; est. cycles is callgrind's and KCachegrind's cycle estimate, Ir + 10 × L1 \
             misses + 100 × last-level misses: a model with no pipeline, branch predictor or \
             prefetcher, so it ranks memory traffic and instruction counts, not latency. glibc's \
             `memcpy` and `strlen` are the variants it picks for the CPU valgrind reports, and a \
             `rep movsb` copy (glibc's choice for large copies) counts one instruction per byte. \
             **≠** marks rows whose place among the strategies of their work differs when ranked by \
             est. cycles instead of by median ns (floors and references not ranked): there the \
             wall clock and the count disagree, and the difference is in what the model leaves \
             out (or within the timing noise). **~** marks rows whose counts move a little \
             between passes: rows whose calls are shared among a crew's threads (S08, \
             S09), which count every thread's work, wake-ups included, but not its waits (the \
             functions a thread waits in, left out with callgrind's `--toggle-collect`: \
             `bench-suite/lab-bench/src/passes/callgrind.rs`, `WAITS`), and still move with how the threads \
             interleave (S08 `post` within 3.4 % over nine passes, the others within 0.6 %); and \
             S15's Lua reference, whose LuaJIT collects and compiles in one batch of requests or \
             another (within 3.3 % over eleven passes). S15's rows are nginx's worker's whole \
             handling of a request, counted under callgrind between two requests that zero and \
             dump its counts (`count_pass` in `bench-suite/lab-bench/src/engines/nginx/count.rs`).\n",
            lab_record::CACHE_MODEL.join(" "),
        );
    }
}
