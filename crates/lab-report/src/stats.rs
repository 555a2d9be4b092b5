//! The arithmetic the report does on records, once: looking records up by strategy and parameters,
//! medians, ratios, geometric means, percentiles, a line fit, interpolation, and how numbers are
//! written. The table (`render.rs`), its floor (`floor.rs`) and every scenario's conclusions
//! (`conclusions/`) use these, so a figure that appears in two places is computed the same way.

use std::collections::BTreeMap;

use lab_record::{Record, ResultFile};

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

/// The strategies at exactly these parameters that lead: the fastest, and every other whose
/// difference from it is within the noise — their interleaved ratios to the best overlap (the
/// quartiles of the same rounds), or, for rows without them, their brackets do. Fastest first.
pub fn leaders_at<'a>(f: &'a ResultFile, params: &[(&str, u64)]) -> Vec<&'a Record> {
    leaders(
        f.records
            .iter()
            .filter(|r| at(r, params) && !is_reference(f, r))
            .collect(),
    )
}

/// Of `rows` (strategies of one work), the leaders as [`leaders_at`] finds them: the fastest by
/// its interleaved ratio to the best (its median, for a row without), and every other whose
/// bracket reaches the fastest's. Fastest first.
pub fn leaders(mut rows: Vec<&Record>) -> Vec<&Record> {
    rows.sort_by(|a, b| to_best(a).median.total_cmp(&to_best(b).median));
    let Some(&first) = rows.first() else {
        return rows;
    };
    let best = to_best(first);
    rows.retain(|r| to_best(r).low <= best.high);
    rows
}

/// A row's interleaved ratio to the best, or, for a row measured without rounds, its ns (which
/// orders rows of one work the same way, but brackets them more widely).
fn to_best(r: &Record) -> lab_record::Ns {
    r.ratios
        .as_ref()
        .and_then(|x| x.to_best)
        .unwrap_or(r.ns_per_call)
}

/// For each value of parameter `name`, who leads at it (with exactly that parameter): "`a`", or,
/// when the leaders are within the noise of each other, "`a` and `b` (no measurable difference)",
/// with the values where that holds, sorted.
pub fn leaders_at_each(f: &ResultFile, name: &str) -> BTreeMap<String, Vec<u64>> {
    let mut out: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for v in values(f, name) {
        let leaders = leaders_at(f, &[(name, v)]);
        let names: Vec<String> = leaders
            .iter()
            .map(|r| format!("`{}`", r.strategy))
            .collect();
        let key = match names.as_slice() {
            [] => continue,
            [one] => one.clone(),
            [init @ .., last] => {
                format!("{} and {last} (no measurable difference)", init.join(", "))
            }
        };
        out.entry(key).or_default().push(v);
    }
    out
}

/// `num`'s median over `den`'s at each value of parameter `name` (records with exactly that
/// parameter) where both were measured.
pub fn ratio_at_each(f: &ResultFile, name: &str, num: &str, den: &str) -> Vec<(u64, f64)> {
    ratio_at_each_where(f, name, num, den, |r, v| at(r, &[(name, v)]))
}

/// `num`'s median over `den`'s at each value `v` of parameter `name`, each taken from the first
/// record of its strategy that `pick(record, v)` accepts: for sweeps with other parameters too.
pub fn ratio_at_each_where(
    f: &ResultFile,
    name: &str,
    num: &str,
    den: &str,
    pick: impl Fn(&Record, u64) -> bool,
) -> Vec<(u64, f64)> {
    values(f, name)
        .into_iter()
        .filter_map(|v| {
            let m = |s: &str| find(f, s, |r| pick(r, v)).map(|r| r.ns_per_call.median);
            Some((v, m(num)? / m(den)?))
        })
        .collect()
}

/// Geometric mean of ratios (the mean of their logarithms, exponentiated); `None` for none.
/// Ratios are averaged this way so that ×2 and ×0.5 cancel.
pub fn geo_mean(ratios: &[f64]) -> Option<f64> {
    (!ratios.is_empty())
        .then(|| (ratios.iter().map(|x| x.ln()).sum::<f64>() / ratios.len() as f64).exp())
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

/// Least-squares fit y = a + b·x.
pub fn fit_line(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let b = sxy / sxx;
    Some((my - b * mx, b))
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

/// Lengths as "8 B, 64 B, 1024 B".
pub fn lens_list(ls: &[u64]) -> String {
    ls.iter()
        .map(|l| format!("{l} B"))
        .collect::<Vec<_>>()
        .join(", ")
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
        let allocs = Allocs {
            rust: None,
            c: None,
            go: None,
        };
        Record {
            ratios: Some(Ratios {
                to_floor: None,
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
        let l: Vec<&str> = leaders_at(&f, &[("len", 8)])
            .iter()
            .map(|r| r.strategy.as_str())
            .collect();
        assert_eq!(l, ["borrow"]);
        // Overlapping quartiles of the same rounds: no measurable difference.
        let f = file(vec![
            row("borrow", (1.0, 1.0, 1.06)),
            row("clone_on_return", (1.04, 1.02, 1.08)),
        ]);
        let each = leaders_at_each(&f, "len");
        assert_eq!(
            each.keys().collect::<Vec<_>>(),
            ["`borrow` and `clone_on_return` (no measurable difference)"]
        );
    }

    #[test]
    fn line_fit_recovers_a_line() {
        let (a, b) = fit_line(&[(0.0, 1.0), (10.0, 21.0), (20.0, 41.0)]).unwrap();
        assert!((a - 1.0).abs() < 1e-9 && (b - 2.0).abs() < 1e-9);
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
