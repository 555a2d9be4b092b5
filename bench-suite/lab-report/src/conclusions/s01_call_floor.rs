//! Conclusions of S01 call floor (FINDINGS S01, `s01_call_floor`, R→C and C→R): what a crossing
//! that carries no work costs, in each direction, against a call that crosses nothing — and, R→C,
//! the memcpy line the report adds to the floor of rows that copy.

use lab_record::go::{release_of, CLAIM, CLAIM_RELEASE};
use lab_record::{Record, ResultFile};

use super::shared::{counted_versus, counted_versus_at, versus_at, View};
use crate::releases::releases;
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
                claim_line(new, old, old_minor)?
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

/// The claim's sentence: Go 1.26's empty call over `old`'s. Where the bench alternated the two
/// releases' processes (`lab_record::go::CLAIM_ROUNDS`), run by run: the median ratio with its
/// quartiles, then how many pairs of runs are lower, higher or within the noise, and no verdict
/// on the whole: a Go process runs its C→Go call at one of two speeds (docs/METHODOLOGY.md), so
/// the quartiles of the pairs can straddle the noise floor, a verdict that would flip, while the
/// count of pairs is stable. Else (one run each) the two medians timed apart, with a verdict
/// beyond [`NOISE_APART`](crate::stats::NOISE_APART).
fn claim_line(new: &Record, old: &Record, old_minor: &str) -> Option<String> {
    let head = format!(
        " Go {CLAIM_RELEASE}'s notes claim ~{:.0} % lower cgo call overhead: Go {CLAIM_RELEASE} over Go {old_minor} (the newest earlier release measured",
        CLAIM * 100.0
    );
    let rounds = new.ratios.as_ref().zip(old.ratios.as_ref());
    if let Some(ratios) = rounds.and_then(|(x, y)| x.per_round_over(y)) {
        let m = Margin {
            ratio: lab_record::quartiles(ratios.clone()),
            spread: Spread::Rounds,
            counts: None,
        };
        let floor = 1.0 + crate::stats::NOISE;
        let lower = ratios.iter().filter(|&&r| r * floor < 1.0).count();
        let higher = ratios.iter().filter(|&&r| r > floor).count();
        return Some(format!(
            "{head}; run by run, {n} runs each, in turn) {m}, {:.0} % lower at the median (the claim: ~{:.0} %): lower beyond the noise in {lower} of the {n} pairs of runs, higher in {higher}, within it in {}.",
            (1.0 - m.ratio.median) * 100.0,
            CLAIM * 100.0,
            ratios.len() - lower - higher,
            n = ratios.len(),
        ));
    }
    let m = margin_apart(new, old)?;
    let verdict = if !m.beyond_noise() {
        "not confirmed here: no difference beyond the noise".to_owned()
    } else if m.ratio.median < 1.0 {
        format!(
            "lower beyond the noise, {:.0} % (the claim: ~{:.0} %)",
            (1.0 - m.ratio.median) * 100.0,
            CLAIM * 100.0
        )
    } else {
        format!("not confirmed here: Go {CLAIM_RELEASE} is slower beyond the noise")
    };
    Some(format!("{head}) {m}: {verdict}."))
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

#[cfg(test)]
mod tests {
    use super::*;
    use lab_record::{Allocs, Ns, Ratios};

    /// An empty call whose runs (one process each) took `runs` ns.
    fn runs(runs: &[f64]) -> Record {
        let ns = Ns {
            median: runs[runs.len() / 2],
            low: runs[0],
            high: runs[runs.len() - 1],
        };
        let allocs = Allocs::NONE;
        Record {
            ratios: Some(Ratios {
                to_floor: None,
                minus_floor: None,
                to_best: None,
                rounds: runs.len() as u32,
                per_round: runs.to_vec(),
            }),
            ..Record::new("empty_call", Default::default(), ns, allocs)
        }
    }

    /// Run by run, the claim is counted over the pairs of runs, with no verdict on the whole: a
    /// third of 1.26's processes at the slower of its two speeds leaves the quartiles across the
    /// floor, and the sentence reads as it does when they are all fast.
    #[test]
    fn the_claim_counts_the_pairs_of_runs() {
        let old = runs(&[64.0, 80.0, 65.0, 64.0, 66.0, 63.0, 80.0, 64.0, 65.0]);
        let new = runs(&[45.0, 45.0, 46.0, 65.0, 46.0, 66.0, 45.0, 44.0, 65.0]);
        let line = claim_line(&new, &old, "1.25").unwrap();
        assert!(
            line.contains(
                "(the newest earlier release measured; run by run, 9 runs each, in turn) ×0.70"
            ),
            "{line}"
        );
        assert!(
            line.ends_with(
                "lower beyond the noise in 6 of the 9 pairs of runs, higher in 0, within it in 3."
            ),
            "{line}"
        );
        let fast = runs(&[45.0; 9]);
        let all = claim_line(&fast, &old, "1.25").unwrap();
        let shape = |s: &str| s.replace(|c: char| c.is_ascii_digit(), "#");
        let (a, b) = (shape(&line), shape(&all));
        assert_eq!(a.split(" [").next(), b.split(" [").next());
        assert!(
            all.ends_with("in 9 of the 9 pairs of runs, higher in 0, within it in 0."),
            "{all}"
        );
    }
}
