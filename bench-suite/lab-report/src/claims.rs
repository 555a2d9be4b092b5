//! The documents against the lab: one entry per claim of `docs/FINDINGS.md` — what the documents
//! say with their figure, what this run measured, and a verdict in a word with the reason in a
//! few. Each verdict is computed from the records by the claim's own function; a claim the lab
//! cannot measure says why.

use std::fmt::Write as _;

use lab_record::{Record, ResultFile};

use crate::anchors::row_link;
use crate::stats::{fmt_ns, labelled_row as row, margin, Margin};

/// A verdict and why, in a few words.
struct Verdict {
    word: &'static str,
    lab: String,
}

/// One claim: its scenario, the documents' words and figure, and the function that reads this
/// run's answer.
struct Claim {
    scenario: &'static str,
    documents: &'static str,
    judge: fn(&[ResultFile]) -> Option<Verdict>,
}

/// Every claim, in FINDINGS' order.
const CLAIMS: &[Claim] = &[
    Claim { scenario: "s01_call_floor", documents: "A C→Go call took ~1600 ns, ~140 ns once the M stays bound to the C thread (CL 392854).", judge: c_to_go_call },
    Claim { scenario: "s01_call_floor", documents: "dyu/ffi-overhead, 2026: a call into C costs Rust 1.6 ns, Go 19.7 ns.", judge: call_into_c },
    Claim { scenario: "s01_call_floor", documents: "A Go→C call needs no M hand-off: tens of ns.", judge: go_to_c_call },
    Claim { scenario: "s01_call_floor", documents: "With the M kept bound, the whole proxy got 8 % faster, QPS ~10 % higher.", judge: old_go_runtime },
    Claim { scenario: "s02_pass_string", documents: "`#cgo noescape` on a pointer-and-length call: 87.02 → 61.30 ns (about 20 ns less).", judge: noescape },
    Claim { scenario: "s02_pass_string", documents: "`C.CString` costs a malloc, a copy and a free (two more cgo calls) against lending pointer and length.", judge: c_string },
    Claim { scenario: "s03_unknown_length", documents: "Returning (pointer, length): borrow the C memory or clone it. No figure.", judge: unknown_length },
    Claim { scenario: "s04_known_length", documents: "With the length known first, allocate on the extension's side and copy once. No figure.", judge: known_length },
    Claim { scenario: "s05_pass_batch", documents: "Pinned views of each string beat one `C.CString` per item. No figure.", judge: batch },
    Claim { scenario: "s05_pass_batch", documents: "With cgocheck off (no pinning), several times faster again.", judge: cgocheck },
    Claim { scenario: "s06_read_headers", documents: "Copy every header at the first read: a call costs more than the copy.", judge: copy_all_headers },
    Claim { scenario: "s06_read_headers", documents: "The stack threshold `maxStackAllocedHeaderSize` = 16 was chosen by feel, never benchmarked.", judge: threshold },
    Claim { scenario: "s06_read_headers", documents: "`copyHeaderMapToGo` with one copy fewer: 2656 → 2269 ns.", judge: envoy_header_map },
    Claim { scenario: "s07_copy_on_demand", documents: "Copy nothing up front: small gain for headers, largest for a body never read.", judge: lazy },
    Claim { scenario: "s08_cross_thread_writes", documents: "A write from another thread is posted to the worker; no lock needed. No figure.", judge: post_or_lock },
    Claim { scenario: "s09_request_lifetime", documents: "Every API call locks a weak pointer to the request. No figure.", judge: lifetime },
    Claim { scenario: "s10_panic", documents: "`recover` ends only the panicking request. No figure.", judge: panic },
    Claim { scenario: "s11_thread_attach", documents: "A C thread's first call into Go pays for an extra M, once per thread.", judge: first_call },
    Claim { scenario: "s12_tail_latency", documents: "At ~2000 QPS, 0.8 ms average with GC-driven spikes to 19.5 ms.", judge: tail },
    Claim { scenario: "s12_tail_latency", documents: "A C thread can wait for a free P; remedies: a `cgonext` slot, reusing the P parked in a syscall (CL 455418).", judge: p_starvation },
    Claim { scenario: "s13_ownership", documents: "Body data handed over between two buffers instead of copied. No figure.", judge: handoff },
    Claim { scenario: "s14_filters", documents: "In Envoy under wrk on 2 cores: `noescape` gave QPS +0.5–1 %.", judge: envoy_qps },
    Claim { scenario: "s14_filters", documents: "The same change made ~50 % fewer GC runs.", judge: envoy_gc },
    Claim { scenario: "s15_real_proxy", documents: "A proxy's own work dominates: the boundary is a small part of a request.", judge: real_proxy },
    Claim { scenario: "s16_envoy", documents: "In Envoy, a filter's module is a small part of a proxied request.", judge: envoy_share },
];

