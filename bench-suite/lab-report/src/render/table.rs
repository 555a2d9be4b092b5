//! A section's tables: per strategy and parameter point, the main table (the median with its
//! bounds, the ratios to the floor and to the best, allocations, instructions, Go's median) and,
//! below it, the other columns (− floor, bytes, the callgrind pass's cycle estimate and rate, the
//! C extension, Go's allocations, percentiles, load, retained bytes, flame graphs), no table wider
//! than [`MAX_COLUMNS`]; and the table of strategies only Go has. Rows are grouped by
//! parameters, fastest first; floors and references are never ranked.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lab_record::{Ns, Record, ResultFile};

use crate::anchors::row_anchor;
use crate::floor::Floor;
use crate::format::fmt_instructions;
use crate::rate::Rate;
use crate::stats::{fmt_count, fmt_ns, is_reference, percentile, to_best, twin};

/// A ratio measured in interleaved rounds: its median, with the quartiles of the rounds.
fn fmt_ratio(x: &Ns) -> String {
    format!("{:.2} [{:.2}, {:.2}]", x.median, x.low, x.high)
}

/// `+1.23` / `−0.45`: a difference in ns, signed.
fn fmt_signed_ns(d: f64) -> String {
    if d < 0.0 {
        format!("−{}", fmt_ns(-d))
    } else {
        format!("+{}", fmt_ns(d))
    }
}

/// The most columns a table of a page holds: a wider table does not render legibly.
pub const MAX_COLUMNS: usize = 12;

/// A column: its header and its cell for a row.
type Column<'r> = (String, Box<dyn Fn(&Record) -> String + 'r>);

