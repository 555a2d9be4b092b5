//! The arithmetic the report does on records, once: looking records up by strategy and parameters,
//! medians, the margin of one row over another and the noise rule, leaders, percentiles, a line
//! fit, interpolation, and how numbers are written. The table (`render.rs`), its floor
//! (`floor.rs`) and every scenario's conclusions (`conclusions/`) use these, so a figure that
//! appears in two places is computed the same way.

use lab_record::{Ns, Ratios, Record, ResultFile};

/// Numeric parameter `name` of a record (`len`, `n`, `threads`…).
pub fn param(r: &Record, name: &str) -> Option<u64> {
    r.params.get(name).and_then(serde_json::Value::as_u64)
}

/// String parameter `name` of a record (S07's `filter`).
pub fn param_str<'a>(r: &'a Record, name: &str) -> Option<&'a str> {
    r.params.get(name).and_then(serde_json::Value::as_str)
}

/// Whether `r` has exactly these parameters.
pub fn at(r: &Record, params: &[(&str, u64)]) -> bool {
    r.params.len() == params.len() && params.iter().all(|&(k, v)| param(r, k) == Some(v))
}

/// The first record of `strategy` whose parameters satisfy `pred`.
pub fn find<'a>(
    f: &'a ResultFile,
    strategy: &str,
    pred: impl Fn(&Record) -> bool,
) -> Option<&'a Record> {
    f.records.iter().find(|r| r.strategy == strategy && pred(r))
}

/// Median of `strategy` at exactly these parameters.
pub fn median(f: &ResultFile, strategy: &str, params: &[(&str, u64)]) -> Option<f64> {
    find(f, strategy, |r| at(r, params)).map(|r| r.ns_per_call.median)
}

/// The row of `strategy` at `params` (as the report labels them, `len=64`) in `lang`'s
/// `direction` file of `scenario`, with its file.
pub fn labelled_row<'a>(
    files: &'a [ResultFile],
    scenario: &str,
    lang: &str,
    direction: &str,
    strategy: &str,
    params: &str,
) -> Option<(&'a ResultFile, &'a Record)> {
    let f = files
        .iter()
        .find(|f| f.scenario == scenario && f.lang == lang && f.direction == direction)?;
    let r = f
        .records
        .iter()
        .find(|r| r.strategy == strategy && r.params_label() == params)?;
    Some((f, r))
}

/// Values of parameter `name` present in the file, sorted.
pub fn values(f: &ResultFile, name: &str) -> Vec<u64> {
    let mut v: Vec<u64> = f.records.iter().filter_map(|r| param(r, name)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Whether `r` is a floor or a reference row of its file, not a way across the boundary: the
/// native floor, or a row its definition lists as a reference (S01's memcpy, S10's panic, …).
pub fn is_reference(f: &ResultFile, r: &Record) -> bool {
    r.strategy == lab_record::NATIVE
        || lab_record::scenario::get(&f.scenario)
            .and_then(|d| d.direction(&f.direction))
            .is_some_and(|d| d.is_reference(&r.strategy))
}

/// The between-run noise of a ratio of shared rounds: a ratio closer to 1 than this is not
/// called a difference, however tight its quartiles. Two runs of one binary agree within it on
/// most interleaved ratios (× floor, × best): docs/evidence/2026-12-02-noise-floors.md.
pub const NOISE: f64 = 0.10;

/// The same for a ratio of two medians timed apart (rows of different work, another file or
/// language), which agree between runs of one binary within 25 % but not within 10 %.
pub const NOISE_APART: f64 = 0.25;

/// Where a [`Margin`]'s spread comes from, the tightest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spread {
    /// The quartiles of the two rows' per-round ratios (rounds they shared: [`Ratios::over`]).
    Rounds,
    /// The two rows' interleaved ratios to a common denominator (the best, else the floor),
    /// divided: median over median, the bracket from the far ends of their quartiles.
    Ratios,
    /// Their medians divided, the bracket from the far ends of their own brackets (criterion's
    /// confidence bounds, the driver's quartiles, Go's bootstrap).
    Brackets,
}

/// One row over another: the ratio with its spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margin {
    pub ratio: Ns,
    pub spread: Spread,
    /// The two rows' instructions per call, where their medians lie within [`CLOSE_CYCLES`] of
    /// each other and callgrind counted both steadily: the counts then decide ([`Margin::counted`]).
    pub counts: Option<(f64, f64)>,
}

