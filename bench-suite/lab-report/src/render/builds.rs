//! A scenario's rows in the other builds of the Rust side (`lab_record::builds`): R→C, the
//! cross-language LTO build beside the normal one; C→R, the ways an extension is linked. Per row,
//! instructions per call in each build (the builds differ by a few instructions, which only the
//! counts resolve), then each build's ns; before the table, what each build changes and, with
//! LTO, how near the fastest strategy comes to its floor, in sentences computed from the rows.

use std::fmt::Write as _;

use lab_record::builds::{self, Build, LTO, NORMAL};
use lab_record::{Record, ResultFile, NATIVE};

use super::table::sorted_rows;
use crate::anchors::row_anchor;
use crate::conclusions::shared::instructions;
use crate::format::fmt_instructions;
use crate::stats::{fmt_ns, is_reference};

/// Where a build is near its floor: the fastest strategy within this ratio of the floor's
/// instructions.
use super::floor_gap::LTO_GAP as AT_FLOOR;

/// Why a scenario's R→C page has no LTO rows.
pub const LTO_NOT_MEASURED: &str = "LTO build: not measured (no clang and lld of rustc's LLVM \
     major: `scripts/setup` installs clang-22 and lld-22).";

/// The part of `f`'s section (a normal build's file) on its other builds, `others` (the same
/// scenario and direction, filed under a build's language). Without any, an R→C page says the LTO
/// build was not measured; a C→R page says nothing (only some C→R scenarios are linked each way).
pub(super) fn builds(f: &ResultFile, others: &[&ResultFile]) -> String {
    let mut present: Vec<(&Build, &ResultFile)> = builds::BUILDS
        .iter()
        .filter_map(|b| others.iter().find(|o| o.lang == b.lang).map(|o| (b, *o)))
        .filter(|(b, _)| b.lang != NORMAL)
        .collect();
    let mut out = String::new();
    if present.is_empty() {
        if f.direction == "r2c" {
            let _ = writeln!(out, "\n{LTO_NOT_MEASURED}");
        }
        return out;
    }
    let normal = builds::of_lang(NORMAL).expect("the normal build is a build");
    present.insert(0, (normal, f));
    let dir = f.direction.as_str();
    let _ = writeln!(
        out,
        "\n### Builds\n\nThe same rows built {}: instructions per call (callgrind), then ns.\n",
        present
            .iter()
            .map(|(b, _)| format!("`{}`", b.label(dir)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (b, file) in &present[1..] {
        if let Some(line) = change(f, file, normal.label(dir), b.label(dir)) {
            let _ = writeln!(out, "- {line}");
        }
        if b.lang == LTO {
            for line in floor_gap(f, "without LTO")
                .into_iter()
                .chain(floor_gap(file, "with LTO"))
                .chain(remains(file))
            {
                let _ = writeln!(out, "- {line}");
            }
        }
    }
    let _ = write!(out, "\n| strategy | params |");
    for (b, _) in &present {
        let _ = write!(out, " Ir {} |", b.label(dir));
    }
    for (b, _) in &present {
        let _ = write!(out, " ns {} |", b.label(dir));
    }
    let _ = writeln!(out, "\n|---|---|{}", "---|".repeat(2 * present.len()));
    // The normal build's rows that another build measured too, in the section's order.
    let measured = |r: &&Record| present[1..].iter().any(|(_, file)| find(file, r).is_some());
    for r in sorted_rows(&f.records).into_iter().filter(measured) {
        let twin = |file: &ResultFile| find(file, r).cloned();
        let rows: Vec<Option<Record>> = present.iter().map(|(_, file)| twin(file)).collect();
        // Each other build's row keeps its own anchor, which the cost sheet links to.
        let anchors: String = present[1..]
            .iter()
            .filter_map(|(_, file)| {
                Some(format!(
                    "<a id=\"{}\"></a>",
                    row_anchor(file, find(file, r)?)
                ))
            })
            .collect();
        let _ = write!(out, "| {anchors}`{}` | {} |", r.strategy, r.params_label());
        for row in &rows {
            let ir = row.as_ref().and_then(instructions);
            let _ = write!(out, " {} |", ir.map_or("–".into(), fmt_instructions));
        }
        for row in &rows {
            let ns = row.as_ref().map(|r| r.ns_per_call.median);
            let _ = write!(out, " {} |", ns.map_or("–".into(), fmt_ns));
        }
        out.push('\n');
    }
    out
}

/// The row of `file` with `r`'s strategy and parameters.
fn find<'a>(file: &'a ResultFile, r: &Record) -> Option<&'a Record> {
    file.records
        .iter()
        .find(|o| o.strategy == r.strategy && o.params_label() == r.params_label())
}

/// How many instructions per call `other` runs against `base`, over the rows both counted:
/// "`LTO` against `normal`: −12 to −2 instructions per call over 8 rows (`s` at p: A → B, the
/// largest cut)."
fn change(base: &ResultFile, other: &ResultFile, base_label: &str, label: &str) -> Option<String> {
    let mut deltas: Vec<(f64, &Record, f64, f64)> = other
        .records
        .iter()
        .filter_map(|r| {
            let (a, b) = (instructions(find(base, r)?)?, instructions(r)?);
            Some((b - a, r, a, b))
        })
        .collect();
    if deltas.is_empty() {
        return None;
    }
    deltas.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (lo, hi) = (deltas[0].0, deltas[deltas.len() - 1].0);
    let (_, r, a, b) = deltas[0];
    let at = if r.params_label().is_empty() {
        String::new()
    } else {
        format!(" at {}", r.params_label())
    };
    let cut = if lo < 0.0 {
        format!(
            "the largest cut, `{}`{at}: {} → {}",
            r.strategy,
            fmt_instructions(a),
            fmt_instructions(b)
        )
    } else {
        "no row runs fewer".to_owned()
    };
    Some(format!(
        "`{label}` against `{base_label}`: {} to {} instructions per call over {} rows; {cut}.",
        signed(lo),
        signed(hi),
        deltas.len(),
    ))
}

/// `+3` or `−12`: a difference of instructions per call, signed.
fn signed(d: f64) -> String {
    let sign = if d < 0.0 { "−" } else { "+" };
    format!("{sign}{}", fmt_instructions(d.abs()))
}

/// The fastest strategy's instructions over its floor's, at each point of `file` where both were
/// counted: "Without LTO, the fastest strategy at each point runs ×1.00 to ×2.10 of its floor's
/// instructions (within ×1.05 at 3 of 8 points); above: `s` …". Points whose floor runs no
/// instruction (with LTO, C's loop around an inlined empty call is removed) are named apart.
fn floor_gap(file: &ResultFile, build: &str) -> Vec<String> {
    let mut points: Vec<String> = file.records.iter().map(Record::params_label).collect();
    points.sort();
    points.dedup();
    let mut ratios = Vec::new();
    let mut empty_floor = 0;
    for p in &points {
        let at: Vec<&Record> = file
            .records
            .iter()
            .filter(|r| &r.params_label() == p)
            .collect();
        let floor = at
            .iter()
            .find(|r| r.strategy == NATIVE)
            .and_then(|r| instructions(r));
        let best = at
            .iter()
            .filter(|r| !is_reference(file, r))
            .filter_map(|r| Some((instructions(r)?, *r)))
            .min_by(|x, y| x.0.total_cmp(&y.0));
        match (floor, best) {
            (Some(fl), Some(_)) if fl < 1.0 => empty_floor += 1,
            (Some(fl), Some((ir, r))) => ratios.push((ir / fl, r, p.clone())),
            _ => {}
        }
    }
    let mut lines = Vec::new();
    if !ratios.is_empty() {
        ratios.sort_by(|x, y| x.0.total_cmp(&y.0));
        let near = ratios.iter().filter(|x| x.0 <= AT_FLOOR).count();
        let (worst, r, p) = &ratios[ratios.len() - 1];
        let at = if p.is_empty() {
            String::new()
        } else {
            format!(" at {p}")
        };
        // Why the farthest is where it is, where it is beyond the floor's reach.
        let why = super::floor_gap::why(file, &r.strategy)
            .filter(|_| *worst > AT_FLOOR)
            .map_or_else(String::new, |w| format!(" {w}"));
        lines.push(format!(
            "{}, the fastest strategy runs ×{:.2} to ×{:.2} of its floor's instructions \
             (within ×{AT_FLOOR} at {near} of {} points; farthest: `{}`{at}).{why}",
            capitalised(build),
            ratios[0].0,
            worst,
            ratios.len(),
            r.strategy
        ));
    }
    if empty_floor > 0 {
        lines.push(format!(
            "{}, the floor runs no instruction at {empty_floor} point(s): C's loop around an \
             inlined call that does nothing is removed, and no strategy is compared with it.",
            capitalised(build)
        ));
    }
    lines
}

/// What inlining leaves of each strategy in `file` (an LTO build's): those within [`AT_FLOOR`]
/// of the floor's instructions at every point counted, then the others with their largest
/// excess and what that row allocates and copies per call, the work no inlining removes.
fn remains(file: &ResultFile) -> Option<String> {
    let mut strategies: Vec<&str> = Vec::new();
    for r in file.records.iter().filter(|r| !is_reference(file, r)) {
        if !strategies.contains(&r.strategy.as_str()) {
            strategies.push(&r.strategy);
        }
    }
    let mut at_floor = Vec::new();
    let mut above = Vec::new();
    for s in strategies {
        // (excess, ratio, row) at each point where the floor ran instructions.
        let points: Vec<(f64, f64, &Record)> = file
            .records
            .iter()
            .filter(|r| r.strategy == s)
            .filter_map(|r| {
                let floor = file
                    .records
                    .iter()
                    .find(|n| n.strategy == NATIVE && n.params_label() == r.params_label())?;
                let (ir, fl) = (instructions(r)?, instructions(floor)?);
                (fl >= 1.0).then_some((ir - fl, ir / fl, r))
            })
            .collect();
        let Some(&(excess, _, r)) = points.iter().max_by(|a, b| a.0.total_cmp(&b.0)) else {
            continue;
        };
        if points.iter().all(|p| p.1 <= AT_FLOOR) {
            at_floor.push(format!("`{s}`"));
            continue;
        }
        let allocs = r.allocs_per_call.rust.unwrap_or(0.0) + r.allocs_per_call.c.unwrap_or(0.0);
        let work = match (allocs, r.bytes_copied_per_call) {
            (a, b) if a > 0.0 && b > 0.0 => {
                format!("{a:.0} allocation(s) and {b:.0} B copied per call")
            }
            (a, _) if a > 0.0 => format!("{a:.0} allocation(s) per call"),
            (_, b) if b > 0.0 => format!("{b:.0} B copied per call"),
            _ => "no allocation or copy".to_owned(),
        };
        let at = match r.params_label() {
            p if p.is_empty() => String::new(),
            p => format!(" at {p}"),
        };
        above.push(format!(
            "`{s}` up to {} instructions per call{at} ({work})",
            signed(excess)
        ));
    }
    if at_floor.is_empty() && above.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !at_floor.is_empty() {
        parts.push(format!(
            "within ×{AT_FLOOR} of the floor at every point: {}",
            at_floor.join(", ")
        ));
    }
    if !above.is_empty() {
        parts.push(format!("above it: {}", above.join("; ")));
    }
    Some(format!(
        "What inlining leaves, with LTO: {}.",
        parts.join("; ")
    ))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab_record::{Allocs, Counts, Machine, Ns};
    use serde_json::{Map, Value};

    fn row(strategy: &str, len: u64, ir: f64, ns: f64) -> Record {
        let mut params = Map::new();
        params.insert("len".into(), Value::from(len));
        let ns = Ns {
            median: ns,
            low: ns,
            high: ns,
        };
        Record {
            counts: Some(Counts {
                instructions: ir,
                cycles_est: ir,
                l1_misses: 0.0,
                ll_misses: 0.0,
                n1: 100,
                n2: 1100,
                varies: false,
            }),
            ..Record::new(strategy, params, ns, Allocs::NONE)
        }
    }

    fn file(lang: &str, records: Vec<Record>) -> ResultFile {
        ResultFile::new(
            "s02_pass_string",
            lang,
            "r2c",
            "call",
            &Machine::example("m"),
            records,
        )
    }

    #[test]
    fn lto_rows_stand_beside_the_normal_ones_with_their_change_and_floor_gap() {
        let normal = file(
            NORMAL,
            vec![row(NATIVE, 8, 60.0, 4.0), row("ptr_len", 8, 75.0, 4.2)],
        );
        let lto = file(
            LTO,
            vec![row(NATIVE, 8, 55.0, 3.0), row("ptr_len", 8, 56.0, 3.1)],
        );
        let text = builds(&normal, &[&lto]);
        assert!(text.contains("`LTO` against `normal`: −19 to −5 instructions per call over 2 rows; the largest cut, `ptr_len` at len=8: 75 → 56."), "{text}");
        assert!(
            text.contains("Without LTO, the fastest strategy runs ×1.25 to ×1.25"),
            "{text}"
        );
        assert!(text.contains("With LTO, the fastest strategy runs ×1.02 to ×1.02 of its floor's instructions (within ×1.05 at 1 of 1 points"), "{text}");
        assert!(
            text.contains(
                "| <a id=\"s02-r2c-rust-lto-ptr_len-len-8\"></a>`ptr_len` | len=8 | 75 | 56 | 4.20 | 3.10 |"
            ),
            "{text}"
        );
    }

    #[test]
    fn an_empty_floor_is_named_not_divided_by() {
        let normal = file(
            NORMAL,
            vec![row(NATIVE, 8, 5.0, 1.6), row("ptr_len", 8, 5.0, 1.6)],
        );
        let lto = file(
            LTO,
            vec![row(NATIVE, 8, 0.001, 0.0), row("ptr_len", 8, 3.0, 0.3)],
        );
        let text = builds(&normal, &[&lto]);
        assert!(
            text.contains("With LTO, the floor runs no instruction at 1 point(s)"),
            "{text}"
        );
        assert!(!text.contains("With LTO, the fastest"), "{text}");
    }

    #[test]
    fn an_r2c_page_without_the_lto_build_says_so() {
        let normal = file(NORMAL, vec![row("ptr_len", 8, 75.0, 4.2)]);
        assert_eq!(builds(&normal, &[]).trim(), LTO_NOT_MEASURED);
    }
}