/// `[12.3 ns](link)`: a row's median linked to its row (Go rows to the Rust row they stand in).
fn cell(files: &[ResultFile], (f, r): (&ResultFile, &Record)) -> String {
    let anchor = if f.lang == "rust" {
        Some(row_link(f, r))
    } else {
        row(
            files,
            &f.scenario,
            "rust",
            &f.direction,
            &r.strategy,
            &r.params_label(),
        )
        .map(|(rf, rr)| row_link(rf, rr))
    };
    let ns = format!("{} ns", fmt_ns(r.ns_per_call.median));
    anchor.map_or(ns.clone(), |a| format!("[{ns}]({a})"))
}

fn c_to_go_call(files: &[ResultFile]) -> Option<Verdict> {
    let go = row(files, "s01_call_floor", "go", "c2r", "empty_call", "")?;
    let rust = row(files, "s01_call_floor", "rust", "c2r", "empty_call", "");
    let ns = go.1.ns_per_call.median;
    Some(Verdict {
        word: if ns <= 140.0 { "confirmed" } else { "differs" },
        lab: format!(
            "C→Go {} (C→Rust {}): at or below the documents' 140 ns, far from 1600.",
            cell(files, go),
            rust.map_or("–".into(), |r| cell(files, r))
        ),
    })
}

fn call_into_c(files: &[ResultFile]) -> Option<Verdict> {
    let rust = row(files, "s01_call_floor", "rust", "r2c", "empty_call", "")?;
    let go = row(files, "s01_call_floor", "go", "r2c", "empty_call", "")?;
    let (r, g) = (rust.1.ns_per_call.median, go.1.ns_per_call.median);
    let near = |x: f64, doc: f64| (doc / 1.25..=doc * 1.25).contains(&x);
    Some(Verdict {
        word: if near(r, 1.6) && near(g, 19.7) {
            "confirmed"
        } else {
            "differs"
        },
        lab: format!(
            "Rust {} (×{:.2} of 1.6), Go {} (×{:.2} of 19.7; within ±25 % counts as the same).",
            cell(files, rust),
            r / 1.6,
            cell(files, go),
            g / 19.7
        ),
    })
}

fn noescape(files: &[ResultFile]) -> Option<Verdict> {
    let with = row(files, "s02_pass_string", "go", "r2c", "ptr_len", "len=64")?;
    let without = row(
        files,
        "s02_pass_string",
        "go",
        "r2c",
        "ptr_len_escape",
        "len=64",
    )?;
    let m = margin(with.1, without.1)?;
    Some(Verdict {
        word: expected(&m, true),
        lab: format!(
            "Go at 64 B: {} with it, {} without ({m}; {:.1} ns less).",
            cell(files, with),
            cell(files, without),
            without.1.ns_per_call.median - with.1.ns_per_call.median
        ),
    })
}

