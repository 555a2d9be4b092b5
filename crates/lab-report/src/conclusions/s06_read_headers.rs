//! Conclusions of S06 read all headers of a request (FINDINGS S06, `s06_read_headers`, R→C): when
//! one bulk call beats one call per header, and which stack threshold for the view slots is best —
//! the documents' 16 was "picked by gut feeling, never measured".

use std::collections::BTreeSet;

use super::View;
use crate::stats::{fmt_ns, geo_mean, median, param, values};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    // Crossover: for each n, the smallest k at which a bulk strategy beats per_header_call.
    for bulk in ["bulk_borrow", "bulk_copy", "bulk_copy_per_request"] {
        let mut parts = Vec::new();
        for n in values(f, "n") {
            let ks: Vec<u64> = f
                .records
                .iter()
                .filter(|r| r.strategy == "per_header_call" && param(r, "n") == Some(n))
                .filter_map(|r| param(r, "k"))
                .collect::<BTreeSet<_>>()
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
    // best threshold at that count, so that no header count weighs more than another.
    let thresholds = values(f, "threshold");
    let counts: Vec<u64> = f
        .records
        .iter()
        .filter(|r| r.strategy == "stack_slots")
        .filter_map(|r| param(r, "n"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !thresholds.is_empty() && !counts.is_empty() {
        let slots = |n: u64, t: u64| median(f, "stack_slots", &[("n", n), ("threshold", t)]);
        let mut scores: Vec<(u64, f64)> = thresholds
            .iter()
            .map(|&t| {
                let ratios: Vec<f64> = counts
                    .iter()
                    .filter_map(|&n| {
                        let m = slots(n, t)?;
                        let best = thresholds
                            .iter()
                            .filter_map(|&u| slots(n, u))
                            .fold(f64::INFINITY, f64::min);
                        Some(m / best)
                    })
                    .collect();
                // A threshold measured at no count scores as neutral (×1), not as missing.
                (t, geo_mean(&ratios).unwrap_or(1.0))
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
        if let (Some(heap), Some(stack)) = (slots(16, 0), slots(16, 16)) {
            c.push(format!(
                "At 16 headers the heap slots cost {} ns more than stack slots (×{:.2}).",
                fmt_ns(heap - stack),
                heap / stack
            ));
        }
    }
    c
}