/// The tables of `f`'s rows, with Go's and the C extension's figures beside them where given: the
/// main table (strategy, parameters, median with its bounds, × floor, × best, allocations, Ir/call,
/// Go's median), whose strategy cells carry the rows' anchors, then the other columns in tables
/// of at most [`MAX_COLUMNS`] below it, each row again led by its strategy and parameters.
pub(super) fn rows(
    out: &mut String,
    f: &ResultFile,
    go: Option<&ResultFile>,
    c_ext: Option<&ResultFile>,
    floor: &Floor,
) {
    let counted = f.records.iter().any(|r| r.counts.is_some());
    let disagree = rank_disagreements(f);
    let go_twin = move |r: &Record| go.and_then(|go| twin(go, r));
    let mut main: Vec<Column<'_>> = vec![
        (
            "median ns [low, high]".into(),
            Box::new(|r| {
                let ns = &r.ns_per_call;
                format!(
                    "{} [{}, {}]",
                    fmt_ns(ns.median),
                    fmt_ns(ns.low),
                    fmt_ns(ns.high)
                )
            }),
        ),
        (
            "× floor".into(),
            Box::new(|r| match r.ratios.as_ref().and_then(|x| x.to_floor) {
                Some(x) => fmt_ratio(&x),
                None => floor.ratio(r).map_or("–".into(), |x| format!("{x:.2}")),
            }),
        ),
        (
            "× best".into(),
            Box::new(|r| {
                if is_reference(f, r) {
                    "–".into()
                } else {
                    match r.ratios.as_ref().and_then(|x| x.to_best) {
                        Some(x) => fmt_ratio(&x),
                        None => format!("{:.2}", to_best(f, r)),
                    }
                }
            }),
        ),
        (
            "allocs Rust / C".into(),
            Box::new(|r| {
                format!(
                    "{} / {}",
                    fmt_count(r.allocs_per_call.rust),
                    fmt_count(r.allocs_per_call.c)
                )
            }),
        ),
    ];
    // The callgrind pass's counts, where it counted any row; `~`: counts that move between passes.
    let approx = |r: &Record| {
        if r.counts.is_some_and(|c| c.varies) {
            "~"
        } else {
            ""
        }
    };
    if counted {
        main.push((
            "Ir/call".into(),
            Box::new(move |r| {
                r.counts.map_or("–".into(), |c| {
                    format!("{}{}", approx(r), fmt_instructions(c.instructions))
                })
            }),
        ));
    }
    if go.is_some() {
        main.push((
            "Go ns".into(),
            Box::new(move |r| go_twin(r).map_or("–".into(), |g| fmt_ns(g.ns_per_call.median))),
        ));
    }
    let mut more: Vec<Column<'_>> = vec![(
        "− floor ns".into(),
        Box::new(|r| floor.minus(r).map_or("–".into(), fmt_signed_ns)),
    )];
    more.push((
        "bytes alloc".into(),
        Box::new(|r| fmt_count(Some(r.bytes_allocated_per_call))),
    ));
    more.push((
        "bytes copied".into(),
        Box::new(|r| fmt_count(Some(r.bytes_copied_per_call))),
    ));
    if counted {
        let disagree = disagree.clone();
        more.push((
            "est. cycles/call".into(),
            Box::new(move |r| {
                let mark = if disagree.contains(&(r.strategy.clone(), r.params_label())) {
                    " ≠"
                } else {
                    ""
                };
                r.counts.map_or("–".into(), |c| {
                    format!("{}{}{mark}", approx(r), fmt_instructions(c.cycles_est))
                })
            }),
        ));
        more.push((
            "Ir/cycle".into(),
            Box::new(|r| match crate::rate::of(f, r) {
                Rate::Implied { ipc, .. } => format!("{ipc:.1}"),
                Rate::RepString => "(rep movsb)".into(),
                Rate::Unmeasured => "–".into(),
            }),
        ));
    }
    // C→R: the same filters in C, the rows' floor, stand beside Rust's.
    if let Some(c) = c_ext {
        more.push((
            "C ns".into(),
            Box::new(move |r| twin(c, r).map_or("–".into(), |x| fmt_ns(x.ns_per_call.median))),
        ));
    }
    if let Some(go) = go {
        more.push((
            "allocs Go / C".into(),
            Box::new(move |r| {
                go_twin(r).map_or("–".into(), |g| {
                    format!(
                        "{} / {}",
                        fmt_count(g.allocs_per_call.go),
                        fmt_count(g.allocs_per_call.c)
                    )
                })
            }),
        ));
        if go
            .records
            .iter()
            .any(|g| g.gc_per_call.is_some_and(|x| x > 0.0))
        {
            more.push((
                "Go GCs per 1 000 calls".into(),
                Box::new(move |r| {
                    go_twin(r)
                        .and_then(|g| g.gc_per_call)
                        .map_or("–".into(), |x| format!("{:.3}", x * 1000.0))
                }),
            ));
        }
        more.push((
            "Rust / Go".into(),
            Box::new(move |r| {
                go_twin(r).map_or("–".into(), |g| {
                    format!("{:.2}", r.ns_per_call.median / g.ns_per_call.median)
                })
            }),
        ));
    }
    if f.records.iter().any(|r| r.percentiles_ns.is_some()) {
        more.push((
            "p50 / p99 / p99.9 / max ns".into(),
            Box::new(|r| {
                let p = |k: &str| percentile(r, k).map_or("–".into(), fmt_ns);
                format!(
                    "{} / {} / {} / {}",
                    p("p50"),
                    p("p99"),
                    p("p99.9"),
                    p("max")
                )
            }),
        ));
    }
    // S15: a load run's throughput beside the worker's CPU time per request.
    if f.records.iter().any(|r| r.load.is_some()) {
        more.push((
            "requests/s".into(),
            Box::new(|r| {
                r.load
                    .map_or("–".into(), |l| format!("{:.0}", l.requests_per_s))
            }),
        ));
    }
    if f.records.iter().any(|r| r.bytes_retained.is_some()) {
        more.push((
            "bytes kept".into(),
            Box::new(|r| fmt_count(r.bytes_retained)),
        ));
    }
    // A row's flame graph is recorded from the repository's root; the pages are one folder down.
    if f.records.iter().any(|r| r.flamegraph.is_some()) {
        more.push((
            "flame graph".into(),
            Box::new(|r| {
                r.flamegraph
                    .as_deref()
                    .map_or("–".into(), |g| format!("[svg](../{g})"))
            }),
        ));
    }
    let rows = sorted_rows(&f.records);
    table(out, &rows, &main, |r| {
        format!("<a id=\"{}\"></a>`{}`", row_anchor(f, r), r.strategy)
    });
    for (i, chunk) in more.chunks(MAX_COLUMNS - 2).enumerate() {
        let _ = write!(
            out,
            "\nMore columns{}:\n",
            if i == 0 { "" } else { " (continued)" }
        );
        table(out, &rows, chunk, |r| format!("`{}`", r.strategy));
    }
}

