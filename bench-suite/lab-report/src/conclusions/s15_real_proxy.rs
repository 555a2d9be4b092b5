//! Conclusions of S15 a real proxy (`s15_real_proxy`, C→R): the lab's two filters as a Rust nginx
//! module under wrk, beside the same filters as a C module (`c_module`, the floor: the same work
//! as the Rust `borrow`) and nginx's own ways (built-in directives, Lua, njs). The figure is the
//! nginx worker's CPU time per request, which depends least on wrk sharing the 2 cores. Per
//! filter: what each way adds to the proxy alone (`no_filter`); the Rust module against the C
//! module; and the tie-back — the crossings and copies a request makes, priced by this machine's
//! S01 and S14 rows, beside the measured difference, so the report says how much of a request the
//! boundary is.

use lab_record::{Record, ResultFile};

use super::shared::{instructions, over_rounds, s01_empty_call, us_signed, View};
use crate::floor::S15_FLOOR;
use crate::stats::{fmt_ns, interpolate, margin, more_or_less, param_str, versus};

/// The module's strategies, each with the S14 strategy that crosses the same way (one crossing
/// with views, a copy per header read, one bulk copy of every header).
const STRATEGIES: [(&str, &str); 3] = [
    ("borrow", "bulk_borrow"),
    ("copy_per_header", "per_header_call"),
    ("bulk_copy", "bulk_copy"),
];

/// Crossings one request makes with the module on its 200 path: C→R (nginx calls the access
/// handler) and R→C (the module calls nginx: `ngx_list_push` per header set, `ngx_pnalloc` per
/// copied set value). Counted from hosts/nginx/src/lib.rs.
fn crossings(filter: &str, strategy: &str) -> (u32, u32) {
    match (filter, strategy) {
        ("header_get_set", "borrow") => (1, 3),
        ("header_get_set", _) => (1, 6),
        _ => (1, 0),
    }
}

fn row<'a>(f: &'a ResultFile, strategy: &str, filter: &str) -> Option<&'a Record> {
    f.records
        .iter()
        .find(|r| r.strategy == strategy && param_str(r, "filter") == Some(filter))
}

/// The median ns of `strategy` in `file` (of `scenario`, `lang`, C→R or R→C) at `filter`'s params.
fn lab_row<'a>(
    v: &View<'a>,
    scenario: &str,
    lang: &str,
    dir: &str,
    strategy: &str,
    filter: &str,
) -> Option<&'a Record> {
    let f = v
        .all
        .iter()
        .find(|o| o.scenario == scenario && o.lang == lang && o.direction == dir)?;
    f.records.iter().find(|r| {
        r.strategy == strategy
            && param_str(r, "filter").is_none_or(|x| x == filter)
            && param_str(r, "credentials").is_none_or(|c| c == "valid")
    })
}

/// What one request's crossings and copies cost at this machine's S01 prices: the module's C→R
/// and R→C crossings (`crossings`) times S01's empty calls, plus S01's `memcpy` of the bytes it
/// copies; `None` without S01's rows.
pub fn price(all: &[ResultFile], filter: &str, strategy: &str, bytes: f64) -> Option<f64> {
    let call = |dir: &str| s01_empty_call(all, dir).map(|r| r.ns_per_call.median);
    let memcpy: Vec<(f64, f64)> = all
        .iter()
        .find(|o| o.scenario == "s01_call_floor" && o.lang == "rust" && o.direction == "r2c")?
        .records
        .iter()
        .filter(|r| r.strategy == "memcpy")
        .filter_map(|r| Some((crate::stats::param(r, "len")? as f64, r.ns_per_call.median)))
        .collect();
    let (c2r_n, r2c_n) = crossings(filter, strategy);
    let copy = if bytes > 0.0 {
        interpolate(&memcpy, bytes).unwrap_or(0.0)
    } else {
        0.0
    };
    Some(c2r_n as f64 * call("c2r")? + r2c_n as f64 * call("r2c")? + copy)
}