/// The verdict of a claim that one row costs less (`lower`) or more than another: confirmed beyond
/// the noise, not reproduced the other way, or within the noise.
fn expected(m: &Margin, lower: bool) -> &'static str {
    if !m.beyond_noise() {
        "within the noise"
    } else if (m.ratio.median < 1.0) == lower {
        "confirmed"
    } else {
        "not reproduced"
    }
}

/// A measured answer where the documents give no figure.
fn measured(lab: String) -> Option<Verdict> {
    Some(Verdict {
        word: "measured",
        lab,
    })
}

fn unknown_length(files: &[ResultFile]) -> Option<Verdict> {
    let borrow = row(
        files,
        "s03_unknown_length",
        "rust",
        "r2c",
        "borrow",
        "len=1024",
    )?;
    let clone = row(
        files,
        "s03_unknown_length",
        "rust",
        "r2c",
        "clone_on_return",
        "len=1024",
    )?;
    measured(format!(
        "At 1 KiB, borrowing {}, an owned copy {}.",
        cell(files, borrow),
        cell(files, clone)
    ))
}

fn known_length(files: &[ResultFile]) -> Option<Verdict> {
    let pre = row(
        files,
        "s04_known_length",
        "rust",
        "r2c",
        "prealloc_reused",
        "len=1024",
    )?;
    let clone = row(
        files,
        "s04_known_length",
        "rust",
        "r2c",
        "clone_on_return",
        "len=1024",
    )?;
    let m = margin(clone.1, pre.1)?;
    measured(format!(
        "At 1 KiB, one copy into a kept buffer {}, a fresh copy {} ({m}).",
        cell(files, pre),
        cell(files, clone)
    ))
}

fn batch(files: &[ResultFile]) -> Option<Verdict> {
    let pinned = row(files, "s05_pass_batch", "go", "r2c", "pinned_batch", "n=16")?;
    let each = row(files, "s05_pass_batch", "go", "r2c", "cstring_each", "n=16")?;
    let m = margin(each.1, pinned.1)?;
    Some(Verdict {
        word: expected(&m, false),
        lab: format!(
            "Go, 16 strings: pinned views {}, a C string each {} ({m}).",
            cell(files, pinned),
            cell(files, each)
        ),
    })
}

fn copy_all_headers(files: &[ResultFile]) -> Option<Verdict> {
    let f = files
        .iter()
        .find(|f| f.scenario == "s06_read_headers" && f.lang == "rust" && f.direction == "r2c")?;
    let mut faster = 0;
    let mut slower = 0;
    let mut points = 0;
    for bulk in f.records.iter().filter(|r| r.strategy == "bulk_copy") {
        let Some(each) = f
            .records
            .iter()
            .find(|r| r.strategy == "per_header_copy" && r.params == bulk.params)
        else {
            continue;
        };
        let Some(m) = margin(bulk, each) else {
            continue;
        };
        points += 1;
        if m.beyond_noise() {
            if m.ratio.median < 1.0 {
                faster += 1;
            } else {
                slower += 1;
            }
        }
    }
    (points > 0).then(|| Verdict {
        word: if faster * 2 > points { "confirmed" } else { "not reproduced" },
        lab: format!(
            "Rust: one bulk copy against a copy per header read is faster at {faster} of {points} (n, k) points, slower at {slower}: a call costs less than a copy here."
        ),
    })
}

fn go_to_c_call(files: &[ResultFile]) -> Option<Verdict> {
    let go = row(files, "s01_call_floor", "go", "r2c", "empty_call", "")?;
    let ns = go.1.ns_per_call.median;
    Some(Verdict {
        word: if (10.0..100.0).contains(&ns) {
            "confirmed"
        } else {
            "differs"
        },
        lab: format!("Go→C {}.", cell(files, go)),
    })
}

fn old_go_runtime(_: &[ResultFile]) -> Option<Verdict> {
    Some(Verdict {
        word: "not measured here",
        lab: "Needs a Go runtime before CL 392854.".into(),
    })
}