/// One table: a strategy cell (`lead`), the parameters, then `columns`.
fn table(
    out: &mut String,
    rows: &[&Record],
    columns: &[Column<'_>],
    lead: impl Fn(&Record) -> String,
) {
    let _ = write!(out, "\n| strategy | params |");
    for (h, _) in columns {
        let _ = write!(out, " {h} |");
    }
    let _ = writeln!(out, "\n|---|---|{}", "---|".repeat(columns.len()));
    for r in rows {
        let _ = write!(out, "| {} | {} |", lead(r), r.params_label());
        for (_, cell) in columns {
            let _ = write!(out, " {} |", cell(r));
        }
        out.push('\n');
    }
}

/// The strategies only Go has (e.g. S02's `ptr_len` without `#cgo noescape`), in a table of
/// their own: they have no Rust row to stand beside.
pub(super) fn go_only(out: &mut String, f: &ResultFile, go: &ResultFile) {
    let only: Vec<&Record> = go
        .records
        .iter()
        .filter(|g| !f.records.iter().any(|r| r.strategy == g.strategy))
        .collect();
    if !only.is_empty() {
        let _ = writeln!(out, "\nGo-only strategies:\n\n| strategy | params | Go ns [low, high] | allocs Go / C |\n|---|---|---|---|");
        for g in sorted_rows(&only.into_iter().cloned().collect::<Vec<_>>()) {
            let ns = &g.ns_per_call;
            let _ = writeln!(
                out,
                "| `{}` | {} | {} [{}, {}] | {} / {} |",
                g.strategy,
                g.params_label(),
                fmt_ns(ns.median),
                fmt_ns(ns.low),
                fmt_ns(ns.high),
                fmt_count(g.allocs_per_call.go),
                fmt_count(g.allocs_per_call.c)
            );
        }
    }
}

/// The rows (strategy, params label) whose place among the strategies of their work differs
/// between ranking by median ns and ranking by estimated cycles (floors and references are not
/// ranked; works with fewer than two counted strategies are skipped).
fn rank_disagreements(f: &ResultFile) -> Vec<(String, String)> {
    let mut works: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for r in &f.records {
        if r.counts.is_some() && !is_reference(f, r) {
            works.entry(r.work_label()).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for rows in works.values().filter(|rows| rows.len() >= 2) {
        let order = |key: &dyn Fn(&Record) -> f64| {
            let mut idx: Vec<usize> = (0..rows.len()).collect();
            idx.sort_by(|&a, &b| key(rows[a]).total_cmp(&key(rows[b])));
            idx
        };
        let by_ns = order(&|r| r.ns_per_call.median);
        let by_cycles = order(&|r| r.counts.map_or(f64::INFINITY, |c| c.cycles_est));
        for (&a, &b) in by_ns.iter().zip(&by_cycles) {
            if a != b {
                out.push((rows[a].strategy.clone(), rows[a].params_label()));
            }
        }
    }
    out
}

/// Rows grouped by parameters (names, then values: numbers as numbers, strings as strings),
/// fastest first within a group, rows a few cycles apart by their instructions.
pub(super) fn sorted_rows(records: &[Record]) -> Vec<&Record> {
    let mut rows: Vec<&Record> = records.iter().collect();
    let key = |r: &Record| {
        let names: Vec<String> = r.params.keys().cloned().collect();
        let values: Vec<(u64, String)> = r
            .params
            .values()
            .map(|v| (v.as_u64().unwrap_or(0), v.as_str().unwrap_or("").to_owned()))
            .collect();
        (names, values)
    };
    rows.sort_by(|a, b| {
        key(a)
            .cmp(&key(b))
            .then(a.ns_per_call.median.total_cmp(&b.ns_per_call.median))
    });
    // Within one point, rows a few cycles apart in the order of their counts.
    for point in rows.chunk_by_mut(|a, b| key(a) == key(b)) {
        crate::stats::order_close_by_counts(point);
    }
    rows
}
