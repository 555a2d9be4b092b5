//! The conclusions each section of the report opens with, computed from the records — never typed
//! by hand. One module per scenario of FINDINGS.md, named by the scenario's id
//! (`s02_pass_string.rs`), each reading a [`View`] of that scenario's records; [`SCENARIOS`]
//! registers them. Adding a conclusion is its module plus one entry there.
//!
//! A section's lines come in a fixed order: the Rust conclusions of its direction, then, when Go
//! measured the scenario too, the Rust/Go ratio over the points both measured ([`go_ratio`]), then
//! the scenario's own Go lines (the documents' figures re-measured).

use lab_record::ResultFile;

use crate::floor::Floor;
use crate::standing::{lead_text, standings};
use crate::stats::{
    at, find, fmt_ns, fmt_x, margin, margin_apart, twin, values, versus, Margin, Spread,
};

pub(crate) mod s01_call_floor;
pub(crate) mod s02_pass_string;
pub(crate) mod s03_unknown_length;
pub(crate) mod s04_known_length;
pub(crate) mod s05_pass_batch;
pub(crate) mod s06_read_headers;
pub(crate) mod s07_copy_on_demand;
pub(crate) mod s08_cross_thread_writes;
pub(crate) mod s09_request_lifetime;
pub(crate) mod s10_panic;
pub(crate) mod s11_thread_attach;
pub(crate) mod s12_tail_latency;
pub(crate) mod s13_ownership;
pub(crate) mod s14_filters;
pub(crate) mod s15_real_proxy;

/// What one section's conclusions may read.
pub struct View<'a> {
    /// The section's file: Rust's records of the scenario in one direction (R→C or C→R).
    pub file: &'a ResultFile,
    /// Go's records of the same scenario and direction, if Go measured it.
    pub go: Option<&'a ResultFile>,
    /// The floor of the section's direction (S13 quotes its memcpy).
    pub floor: &'a Floor<'a>,
    /// Every file of the machine, for the figures of other sections (S01 C→R quotes the R→C
    /// empty call).
    pub all: &'a [ResultFile],
}

impl View<'_> {
    /// The file of the same scenario measured in `lang` and `direction`.
    pub fn file_of(&self, lang: &str, direction: &str) -> Option<&ResultFile> {
        self.all.iter().find(|o| {
            o.scenario == self.file.scenario && o.lang == lang && o.direction == direction
        })
    }
}

/// A scenario's Rust conclusions for one direction, most important first.
type Rust = fn(&View) -> Vec<String>;

/// A scenario's Go lines, given Go's file (the view's `go`).
type Go = fn(&View, &ResultFile) -> Vec<String>;

/// The conclusion functions of one scenario.
struct Scenario {
    /// The scenario id, as the records name it (and as its module is named).
    id: &'static str,
    /// For the R→C section (and any direction other than C→R).
    r2c: Option<Rust>,
    /// For the C→R section.
    c2r: Option<Rust>,
    /// Go lines, after the Rust/Go ratio, in whichever direction Go measured.
    go: Option<Go>,
}