fn cgocheck(_: &[ResultFile]) -> Option<Verdict> {
    Some(Verdict {
        word: "not measured here",
        lab: "The Go reference runs with cgocheck as Go sets it; Rust's borrowed views need no pinning."
            .into(),
    })
}

fn envoy_header_map(_: &[ResultFile]) -> Option<Verdict> {
    Some(Verdict {
        word: "not measured here",
        lab: "Envoy 1.40 has no `golang` filter.".into(),
    })
}

fn lazy(files: &[ResultFile]) -> Option<Verdict> {
    let at = |s: &str, p: &str| row(files, "s07_copy_on_demand", "rust", "c2r", s, p);
    let header = (
        at("eager", "filter=one_header,body=0")?,
        at("lazy", "filter=one_header,body=0")?,
    );
    let body = (
        at("eager", "filter=nothing,body=1048576")?,
        at("lazy", "filter=nothing,body=1048576")?,
    );
    let (mh, mb) = (
        margin(header.0 .1, header.1 .1)?,
        margin(body.0 .1, body.1 .1)?,
    );
    let confirmed = mb.beyond_noise() && mb.ratio.median > mh.ratio.median;
    Some(Verdict {
        word: if confirmed { "confirmed" } else { "differs" },
        lab: format!("Eager over lazy: one header read {mh}; a 1 MiB body never read {mb}."),
    })
}

fn post_or_lock(files: &[ResultFile]) -> Option<Verdict> {
    let post = row(
        files,
        "s08_cross_thread_writes",
        "rust",
        "r2c",
        "post",
        "writers=1,wait=0",
    )?;
    let lock = row(
        files,
        "s08_cross_thread_writes",
        "rust",
        "r2c",
        "mutex",
        "writers=1,wait=0",
    )?;
    measured(format!(
        "One writer: posted {}, locked {}.",
        cell(files, post),
        cell(files, lock)
    ))
}

fn lifetime(files: &[ResultFile]) -> Option<Verdict> {
    let none = row(
        files,
        "s09_request_lifetime",
        "rust",
        "r2c",
        "unchecked",
        "threads=1",
    )?;
    let weak = row(
        files,
        "s09_request_lifetime",
        "rust",
        "r2c",
        "weak_upgrade",
        "threads=1",
    )?;
    measured(format!(
        "A host call {}, behind a weak pointer's upgrade {}.",
        cell(files, none),
        cell(files, weak)
    ))
}

fn panic(files: &[ResultFile]) -> Option<Verdict> {
    let guard = row(files, "s10_panic", "rust", "c2r", "guarded", "")?;
    let panic = row(files, "s10_panic", "rust", "c2r", "panic", "")?;
    Some(Verdict {
        word: "confirmed",
        lab: format!(
            "Rust's guard (`catch_unwind` at every entry) costs {} per callback; a panic costs {} and ends that request only (the driver checks the host survives).",
            cell(files, guard),
            cell(files, panic)
        ),
    })
}

fn first_call(files: &[ResultFile]) -> Option<Verdict> {
    let first = row(
        files,
        "s11_thread_attach",
        "go",
        "c2r",
        "first_call",
        "filter=one_header",
    )?;
    let steady = row(
        files,
        "s11_thread_attach",
        "go",
        "c2r",
        "steady",
        "filter=one_header",
    )?;
    let x = first.1.ns_per_call.median / steady.1.ns_per_call.median;
    Some(Verdict {
        word: if x > 2.0 {
            "confirmed"
        } else {
            "not reproduced"
        },
        lab: format!(
            "Go: first call {}, then {} (×{x:.0}).",
            cell(files, first),
            cell(files, steady)
        ),
    })
}