/// A request's priced crossings and copies as a share (%) of the `borrow` module's worker CPU
/// for basic auth: the front page's figure for what part of a real proxy's request the boundary is.
pub fn basic_auth_share(all: &[ResultFile]) -> Option<(&ResultFile, &Record, f64)> {
    let f = all
        .iter()
        .find(|o| o.scenario == "s15_real_proxy" && o.lang == "rust" && o.direction == "c2r")?;
    let r = row(f, "borrow", "basic_auth")?;
    let p = price(all, "basic_auth", "borrow", r.bytes_copied_per_call)?;
    Some((f, r, 100.0 * p / r.ns_per_call.median))
}

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    let none = row(f, "no_filter", "none");
    if let Some(n) = none {
        c.push(format!(
            "The proxy alone (`no_filter`, empty_gif) costs the worker {} ns of CPU per request ({:.0} requests/s); \
             each line below gives what a filter adds to it (worker CPU per request, the median of the rounds).",
            fmt_ns(n.ns_per_call.median),
            n.load.map_or(0.0, |l| l.requests_per_s)
        ));
    }
    // The largest share of a request the priced crossings take, for the headline (not which row
    // has it: of rows within a few hundredths of a percent of each other, that is noise).
    let mut largest: Option<f64> = None;
    let mut deltas: Vec<f64> = Vec::new();
    for filter in ["basic_auth", "header_get_set"] {
        let rows: Vec<&Record> = f
            .records
            .iter()
            .filter(|r| param_str(r, "filter") == Some(filter))
            .collect();
        if rows.is_empty() {
            continue;
        }
        if let Some(n) = none {
            let base = n.ns_per_call.median;
            let adds: Vec<String> = rows
                .iter()
                .map(|r| {
                    let counted = match (instructions(r), instructions(n)) {
                        (Some(a), Some(b)) => format!(", {:+.0} instructions", a - b),
                        _ => String::new(),
                    };
                    // Every case runs in every round: the two compare round by round.
                    let noise = if over_rounds(r, n).is_some_and(|m| m.beyond_noise()) {
                        ""
                    } else {
                        ", within the noise"
                    };
                    format!(
                        "`{}` {}{noise}{counted}",
                        r.strategy,
                        us_signed(r.ns_per_call.median - base)
                    )
                })
                .collect();
            c.push(format!(
                "{filter}: over `no_filter`, worker CPU and instructions per request (callgrind): {}.",
                adds.join("; ")
            ));
        }
        let Some(floor) = row(f, S15_FLOOR, filter) else {
            continue;
        };
        let total = floor.ns_per_call.median;
        for (strategy, s14) in STRATEGIES {
            let Some(r) = row(f, strategy, filter) else {
                continue;
            };
            let Some(m) = margin(r, floor) else { continue };
            // Round by round, as × floor (its sign is × floor's side of 1); else the medians'.
            let delta = r
                .ratios
                .as_ref()
                .and_then(|x| x.minus_floor)
                .map_or(r.ns_per_call.median - total, |d| d.median);
            deltas.push(delta);
            let (c2r_n, r2c_n) = crossings(filter, strategy);
            let bytes = r.bytes_copied_per_call;
            let predicted = price(v.all, filter, strategy, bytes);
            // S14's boundary cost for the same filter and way across: Rust − C through the driver,
            // round by round where the C twin ran in the Rust row's rounds.
            let rust = lab_row(v, "s14_filters", "rust", "c2r", s14, filter);
            let s14_cost = rust
                .and_then(|r| r.ratios.as_ref()?.minus_floor)
                .map(|d| d.median)
                .or_else(|| {
                    let cc = lab_row(v, "s14_filters", "c", "c2r", s14, filter)?;
                    Some(rust?.ns_per_call.median - cc.ns_per_call.median)
                });
            if let Some(p) = predicted {
                let share = 100.0 * p / r.ns_per_call.median;
                if largest.is_none_or(|s| share > s) {
                    largest = Some(share);
                }
            }
            let tie = match (predicted, s14_cost) {
                (Some(p), Some(s)) => format!(
                    "; its {c2r_n} C→R + {r2c_n} R→C crossings and {bytes:.0} B copied cost {} ns at S01's prices \
                     ({:.2} % of the request), S14's `{s14}` run costs {} in Rust than in C",
                    fmt_ns(p),
                    100.0 * p / r.ns_per_call.median,
                    more_or_less(s)
                ),
                (Some(p), None) => format!(
                    "; its {c2r_n} C→R + {r2c_n} R→C crossings and {bytes:.0} B copied cost {} ns at S01's prices \
                     ({:.2} % of the request; S14 not measured)",
                    fmt_ns(p),
                    100.0 * p / r.ns_per_call.median
                ),
                _ => "; S01 not measured here: the crossings are not priced".into(),
            };
            let versus = versus(
                &format!("`{strategy}`"),
                &format!("`{S15_FLOOR}`"),
                &m,
                &format!(
                    "medians {} vs {} ns{}",
                    fmt_ns(r.ns_per_call.median),
                    fmt_ns(total),
                    match (instructions(r), instructions(floor)) {
                        (Some(a), Some(b)) =>
                            format!("; {a:.0} vs {b:.0} instructions per request (callgrind)"),
                        _ => String::new(),
                    }
                ),
            );
            c.push(format!(
                "{filter}: {versus}: {} per request, {} % of the C module's{tie}.",
                us_signed(delta),
                us_signed(1000.0 * 100.0 * delta / total).replace(" µs", ""),
            ));
        }
    }
    // A share is priced only for a row whose delta was kept: both are there or neither.
    if let (Some(share), Some((lo, hi))) = (largest, crate::stats::range(deltas)) {
        let word = if share < 1.0 {
            "a small part"
        } else {
            "a measurable part"
        };
        c.insert(
            0,
            format!(
                "The boundary is {word} of a request: the module's crossings and copies, priced at this \
                 machine's S01 rows, are at most {share:.2} % of the worker's CPU per request, \
                 while the Rust module's requests differ from the C module's (the same work in C) by {} to {} per request.",
                us_signed(lo),
                us_signed(hi)
            ),
        );
    }
    c
}
