//! Conclusions of S10 panic containment (FINDINGS S10, `s10_panic`, C→R): what guarding every
//! entry with `catch_unwind` costs against a bare call, what a panicking request costs, and
//! whether the host survives many of them.

use super::View;
use crate::stats::{find, fmt_ns, median, param};

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    let m = |strategy: &str| median(f, strategy, &[]);
    if let (Some(bare), Some(guarded)) = (m("bare_call"), m("catch_unwind")) {
        // Below the spread of the two medians, a difference is alignment noise, not a cost.
        let spread = f
            .records
            .iter()
            .filter(|r| r.strategy == "bare_call" || r.strategy == "catch_unwind");
        let noise = spread
            .map(|r| r.ns_per_call.high - r.ns_per_call.low)
            .fold(0.0, f64::max);
        c.push(if guarded - bare > noise {
            format!(
                "`catch_unwind` around a call costs {} ns over the bare call ({} vs {} ns, ×{:.2}).",
                fmt_ns(guarded - bare),
                fmt_ns(guarded),
                fmt_ns(bare),
                guarded / bare
            )
        } else {
            format!(
                "`catch_unwind` around a call costs nothing measurable: {} ns guarded vs {} ns bare (×{:.2}; the two differ by code alignment from run to run).",
                fmt_ns(guarded),
                fmt_ns(bare),
                guarded / bare
            )
        });
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