/// Rows whose medians are at most this many cycles apart (at the clock measured in their run;
/// [`CLOSE_NS`] without one) are ordered by their instruction counts, not their times: at a few
/// cycles a timed order moves with the build's code layout, a count does not.
pub const CLOSE_CYCLES: f64 = 8.0;

/// [`CLOSE_CYCLES`] where no clock was measured: 8 cycles of a 4 GHz core.
pub const CLOSE_NS: f64 = 2.0;

/// The instructions of `a` and `b` where their medians are within a few cycles of each other
/// and both counts are steady (callgrind, not `varies`).
fn close_counts(a: &Record, b: &Record) -> Option<(f64, f64)> {
    let (ca, cb) = (a.counts?, b.counts?);
    let apart = (a.ns_per_call.median - b.ns_per_call.median).abs();
    let close = match a.clock.or(b.clock) {
        Some(c) => apart * c.ghz <= CLOSE_CYCLES,
        None => apart <= CLOSE_NS,
    };
    (close && !ca.varies && !cb.varies).then_some((ca.instructions, cb.instructions))
}

impl Margin {
    /// Whether the difference is beyond the noise: the whole spread of the ratio lies beyond
    /// [`NOISE`] either way ([`NOISE_APART`] for medians timed apart). A conclusion names a
    /// winner only then. A median beyond the floor with a bracket reaching into it is not
    /// enough: such margins change their verdict between runs of one commit.
    pub fn beyond_noise(&self) -> bool {
        if let Some(x) = self.counted() {
            return !(1.0 / (1.0 + NOISE)..=1.0 + NOISE).contains(&x);
        }
        let r = &self.ratio;
        let floor = match self.spread {
            Spread::Rounds | Spread::Ratios => NOISE,
            Spread::Brackets => NOISE_APART,
        };
        r.low > 1.0 + floor || r.high < 1.0 / (1.0 + floor)
    }

    /// The ratio of the two rows' instructions, where the counts decide: their medians are a
    /// few cycles apart. Beyond [`NOISE`] it is a difference; the times are shown beside.
    pub fn counted(&self) -> Option<f64> {
        self.counts.map(|(a, b)| a / b)
    }
}

/// `×11.7 [11.4–12.0]`: a margin's ratio with its spread.
impl std::fmt::Display for Margin {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.ratio;
        if let Some((a, b)) = self.counts {
            return write!(
                out,
                "×{} in instructions ({a:.0} vs {b:.0}, callgrind; timed ×{}, a few cycles apart)",
                fmt_x(a / b),
                fmt_x(r.median)
            );
        }
        write!(
            out,
            "×{} [{}–{}]",
            fmt_x(r.median),
            fmt_x(r.low),
            fmt_x(r.high)
        )
    }
}

