//! Conclusions of S16 Envoy (`s16_envoy`, C→R): the lab's two filters as Rust and Go dynamic
//! modules in Envoy, beside Envoy's own C++ filters (`cpp`, the floor) and Lua. The figure is
//! Envoy's CPU time per request (every thread). Per filter: what each way adds to the route
//! alone, the Rust module against the C++ floor and against Go, `noescape` on Go's views (the
//! documents' QPS claim), and the proxied request: the module's share of a request that reaches
//! an upstream.

use lab_record::{Record, ResultFile};

use super::shared::{instructions, over_rounds, s01_empty_call, us_signed, View};
use crate::floor::S16_FLOOR;
use crate::stats::{fmt_ns, marked, param_str, Margin};

/// The Rust module's strategies.
const STRATEGIES: [&str; 4] = ["borrow", "bulk_borrow", "copy_per_header", "bulk_copy"];

/// The Go module's rows.
const GO: [&str; 4] = ["go_copy", "go_view", "go_bulk_copy", "go_view_escape"];

/// The row of `strategy` for `filter` on `route`.
pub fn row<'a>(f: &'a ResultFile, strategy: &str, filter: &str, route: &str) -> Option<&'a Record> {
    f.records.iter().find(|r| {
        r.strategy == strategy
            && param_str(r, "filter") == Some(filter)
            && param_str(r, "route") == Some(route)
    })
}

/// Crossings one 200 request makes with the Rust module: C→R, the hooks Envoy calls per stream
/// (filter_new, request_headers, response_headers, stream_complete, filter_destroy), and R→C,
/// the module's calls into Envoy (`get_header` per read, or `get_headers_size` and
/// `get_headers`; `set_header` per header set). Counted from hosts/envoy/rust/src.
fn crossings(filter: &str, strategy: &str) -> (u32, u32) {
    let bulk = strategy.starts_with("bulk");
    let reads = match (filter, bulk) {
        (_, true) => 2,
        ("basic_auth", false) => 1,
        (_, false) => 4,
    };
    let sets = if filter == "basic_auth" { 0 } else { 3 };
    (5, reads + sets)
}

