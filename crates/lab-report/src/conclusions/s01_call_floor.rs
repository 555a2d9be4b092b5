//! Conclusions of S01 call floor (FINDINGS S01, `s01_call_floor`, R→C and C→R): what a crossing
//! that carries no work costs, in each direction, against a call that crosses nothing — and, R→C,
//! the memcpy line the report adds to the floor of rows that copy.

use lab_record::ResultFile;

use super::View;
use crate::stats::{fit_line, fmt_ns, median, values};

/// Rust calling C: the empty call, the four-argument call against the same call into Rust, and
/// the memcpy floor as a line (fixed cost + cost per byte).
pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    if let (Some(e), Some(a)) = (
        median(f, "empty_call", &[]),
        median(f, "call_with_args", &[]),
    ) {
        c.push(format!(
            "An R→C empty call costs {} ns; with four arguments {} ns (×{:.2}).",
            fmt_ns(e),
            fmt_ns(a),
            a / e
        ));
    }
    // Like for like: Rust calls a foreign function through the GOT, so the call into C is set
    // beside the same Rust call through a pointer; the direct call adds what the indirection costs.
    if let (Some(a), Some(ind), Some(dir)) = (
        median(f, "call_with_args", &[]),
        median(f, "rust_call_indirect", &[]),
        median(f, "rust_call", &[]),
    ) {
        c.push(format!(
            "The same call to a non-inlined Rust function costs {} ns through a pointer (the shape of the GOT call into C) and {} ns called directly: the call into C costs ×{:.2} of the first and ×{:.2} of the second.",
            fmt_ns(ind),
            fmt_ns(dir),
            a / ind,
            a / dir
        ));
    }
    let pts: Vec<(f64, f64)> = values(f, "len")
        .iter()
        .filter_map(|&l| Some((l as f64, median(f, "memcpy", &[("len", l)])?)))
        .collect();
    if let Some((a, b)) = fit_line(&pts) {
        c.push(format!(
            "memcpy floor: {:.1} ns + {:.4} ns/byte ({:.1} GB/s) over {} lengths.",
            a,
            b,
            1.0 / b,
            pts.len()
        ));
    }
    c
}

/// C calling Rust: the empty call through the dlopen()ed symbol, read against the R→C empty call
/// of the same run (the other section's file), and the four-argument call against the same call
/// kept inside C.
pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    let m = |strategy: &str| median(f, strategy, &[]);
    if let Some(e) = m("empty_call") {
        let r2c = v
            .file_of("rust", "r2c")
            .and_then(|o| median(o, "empty_call", &[]));
        match r2c {
            Some(r) => c.push(format!(
                "A C→R empty call through the dlopen()ed symbol costs {} ns, ×{:.2} of the R→C empty call ({} ns).",
                fmt_ns(e),
                e / r,
                fmt_ns(r)
            )),
            None => c.push(format!(
                "A C→R empty call through the dlopen()ed symbol costs {} ns.",
                fmt_ns(e)
            )),
        }
    }
    if let (Some(a), Some(cc)) = (m("call_with_args"), m("c_call")) {
        c.push(format!(
            "With four arguments {} ns; the same call to a C function of the driver, through a pointer, {} ns (×{:.2}).",
            fmt_ns(a),
            fmt_ns(cc),
            a / cc
        ));
    }
    c
}

/// Go's empty call in the section's direction against Rust's; C→Go is the call the documents
/// measured before and after Go CL 392854.
pub fn go(v: &View, go: &ResultFile) -> Vec<String> {
    let f = v.file;
    let (Some(g), Some(r)) = (median(go, "empty_call", &[]), median(f, "empty_call", &[])) else {
        return Vec::new();
    };
    let line = match f.direction.as_str() {
        "c2r" => format!(
            "C→Go empty call: {} ns, ×{:.1} of C→Rust ({} ns). Documents: ~1600 ns before Go CL 392854, ~140 ns after.",
            fmt_ns(g),
            g / r,
            fmt_ns(r)
        ),
        "r2c" => format!(
            "Go→C empty call: {} ns, ×{:.1} of Rust→C ({} ns).",
            fmt_ns(g),
            g / r,
            fmt_ns(r)
        ),
        _ => return Vec::new(),
    };
    vec![line]
}