/// A ratio with three significant figures (two decimals below 10): `1.04`, `11.7`, `928`.
pub fn fmt_x(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// Row `a` over row `b` of one result file, with its spread: from the rounds both kept
/// ([`Ratios::over`]) when they do the same work and have them; else from their interleaved
/// ratios to the best (or to the floor) of that work; else, and always for rows of different
/// work, from their medians and brackets ([`margin_apart`]).
pub fn margin(a: &Record, b: &Record) -> Option<Margin> {
    timed_margin(a, b).map(|m| Margin {
        counts: close_counts(a, b),
        ..m
    })
}

/// [`margin`] from the times alone.
fn timed_margin(a: &Record, b: &Record) -> Option<Margin> {
    let same_work = a.work_label() == b.work_label();
    if let (true, Some(x), Some(y)) = (same_work, a.ratios.as_ref(), b.ratios.as_ref()) {
        if let Some(ratio) = x.over(y) {
            return Some(Margin {
                ratio,
                spread: Spread::Rounds,
                counts: None,
            });
        }
        let to_best = |r: &Ratios| r.to_best;
        let to_floor = |r: &Ratios| r.to_floor;
        for common in [to_best, to_floor] {
            if let (Some(x), Some(y)) = (common(x), common(y)) {
                return quotient(x, y, Spread::Ratios);
            }
        }
    }
    margin_apart(a, b)
}

/// Row `a` over row `b` from their medians and brackets alone: for rows that never shared a
/// round (another file, another language, another work).
pub fn margin_apart(a: &Record, b: &Record) -> Option<Margin> {
    quotient(a.ns_per_call, b.ns_per_call, Spread::Brackets).map(|m| Margin {
        counts: close_counts(a, b),
        ..m
    })
}

/// `a / b`, its bounds the far ends of the two spreads.
fn quotient(a: Ns, b: Ns, spread: Spread) -> Option<Margin> {
    let ok = |x: f64| x.is_finite() && x > 0.0;
    (ok(a.median) && ok(b.median) && ok(b.low) && ok(a.low)).then(|| Margin {
        ratio: Ns {
            median: a.median / b.median,
            low: a.low / b.high,
            high: a.high / b.low,
        },
        spread,
        counts: None,
    })
}

/// `` `a` costs ×11.7 [11.4–12.0] of `b` ``, or, within the noise, `` `a` and `b`: no
/// measurable difference (×1.04 [0.98–1.10]) ``: one comparison, a winner named only beyond the
/// noise; `more` is added inside the brackets (`; medians …`).
pub fn versus(a: &str, b: &str, m: &Margin, more: &str) -> String {
    if let Some((ia, ib)) = m.counts {
        let timed = format!(
            "timed ×{}, a few cycles apart{}",
            fmt_x(m.ratio.median),
            if more.is_empty() {
                String::new()
            } else {
                format!("; {more}")
            }
        );
        return if m.beyond_noise() {
            format!(
                "{a} runs ×{} the instructions of {b} ({ia:.0} vs {ib:.0} per call, callgrind; {timed})",
                fmt_x(ia / ib)
            )
        } else {
            format!("{a} and {b} run the same work: {ia:.0} vs {ib:.0} instructions per call (callgrind; {timed})")
        };
    }
    if m.beyond_noise() {
        match more {
            "" => format!("{a} costs {m} of {b}"),
            more => format!("{a} costs {m} of {b} ({more})"),
        }
    } else {
        match more {
            "" => format!("{a} and {b}: no measurable difference ({m})"),
            more => format!("{a} and {b}: no measurable difference ({m}; {more})"),
        }
    }
}

/// `×4.36 [4.29–4.41]`, or `×1.04 [0.98–1.10], no measurable difference`: a margin in a list.
pub fn marked(m: &Margin) -> String {
    if m.beyond_noise() {
        m.to_string()
    } else {
        format!("{m}, no measurable difference")
    }
}

/// Rows sorted by time, with each run of rows a few cycles from the run's first ([`CLOSE_CYCLES`],
/// all counted steadily) reordered by instructions: at a few cycles the counts order them.
pub fn order_close_by_counts(rows: &mut [&Record]) {
    let mut start = 0;
    while start < rows.len() {
        let head = rows[start];
        let end = start
            + 1
            + rows[start + 1..]
                .iter()
                .take_while(|r| close_counts(r, head).is_some())
                .count();
        rows[start..end].sort_by(|a, b| match (a.counts, b.counts) {
            (Some(x), Some(y)) => x.instructions.total_cmp(&y.instructions),
            _ => std::cmp::Ordering::Equal,
        });
        start = end;
    }
}

/// The rows that lead among `rows` (rows of one work, of one file): the fastest — or, of the rows
/// a few cycles from it, the one with the fewest instructions ([`CLOSE_CYCLES`]) — first, then
/// every other whose [`margin`] over it is within the noise.
pub fn leaders(mut rows: Vec<&Record>) -> Vec<&Record> {
    // Ordered by the ratio to the best of the same rounds where every row has one (it moves
    // less than a median), else by the median.
    let all_ratios = rows
        .iter()
        .all(|r| r.ratios.as_ref().is_some_and(|x| x.to_best.is_some()));
    let key = |r: &Record| match (&r.ratios, all_ratios) {
        (
            Some(Ratios {
                to_best: Some(b), ..
            }),
            true,
        ) => b.median,
        _ => r.ns_per_call.median,
    };
    rows.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let Some(&fastest) = rows.first() else {
        return rows;
    };
    // Rows a few cycles from the fastest are ordered by their counts: the one with the fewest
    // instructions leads them.
    let first = rows
        .iter()
        .copied()
        .filter(|r| std::ptr::eq(*r, fastest) || close_counts(r, fastest).is_some())
        .min_by(|a, b| match (a.counts, b.counts) {
            (Some(x), Some(y)) => x.instructions.total_cmp(&y.instructions),
            _ => std::cmp::Ordering::Equal,
        })
        .unwrap_or(fastest);
    if let Some(i) = rows.iter().position(|r| std::ptr::eq(*r, first)) {
        let first = rows.remove(i);
        rows.insert(0, first);
    }
    rows.retain(|r| std::ptr::eq(*r, first) || !margin(r, first).is_some_and(|m| m.beyond_noise()));
    rows
}

/// `num` over `den` ([`margin`]) at each value of parameter `name` (records with exactly that
/// parameter) where both were measured.
pub fn margin_at_each(f: &ResultFile, name: &str, num: &str, den: &str) -> Vec<(u64, Margin)> {
    margin_at_each_where(f, name, num, den, |r, v| at(r, &[(name, v)]))
}

/// `num` over `den` ([`margin`]) at each value `v` of parameter `name`, each row the first of its
/// strategy that `pick(record, v)` accepts: for sweeps with other parameters too.
pub fn margin_at_each_where(
    f: &ResultFile,
    name: &str,
    num: &str,
    den: &str,
    pick: impl Fn(&Record, u64) -> bool,
) -> Vec<(u64, Margin)> {
    values(f, name)
        .into_iter()
        .filter_map(|v| {
            let row = |s: &str| find(f, s, |r| pick(r, v));
            Some((v, margin(row(num)?, row(den)?)?))
        })
        .collect()
}

/// Margins along a sweep, "×5.1 at 1, ×1.04 at 4, … (beyond the noise at 7 of 8)": the figures,
/// then how many are differences. No verdict per point: a point near the noise floor is called
/// one way in one run and the other in the next, while the count moves by one; `at` names a point.
pub fn series<T>(points: &[(T, Margin)], at: impl Fn(&T) -> String) -> String {
    let list = points
        .iter()
        .map(|(v, m)| format!("×{} at {}", fmt_x(m.ratio.median), at(v)))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{list} {}", beyond_count(points))
}

/// The least and the greatest of `xs`; `None` for none. Every range the report quotes
/// ("×1.29–1.43", "−4.7 to +0.5 µs") comes from here.
pub fn range(xs: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    xs.into_iter().fold(None, |acc, x| {
        Some(acc.map_or((x, x), |(lo, hi): (f64, f64)| (lo.min(x), hi.max(x))))
    })
}

/// "(beyond the noise at 7 of 8)": how many of a list's margins are differences.
pub fn beyond_count<T>(points: &[(T, Margin)]) -> String {
    let n = points.iter().filter(|(_, m)| m.beyond_noise()).count();
    format!("(beyond the noise at {n} of {})", points.len())
}

/// A row's "× best": its interleaved ratio to the best of its rounds where measured, else its
/// median over the fastest median among the strategies of the same work (floors and references
/// are never a best).
pub fn to_best(f: &ResultFile, r: &Record) -> f64 {
    if let Some(b) = r.ratios.as_ref().and_then(|x| x.to_best) {
        return b.median;
    }
    let best = f
        .records
        .iter()
        .filter(|o| !is_reference(f, o) && o.work_label() == r.work_label())
        .map(|o| o.ns_per_call.median)
        .fold(f64::INFINITY, f64::min);
    r.ns_per_call.median / best
}

/// Percentile `key` (`p50`, `p99`, `p99.9`, `max`) of a record timed call by call (S12).
pub fn percentile(r: &Record, key: &str) -> Option<f64> {
    r.percentiles_ns.as_ref()?.get(key).copied()
}

/// Go's record for the same strategy at the same parameters as `r`.
pub fn twin<'a>(go: &'a ResultFile, r: &Record) -> Option<&'a Record> {
    go.records
        .iter()
        .find(|g| g.strategy == r.strategy && g.params == r.params)
}

