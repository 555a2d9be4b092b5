//! Conclusions of S12 tail latency (FINDINGS S12, `s12_tail_latency`, C→R): how per-call latency
//! is distributed over a long run with and without allocation, in Rust (no GC) and in Go (GC
//! included), from the percentiles of calls timed one by one.

use lab_record::{Record, ResultFile};

use super::shared::View;
use crate::stats::{fmt_ns, param, percentile};

/// The records timed call by call (the others have no percentiles).
pub fn timed_singly(f: &ResultFile) -> impl Iterator<Item = &Record> {
    f.records.iter().filter(|r| r.percentiles_ns.is_some())
}

/// Percentile `k` of such a record; NaN where missing, so the line still prints and shows the gap.
pub fn p(r: &Record, k: &str) -> f64 {
    percentile(r, k).unwrap_or(f64::NAN)
}

pub fn c2r(v: &View) -> Vec<String> {
    timed_singly(v.file)
        .map(|r| {
            format!(
                "`{}` over {} calls: p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns (p99.9 / p50 = ×{:.1}).",
                r.strategy,
                param(r, "calls").unwrap_or(0),
                fmt_ns(p(r, "p50")),
                fmt_ns(p(r, "p99")),
                fmt_ns(p(r, "p99.9")),
                fmt_ns(p(r, "max")),
                p(r, "p99.9") / p(r, "p50")
            )
        })
        .collect()
}

/// Go's percentiles beside the documents' figures, which are per second at the proxy level, not
/// per call: quoted for the shape (spikes in step with GC), not as the same measure.
pub fn go(_: &View, go: &ResultFile) -> Vec<String> {
    timed_singly(go)
        .map(|r| {
            format!(
                "Go `{}`: p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns (GC included). Documents: ~0.8 ms average with ~19.5 ms spikes in step with GC, at the proxy level.",
                r.strategy,
                fmt_ns(p(r, "p50")),
                fmt_ns(p(r, "p99")),
                fmt_ns(p(r, "p99.9")),
                fmt_ns(p(r, "max"))
            )
        })
        .collect()
}
