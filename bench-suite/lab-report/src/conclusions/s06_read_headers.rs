//! Conclusions of S06 read all headers of a request (FINDINGS S06, `s06_read_headers`, R→C): when
//! one bulk call beats one call per header, and which stack threshold for the view slots is best —
//! the documents' 16 was "picked by gut feeling, never measured".

use lab_record::{Record, ResultFile};

use super::shared::View;
use crate::stats::{at, find, leaders, margin, more_or_less, param, versus, Margin};

/// The strategies that read every header in one call, each set against `per_header_call`.
pub const BULK: [&str; 3] = ["bulk_borrow", "bulk_copy", "bulk_copy_per_request"];

/// The strategy of one call per header read.
pub const PER_HEADER: &str = "per_header_call";

/// One call and one owned copy per header read: what the documents' "copy all headers at once"
/// (`bulk_copy`) is measured against, copies against copies.
pub const PER_HEADER_COPY: &str = "per_header_copy";

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    for bulk in BULK {
        let cells = crossover(f, bulk, PER_HEADER);
        if cells.is_empty() {
            continue;
        }
        let (wins, losses, ties) = tally(&cells);
        c.push(format!(
            "`{bulk}` against `{PER_HEADER}` (`{bulk}` / `{PER_HEADER}` reading k of n headers, the median of the rounds with their quartiles; below 1 `{bulk}` is the faster): faster at {wins} of {} points, slower at {losses}, no measurable difference at {ties}.\n\n{}",
            cells.len(),
            crossover_table(&cells)
        ));
    }
    // The documents' claim on like-for-like pairs: both copy what the filter reads, one in a
    // single call for every header, the other a call and a copy per header read.
    let cells = crossover(f, "bulk_copy", PER_HEADER_COPY);
    if !cells.is_empty() {
        let (wins, losses, ties) = tally(&cells);
        c.push(format!(
            "Copy all headers at once, or copy each header read? `bulk_copy` against `{PER_HEADER_COPY}` (one call and one owned copy per header read; `bulk_copy` / `{PER_HEADER_COPY}`, the median of the rounds with their quartiles; below 1 the bulk copy is the faster): faster at {wins} of {} points, slower at {losses}, no measurable difference at {ties}.\n\n{}",
            cells.len(),
            crossover_table(&cells)
        ));
    }
    c.extend(thresholds(f));
    // What spilling to the heap costs at the documents' threshold.
    let slots = |t: u64| find(f, "stack_slots", |r| at(r, &[("n", 16), ("threshold", t)]));
    if let (Some(heap), Some(stack)) = (slots(0), slots(16)) {
        if let Some(m) = margin(heap, stack) {
            c.push(format!(
                "At 16 headers the heap slots (threshold 0) cost {} than stack slots (threshold 16): {}.",
                more_or_less(heap.ns_per_call.median - stack.ns_per_call.median),
                versus("the heap", "the stack", &m, "")
            ));
        }
    }
    c
}

/// One (n, k) point of a bulk strategy against a per-header one.
pub struct Cell {
    pub n: u64,
    pub k: u64,
    /// The bulk row over the per-header row.
    pub margin: Margin,
}

/// `bulk` over `per` (a per-header strategy) at every (n, k) both measured, by n then k.
pub fn crossover(f: &ResultFile, bulk: &str, per: &str) -> Vec<Cell> {
    let mut cells: Vec<Cell> = f
        .records
        .iter()
        .filter(|r| r.strategy == per)
        .filter_map(|p| {
            let (n, k) = (param(p, "n")?, param(p, "k")?);
            let b = find(f, bulk, |r| r.params == p.params)?;
            Some(Cell {
                n,
                k,
                margin: margin(b, p)?,
            })
        })
        .collect();
    cells.sort_by_key(|c| (c.n, c.k));
    cells
}

/// (bulk faster, bulk slower, no measurable difference), each beyond the noise.
pub fn tally(cells: &[Cell]) -> (usize, usize, usize) {
    let beyond = |faster: bool| {
        cells
            .iter()
            .filter(|c| c.margin.beyond_noise() && (c.margin.ratio.median < 1.0) == faster)
            .count()
    };
    let (w, l) = (beyond(true), beyond(false));
    (w, l, cells.len() - w - l)
}