/// A line y = a + b·x through points spread over orders of magnitude (a length sweep), by least
/// squares of the relative error (each point weighed by 1 / y²): the short lengths fix the
/// intercept and the long ones the slope. Plain least squares let the longest points decide alone
/// and gave a negative intercept ("costs −22 ns + …") to a cost that is positive at every length.
pub fn fit_line(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    if points.len() < 2 {
        return None;
    }
    let (mut w, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(x, y) in points {
        let wi = 1.0 / y.abs().max(f64::MIN_POSITIVE).powi(2);
        w += wi;
        sx += wi * x;
        sy += wi * y;
        sxx += wi * x * x;
        sxy += wi * x * y;
    }
    let det = w * sxx - sx * sx;
    if det.abs() <= f64::EPSILON * w * sxx || !det.is_finite() {
        return None;
    }
    let b = (w * sxy - sx * sy) / det;
    Some(((sy - b * sx) / w, b))
}

/// Piecewise-linear interpolation through sorted points, extended along the end segments.
pub fn interpolate(points: &[(f64, f64)], x: f64) -> Option<f64> {
    match points {
        [] => None,
        [(_, y)] => Some(*y),
        _ => {
            let i = points
                .windows(2)
                .position(|w| x <= w[1].0)
                .unwrap_or(points.len() - 2);
            let ((x0, y0), (x1, y1)) = (points[i], points[i + 1]);
            Some((y0 + (y1 - y0) * (x - x0) / (x1 - x0)).max(0.0))
        }
    }
}

/// Nanoseconds with three or four significant figures: `1234`, `123.4`, `1.23`.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{:.0}", ns)
    } else if ns >= 10.0 {
        format!("{:.1}", ns)
    } else {
        format!("{:.2}", ns)
    }
}

