//! Conclusions of S02 pass a string R→C (FINDINGS S02, `s02_pass_string`, R→C): what a
//! NUL-terminated copy (`cstring`) costs against lending pointer and length (`ptr_len`), at the
//! documents' 64 B, as a line over the length sweep, and Go's three ways re-measured.

use lab_record::ResultFile;

use super::View;
use crate::stats::{fit_line, fmt_ns, median, values};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    if let (Some(cs), Some(pl)) = (
        median(f, "cstring", &[("len", 64)]),
        median(f, "ptr_len", &[("len", 64)]),
    ) {
        c.push(format!(
            "At 64 B `cstring` costs ×{:.1} of `ptr_len` ({} vs {} ns).",
            cs / pl,
            fmt_ns(cs),
            fmt_ns(pl)
        ));
    }
    // The difference as a line: its intercept is what does not grow with the length (allocation,
    // free), its slope what does (NUL scan, copy, the host's strlen).
    let pts: Vec<(f64, f64)> = values(f, "len")
        .iter()
        .filter_map(|&l| {
            Some((
                l as f64,
                median(f, "cstring", &[("len", l)])? - median(f, "ptr_len", &[("len", l)])?,
            ))
        })
        .collect();
    if let Some((a, b)) = fit_line(&pts) {
        c.push(format!("`cstring` costs {a:.1} ns + {b:.3} ns/byte over `ptr_len` (least squares over {} lengths).", pts.len()));
    }
    // Lending copies nothing, so its two ends should match: quoted to show it.
    let lens = values(f, "len");
    if let (Some(&lo), Some(&hi)) = (lens.first(), lens.last().filter(|&&hi| hi != lens[0])) {
        if let (Some(a), Some(b)) = (
            median(f, "ptr_len", &[("len", lo)]),
            median(f, "ptr_len", &[("len", hi)]),
        ) {
            c.push(format!(
                "`ptr_len` does not depend on the length: {} ns at {lo} B, {} ns at {hi} B.",
                fmt_ns(a),
                fmt_ns(b)
            ));
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
    c
}
