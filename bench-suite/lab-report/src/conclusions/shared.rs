//! What the conclusions of every scenario share: the [`View`] of the records each one reads, and
//! the comparisons and sentences more than one scenario says. It sits below the scenario modules
//! and the registry in `mod.rs`, so they all use it and it uses none of them.

use lab_record::{Record, ResultFile};

use crate::floor::Floor;
use crate::standing::{lead_text, standings};
use crate::stats::{at, find, fit_line, fmt_ns, margin, median, values, versus, Margin, Spread};

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
/// else [`versus_at`]'s timed verdict. Rows a few ns apart (S01's like-for-like pairs) sit on the
/// timing noise floor, where a timed verdict is noise and a count is not.
pub(crate) fn counted_versus(
    a: (&str, &lab_record::Record),
    b: (&str, &lab_record::Record),
    m: &Margin,
) -> String {
    let ((na, ra), (nb, rb)) = (a, b);
    // The figures the margin was taken from: a margin of shared rounds quotes the rows' medians
    // over those rounds, not criterion's, which times each row seconds apart. At a nanosecond a
    // call the two can disagree, and criterion's equal medians beside the rounds' ratio would read
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
pub(crate) fn fastest_by_len(v: &View) -> String {
    format!(
        "Fastest over the sweep: {}.",
        lead_text(&standings(v.file, v.floor))
    )
}

/// `other`'s cost over `base` as a line over the length sweep (S02, S03), fitted to the medians'
/// differences by relative error (`stats::fit_line`): the intercept is what does not grow with the length (a call, an
/// allocation), the slope what does (a scan, a copy, a validation). Both rows' consumers read
/// every byte, so the slope is the strategy's own per-byte work, and the line holds at every
/// length where a ratio grows with it.
pub(crate) fn per_byte_fit(f: &ResultFile, other: &str, base: &str) -> Option<String> {
    let (a, b, n) = per_byte_line(f, other, base)?;
    Some(format!(
        "`{other}` costs {a:.1} ns + {b:.3} ns/byte over `{base}` (a line through {n} lengths, each point weighed by its own size).",
    ))
}

/// The line of [`per_byte_fit`]: intercept (ns), slope (ns per byte) and the lengths it runs
/// through.
pub(crate) fn per_byte_line(f: &ResultFile, other: &str, base: &str) -> Option<(f64, f64, usize)> {
    let pts: Vec<(f64, f64)> = values(f, "len")
        .iter()
        .filter_map(|&l| {
            let m = |s: &str| median(f, s, &[("len", l)]);
            Some((l as f64, m(other)? - m(base)?))
        })
        .collect();
    let (a, b) = fit_line(&pts)?;
    Some((a, b, pts.len()))
}

/// `other` against `base` at the shortest and the longest length of the sweep (S03, S04): the two
/// ends say whether a copy's cost is the call's or the bytes'.
pub(crate) fn ratio_at_len_ends(f: &ResultFile, base: &str, other: &str) -> Vec<String> {
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

/// A row's instructions per call (per request in a proxy), where the callgrind pass counted it.
pub(crate) fn instructions(r: &Record) -> Option<f64> {
    r.counts.map(|c| c.instructions)
}

/// `+1.23 µs`: a difference of ns per request, signed, in µs.
pub(crate) fn us_signed(d: f64) -> String {
    let sign = if d < 0.0 { "−" } else { "+" };
    format!("{sign}{:.2} µs", d.abs() / 1000.0)
}

/// `a` over `b` round by round, where both ran in every round of one pass (the proxies' cases),
/// else by their medians ([`margin`]).
pub(crate) fn over_rounds(a: &Record, b: &Record) -> Option<Margin> {
    a.ratios
        .as_ref()
        .zip(b.ratios.as_ref())
        .and_then(|(x, y)| x.over(y))
        .map(|ratio| Margin {
            ratio,
            spread: Spread::Rounds,
            counts: None,
        })
        .or_else(|| margin(a, b))
}

/// S01's Rust empty call in `direction` (`c2r`, `r2c`), the price of one crossing.
pub(crate) fn s01_empty_call<'a>(all: &'a [ResultFile], direction: &str) -> Option<&'a Record> {
    all.iter()
        .find(|o| o.scenario == "s01_call_floor" && o.lang == "rust" && o.direction == direction)?
        .records
        .iter()
        .find(|r| r.strategy == "empty_call")
}