/// A count per call: whole counts as integers, averages with two decimals, `–` when not counted.
pub fn fmt_count(x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
    }
}

/// `d` ns as "… ns more" or "… ns less".
pub fn more_or_less(d: f64) -> String {
    format!(
        "{} ns {}",
        fmt_ns(d.abs()),
        if d >= 0.0 { "more" } else { "less" }
    )
}

#[cfg(test)]
mod tests {
    use lab_record::{Allocs, Machine, Ns, Ratios};
    use serde_json::{Map, Value};

    use super::*;

    /// A row at len=8 with its interleaved ratio to the best, [low, high].
    fn row(strategy: &str, to_best: (f64, f64, f64)) -> Record {
        let mut params = Map::new();
        params.insert("len".into(), Value::from(8));
        let ns = Ns {
            median: to_best.0,
            low: to_best.0,
            high: to_best.0,
        };
        let allocs = Allocs::NONE;
        Record {
            ratios: Some(Ratios {
                to_floor: None,
                minus_floor: None,
                to_best: Some(Ns {
                    median: to_best.0,
                    low: to_best.1,
                    high: to_best.2,
                }),
                rounds: 21,
                per_round: Vec::new(),
            }),
            ..Record::new(strategy, params, ns, allocs)
        }
    }

    fn file(records: Vec<Record>) -> ResultFile {
        let machine = Machine::example("t-1c-0000");
        ResultFile::new(
            "s03_unknown_length",
            "rust",
            "r2c",
            "one call",
            &machine,
            records,
        )
    }

