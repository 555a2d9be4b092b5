//! Conclusions of S11 first call from a new thread (FINDINGS S11, `s11_thread_attach`, C→R): what
//! a fresh C thread's first call costs against the steady calls after it — Rust's lazy
//! per-thread state, and Go's extra M (the documents' CL 392854).

use lab_record::ResultFile;

use super::shared::View;
use crate::stats::{find, fmt_ns};

/// The first call and the steady call: the first record of each, whatever its parameters.
pub fn first_and_steady(f: &ResultFile) -> Option<(f64, f64)> {
    let at = |s: &str| find(f, s, |_| true).map(|r| r.ns_per_call.median);
    Some((at("first_call")?, at("steady")?))
}

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    if let Some((first, steady)) = first_and_steady(f) {
        c.push(format!(
            "The first call on a fresh C thread costs {} ns, ×{:.1} of a steady call ({} ns): the extension's per-thread state is made once, and released when the thread exits (checked).",
            fmt_ns(first),
            first / steady,
            fmt_ns(steady)
        ));
    }
    // The extension's own per-thread cost: its first call less the clock's, beside the same
    // thread's first call into the C extension (which pays the thread's own first-touch costs).
    let at = |s: &str| find(f, s, |_| true).map(|r| r.ns_per_call.median);
    if let (Some(first), Some(timer), Some(c_first)) =
        (at("first_call"), at("timer"), at("c_first_call"))
    {
        c.push(format!(
            "Less the timer's own {} ns, the first call costs {} ns, against {} ns for the same thread's first call into the C extension, made just before it.",
            fmt_ns(timer),
            fmt_ns(first - timer),
            fmt_ns(c_first - timer)
        ));
    }
    c
}

pub fn go(_: &View, go: &ResultFile) -> Vec<String> {
    let mut c = Vec::new();
    if let Some((first, steady)) = first_and_steady(go) {
        c.push(format!(
            "Go: the first call on a fresh C thread costs {} ns (binding an extra M), ×{:.1} of a steady call ({} ns).",
            fmt_ns(first),
            first / steady,
            fmt_ns(steady)
        ));
    }
    c
}