/// S01's empty call each way (ns and instructions), from `all`.
fn empty_calls(all: &[ResultFile]) -> Option<[(f64, f64); 2]> {
    let call = |dir: &str| {
        let r = s01_empty_call(all, dir)?;
        Some((r.ns_per_call.median, instructions(r)?))
    };
    Some([call("c2r")?, call("r2c")?])
}

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    if let Some(n) = row(f, "no_filter", "none", "direct") {
        c.push(format!(
            "The route alone (`no_filter`, a direct response) costs Envoy's worker {} ns of CPU{} per request ({:.0} requests/s); the figures below are per request.",
            fmt_ns(n.ns_per_call.median),
            instructions(n).map_or(String::new(), |i| format!(" and {i:.0} instructions")),
            n.load.map_or(0.0, |l| l.requests_per_s)
        ));
    }
    for filter in ["basic_auth", "header_get_set"] {
        let Some(floor) = row(f, S16_FLOOR, filter, "direct") else {
            continue;
        };
        let base = floor.ns_per_call.median;
        // Instructions first: they repeat within 0.3 % between passes, while a round's CPU per
        // request moves by tens of percent on this shared machine.
        let against = |s: &str| {
            let r = row(f, s, filter, "direct")?;
            let m = over_rounds(r, floor)?;
            let counted = match (instructions(r), instructions(floor)) {
                (Some(a), Some(b)) => format!("{:+.0} instructions, ", a - b),
                _ => String::new(),
            };
            Some(format!(
                "`{s}` {counted}{} ({})",
                us_signed(r.ns_per_call.median - base),
                marked(&m)
            ))
        };
        let rust: Vec<String> = STRATEGIES.iter().filter_map(|s| against(s)).collect();
        let others: Vec<String> = [
            "go_copy",
            "go_view",
            "go_bulk_copy",
            "go_view_escape",
            "lua",
        ]
        .iter()
        .filter_map(|s| against(s))
        .collect();
        // The tie-back: what the `borrow` module's crossings cost at S01's prices, against what
        // it adds to the C++ filter.
        if let (Some(r), Some([(cn, ci), (rn, ri)])) =
            (row(f, "borrow", filter, "direct"), empty_calls(v.all))
        {
            let (c2r, r2c) = crossings(filter, "borrow");
            if let (Some(a), Some(b)) = (instructions(r), instructions(floor)) {
                c.push(format!(
                    "{filter}: the `borrow` module's {c2r} C→R and {r2c} R→C crossings per request cost {} ns and {:.0} instructions at S01's empty calls; it runs {:+.0} instructions over the C++ filter, so the rest is work on either side of the boundary (Envoy's ABI layer, the module's own code), not the crossing.",
                    fmt_ns(c2r as f64 * cn + r2c as f64 * rn),
                    c2r as f64 * ci + r2c as f64 * ri,
                    a - b
                ));
            }
        }
        if !rust.is_empty() {
            c.push(format!(
                "{filter}: against Envoy's C++ filter ({} ns{}), the Rust module per request: {}.",
                fmt_ns(base),
                instructions(floor).map_or(String::new(), |i| format!(", {i:.0} instructions")),
                rust.join("; ")
            ));
        }
        if !others.is_empty() {
            c.push(format!(
                "{filter}: against the same C++ floor, Go and Lua per request: {}.",
                others.join("; ")
            ));
        }
        let gc: Vec<String> = GO
            .iter()
            .filter_map(|s| {
                let g = row(f, s, filter, "direct")?.gc_per_call?;
                Some(format!("`{s}` {:.2}", 1000.0 * g))
            })
            .collect();
        if !gc.is_empty() {
            c.push(format!(
                "{filter}: the Go runtime's GC cycles per 1000 requests (its trace): {}.",
                gc.join(", ")
            ));
        }
        if let (Some(r), Some(g)) = (
            row(f, "borrow", filter, "direct"),
            row(f, "go_view", filter, "direct"),
        ) {
            if let Some(m) = over_rounds(g, r) {
                let counted = match (instructions(g), instructions(r)) {
                    (Some(a), Some(b)) => format!(
                        "{:+.0} instructions per request ({a:.0} vs {b:.0}); CPU ",
                        a - b
                    ),
                    _ => String::new(),
                };
                c.push(format!(
                    "{filter}: Go's views (`go_view`) against Rust's (`borrow`): {counted}{} ({} vs {} ns).",
                    marked(&m),
                    fmt_ns(g.ns_per_call.median),
                    fmt_ns(r.ns_per_call.median)
                ));
            }
        }
    }
    if let Some((with, without, m)) = noescape(f) {
        let counted = match (instructions(without), instructions(with)) {
            (Some(a), Some(b)) => format!("; {:+.0} instructions per request without", a - b),
            _ => String::new(),
        };
        c.push(format!(
            "`#cgo noescape`/`nocallback` on Go's views, header get/set: {:.0} requests/s with, {:.0} without; CPU per request without over with {}{counted} (the documents: QPS +0.5–1 %).",
            with.load.map_or(0.0, |l| l.requests_per_s),
            without.load.map_or(0.0, |l| l.requests_per_s),
            marked(&m)
        ));
    }
    if let (Some(r), Some(cpp), Some(n)) = (
        row(f, "borrow", "basic_auth", "proxied"),
        row(f, S16_FLOOR, "basic_auth", "proxied"),
        row(f, "no_filter", "none", "proxied"),
    ) {
        let d = r.ns_per_call.median - cpp.ns_per_call.median;
        let counted = match (instructions(n), instructions(cpp), instructions(r)) {
            (Some(a), Some(b), Some(x)) => format!(
                " In instructions: {a:.0}, {b:.0} and {x:.0}; the module {:+.0} over C++, {:+.1} % of the proxied request.",
                x - b,
                100.0 * (x - b) / b
            ),
            _ => String::new(),
        };
        c.push(format!(
            "Proxied to an upstream, a request costs Envoy's worker {} ns with no filter, {} ns with the C++ basic auth and {} ns with the Rust module's (`borrow`): {} per request, {:.1} %.{counted}",
            fmt_ns(n.ns_per_call.median),
            fmt_ns(cpp.ns_per_call.median),
            fmt_ns(r.ns_per_call.median),
            us_signed(d),
            100.0 * d / cpp.ns_per_call.median
        ));
    }
    c
}

/// Go's views with and without `noescape` for header get/set (the documents' benchmark gets and
/// sets headers), and the CPU margin without over with.
pub fn noescape(f: &ResultFile) -> Option<(&Record, &Record, Margin)> {
    let with = row(f, "go_view", "header_get_set", "direct")?;
    let without = row(f, "go_view_escape", "header_get_set", "direct")?;
    Some((with, without, over_rounds(without, with)?))
}
