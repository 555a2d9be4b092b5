//! Turns the result records under `results/<machine-id>/` into `REPORT.md`: per scenario, a table
//! (strategy, parameters, median ns with its bounds, ratio to the floor and to the best strategy,
//! allocations per call on each side, bytes allocated and copied) and the conclusions the numbers
//! support, computed here from the records — never typed by hand.
//!
//! The floor of a row is the R→C empty call of S01, plus S01's `memcpy` of the bytes the row
//! copies (interpolated between the measured lengths) when it copies any.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lab_record::{Record, ResultFile, COUNT_CALLS, FLAMEGRAPH_DIR, PLOT_DIR};

use lab_record::scenario as definition;

use crate::{GO_NOT_MEASURED, GO_NOT_WRITTEN};

/// The scenario's title from its definition; the id itself for a scenario without one.
fn title(scenario: &str) -> String {
    definition::get(scenario).map_or_else(|| scenario.to_owned(), |d| d.title.clone())
}

/// The floors every row is divided by, from S01's records.
struct Floor {
    empty_call: Option<f64>,
    /// (len, median ns) of S01 `memcpy`, sorted by len.
    memcpy: Vec<(f64, f64)>,
}

impl Floor {
    /// The floor of `direction`: its own empty call (C→R through the dlopen()ed symbol, R→C
    /// into the host), with the R→C memcpy sweep for the bytes a row copies.
    fn from(files: &[ResultFile], lang: &str, direction: &str) -> Floor {
        let s01_of = |lang: &str, dir: &str| {
            files
                .iter()
                .find(|f| f.scenario.starts_with("s01") && f.lang == lang && f.direction == dir)
        };
        let empty_call = s01_of(lang, direction)
            .and_then(|f| f.records.iter().find(|r| r.strategy == "empty_call"))
            .map(|r| r.ns_per_call.median);
        let s01 = s01_of("rust", "r2c");
        let mut memcpy: Vec<(f64, f64)> = s01
            .map(|f| {
                f.records
                    .iter()
                    .filter(|r| r.strategy == "memcpy")
                    .filter_map(|r| Some((param(r, "len")? as f64, r.ns_per_call.median)))
                    .collect()
            })
            .unwrap_or_default();
        memcpy.sort_by(|a, b| a.0.total_cmp(&b.0));
        Floor { empty_call, memcpy }
    }

    /// S01's memcpy of exactly `len` bytes, where it was measured.
    fn memcpy_at(&self, len: u64) -> Option<f64> {
        self.memcpy
            .iter()
            .find(|&&(l, _)| l == len as f64)
            .map(|&(_, ns)| ns)
    }

    /// The floor of a row: the empty call, plus the memcpy of what it copies.
    fn of(&self, r: &Record) -> Option<f64> {
        let call = self.empty_call?;
        if r.strategy == "empty_call" || r.bytes_copied_per_call == 0.0 || r.strategy == "memcpy" {
            return Some(call);
        }
        Some(call + interpolate(&self.memcpy, r.bytes_copied_per_call)?)
    }
}