    #[test]
    fn a_winner_only_beyond_the_noise() {
        // borrow leads clearly; native is faster still but a floor, never a leader.
        let f = file(vec![
            row("native", (0.5, 0.5, 0.5)),
            row("borrow", (1.0, 1.0, 1.02)),
            row("clone_on_return", (1.5, 1.4, 1.6)),
        ]);
        let ways = |f: &ResultFile| -> Vec<String> {
            let rows = f.records.iter().filter(|r| !is_reference(f, r)).collect();
            leaders(rows).iter().map(|r| r.strategy.clone()).collect()
        };
        assert_eq!(ways(&f), ["borrow"]);
        // Overlapping quartiles of the same rounds: no measurable difference.
        let f = file(vec![
            row("borrow", (1.0, 1.0, 1.06)),
            row("clone_on_return", (1.04, 1.02, 1.08)),
        ]);
        assert_eq!(ways(&f), ["borrow", "clone_on_return"]);
    }

    /// A row of rounds `per_round` (ns per call), at len=8.
    fn rounds(strategy: &str, per_round: Vec<f64>) -> Record {
        let mut r = row(strategy, (1.0, 1.0, 1.0));
        r.ns_per_call = lab_record::quartiles(per_round.clone());
        let x = r.ratios.as_mut().unwrap();
        x.to_best = None;
        x.rounds = per_round.len() as u32;
        x.per_round = per_round;
        r
    }