/// Every scenario with conclusions, in FINDINGS order.
const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "s01_call_floor",
        r2c: Some(s01_call_floor::r2c),
        c2r: Some(s01_call_floor::c2r),
        go: Some(s01_call_floor::go),
    },
    Scenario {
        id: "s02_pass_string",
        r2c: Some(s02_pass_string::r2c),
        c2r: None,
        go: Some(s02_pass_string::go),
    },
    Scenario {
        id: "s03_unknown_length",
        r2c: Some(s03_unknown_length::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s04_known_length",
        r2c: Some(s04_known_length::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s05_pass_batch",
        r2c: Some(s05_pass_batch::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s06_read_headers",
        r2c: Some(s06_read_headers::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s07_copy_on_demand",
        r2c: None,
        c2r: Some(s07_copy_on_demand::c2r),
        go: None,
    },
    Scenario {
        id: "s08_cross_thread_writes",
        r2c: Some(s08_cross_thread_writes::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s09_request_lifetime",
        r2c: Some(s09_request_lifetime::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s10_panic",
        r2c: None,
        c2r: Some(s10_panic::c2r),
        go: None,
    },
    Scenario {
        id: "s11_thread_attach",
        r2c: None,
        c2r: Some(s11_thread_attach::c2r),
        go: Some(s11_thread_attach::go),
    },
    Scenario {
        id: "s12_tail_latency",
        r2c: None,
        c2r: Some(s12_tail_latency::c2r),
        go: Some(s12_tail_latency::go),
    },
    Scenario {
        id: "s13_ownership",
        r2c: Some(s13_ownership::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s14_filters",
        r2c: None,
        c2r: Some(s14_filters::c2r),
        go: None,
    },
    Scenario {
        id: "s15_real_proxy",
        r2c: None,
        c2r: Some(s15_real_proxy::c2r),
        go: None,
    },
];

/// The conclusions of one section, in the order the module doc gives.
pub fn conclude(v: &View) -> Vec<String> {
    let scenario = SCENARIOS.iter().find(|s| s.id == v.file.scenario);
    let rust = scenario.and_then(|s| {
        if v.file.direction == "c2r" {
            s.c2r
        } else {
            s.r2c
        }
    });
    let mut c = rust.map_or_else(Vec::new, |rust| rust(v));
    if let Some(go) = v.go {
        c.extend(go_ratio(v.file, go));
        if let Some(go_lines) = scenario.and_then(|s| s.go) {
            c.extend(go_lines(v, go));
        }
    }
    c
}

/// What Go's figures add to every section Go measured: Go's time over Rust's for the same
/// strategy at each point both measured. The two never shared a round (another bench target), so
/// each margin is of medians and brackets. Unlike workloads are not averaged: a few points are
/// listed, a sweep is given as its range and how many points fall either way.
fn go_ratio(f: &ResultFile, go: &ResultFile) -> Option<String> {
    let points: Vec<(String, Margin)> = f
        .records
        .iter()
        .filter_map(|r| {
            let m = margin_apart(twin(go, r)?, r)?;
            let label = match r.params_label() {
                p if p.is_empty() => format!("`{}`", r.strategy),
                p => format!("`{}` {p}", r.strategy),
            };
            Some((label, m))
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    if points.len() <= 4 {
        let list: Vec<String> = points
            .iter()
            .map(|(label, m)| format!("{label} {m}"))
            .collect();
        return Some(format!(
            "Go's time over Rust's for the same strategy: {} {}.",
            list.join("; "),
            crate::stats::beyond_count(&points)
        ));
    }
    Some(format!("Go {}.", counted(&points, "points both measured")))
}

/// "takes ×0.41–×3.10 the time of Rust: longer at 12 of 14 points both measured, shorter at 1,
/// no measurable difference at 1": a sweep of margins by its range and its counts.
pub(crate) fn counted<T>(points: &[(T, Margin)], what: &str) -> String {
    let (lo, hi) = crate::stats::range(points.iter().map(|(_, m)| m.ratio.median))
        .unwrap_or((f64::INFINITY, 0.0));
    let beyond = |longer: bool| {
        points
            .iter()
            .filter(|(_, m)| m.beyond_noise() && (m.ratio.median > 1.0) == longer)
            .count()
    };
    let (longer, shorter) = (beyond(true), beyond(false));
    format!(
        "takes ×{}–×{} the time of Rust: longer at {longer} of {} {what}, shorter at {shorter}, no measurable difference at {}",
        fmt_x(lo),
        fmt_x(hi),
        points.len(),
        points.len() - longer - shorter
    )
}

/// `a` against `b` at exactly these parameters: one comparison ([`versus`]), with both medians.
pub(crate) fn versus_at(
    f: &ResultFile,
    a: &str,
    b: &str,
    params: &[(&str, u64)],
) -> Option<String> {
    let row = |s: &str| find(f, s, |r| at(r, params));
    let (ra, rb) = (row(a)?, row(b)?);
    let medians = format!(
        "medians {} vs {} ns",
        fmt_ns(ra.ns_per_call.median),
        fmt_ns(rb.ns_per_call.median)
    );
    Some(versus(
        &format!("`{a}`"),
        &format!("`{b}`"),
        &margin(ra, rb)?,
        &medians,
    ))
}

/// `a` against `b`, two rows that differ in the boundary they cross, not in their work: where the
/// callgrind pass counted both (neither varying), their instructions say whether the crossing adds
/// work, a verdict that does not move between runs, and the timed margin follows as figures;
/// else [`versus_at`]'s timed verdict. S01's like-for-like pairs are a few ns apart at most, so
/// their timed verdicts sat on the noise floor and changed between runs of one commit
/// (`call_with_args` against `rust_call_indirect`: ×1.10 beyond the noise in one run, within it
/// in the next).
pub(crate) fn counted_versus(
    a: (&str, &lab_record::Record),
    b: (&str, &lab_record::Record),
    m: &Margin,
) -> String {
    let ((na, ra), (nb, rb)) = (a, b);
    // The figures the margin was taken from: a margin of shared rounds quotes the rows' medians
    // over those rounds, not criterion's, which times each row seconds apart. At a nanosecond a
    // call the two disagree (S01 R→C: criterion 1.31 ns for every row, the rounds 1.27 for
    // `call_with_args` and 1.76 for `rust_call_indirect`), and equal medians beside ×0.72 read
    // as a contradiction.
    let round_median = |r: &lab_record::Record| {
        r.ratios
            .as_ref()
            .filter(|x| !x.per_round.is_empty())
            .map(|x| lab_record::quartiles(x.per_round.clone()).median)
    };
    let timed = match (m.spread, round_median(ra), round_median(rb)) {
        (Spread::Rounds, Some(x), Some(y)) => format!(
            "timed in the same rounds {} vs {} ns, {m}",
            fmt_ns(x),
            fmt_ns(y)
        ),
        _ => format!(
            "timed {} vs {} ns, {m}",
            fmt_ns(ra.ns_per_call.median),
            fmt_ns(rb.ns_per_call.median)
        ),
    };
    match (ra.counts, rb.counts) {
        (Some(ca), Some(cb)) if !ca.varies && !cb.varies => {
            // Whole instructions: these rows count alike in every pass (the gate's slack is for
            // other binaries' layouts, not for two rows of one pass).
            let (ia, ib) = (ca.instructions, cb.instructions);
            if ia.round() == ib.round() {
                format!("{na} and {nb} run the same instructions, {ia:.0} per call (callgrind; {timed})")
            } else {
                format!(
                    "{na} runs {ia:.0} instructions per call, {nb} {ib:.0} (callgrind; {timed})"
                )
            }
        }
        _ => versus(na, nb, m, &timed),
    }
}

/// [`counted_versus`] of the rows of strategies `a` and `b` at `params` of one file.
pub(crate) fn counted_versus_at(
    f: &ResultFile,
    a: &str,
    b: &str,
    params: &[(&str, u64)],
) -> Option<String> {
    let row = |s: &str| find(f, s, |r| at(r, params));
    let (ra, rb) = (row(a)?, row(b)?);
    Some(counted_versus(
        (&format!("`{a}`"), ra),
        (&format!("`{b}`"), rb),
        &margin(ra, rb)?,
    ))
}

// Sentences more than one scenario says.

/// "Fastest over the sweep: `borrow` alone at 8 of 8 points, shared at 0." — the summary's
/// standing (S03, S04). Not who leads at each length: where two strategies are within the noise
/// of each other at a length, which of them a run calls the faster is noise, and the table's
/// × best shows each length.
fn fastest_by_len(v: &View) -> String {
    format!(
        "Fastest over the sweep: {}.",
        lead_text(&standings(v.file, v.floor))
    )
}

/// `other` against `base` at the shortest and the longest length of the sweep (S03, S04): the two
/// ends say whether a copy's cost is the call's or the bytes'.
fn ratio_at_len_ends(f: &ResultFile, base: &str, other: &str) -> Vec<String> {
    let lens = values(f, "len");
    let mut ends = vec![lens.first(), lens.last()];
    ends.dedup();
    // Figures at both ends, then how many are beyond the noise: at the short end the two can be
    // within a few percent, a gap a run calls either way.
    let points: Vec<(u64, Margin)> = ends
        .into_iter()
        .flatten()
        .filter_map(|&l| {
            let row = |s: &str| find(f, s, |r| at(r, &[("len", l)]));
            Some((l, margin(row(other)?, row(base)?)?))
        })
        .collect();
    if points.is_empty() {
        return Vec::new();
    }
    let medians = |l: u64| -> Option<String> {
        let m = |s: &str| find(f, s, |r| at(r, &[("len", l)])).map(|r| r.ns_per_call.median);
        Some(format!(
            "medians {} vs {} ns",
            fmt_ns(m(other)?),
            fmt_ns(m(base)?)
        ))
    };
    let list: Vec<String> = points
        .iter()
        .map(|(l, m)| match medians(*l) {
            Some(md) => format!("{m} at {l} B ({md})"),
            None => format!("{m} at {l} B"),
        })
        .collect();
    vec![format!(
        "`{other}` over `{base}` at the shortest and the longest length: {} {}.",
        list.join(", "),
        crate::stats::beyond_count(&points)
    )]
}

#[cfg(test)]
mod tests {
    use super::SCENARIOS;

    #[test]
    fn each_scenario_is_registered_once_in_order() {
        let ids: Vec<&str> = SCENARIOS.iter().map(|s| s.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert!(SCENARIOS
            .iter()
            .all(|s| s.r2c.is_some() || s.c2r.is_some() || s.go.is_some()));
    }
}