fn tail(files: &[ResultFile]) -> Option<Verdict> {
    let p = |r: &Record, k: &str| crate::stats::percentile(r, k);
    let go = row(
        files,
        "s12_tail_latency",
        "go",
        "c2r",
        "alloc_heavy",
        "calls=1000000",
    )?
    .1;
    let rust = row(
        files,
        "s12_tail_latency",
        "rust",
        "c2r",
        "alloc_heavy",
        "calls=1000000",
    )?
    .1;
    let spread = |r: &Record| Some(p(r, "p99.9")? / p(r, "p50")?);
    let (g, r) = (spread(go)?, spread(rust)?);
    Some(Verdict {
        word: if g > 2.0 * r { "confirmed in kind" } else { "not reproduced" },
        lab: format!(
            "Allocating filter, p99.9 over p50: Go ×{g:.1}, Rust ×{r:.1} (per call, not per second at a QPS)."
        ),
    })
}

fn handoff(files: &[ResultFile]) -> Option<Verdict> {
    let copy = row(files, "s13_ownership", "rust", "r2c", "copy", "len=16384")?;
    let hand = row(
        files,
        "s13_ownership",
        "rust",
        "r2c",
        "double_buffer",
        "len=16384",
    )?;
    let m = margin(copy.1, hand.1)?;
    measured(format!(
        "16 KiB chunks: copied {}, handed over {} ({m}); the ownership is a compile error, not a state machine.",
        cell(files, copy),
        cell(files, hand)
    ))
}

fn c_string(files: &[ResultFile]) -> Option<Verdict> {
    let at = |s: &str| row(files, "s02_pass_string", "go", "r2c", s, "len=64");
    let (go_c, go_p) = (at("cstring")?, at("ptr_len")?);
    let m = margin(go_c.1, go_p.1)?;
    Some(Verdict {
        word: expected(&m, false),
        lab: format!(
            "Go at 64 B: `C.CString` {} against pointer and length {} ({m}).",
            cell(files, go_c),
            cell(files, go_p)
        ),
    })
}

fn threshold(files: &[ResultFile]) -> Option<Verdict> {
    use crate::conclusions::s06_read_headers::{threshold_claim, thresholds_at};
    let f = files
        .iter()
        .find(|f| f.scenario == "s06_read_headers" && f.lang == "rust" && f.direction == "r2c")?;
    // Its first clause: the documents' 16 against the fastest (the guide gives the rest).
    let claim = threshold_claim(&thresholds_at(f))?;
    measured(format!(
        "Rust, views of 1–1024 headers: {}.",
        claim
            .split(';')
            .next()
            .unwrap_or(&claim)
            .trim_end_matches('.')
    ))
}

fn p_starvation(_: &[ResultFile]) -> Option<Verdict> {
    Some(Verdict {
        word: "not measured here",
        lab: "Needs more C threads than Go has Ps; Rust has no P to wait for.".into(),
    })
}

fn envoy_gc(files: &[ResultFile]) -> Option<Verdict> {
    use crate::conclusions::s16_envoy::noescape;
    let Some((with, without, _)) = s16(files).and_then(noescape) else {
        return Some(Verdict {
            word: "not measured here",
            lab: "S16 not measured in this run.".into(),
        });
    };
    // The cycles each row's load saw: a verdict on a handful of cycles would be noise.
    let cycles = |r: &Record| {
        Some((
            (r.gc_per_call? * r.load?.requests as f64).round(),
            r.load?.requests,
        ))
    };
    let ((w, wr), (wo, wor)) = (cycles(with)?, cycles(without)?);
    Some(Verdict {
        word: if wo < 10.0 {
            "not reproduced"
        } else if w <= 0.75 * wo {
            "confirmed"
        } else {
            "differs"
        },
        lab: format!(
            "S16, Go's views, header get/set: {w:.0} GC cycles in {wr} requests with, {wo:.0} in {wor} without{}.",
            if wo < 10.0 { ": too little garbage for GC to matter" } else { "" }
        ),
    })
}

/// S16's file, where Envoy ran.
fn s16(files: &[ResultFile]) -> Option<&ResultFile> {
    files
        .iter()
        .find(|f| f.scenario == "s16_envoy" && f.lang == "rust" && f.direction == "c2r")
}