    #[test]
    fn within_a_few_cycles_the_counts_decide() {
        // 1.57 vs 1.29 ns, every round: beyond the noise in time, but 1 cycle apart at 3.6 GHz.
        let clock = Some(lab_record::Clock {
            ghz: 3.6,
            peak_ipc: 8.0,
        });
        let mut a = rounds("a", vec![1.57; 5]);
        let mut b = rounds("b", vec![1.29; 5]);
        a.counts = Some(lab_record::Counts::example(5.0));
        b.counts = Some(lab_record::Counts::example(9.0));
        a.clock = clock;
        b.clock = clock;
        let m = margin(&a, &b).unwrap();
        assert_eq!(m.counts, Some((5.0, 9.0)));
        assert!(m.beyond_noise(), "5 against 9 instructions is a difference");
        let said = versus("`a`", "`b`", &m, "");
        assert!(
            said.starts_with("`a` runs ×0.56 the instructions of `b` (5 vs 9"),
            "{said}"
        );
        // The slower in time, with fewer instructions, leads.
        let l = leaders(vec![&b, &a]);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].strategy, "a");
        // The same count: the same work, whatever the times.
        b.counts = a.counts;
        let m = margin(&a, &b).unwrap();
        assert!(!m.beyond_noise());
        assert!(versus("`a`", "`b`", &m, "").contains("run the same work: 5 vs 5"));
        // Many cycles apart, the times decide as before.
        let c = rounds("c", vec![15.7; 5]);
        let c = Record {
            counts: Some(lab_record::Counts::example(5.0)),
            clock,
            ..c
        };
        assert_eq!(margin(&c, &b).unwrap().counts, None);
    }

    #[test]
    fn a_tight_gap_under_the_noise_floor_is_no_difference() {
        // 5 % slower in every round: the quartiles exclude 1, but 5 % is within what a rerun moves.
        let a = rounds("a", vec![1.05, 2.1, 1.05, 1.05, 1.05]);
        let b = rounds("b", vec![1.0, 2.0, 1.0, 1.0, 1.0]);
        let m = margin(&a, &b).unwrap();
        assert_eq!(m.spread, Spread::Rounds);
        assert!((m.ratio.median - 1.05).abs() < 1e-9 && m.ratio.low > 1.0);
        assert!(!m.beyond_noise());
        assert!(versus("`a`", "`b`", &m, "").contains("no measurable difference"));
        assert_eq!(leaders(vec![&a, &b]).len(), 2);
    }

    #[test]
    fn a_wide_gap_with_overlapping_quartiles_is_no_difference() {
        // 30 % slower at the median, but the rounds scatter across 1.
        let a = rounds("a", vec![0.9, 1.3, 1.3, 1.8, 0.95]);
        let b = rounds("b", vec![1.0, 1.0, 1.0, 1.0, 1.0]);
        let m = margin(&a, &b).unwrap();
        assert!((m.ratio.median - 1.3).abs() < 1e-9 && m.ratio.low < 1.0);
        assert!(!m.beyond_noise());
        // The same gap in every round is one.
        let a = rounds("a", vec![1.3; 5]);
        assert!(margin(&a, &b).unwrap().beyond_noise());
        let l = leaders(vec![&a, &b]);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].strategy, "b");
    }

    #[test]
    fn the_whole_bracket_must_lie_beyond_the_noise_floor() {
        let m = |median, low, high, spread| Margin {
            ratio: Ns { median, low, high },
            spread,
            counts: None,
        };
        // Two runs of one commit: a median beyond the floor whose bracket reached into it was
        // called a winner in one run and not in the next.
        assert!(!m(1.36, 1.02, 1.39, Spread::Rounds).beyond_noise());
        assert!(!m(1.10, 1.09, 1.12, Spread::Rounds).beyond_noise());
        assert!(m(1.15, 1.12, 1.22, Spread::Rounds).beyond_noise());
        assert!(m(0.85, 0.80, 0.90, Spread::Ratios).beyond_noise());
        // Medians timed apart: 25 %.
        assert!(!m(0.83, 0.79, 0.86, Spread::Brackets).beyond_noise());
        assert!(m(0.73, 0.63, 0.77, Spread::Brackets).beyond_noise());
        assert!(!m(1.30, 1.20, 1.34, Spread::Brackets).beyond_noise());
    }

    #[test]
    fn margins_fall_back_to_ratios_then_brackets() {
        // No rounds kept: the ratios to the best, divided.
        let a = row("a", (1.5, 1.4, 1.6));
        let b = row("b", (1.0, 1.0, 1.02));
        let m = margin(&a, &b).unwrap();
        assert_eq!(m.spread, Spread::Ratios);
        assert!((m.ratio.low - 1.4 / 1.02).abs() < 1e-9 && m.beyond_noise());
        // Other work: the medians and their brackets, never the ratios of other rounds.
        let mut c = row("a", (1.0, 1.0, 1.0));
        c.params.insert("len".into(), Value::from(64));
        c.ns_per_call = Ns {
            median: 2.0,
            low: 1.9,
            high: 2.1,
        };
        let m = margin(&c, &b).unwrap();
        assert_eq!(m.spread, Spread::Brackets);
        assert!((m.ratio.median - 2.0).abs() < 1e-9 && (m.ratio.high - 2.1).abs() < 1e-9);
    }

    #[test]
    fn line_fit_recovers_a_line() {
        let (a, b) = fit_line(&[(0.0, 1.0), (10.0, 21.0), (20.0, 41.0)]).unwrap();
        assert!((a - 1.0).abs() < 1e-9 && (b - 2.0).abs() < 1e-9);
        // Over orders of magnitude, the short points keep the intercept: 20 ns + 0.08 ns/byte
        // with the long end 10 % high still starts near 20.
        let (a, _) = fit_line(&[
            (8.0, 20.6),
            (64.0, 25.1),
            (1024.0, 102.0),
            (65536.0, 5790.0),
        ])
        .unwrap();
        assert!((19.0..22.0).contains(&a), "{a}");
        assert!(fit_line(&[(1.0, 1.0)]).is_none());
    }

    #[test]
    fn interpolation_between_and_beyond_points() {
        let pts = [(8.0, 2.0), (64.0, 4.0), (1024.0, 20.0)];
        assert_eq!(interpolate(&pts, 8.0), Some(2.0));
        assert_eq!(interpolate(&pts, 36.0), Some(3.0));
        assert!((interpolate(&pts, 2048.0).unwrap() - (20.0 + 16.0 / 960.0 * 1024.0)).abs() < 1e-9);
        assert_eq!(interpolate(&[], 3.0), None);
    }
}
