//! Conclusions of S02 pass a string R→C (FINDINGS S02, `s02_pass_string`, R→C): what a
//! NUL-terminated copy (`cstring`) costs against lending pointer and length (`ptr_len`): first as
//! a line over the length sweep (fixed ns + ns per byte), then at the documents' 64 B; and Go's
//! three ways re-measured.

use lab_record::ResultFile;

use super::shared::{per_byte_fit, versus_at, View};
use crate::stats::{at, find, fmt_ns, margin_apart, margin_at_each, median, series, values};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    // The per-byte line leads: the host reads every byte of either, so what `cstring` adds is a
    // fixed cost and a cost per byte (NUL scan, copy, the host's strlen), not a ratio that grows
    // with the length.
    let mut c: Vec<String> = per_byte_fit(f, "cstring", "ptr_len").into_iter().collect();
    if let Some(both) = versus_at(f, "cstring", "ptr_len", &[("len", 64)]) {
        c.push(format!("At 64 B {both}."));
    }
    // Lending copies nothing, so its two ends should match: rows of other work, timed seconds
    // apart, so their medians and brackets; where the callgrind pass counted both, their
    // instructions decide, which do not move between runs while the timed verdict does
    // (docs/evidence/2026-12-02-conclusion-wording.md).
    let lens = values(f, "len");
    if let (Some(&lo), Some(&hi)) = (lens.first(), lens.last().filter(|&&hi| hi != lens[0])) {
        let row = |l: u64| find(f, "ptr_len", |r| at(r, &[("len", l)]));
        if let (Some(a), Some(b)) = (row(lo), row(hi)) {
            if let Some(m) = margin_apart(b, a) {
                let counted = a.counts.zip(b.counts);
                let (a, b) = (fmt_ns(a.ns_per_call.median), fmt_ns(b.ns_per_call.median));
                c.push(match counted {
                    Some((ca, cb)) => {
                        let (ia, ib) = (ca.instructions, cb.instructions);
                        if crate::gate::same_instructions(ia, ib, crate::gate::TOLERANCE) {
                            format!("`ptr_len` does the same work at both ends of the sweep: {ia:.0} instructions per call at {lo} B, {ib:.0} at {hi} B (callgrind); timed {a} vs {b} ns ({m}).")
                        } else {
                            format!("`ptr_len` at {hi} B runs {ib:.0} instructions per call against {ia:.0} at {lo} B (callgrind); timed {b} vs {a} ns ({m}).")
                        }
                    }
                    None if m.beyond_noise() => {
                        format!("`ptr_len` at {hi} B costs {m} of `ptr_len` at {lo} B ({b} vs {a} ns).")
                    }
                    None => {
                        format!("`ptr_len` does not depend on the length: {a} ns at {lo} B, {b} ns at {hi} B (no measurable difference, {m}).")
                    }
                });
            }
        }
    }
    c
}

/// Go at 64 B: `C.CString`, pointer + length without `#cgo noescape` (the documents' 87.02 ns
/// case) and with it (61.30 ns).
pub fn go(_: &View, go: &ResultFile) -> Vec<String> {
    let at = |s: &str| median(go, s, &[("len", 64)]);
    let mut c = Vec::new();
    if let (Some(cs), Some(esc), Some(ne)) = (at("cstring"), at("ptr_len_escape"), at("ptr_len")) {
        c.push(format!(
            "Go at 64 B: `cstring` {} ns, `ptr_len` without `#cgo noescape` {} ns, with it {} ns. Documents: 87.02 → 61.30 ns.",
            fmt_ns(cs),
            fmt_ns(esc),
            fmt_ns(ne)
        ));
    }
    // The directive's gain is the escape of the checksum's address (a Go heap allocation avoided),
    // a fixed cost, so it is read over the whole sweep, not at one length.
    let margins = margin_at_each(go, "len", "ptr_len", "ptr_len_escape");
    if !margins.is_empty() {
        c.push(format!(
            "Go's `ptr_len` with `#cgo noescape` over without it, by length: {}.",
            series(&margins, |l| format!("{l} B"))
        ));
    }
    c
}