/// Piecewise-linear interpolation through sorted points, extended along the end segments.
fn interpolate(points: &[(f64, f64)], x: f64) -> Option<f64> {
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

/// Parameters that tell variants of one strategy apart (S06's stack threshold) rather than the
/// work: "× best" compares rows that differ only in these, as it compares strategies.
pub const VARIANT_PARAMS: &[&str] = &["threshold"];

/// Rows with the same work: equal parameters, variant parameters aside.
fn same_work(a: &Record, b: &Record) -> bool {
    let work = |r: &Record| {
        r.params
            .iter()
            .filter(|(k, _)| !VARIANT_PARAMS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    work(a) == work(b)
}

/// The fastest median among the rows doing the same work as `r` (its "× best" denominator).
fn best_median(f: &ResultFile, r: &Record) -> f64 {
    f.records
        .iter()
        .filter(|o| same_work(o, r))
        .map(|o| o.ns_per_call.median)
        .fold(f64::INFINITY, f64::min)
}

pub fn param(r: &Record, name: &str) -> Option<u64> {
    r.params.get(name).and_then(serde_json::Value::as_u64)
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{:.0}", ns)
    } else if ns >= 10.0 {
        format!("{:.1}", ns)
    } else {
        format!("{:.2}", ns)
    }
}

fn fmt_count(x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
    }
}

/// Renders the whole report from the records of one machine.
pub fn render(files: &[ResultFile], machine_id: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# ffi-lab report: crossing the Rust↔C boundary\n");
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo bench` from results/{machine_id}/ — do not edit by hand; rerun the lab. -->\n"
    );
    match files.first() {
        None => {
            let _ = writeln!(
                out,
                "No results for machine `{machine_id}` yet: run `scripts/bench`."
            );
            return out;
        }
        Some(f) => {
            let m = &f.machine;
            let _ = writeln!(out, "| machine | |\n|---|---|");
            let _ = writeln!(out, "| id | `{}` |", m.id);
            let _ = writeln!(out, "| CPU | {} ({} cores) |", m.cpu, m.cores);
            let _ = writeln!(out, "| kernel | {} |", m.kernel);
            let _ = writeln!(out, "| rustc | {} |", m.rustc);
            let _ = writeln!(out, "| C compiler | {} |", m.cc);
            let _ = writeln!(
                out,
                "| Go | {} |",
                m.go.as_deref().unwrap_or("not installed")
            );
            let _ = writeln!(
                out,
                "| cross-language LTO | {} |",
                if m.lto {
                    "on"
                } else {
                    "off: every call into C is a real call"
                }
            );
            let _ = writeln!(
                out,
                "| commit, date, mode | `{}`, {}, {} |\n",
                m.commit, m.date, m.mode
            );
            if files.iter().any(|f| f.machine.mode != "full") {
                let _ = writeln!(out, "> Some results come from a **quick** run (short sweeps, short timing): smoke-test figures, not for quoting.\n");
            }
        }
    }
    let _ = writeln!(
        out,
        "Reproduce: `scripts/bench` (set-up, then `cargo bench`; `scripts/bench --quick` for the quick mode). \
         Method: criterion 0.8 times each strategy in a loop that calls it directly (median of the per-iteration \
         time, 95 % confidence bounds in brackets); allocations are counted exactly per call, Rust side by a counting \
         global allocator and C side by the host's own counters, over {} calls after one warm-up call; bytes copied are \
         counted where the copy happens. The floor of a row is the R→C empty call of S01, plus S01's `memcpy` of the \
         bytes the row copies. C→R rows are timed by the C driver (`c-harness/driver`), which `dlopen()`s the extension \
         and times batches of calls with `clock_gettime(CLOCK_MONOTONIC)` (batches of at least 2 ms, 41 samples: the \
         median, with the 25th and 75th percentiles in brackets; S12 times every call singly into a log-bucket histogram); \
         its allocation counts come from the host's counters and the extension's `lab_ext_stats`. Medians move between \
         runs on this shared machine: quote ratios within one run.\n",
        COUNT_CALLS
    );

    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "Per scenario: the strategy fastest across its sweep (geometric mean of its ratio to the best at each \
         parameter point), that mean ratio to the floor, and the slowest strategy's mean ratio to the best.\n"
    );
    let _ = writeln!(out, "| scenario | best strategy | × floor | slowest strategy, × best | conclusion |\n|---|---|---|---|---|");
    let mut sections = String::new();
    let go_ran = files.iter().any(|f| f.lang == "go");
    let mut by_scenario: BTreeMap<&str, Vec<&ResultFile>> = BTreeMap::new();
    for f in files {
        by_scenario.entry(f.scenario.as_str()).or_default().push(f);
    }
    for scenario_files in by_scenario.values() {
        // Go's figures stand beside Rust's in the Rust sections, not in sections of their own.
        for f in scenario_files.iter().filter(|f| f.lang != "go") {
            let go = scenario_files
                .iter()
                .find(|g| g.lang == "go" && g.direction == f.direction)
                .copied();
            let mut conclusions = conclude(f, files);
            if let Some(go) = go {
                conclusions.extend(conclude_go(f, go));
            }
            let heading = heading(f);
            let floor = Floor::from(files, &f.lang, &f.direction);
            let ranks = rank_strategies(f, &floor);
            let (best, slowest) = (ranks.first(), ranks.last());
            let _ = writeln!(
                out,
                "| [{heading}](#{}) | {} | {} | {} | {} |",
                anchor(&heading),
                best.map_or("–".into(), |r| format!("`{}`", r.strategy)),
                best.and_then(|r| r.to_floor)
                    .map_or("–".into(), |x| format!("{x:.2}")),
                slowest
                    .filter(|_| ranks.len() > 1)
                    .map_or("–".into(), |r| format!(
                        "`{}` ×{:.2}",
                        r.strategy, r.to_best
                    )),
                conclusions.first().map_or("–", String::as_str)
            );
            section(&mut sections, f, go, go_ran, &heading, &floor, &conclusions);
        }
    }
    for d in definition::all() {
        if !by_scenario.contains_key(d.id.as_str()) {
            let _ = writeln!(out, "| {} | – | – | – | not measured yet |", d.title);
        }
    }
    out.push('\n');
    out.push_str(&sections);
    out
}

fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// A strategy's standing over its whole sweep in one result file.
struct Rank<'a> {
    strategy: &'a str,
    /// Geometric mean over its records of median / best median at the same work.
    to_best: f64,
    /// Geometric mean over its records of median / floor, where a floor is known.
    to_floor: Option<f64>,
}

/// Strategies of a file, fastest first (by [`Rank::to_best`]).
fn rank_strategies<'a>(f: &'a ResultFile, floor: &Floor) -> Vec<Rank<'a>> {
    let geo = |xs: &[f64]| {
        (!xs.is_empty()).then(|| (xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64).exp())
    };
    // S01's memcpy is a floor for other scenarios, not a way to cross the boundary.
    let mut names: Vec<&str> = f
        .records
        .iter()
        .map(|r| r.strategy.as_str())
        .filter(|&s| s != "memcpy")
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut ranks: Vec<Rank<'a>> = names
        .into_iter()
        .filter_map(|s| {
            let rows: Vec<&Record> = f.records.iter().filter(|r| r.strategy == s).collect();
            let to_best: Vec<f64> = rows
                .iter()
                .map(|r| r.ns_per_call.median / best_median(f, r))
                .collect();
            let to_floor: Vec<f64> = rows
                .iter()
                .filter_map(|r| Some(r.ns_per_call.median / floor.of(r)?))
                .collect();
            Some(Rank {
                strategy: s,
                to_best: geo(&to_best)?,
                to_floor: geo(&to_floor),
            })
        })
        .collect();
    ranks.sort_by(|a, b| a.to_best.total_cmp(&b.to_best));
    ranks
}

/// A section's heading: the scenario's title, its language and direction (`S01 call floor —
/// rust, C→R`), unique per result file.
fn heading(f: &ResultFile) -> String {
    let dir = match f.direction.as_str() {
        "r2c" => "R→C",
        "c2r" => "C→R",
        other => other,
    };
    format!("{} — {}, {dir}", title(&f.scenario), f.lang)
}

fn section(
    out: &mut String,
    f: &ResultFile,
    go: Option<&ResultFile>,
    go_ran: bool,
    heading: &str,
    floor: &Floor,
    conclusions: &[String],
) {
    let _ = writeln!(out, "## {heading}\n");
    let _ = writeln!(
        out,
        "`{}` · {} · {} · ns per {}\n",
        f.scenario, f.lang, f.direction, f.unit
    );
    let def = definition::get(&f.scenario);
    if let Some(doc) = def.and_then(|d| d.documents.as_ref()) {
        let _ = writeln!(out, "Documents: {doc}\n");
    }
    for c in conclusions {
        let _ = writeln!(out, "- {c}");
    }
    for plot in crate::plots::plots_for(std::slice::from_ref(f)) {
        let _ = writeln!(out, "\n![{}]({PLOT_DIR}/{}.svg)", plot.title, plot.file);
    }
    for d in def.map_or(&[][..], |d| &d.differentials) {
        let graphed = |s: &str| {
            f.records
                .iter()
                .any(|r| r.strategy == s && r.params_label() == d.params && r.flamegraph.is_some())
        };
        if graphed(&d.before) && graphed(&d.after) {
            let name = d.file_name(&f.scenario);
            let _ = writeln!(
                out,
                "\nDifferential flame graph, `{}` against `{}` at {} (red: frames with more samples in `{}`): \
                 [{name}.svg]({FLAMEGRAPH_DIR}/{name}.svg)",
                d.after, d.before, d.params, d.after
            );
        }
    }
    if go.is_none() {
        let note = if go_ran {
            GO_NOT_WRITTEN
        } else {
            GO_NOT_MEASURED
        };
        let _ = writeln!(out, "\n{note}");
    }
    // Optional columns, each with its header and its cell for a row.
    type Cell<'r> = Box<dyn Fn(&Record) -> String + 'r>;
    let mut extra: Vec<(&str, Cell<'_>)> = Vec::new();
    if let Some(go) = go {
        let twin = move |r: &Record| {
            go.records
                .iter()
                .find(|g| g.strategy == r.strategy && g.params == r.params)
        };
        extra.push((
            "Go ns",
            Box::new(move |r| twin(r).map_or("–".into(), |g| fmt_ns(g.ns_per_call.median))),
        ));
        extra.push((
            "allocs Go / C",
            Box::new(move |r| {
                twin(r).map_or("–".into(), |g| {
                    format!(
                        "{} / {}",
                        fmt_count(g.allocs_per_call.go),
                        fmt_count(g.allocs_per_call.c)
                    )
                })
            }),
        ));
        extra.push((
            "Rust / Go",
            Box::new(move |r| {
                twin(r).map_or("–".into(), |g| {
                    format!("{:.2}", r.ns_per_call.median / g.ns_per_call.median)
                })
            }),
        ));
    }
    if f.records.iter().any(|r| r.percentiles_ns.is_some()) {
        extra.push((
            "p50 / p99 / p99.9 / max ns",
            Box::new(|r| {
                let p = |k: &str| {
                    r.percentiles_ns
                        .as_ref()
                        .and_then(|p| p.get(k))
                        .map_or("–".into(), |&v| fmt_ns(v))
                };
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
    if f.records.iter().any(|r| r.flamegraph.is_some()) {
        extra.push((
            "flame graph",
            Box::new(|r| {
                r.flamegraph
                    .as_deref()
                    .map_or("–".into(), |g| format!("[svg]({g})"))
            }),
        ));
    }
    let _ = write!(out, "\n| strategy | params | median ns [low, high] | × floor | × best | allocs Rust / C | bytes alloc | bytes copied |");
    for (h, _) in &extra {
        let _ = write!(out, " {h} |");
    }
    let _ = writeln!(
        out,
        "\n|---|---|---|---|---|---|---|---|{}",
        "---|".repeat(extra.len())
    );
    for r in sorted_rows(&f.records) {
        let best = best_median(f, r);
        let ns = &r.ns_per_call;
        let _ = write!(
            out,
            "| `{}` | {} | {} [{}, {}] | {} | {:.2} | {} / {} | {} | {} |",
            r.strategy,
            r.params_label(),
            fmt_ns(ns.median),
            fmt_ns(ns.low),
            fmt_ns(ns.high),
            floor
                .of(r)
                .map_or("–".into(), |fl| format!("{:.2}", ns.median / fl)),
            ns.median / best,
            fmt_count(r.allocs_per_call.rust),
            fmt_count(r.allocs_per_call.c),
            fmt_count(Some(r.bytes_allocated_per_call)),
            fmt_count(Some(r.bytes_copied_per_call)),
        );
        for (_, cell) in &extra {
            let _ = write!(out, " {} |", cell(r));
        }
        out.push('\n');
    }
    // Strategies only Go has (e.g. S02's ptr_len without #cgo noescape).
    if let Some(go) = go {
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
    out.push('\n');
}

/// Rows grouped by parameters (names, then values: numbers as numbers, strings as strings),
/// fastest first within a group.
fn sorted_rows(records: &[Record]) -> Vec<&Record> {
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
    rows
}

/// Median of `strategy` at exactly these parameters.
pub fn median(f: &ResultFile, strategy: &str, params: &[(&str, u64)]) -> Option<f64> {
    f.records
        .iter()
        .find(|r| r.strategy == strategy && at(r, params))
        .map(|r| r.ns_per_call.median)
}

/// Whether `r` has exactly these parameters.
fn at(r: &Record, params: &[(&str, u64)]) -> bool {
    r.params.len() == params.len() && params.iter().all(|&(k, v)| param(r, k) == Some(v))
}

/// Values of parameter `name` present in the file, sorted.
fn values(f: &ResultFile, name: &str) -> Vec<u64> {
    let mut v: Vec<u64> = f.records.iter().filter_map(|r| param(r, name)).collect();
    v.sort_unstable();
    v.dedup();
    v
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

/// The conclusions the records of one file support, most important first.
pub fn conclude(f: &ResultFile, all: &[ResultFile]) -> Vec<String> {
    if f.direction == "c2r" {
        return conclude_c2r(f, all);
    }
    let id = f.scenario.as_str();
    let mut c = Vec::new();
    match id {
        "s01_call_floor" => {
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
            if let (Some(a), Some(r)) = (
                median(f, "call_with_args", &[]),
                median(f, "rust_call", &[]),
            ) {
                c.push(format!(
                    "The same call to a non-inlined Rust function costs {} ns: crossing into C costs ×{:.2} of a call that stays in Rust.",
                    fmt_ns(r),
                    a / r
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
        }
        "s02_pass_string" => {
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
            let lens = values(f, "len");
            if let (Some(&lo), Some(&hi)) = (lens.first(), lens.last().filter(|&&hi| hi != lens[0]))
            {
                if let (Some(a), Some(b)) = (
                    median(f, "ptr_len", &[("len", lo)]),
                    median(f, "ptr_len", &[("len", hi)]),
                ) {
                    c.push(format!("`ptr_len` does not depend on the length: {} ns at {lo} B, {} ns at {hi} B.", fmt_ns(a), fmt_ns(b)));
                }
            }
        }
        "s03_unknown_length" | "s04_known_length" => {
            let lens = values(f, "len");
            let mut winners: BTreeMap<String, Vec<u64>> = BTreeMap::new();
            for &l in &lens {
                if let Some(best) = best_at(f, &[("len", l)]) {
                    winners.entry(best.strategy.clone()).or_default().push(l);
                }
            }
            let list = winners
                .iter()
                .map(|(s, ls)| format!("`{s}` at {}", lens_list(ls)))
                .collect::<Vec<_>>()
                .join("; ");
            c.push(format!("Fastest: {list}."));
            let (base, other) = if id.starts_with("s03") {
                ("borrow", "clone_on_return")
            } else {
                ("prealloc_heap", "clone_on_return")
            };
            for &l in [lens.first(), lens.last()].into_iter().flatten() {
                if let (Some(a), Some(b)) = (
                    median(f, base, &[("len", l)]),
                    median(f, other, &[("len", l)]),
                ) {
                    c.push(format!(
                        "At {l} B `{other}` costs ×{:.2} of `{base}` ({} vs {} ns).",
                        b / a,
                        fmt_ns(b),
                        fmt_ns(a)
                    ));
                }
            }
            if id.starts_with("s03") {
                if let (Some(a), Some(b)) = (
                    median(f, "clone_on_return", &[("len", 4096)]),
                    median(f, "clone_utf8", &[("len", 4096)]),
                ) {
                    c.push(format!(
                        "UTF-8 validation adds {} ns at 4096 B (×{:.2} of the plain clone).",
                        fmt_ns(b - a),
                        b / a
                    ));
                }
            }
        }
        "s05_pass_batch" => {
            let ns = values(f, "n");
            let ratios: Vec<String> = ns
                .iter()
                .filter_map(|&n| {
                    let cs = median(f, "cstring_each", &[("n", n)])?;
                    let pb = median(f, "pinned_batch", &[("n", n)])?;
                    Some(format!("×{:.1} at {n}", cs / pb))
                })
                .collect();
            c.push(format!(
                "`cstring_each` costs {} of `pinned_batch`.",
                ratios.join(", ")
            ));
            let pk: Vec<String> = ns
                .iter()
                .filter_map(|&n| {
                    Some(format!(
                        "×{:.2} at {n}",
                        median(f, "packed", &[("n", n)])? / median(f, "pinned_batch", &[("n", n)])?
                    ))
                })
                .collect();
            c.push(format!(
                "`packed` (copy into one reused buffer) costs {} of `pinned_batch`.",
                pk.join(", ")
            ));
        }
        "s06_read_headers" => s06_conclusions(f, &mut c),
        "s08_cross_thread_writes" => s08_conclusions(f, &mut c),
        "s09_request_lifetime" => s09_conclusions(f, &mut c),
        "s13_ownership" => s13_conclusions(f, all, &mut c),
        _ => {}
    }
    c
}

/// `d` ns as "… ns more" or "… ns less".
fn more_or_less(d: f64) -> String {
    format!(
        "{} ns {}",
        fmt_ns(d.abs()),
        if d >= 0.0 { "more" } else { "less" }
    )
}

fn s08_conclusions(f: &ResultFile, c: &mut Vec<String>) {
    let at =
        |s: &str, writers: u64, wait: u64| median(f, s, &[("writers", writers), ("wait", wait)]);
    if let (Some(p), Some(m)) = (at("post", 1, 1), at("mutex", 1, 1)) {
        c.push(format!(
            "Latency of one write, one writer: posted to the worker and waited for {} ns, under the lock {} ns — `post` costs ×{:.0} of `mutex` ({}): the worker sleeps between writes, and each post must wake it.",
            fmt_ns(p),
            fmt_ns(m),
            p / m,
            more_or_less(p - m)
        ));
    }
    let writers = values(f, "writers");
    let mut gaps = Vec::new();
    for &w in &writers {
        if let (Some(p), Some(m)) = (at("post", w, 0), at("mutex", w, 0)) {
            gaps.push(format!(
                "{} at {w} writer{} ({} vs {} ns)",
                more_or_less(p - m),
                if w == 1 { "" } else { "s" },
                fmt_ns(p),
                fmt_ns(m)
            ));
        }
    }
    if !gaps.is_empty() {
        c.push(format!(
            "Throughput (writers do not wait; wall time per write): `post` costs {} than `mutex`.",
            gaps.join(", ")
        ));
    }
    if let (Some(&lo), Some(&hi)) = (
        writers.first(),
        writers.last().filter(|&&w| w != writers[0]),
    ) {
        let scale: Vec<String> = ["post", "mutex"]
            .iter()
            .filter_map(|s| Some(format!("`{s}` ×{:.2}", at(s, hi, 0)? / at(s, lo, 0)?)))
            .collect();
        c.push(format!(
            "From {lo} to {hi} writers the wall time per write changes {} (on {} cores, with the worker thread besides).",
            scale.join(", "),
            f.machine.cores
        ));
    }
    c.push("`mutex` moves the cost to the owner: every read the worker makes must take the same lock, which `post` never needs (Envoy's choice).".into());
}

fn s13_conclusions(f: &ResultFile, all: &[ResultFile], c: &mut Vec<String>) {
    let floor = Floor::from(all, &f.lang, &f.direction);
    let points: Vec<String> = values(f, "len")
        .iter()
        .filter_map(|&l| {
            let copy = median(f, "copy", &[("len", l)])?;
            let hand = median(f, "double_buffer", &[("len", l)])?;
            let memcpy = floor.memcpy_at(l).map_or(String::new(), |m| {
                format!("; a bare memcpy of {l} B costs {} ns", fmt_ns(m))
            });
            Some(format!(
                "×{:.2} at {l} B ({} ns saved{memcpy})",
                copy / hand,
                fmt_ns(copy - hand)
            ))
        })
        .collect();
    if !points.is_empty() {
        c.push(format!(
            "`copy` costs {} of `double_buffer`: the hand-off moves an owner instead of the bytes, so it saves one copy of the chunk, and nothing else differs (both receive and read every byte).",
            points.join(", ")
        ));
    }
    c.push("Neither allocates per chunk; the guarantee the documents built as a state machine (the host never touches a buffer the extension holds) is a compile error here (tests/compile_fail/body_after_handoff.rs), as are a header view that outlives its callback, crosses threads or survives a write.".into());
}

fn s09_conclusions(f: &ResultFile, c: &mut Vec<String>) {
    let at = |s: &str, threads: u64| median(f, s, &[("threads", threads)]);
    if let Some(u) = at("unchecked", 1) {
        let checks: Vec<String> = ["weak_upgrade", "generation_handle"]
            .iter()
            .filter_map(|s| {
                let m = at(s, 1)?;
                Some(format!(
                    "`{s}` {} ns (+{} ns, ×{:.1})",
                    fmt_ns(m),
                    fmt_ns(m - u),
                    m / u
                ))
            })
            .collect();
        c.push(format!(
            "One thread: the unchecked call costs {} ns; {}. Each check is two atomic read-modify-writes (count in, count out).",
            fmt_ns(u),
            checks.join(", ")
        ));
    }
    let speedups: Vec<String> = ["unchecked", "weak_upgrade", "generation_handle"]
        .iter()
        .filter_map(|s| Some(format!("`{s}` ×{:.2}", at(s, 1)? / at(s, 2)?)))
        .collect();
    if !speedups.is_empty() {
        c.push(format!(
            "Two threads on the same request, calls per second over one thread's (2.00 would be perfect scaling; `unchecked`, which writes nothing shared, is what two threads gain on this machine): {}. The checks write the request's shared counter on every call, so the two threads contend for its cache line.",
            speedups.join(", ")
        ));
    }
    c.push("A destroyed request answers `BadHandle` (tests/lifetime_stress.rs, under valgrind in CI): a `generation_handle` is dead the moment destroy returns, while `weak_upgrade` only drops the host's reference, so calls that upgrade before the last one ends still succeed.".into());
}

/// What Go's figures add to a Rust section: the Rust/Go ratio over the shared sweep, and the
/// figures the documents quoted, re-measured.
fn conclude_go(f: &ResultFile, go: &ResultFile) -> Vec<String> {
    let mut c = Vec::new();
    let pairs: Vec<f64> = f
        .records
        .iter()
        .filter_map(|r| {
            let g = go
                .records
                .iter()
                .find(|g| g.strategy == r.strategy && g.params == r.params)?;
            Some((g.ns_per_call.median / r.ns_per_call.median).ln())
        })
        .collect();
    if !pairs.is_empty() {
        let geo = (pairs.iter().sum::<f64>() / pairs.len() as f64).exp();
        c.push(format!(
            "Go takes ×{geo:.2} the time of Rust for the same strategy (geometric mean over the {} points both measured).",
            pairs.len()
        ));
    }
    let gm = |strategy: &str, params: &[(&str, u64)]| median(go, strategy, params);
    match (f.scenario.as_str(), f.direction.as_str()) {
        ("s01_call_floor", "c2r") => {
            if let (Some(g), Some(r)) = (gm("empty_call", &[]), median(f, "empty_call", &[])) {
                c.push(format!(
                    "C→Go empty call: {} ns, ×{:.1} of C→Rust ({} ns). Documents: ~1600 ns before Go CL 392854, ~140 ns after.",
                    fmt_ns(g),
                    g / r,
                    fmt_ns(r)
                ));
            }
        }
        ("s01_call_floor", "r2c") => {
            if let (Some(g), Some(r)) = (gm("empty_call", &[]), median(f, "empty_call", &[])) {
                c.push(format!(
                    "Go→C empty call: {} ns, ×{:.1} of Rust→C ({} ns).",
                    fmt_ns(g),
                    g / r,
                    fmt_ns(r)
                ));
            }
        }
        ("s02_pass_string", _) => {
            let at = |s: &str| gm(s, &[("len", 64)]);
            if let (Some(cs), Some(esc), Some(ne)) =
                (at("cstring"), at("ptr_len_escape"), at("ptr_len"))
            {
                c.push(format!(
                    "Go at 64 B: `cstring` {} ns, `ptr_len` without `#cgo noescape` {} ns, with it {} ns. Documents: 87.02 → 61.30 ns.",
                    fmt_ns(cs),
                    fmt_ns(esc),
                    fmt_ns(ne)
                ));
            }
        }
        ("s11_thread_attach", _) => {
            let at = |s: &str| {
                go.records
                    .iter()
                    .find(|r| r.strategy == s)
                    .map(|r| r.ns_per_call.median)
            };
            if let (Some(first), Some(steady)) = (at("first_call"), at("steady")) {
                c.push(format!(
                    "Go: the first call on a fresh C thread costs {} ns (binding an extra M), ×{:.1} of a steady call ({} ns).",
                    fmt_ns(first),
                    first / steady,
                    fmt_ns(steady)
                ));
            }
        }
        ("s12_tail_latency", _) => {
            for r in &go.records {
                if let Some(p) = &r.percentiles_ns {
                    let g = |k: &str| p.get(k).copied().unwrap_or(f64::NAN);
                    c.push(format!(
                        "Go `{}`: p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns (GC included). Documents: ~0.8 ms average with ~19.5 ms spikes in step with GC, at the proxy level.",
                        r.strategy,
                        fmt_ns(g("p50")),
                        fmt_ns(g("p99")),
                        fmt_ns(g("p99.9")),
                        fmt_ns(g("max"))
                    ));
                }
            }
        }
        _ => {}
    }
    c
}

fn param_str<'a>(r: &'a Record, name: &str) -> Option<&'a str> {
    r.params.get(name).and_then(serde_json::Value::as_str)
}

/// The first record of `strategy` whose parameters satisfy `pred`.
fn find<'a>(
    f: &'a ResultFile,
    strategy: &str,
    pred: impl Fn(&Record) -> bool,
) -> Option<&'a Record> {
    f.records.iter().find(|r| r.strategy == strategy && pred(r))
}

fn conclude_c2r(f: &ResultFile, all: &[ResultFile]) -> Vec<String> {
    let mut c = Vec::new();
    let m = |strategy: &str| median(f, strategy, &[]);
    match f.scenario.as_str() {
        "s01_call_floor" => {
            if let Some(e) = m("empty_call") {
                let r2c = all
                    .iter()
                    .find(|o| o.scenario == f.scenario && o.lang == "rust" && o.direction == "r2c")
                    .and_then(|o| median(o, "empty_call", &[]));
                match r2c {
                    Some(r) => c.push(format!(
                        "A C→R empty call through the dlopen()ed symbol costs {} ns, ×{:.2} of the R→C empty call ({} ns).",
                        fmt_ns(e),
                        e / r,
                        fmt_ns(r)
                    )),
                    None => c.push(format!("A C→R empty call through the dlopen()ed symbol costs {} ns.", fmt_ns(e))),
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
        }
        "s07_copy_on_demand" => {
            for filter in ["nothing", "one_header", "all_headers", "body"] {
                let ratios: Vec<String> = values(f, "body")
                    .iter()
                    .filter_map(|&b| {
                        let at = |s: &str| {
                            find(f, s, |r| {
                                param_str(r, "filter") == Some(filter)
                                    && param(r, "body") == Some(b)
                            })
                            .map(|r| r.ns_per_call.median)
                        };
                        Some(format!("×{:.1} at {b} B", at("eager")? / at("lazy")?))
                    })
                    .collect();
                if !ratios.is_empty() {
                    c.push(format!(
                        "Filter reading {filter}: `eager` costs {} of `lazy`.",
                        ratios.join(", ")
                    ));
                }
            }
        }
        "s10_panic" => {
            if let (Some(bare), Some(guarded)) = (m("bare_call"), m("catch_unwind")) {
                // Below the spread of the two medians, a difference is alignment noise, not a cost.
                let spread = f
                    .records
                    .iter()
                    .filter(|r| r.strategy == "bare_call" || r.strategy == "catch_unwind");
                let noise = spread
                    .map(|r| r.ns_per_call.high - r.ns_per_call.low)
                    .fold(0.0, f64::max);
                c.push(if guarded - bare > noise {
                    format!(
                        "`catch_unwind` around a call costs {} ns over the bare call ({} vs {} ns, ×{:.2}).",
                        fmt_ns(guarded - bare),
                        fmt_ns(guarded),
                        fmt_ns(bare),
                        guarded / bare
                    )
                } else {
                    format!(
                        "`catch_unwind` around a call costs nothing measurable: {} ns guarded vs {} ns bare (×{:.2}; the two differ by code alignment from run to run).",
                        fmt_ns(guarded),
                        fmt_ns(bare),
                        guarded / bare
                    )
                });
            }
            if let (Some(p), Some(bare)) = (m("panic"), m("bare_call")) {
                c.push(format!("A request whose filter panics costs {} ns (×{:.0} of a bare call), and ends only that request.", fmt_ns(p), p / bare));
            }
            if let Some(r) = find(f, "panic_survival", |_| true) {
                c.push(format!(
                    "The host survived {} panicking requests with allocations back to balance on both sides (checked by the driver).",
                    param(r, "requests").unwrap_or(0)
                ));
            }
        }
        "s11_thread_attach" => {
            let at = |s: &str| find(f, s, |_| true).map(|r| r.ns_per_call.median);
            if let (Some(first), Some(steady)) = (at("first_call"), at("steady")) {
                c.push(format!(
                    "The first call on a fresh C thread costs {} ns, ×{:.1} of a steady call ({} ns): the extension's per-thread state is made once, and released when the thread exits (checked).",
                    fmt_ns(first),
                    first / steady,
                    fmt_ns(steady)
                ));
            }
        }
        "s12_tail_latency" => {
            for r in &f.records {
                if let Some(p) = &r.percentiles_ns {
                    let g = |k: &str| p.get(k).copied().unwrap_or(f64::NAN);
                    c.push(format!(
                        "`{}` over {} calls: p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns (p99.9 / p50 = ×{:.1}).",
                        r.strategy,
                        param(r, "calls").unwrap_or(0),
                        fmt_ns(g("p50")),
                        fmt_ns(g("p99")),
                        fmt_ns(g("p99.9")),
                        fmt_ns(g("max")),
                        g("p99.9") / g("p50")
                    ));
                }
            }
        }
        "s14_filters" => {
            let mut groups: Vec<String> = f.records.iter().map(Record::params_label).collect();
            groups.sort();
            groups.dedup();
            for g in groups {
                let mut rows: Vec<&Record> =
                    f.records.iter().filter(|r| r.params_label() == g).collect();
                rows.sort_by(|a, b| a.ns_per_call.median.total_cmp(&b.ns_per_call.median));
                if let (Some(best), Some(worst)) = (rows.first(), rows.last()) {
                    c.push(format!(
                        "{g}: fastest `{}` ({} ns per request), slowest `{}` ×{:.2}.",
                        best.strategy,
                        fmt_ns(best.ns_per_call.median),
                        worst.strategy,
                        worst.ns_per_call.median / best.ns_per_call.median
                    ));
                }
            }
        }
        _ => {}
    }
    c
}

fn lens_list(ls: &[u64]) -> String {
    ls.iter()
        .map(|l| format!("{l} B"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fastest record at exactly these parameters.
fn best_at<'a>(f: &'a ResultFile, params: &[(&str, u64)]) -> Option<&'a Record> {
    f.records
        .iter()
        .filter(|r| at(r, params))
        .min_by(|a, b| a.ns_per_call.median.total_cmp(&b.ns_per_call.median))
}

fn s06_conclusions(f: &ResultFile, c: &mut Vec<String>) {
    // Crossover: for each n, the smallest k at which a bulk strategy beats per_header_call.
    for bulk in ["bulk_borrow", "bulk_copy"] {
        let mut parts = Vec::new();
        for n in values(f, "n") {
            let ks: Vec<u64> = f
                .records
                .iter()
                .filter(|r| r.strategy == "per_header_call" && param(r, "n") == Some(n))
                .filter_map(|r| param(r, "k"))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let wins = ks.iter().find(|&&k| {
                matches!((median(f, bulk, &[("n", n), ("k", k)]), median(f, "per_header_call", &[("n", n), ("k", k)])),
                    (Some(b), Some(p)) if b < p)
            });
            if !ks.is_empty() {
                parts.push(match wins {
                    Some(k) => format!("n={n}: from k={k}"),
                    None => format!("n={n}: never (k ≤ {})", ks.last().unwrap_or(&0)),
                });
            }
        }
        if !parts.is_empty() {
            c.push(format!(
                "`{bulk}` beats `per_header_call` — {}.",
                parts.join("; ")
            ));
        }
    }
    // Best stack threshold: the geometric mean over header counts of each threshold's ratio to the
    // best threshold at that count.
    let thresholds = values(f, "threshold");
    let counts: Vec<u64> = f
        .records
        .iter()
        .filter(|r| r.strategy == "stack_slots")
        .filter_map(|r| param(r, "n"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !thresholds.is_empty() && !counts.is_empty() {
        let mut scores: Vec<(u64, f64)> = thresholds
            .iter()
            .map(|&t| {
                let logs: Vec<f64> = counts
                    .iter()
                    .filter_map(|&n| {
                        let m = median(f, "stack_slots", &[("n", n), ("threshold", t)])?;
                        let best = thresholds
                            .iter()
                            .filter_map(|&u| {
                                median(f, "stack_slots", &[("n", n), ("threshold", u)])
                            })
                            .fold(f64::INFINITY, f64::min);
                        Some((m / best).ln())
                    })
                    .collect();
                (
                    t,
                    (logs.iter().sum::<f64>() / logs.len().max(1) as f64).exp(),
                )
            })
            .collect();
        scores.sort_by(|a, b| a.1.total_cmp(&b.1));
        let list = scores
            .iter()
            .map(|(t, s)| format!("{t}: ×{s:.3}"))
            .collect::<Vec<_>>()
            .join(", ");
        c.push(format!(
            "The best stack threshold for the view slots is {} (geometric mean over header counts {}–{} of the ratio to the best threshold per count: {list}).",
            scores[0].0,
            counts[0],
            counts[counts.len() - 1]
        ));
        // What spilling to the heap costs at the documents' threshold.
        if let (Some(heap), Some(stack)) = (
            median(f, "stack_slots", &[("n", 16), ("threshold", 0)]),
            median(f, "stack_slots", &[("n", 16), ("threshold", 16)]),
        ) {
            c.push(format!(
                "At 16 headers the heap slots cost {} ns more than stack slots (×{:.2}).",
                fmt_ns(heap - stack),
                heap / stack
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn anchors_follow_markdown() {
        assert_eq!(anchor("S02 pass a string R→C"), "s02-pass-a-string-rc");
    }
}