/// Rows n, columns k (the values present), a cell "×0.93 [0.90–0.96]" where measured: the
/// figures, without a verdict per cell (a cell near the noise floor is called one way in one run
/// and the other in the next; the sentence above counts them).
fn crossover_table(cells: &[Cell]) -> String {
    let mut ns: Vec<u64> = cells.iter().map(|c| c.n).collect();
    let mut ks: Vec<u64> = cells.iter().map(|c| c.k).collect();
    for v in [&mut ns, &mut ks] {
        v.sort_unstable();
        v.dedup();
    }
    let mut t = format!(
        "| n | {} |\n|---|{}\n",
        ks.iter()
            .map(|k| format!("k={k}"))
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(ks.len())
    );
    for n in ns {
        let row: Vec<String> = ks
            .iter()
            .map(|&k| {
                cells
                    .iter()
                    .find(|c| c.n == n && c.k == k)
                    .map_or("–".into(), |c| c.margin.to_string())
            })
            .collect();
        t.push_str(&format!("| {n} | {} |\n", row.join(" | ")));
    }
    t.trim_end().to_owned()
}

/// The stack thresholds at one header count: those that lead (within the noise of the fastest),
/// and the fastest of the others with its margin over the fastest.
pub struct ThresholdsAt<'a> {
    pub n: u64,
    /// Every threshold's row at this count.
    pub all: Vec<&'a Record>,
    pub leaders: Vec<&'a Record>,
    pub runner_up: Option<(&'a Record, Margin)>,
}

/// At each header count, which thresholds lead: the `stack_slots` rows of one n share their
/// rounds (`threshold` is a variant parameter), so they compare round by round.
pub fn thresholds_at(f: &ResultFile) -> Vec<ThresholdsAt<'_>> {
    let slots: Vec<&Record> = f
        .records
        .iter()
        .filter(|r| r.strategy == "stack_slots")
        .collect();
    let mut ns: Vec<u64> = slots.iter().filter_map(|r| param(r, "n")).collect();
    ns.sort_unstable();
    ns.dedup();
    ns.into_iter()
        .filter_map(|n| {
            let rows: Vec<&Record> = slots
                .iter()
                .copied()
                .filter(|r| param(r, "n") == Some(n))
                .collect();
            let lead = leaders(rows.clone());
            let first = *lead.first()?;
            let runner_up = rows
                .iter()
                .copied()
                .filter(|r| !lead.iter().any(|l| std::ptr::eq(*l, *r)))
                .filter_map(|r| Some((r, margin(r, first)?)))
                .min_by(|a, b| a.1.ratio.median.total_cmp(&b.1.ratio.median));
            Some(ThresholdsAt {
                n,
                all: rows,
                leaders: lead,
                runner_up,
            })
        })
        .collect()
}

/// What the threshold sweep supports, in one sentence the guide repeats: whether a threshold at
/// or above the request's header count is as good as any (every such threshold among the leaders
/// of that count), and how often the documents' 16 leads. Not "the best threshold": at each count
/// every threshold that keeps the slots on the stack does the same work, and which of them a run
/// finds fastest is noise.
pub fn threshold_claim(at: &[ThresholdsAt]) -> Option<String> {
    let t = |r: &Record| param(r, "threshold");
    let covered: Vec<&ThresholdsAt> = at
        .iter()
        .filter(|a| a.all.iter().any(|r| t(r).is_some_and(|x| x >= a.n)))
        .collect();
    if covered.is_empty() {
        return None;
    }
    let held = covered
        .iter()
        .filter(|a| {
            a.all
                .iter()
                .filter(|r| t(r).is_some_and(|x| x >= a.n))
                .all(|r| a.leaders.iter().any(|l| std::ptr::eq(*l, *r)))
        })
        .count();
    let sixteen = at
        .iter()
        .filter(|a| a.leaders.iter().any(|r| t(r) == Some(16)))
        .count();
    Some(format!(
        "The documents' 16 is as fast as the fastest threshold at {sixteen} of {} header counts; a threshold at or above the count, which keeps every view on the stack, is as fast as the fastest at {held} of {} (below the count the views go to the heap).",
        at.len(),
        covered.len()
    ))
}

fn thresholds(f: &ResultFile) -> Vec<String> {
    let at = thresholds_at(f);
    let Some(claim) = threshold_claim(&at) else {
        return Vec::new();
    };
    let threshold = |r: &Record| param(r, "threshold").map_or("?".into(), |t| t.to_string());
    let mut table = String::from(
        "| n | leading thresholds (no measurable difference between them) | next threshold, over the fastest |\n|---|---|---|\n",
    );
    for a in &at {
        let mut lead: Vec<&Record> = a.leaders.clone();
        lead.sort_by_key(|r| param(r, "threshold"));
        let lead: Vec<String> = lead.into_iter().map(threshold).collect();
        let next = a
            .runner_up
            .map_or("–".into(), |(r, m)| format!("{}: {m}", threshold(r)));
        table.push_str(&format!("| {} | {} | {next} |\n", a.n, lead.join(", ")));
    }
    vec![format!(
        "{claim} Per header count, the thresholds within the noise of the fastest, and the fastest of the rest with its margin:\n\n{}",
        table.trim_end()
    )]
}
