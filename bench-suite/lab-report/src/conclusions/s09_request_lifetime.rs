//! Conclusions of S09 request lifetime (FINDINGS S09, `s09_request_lifetime`, R→C): what checking
//! on every host call that the request still exists costs (`weak_upgrade`, `generation_handle`)
//! against a plain reference (`unchecked`), on one thread and on two sharing the request.

use super::shared::View;
use crate::stats::{self, find, fmt_ns, margin, marked, median};

/// The two checks, each against the other.
const CHECKS: [&str; 2] = ["weak_upgrade", "generation_handle"];

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    let at = |s: &str, threads: u64| median(f, s, &[("threads", threads)]);
    if let Some(u) = find(f, "unchecked", |r| stats::at(r, &[("threads", 1)])) {
        let checks: Vec<String> = CHECKS
            .iter()
            .filter_map(|s| {
                let row = |s: &str| find(f, s, |r| r.params == u.params);
                let (r, m) = (row(s)?, margin(row(s)?, u)?);
                Some(format!(
                    "`{s}` {} ns, +{} ns, {}",
                    fmt_ns(r.ns_per_call.median),
                    fmt_ns(r.ns_per_call.median - u.ns_per_call.median),
                    marked(&m)
                ))
            })
            .collect();
        c.push(format!(
            "One thread: the unchecked call costs {} ns; {}. Each check is two atomic read-modify-writes (count in, count out).",
            fmt_ns(u.ns_per_call.median),
            checks.join("; ")
        ));
    }
    // Figures, then how many are beyond the noise: no verdict per thread count (the two checks are
    // within a few percent of each other on one thread, a gap a run calls either way).
    let between = stats::margin_at_each(f, "threads", CHECKS[1], CHECKS[0]);
    if !between.is_empty() {
        let points: Vec<String> = between
            .iter()
            .filter_map(|&(t, m)| {
                Some(format!(
                    "{m} on {t} thread{} (medians {} vs {} ns)",
                    if t == 1 { "" } else { "s" },
                    fmt_ns(at(CHECKS[1], t)?),
                    fmt_ns(at(CHECKS[0], t)?)
                ))
            })
            .collect();
        c.push(format!(
            "Between the two checks, `{}` over `{}`: {} {}.",
            CHECKS[1],
            CHECKS[0],
            points.join(", "),
            stats::beyond_count(&between)
        ));
    }
    // Two threads against one: `unchecked` is the machine's own scaling, so the checks' shortfall
    // from it is their contention.
    let speedups: Vec<String> = ["unchecked", CHECKS[0], CHECKS[1]]
        .iter()
        .filter_map(|s| Some(format!("`{s}` ×{:.2}", at(s, 1)? / at(s, 2)?)))
        .collect();
    if !speedups.is_empty() {
        c.push(format!(
            "Two threads on the same request, calls per second over one thread's (2.00 would be perfect scaling; `unchecked`, which writes nothing shared, is what two threads gain on this machine): {}. The checks write the request's shared counter on every call, so the two threads contend for its cache line.",
            speedups.join(", ")
        ));
    }
    // What the timings cannot show, tested instead: how each check answers once the request is gone.
    c.push("A destroyed request answers `BadHandle` (tests/lifetime_stress.rs, under valgrind in CI): a `generation_handle` is dead the moment destroy returns, while `weak_upgrade` only drops the host's reference, so calls that upgrade before the last one ends still succeed.".into());
    c
}
