//! Conclusions of S10 panic containment (FINDINGS S10, `s10_panic`, C→R): what the guard every
//! entry runs costs against a bare call, part by part (`catch_unwind` alone, the quiet-hook flag,
//! one thread-local access), what a panicking request costs, and whether the host survives many of
//! them.

use lab_record::ResultFile;

use super::shared::{counted_versus_at, View};
use crate::stats::{at, find, fmt_ns, margin, median, param, Margin};

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    let m = |strategy: &str| median(f, strategy, &[]);
    if let Some(g) = guard(f) {
        c.push(if g.margin.beyond_noise() {
            format!(
                "The guard every callback runs (`guarded`: host table, quiet-hook flag, `catch_unwind`, status) costs {} ns over the bare call ({} vs {} ns, {}).",
                fmt_ns(g.guarded - g.bare),
                fmt_ns(g.guarded),
                fmt_ns(g.bare),
                g.margin
            )
        } else {
            format!(
                "The guard every callback runs (`guarded`) costs nothing measurable: {} ns guarded vs {} ns bare ({}; the two differ by code alignment from run to run).",
                fmt_ns(g.guarded),
                fmt_ns(g.bare),
                g.margin
            )
        });
    }
    // The guard's parts, each beside the row it adds to: catch_unwind and the quiet-hook flag
    // around the same opaque body call, one thread-local write beside the bare call.
    for (part, base, what) in [
        (
            "catch_unwind",
            "body_call",
            "`catch_unwind` alone, over the same body call",
        ),
        (
            "quiet_hook",
            "body_call",
            "The quiet-hook flag (two thread-local writes), over the same body call",
        ),
        (
            "thread_local",
            "bare_call",
            "One thread-local write in the dlopen()ed library, over the bare call",
        ),
    ] {
        if let Some(line) = counted_versus_at(f, part, base, &[]) {
            c.push(format!("{what}: {line}."));
        }
    }
    if let (Some(p), Some(bare)) = (m("panic"), m("bare_call")) {
        c.push(format!(
            "A request whose filter panics costs {} ns (×{:.0} of a bare call), and ends only that request.",
            fmt_ns(p),
            p / bare
        ));
    }
    // The driver fails the run unless every panic was contained and balanced, so a record of
    // `panic_survival` is itself the evidence.
    if let Some(r) = find(f, "panic_survival", |_| true) {
        c.push(format!(
            "The host survived {} panicking requests with allocations back to balance on both sides (checked by the driver).",
            param(r, "requests").unwrap_or(0)
        ));
    }
    c
}

/// What the guard costs: the guarded and the bare call, and the first over the second.
pub struct Guard {
    pub guarded: f64,
    pub bare: f64,
    pub margin: Margin,
}

/// The whole guard's cost, as the section and the guide state it.
pub fn guard(f: &ResultFile) -> Option<Guard> {
    let row = |s: &str| find(f, s, |r| at(r, &[]));
    let (g, b) = (row("guarded")?, row("bare_call")?);
    Some(Guard {
        guarded: g.ns_per_call.median,
        bare: b.ns_per_call.median,
        margin: margin(g, b)?,
    })
}
