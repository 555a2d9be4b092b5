//! Conclusions of S01 call floor (FINDINGS S01, `s01_call_floor`, R→C and C→R): what a crossing
//! that carries no work costs, in each direction, against a call that crosses nothing — and, R→C,
//! the memcpy line the report adds to the floor of rows that copy.

use lab_record::go::{release_of, CLAIM, CLAIM_RELEASE};
use lab_record::{Record, ResultFile};

use super::{counted_versus, counted_versus_at, versus_at, View};
use crate::render::releases;
use crate::stats::{at, find, fit_line, fmt_ns, margin_apart, median, values, Margin, Spread};

/// Rust calling C: the empty call, the four-argument call against the same call into Rust, and
/// the memcpy floor as a line (fixed cost + cost per byte).
pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    if let (Some(e), Some(a), Some(both)) = (
        median(f, "empty_call", &[]),
        median(f, "call_with_args", &[]),
        versus_at(f, "call_with_args", "empty_call", &[]),
    ) {
        c.push(format!(
            "An R→C empty call costs {} ns; with four arguments {} ns: {both}.",
            fmt_ns(e),
            fmt_ns(a)
        ));
    }
    // Like for like: Rust calls a foreign function through the GOT, so the call into C is set
    // beside the same Rust call through a pointer; the direct call adds what the indirection costs.
    if let (Some(ind), Some(dir)) = (
        counted_versus_at(f, "call_with_args", "rust_call_indirect", &[]),
        counted_versus_at(f, "call_with_args", "rust_call", &[]),
    ) {
        c.push(format!(
            "Against the same call to a non-inlined Rust function through a pointer (the shape of the GOT call into C): {ind}; called directly: {dir}."
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
    if let Some(e) = find(f, "empty_call", |r| at(r, &[])) {
        let r2c = v
            .file_of("rust", "r2c")
            .and_then(|o| find(o, "empty_call", |r| at(r, &[])));
        // The other direction's row was timed by another runner, in another process: medians
        // and brackets only, or the two rows' instructions where both were counted.
        match r2c.and_then(|r| Some((r, margin_apart(e, r)?))) {
            Some((r, m)) => c.push(format!(
                "A C→R empty call through the dlopen()ed symbol against an R→C one: {}.",
                counted_versus(("C→R", e), ("R→C", r), &m)
            )),
            None => c.push(format!(
                "A C→R empty call through the dlopen()ed symbol costs {} ns.",
                fmt_ns(e.ns_per_call.median)
            )),
        }
    }
    if let (Some(a), Some(both)) = (
        median(f, "call_with_args", &[]),
        versus_at(f, "call_with_args", "c_call", &[]),
    ) {
        c.push(format!(
            "With four arguments {} ns; against the same call to a C function of the driver, through a pointer: {both}.",
            fmt_ns(a)
        ));
    }
    c
}

/// Go's empty call in the section's direction against Rust's; C→Go is the call the documents
/// measured before and after Go CL 392854. Then the empty call by Go release ([`by_release`]).
pub fn go(v: &View, go: &ResultFile) -> Vec<String> {
    let mut c = empty_call_line(v, go);
    c.extend(by_release(v, go));
    c
}

/// The empty call by Go release, oldest first, and whether this machine confirms Go 1.26's
/// claimed ~30 % lower cgo call overhead: 1.26's empty call over the newest earlier release
/// measured, a lower cost only beyond the noise ([`Margin::beyond_noise`]).
pub fn by_release(v: &View, go: &ResultFile) -> Option<String> {
    let others: Vec<&ResultFile> = v
        .all
        .iter()
        .filter(|o| {
            o.scenario == v.file.scenario
                && o.direction == v.file.direction
                && release_of(&o.lang).is_some()
        })
        .collect();
    let releases = releases(go, &others);
    if releases.len() < 2 {
        return None;
    }
    let empty = |f: &ResultFile| find(f, "empty_call", |r| at(r, &[])).cloned();
    let measured: Vec<(String, Option<Record>)> = releases
        .iter()
        .map(|(m, f, _)| (m.clone(), f.and_then(&empty)))
        .collect();
    let list: Vec<String> = measured
        .iter()
        .map(|(m, r)| match r {
            Some(r) => format!("Go {m} {} ns", fmt_ns(r.ns_per_call.median)),
            None => format!("Go {m} not measured"),
        })
        .collect();
    let call = if v.file.direction == "c2r" {
        "C→Go"
    } else {
        "Go→C"
    };
    let claim = match measured.iter().position(|(m, _)| m == CLAIM_RELEASE) {
        Some(i) => match (&measured[i].1, measured[..i].iter().rev().find(|(_, r)| r.is_some())) {
            (Some(new), Some((old_minor, Some(old)))) => {
                // Run by run where the bench alternated the two releases' processes
                // (`lab_record::go::CLAIM_ROUNDS`), else their medians timed apart.
                let m = new
                    .ratios
                    .as_ref()
                    .zip(old.ratios.as_ref())
                    .and_then(|(x, y)| x.over(y))
                    .map(|ratio| Margin {
                        ratio,
                        spread: Spread::Rounds,
                    })
                    .or_else(|| margin_apart(new, old))?;
                let verdict = if !m.beyond_noise() {
                    "not confirmed here: no difference beyond the noise".to_owned()
                } else if m.ratio.median < 1.0 {
                    format!(
                        "lower beyond the noise, {:.0} % (the claim: ~{:.0} %)",
                        (1.0 - m.ratio.median) * 100.0,
                        CLAIM * 100.0
                    )
                } else {
                    "not confirmed here: Go 1.26 is slower beyond the noise".to_owned()
                };
                format!(
                    " Go {CLAIM_RELEASE}'s notes claim ~{:.0} % lower cgo call overhead: Go {CLAIM_RELEASE} over Go {old_minor} (the newest earlier release measured{}) {m}: {verdict}.",
                    CLAIM * 100.0,
                    match m.spread {
                        Spread::Rounds => format!(
                            "; run by run, {} runs each, in turn",
                            new.ratios.as_ref().map_or(0, |x| x.rounds)
                        ),
                        _ => String::new(),
                    }
                )
            }
            _ => format!(
                " Go {CLAIM_RELEASE}'s claimed ~{:.0} % lower cgo call overhead is not tested: Go {CLAIM_RELEASE} or every earlier release is not measured.",
                CLAIM * 100.0
            ),
        },
        None => String::new(),
    };
    Some(format!(
        "{call} empty call by Go release: {}.{claim}",
        list.join(", ")
    ))
}

fn empty_call_line(v: &View, go: &ResultFile) -> Vec<String> {
    empty_calls(v.file, go).map_or_else(Vec::new, |(g, r, m)| {
        let ns = format!(
            "{} ns, {m} of",
            fmt_ns(g.ns_per_call.median)
        );
        vec![match v.file.direction.as_str() {
            "c2r" => format!(
                "C→Go empty call: {ns} C→Rust ({} ns). Documents: ~1600 ns before Go CL 392854, ~140 ns after.",
                fmt_ns(r.ns_per_call.median)
            ),
            _ => format!(
                "Go→C empty call: {ns} Rust→C ({} ns).",
                fmt_ns(r.ns_per_call.median)
            ),
        }]
    })
}

/// Go's empty call and Rust's in one direction (`rust`'s), and Go's over Rust's: the figure the
/// section's Go line and the report's guide quote.
pub fn empty_calls<'a>(
    rust: &'a ResultFile,
    go: &'a ResultFile,
) -> Option<(&'a Record, &'a Record, Margin)> {
    let empty = |f: &'a ResultFile| find(f, "empty_call", |r| at(r, &[]));
    let (g, r) = (empty(go)?, empty(rust)?);
    Some((g, r, margin_apart(g, r)?))
}