fn envoy_qps(files: &[ResultFile]) -> Option<Verdict> {
    use crate::conclusions::s16_envoy::noescape;
    let Some((with, without, m)) = s16(files).and_then(noescape) else {
        return Some(Verdict {
            word: "not measured here",
            lab: "S16 not measured in this run.".into(),
        });
    };
    let rps = |r: &Record| r.load.map_or(0.0, |l| l.requests_per_s);
    let gain = 100.0 * (rps(with) / rps(without) - 1.0);
    Some(Verdict {
        word: expected(&m, false),
        lab: format!(
            "S16, Go's views, header get/set: {:.0} requests/s with, {:.0} without ({gain:+.1} %); CPU without over with {m}.",
            rps(with),
            rps(without)
        ),
    })
}

fn envoy_share(files: &[ResultFile]) -> Option<Verdict> {
    use crate::conclusions::s16_envoy::row;
    let f = s16(files)?;
    let (r, cpp) = (
        row(f, "borrow", "basic_auth", "proxied")?,
        row(f, crate::floor::S16_FLOOR, "basic_auth", "proxied")?,
    );
    let ir = crate::conclusions::instructions;
    let (a, b) = (ir(r)?, ir(cpp)?);
    let share = 100.0 * (a - b) / b;
    Some(Verdict {
        word: if share.abs() < 5.0 { "confirmed" } else { "differs" },
        lab: format!(
            "Proxied basic auth: the Rust module {a:.0} instructions per request, Envoy's C++ {b:.0} ({share:+.1} %)."
        ),
    })
}

fn real_proxy(files: &[ResultFile]) -> Option<Verdict> {
    let (f, r, share) = crate::conclusions::s15_real_proxy::basic_auth_share(files)?;
    Some(Verdict {
        word: if share < 1.0 { "confirmed" } else { "differs" },
        lab: format!(
            "nginx, basic auth: {} of worker CPU per request; its crossings and copies, priced at S01's rows, are {share:.2} % of it.",
            cell(files, (f, r)),
        ),
    })
}

/// The table of every claim with this run's answer; a claim whose rows are missing says so.
pub fn documents_against_the_lab(out: &mut String, files: &[ResultFile]) {
    if files.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## The documents against the lab\n\nEach claim of [docs/FINDINGS.md](docs/FINDINGS.md) with its figure, this run's, and a verdict.\n\n| scenario | the documents | this run | verdict |\n|---|---|---|---|"
    );
    for c in CLAIMS {
        let (lab, word) = match (c.judge)(files) {
            Some(v) => (v.lab, v.word),
            None => (
                "its rows were not measured in this run".into(),
                "not measured",
            ),
        };
        let id = c
            .scenario
            .split('_')
            .next()
            .unwrap_or(c.scenario)
            .to_uppercase();
        let _ = writeln!(out, "| {id} | {} | {lab} | {word} |", c.documents);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::CLAIMS;

    /// Every scenario of FINDINGS has a claim here, and every claim names a scenario that exists.
    #[test]
    fn every_scenario_has_its_claims_and_back() {
        for d in lab_record::scenario::all() {
            assert!(
                CLAIMS.iter().any(|c| c.scenario == d.id),
                "{}: no claim of the documents is judged",
                d.id
            );
        }
        for c in CLAIMS {
            assert!(
                lab_record::scenario::get(c.scenario).is_some(),
                "{}: no such scenario",
                c.scenario
            );
        }
    }

    /// Without records, every claim says it was not measured rather than guess.
    #[test]
    fn claims_without_records_are_not_measured() {
        let mut out = String::new();
        super::documents_against_the_lab(&mut out, &[]);
        assert!(out.is_empty());
        for c in CLAIMS {
            let v = (c.judge)(&[]);
            assert!(
                v.is_none() || v.is_some_and(|v| v.word == "not measured here"),
                "{}",
                c.documents
            );
        }
    }
}
