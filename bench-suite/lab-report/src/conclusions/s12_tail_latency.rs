//! Conclusions of S12 tail latency (FINDINGS S12, `s12_tail_latency`, C→R): how per-call latency
//! is distributed over a long run with and without allocation, in Rust (no GC) and in Go (GC
//! included), from the percentiles of calls timed one by one.

use lab_record::{Record, ResultFile};

use super::shared::View;
use crate::stats::{find, fmt_ns, param, percentile};

/// The records timed call by call (the others have no percentiles).
pub fn timed_singly(f: &ResultFile) -> impl Iterator<Item = &Record> {
    f.records.iter().filter(|r| r.percentiles_ns.is_some())
}

/// Percentile `k` of such a record; NaN where missing, so the line still prints and shows the gap.
pub fn p(r: &Record, k: &str) -> f64 {
    percentile(r, k).unwrap_or(f64::NAN)
}

pub fn c2r(v: &View) -> Vec<String> {
    let mut c: Vec<String> = timed_singly(v.file)
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
        .collect();
    c.extend(heavy_work(v));
    c
}

/// What `alloc_heavy` does beside its C floor: an allocation and a copy of each header value on
/// both sides, shown by the allocations, the bytes copied and the instructions per call of each.
fn heavy_work(v: &View) -> Option<String> {
    let rust = find(v.file, "alloc_heavy", |_| true)?;
    let c = find(v.file_of("c", "c2r")?, "alloc_heavy", |_| true)?;
    let counted = match (&rust.counts, &c.counts) {
        (Some(r), Some(c)) => format!(
            ", {:.0} vs {:.0} instructions per call (callgrind)",
            r.instructions, c.instructions
        ),
        _ => String::new(),
    };
    Some(format!(
        "`alloc_heavy` copies each header value into an allocation of its own and digests the copy, as its C floor does (malloc and memcpy): {} vs {} allocations and {:.0} vs {:.0} bytes copied per call in Rust and in C{counted}.",
        fmt_count(rust.allocs_per_call.rust?),
        fmt_count(c.allocs_per_call.rust?),
        rust.bytes_copied_per_call,
        c.bytes_copied_per_call
    ))
}

/// An allocation count per call: whole where it is (it is, for a fixed request).
fn fmt_count(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
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
