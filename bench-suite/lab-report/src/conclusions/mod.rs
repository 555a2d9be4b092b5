//! The conclusions each section of the report opens with, computed from the records — never typed
//! by hand. One module per scenario of FINDINGS.md, named by the scenario's id
//! (`s02_pass_string.rs`), each reading a [`View`] of that scenario's records; [`SCENARIOS`]
//! registers them. Adding a conclusion is its module plus one entry there.
//!
//! A section's lines come in a fixed order: the Rust conclusions of its direction, then, when Go
//! measured the scenario too, the Rust/Go ratio over the points both measured ([`go_ratio`]), then
//! the scenario's own Go lines (the documents' figures re-measured).

use lab_record::ResultFile;

use crate::stats::{fmt_x, margin_apart, twin, Margin};

pub(crate) use shared::{instructions, over_rounds, per_byte_line, View};

pub(crate) mod s01_call_floor;
pub(crate) mod s02_pass_string;
pub(crate) mod s03_unknown_length;
pub(crate) mod s04_known_length;
pub(crate) mod s05_pass_batch;
pub(crate) mod s06_read_headers;
pub(crate) mod s07_copy_on_demand;
pub(crate) mod s08_cross_thread_writes;
pub(crate) mod s09_request_lifetime;
pub(crate) mod s10_panic;
pub(crate) mod s11_thread_attach;
pub(crate) mod s12_tail_latency;
pub(crate) mod s13_ownership;
pub(crate) mod s14_filters;
pub(crate) mod s15_real_proxy;
pub(crate) mod s16_envoy;
pub(crate) mod shared;

/// A scenario's Rust conclusions for one direction, most important first.
type Rust = fn(&View) -> Vec<String>;

/// A scenario's Go lines, given Go's file (the view's `go`).
type Go = fn(&View, &ResultFile) -> Vec<String>;

/// The conclusion functions of one scenario.
struct Scenario {
    /// The scenario id, as the records name it (and as its module is named).
    id: &'static str,
    /// For the R→C section (and any direction other than C→R).
    r2c: Option<Rust>,
    /// For the C→R section.
    c2r: Option<Rust>,
    /// Go lines, after the Rust/Go ratio, in whichever direction Go measured.
    go: Option<Go>,
}

/// Every scenario with conclusions, in FINDINGS order.
const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "s01_call_floor",
        r2c: Some(s01_call_floor::r2c),
        c2r: Some(s01_call_floor::c2r),
        go: Some(s01_call_floor::go),
    },
    Scenario {
        id: "s02_pass_string",
        r2c: Some(s02_pass_string::r2c),
        c2r: None,
        go: Some(s02_pass_string::go),
    },
    Scenario {
        id: "s03_unknown_length",
        r2c: Some(s03_unknown_length::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s04_known_length",
        r2c: Some(s04_known_length::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s05_pass_batch",
        r2c: Some(s05_pass_batch::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s06_read_headers",
        r2c: Some(s06_read_headers::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s07_copy_on_demand",
        r2c: None,
        c2r: Some(s07_copy_on_demand::c2r),
        go: None,
    },
    Scenario {
        id: "s08_cross_thread_writes",
        r2c: Some(s08_cross_thread_writes::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s09_request_lifetime",
        r2c: Some(s09_request_lifetime::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s10_panic",
        r2c: None,
        c2r: Some(s10_panic::c2r),
        go: None,
    },
    Scenario {
        id: "s11_thread_attach",
        r2c: None,
        c2r: Some(s11_thread_attach::c2r),
        go: Some(s11_thread_attach::go),
    },
    Scenario {
        id: "s12_tail_latency",
        r2c: None,
        c2r: Some(s12_tail_latency::c2r),
        go: Some(s12_tail_latency::go),
    },
    Scenario {
        id: "s13_ownership",
        r2c: Some(s13_ownership::r2c),
        c2r: None,
        go: None,
    },
    Scenario {
        id: "s14_filters",
        r2c: None,
        c2r: Some(s14_filters::c2r),
        go: None,
    },
    Scenario {
        id: "s15_real_proxy",
        r2c: None,
        c2r: Some(s15_real_proxy::c2r),
        go: None,
    },
    Scenario {
        id: "s16_envoy",
        r2c: None,
        c2r: Some(s16_envoy::c2r),
        go: None,
    },
];

/// The conclusions of one section, in the order the module doc gives.
pub fn conclude(v: &View) -> Vec<String> {
    let scenario = SCENARIOS.iter().find(|s| s.id == v.file.scenario);
    let rust = scenario.and_then(|s| {
        if v.file.direction == "c2r" {
            s.c2r
        } else {
            s.r2c
        }
    });
    let mut c = rust.map_or_else(Vec::new, |rust| rust(v));
    if let Some(go) = v.go {
        c.extend(go_ratio(v.file, go));
        if let Some(go_lines) = scenario.and_then(|s| s.go) {
            c.extend(go_lines(v, go));
        }
    }
    c
}

/// What Go's figures add to every section Go measured: Go's time over Rust's for the same
/// strategy at each point both measured. The two never shared a round (another bench target), so
/// each margin is of medians and brackets. Unlike workloads are not averaged: a few points are
/// listed, a sweep is given as its range and how many points fall either way.
fn go_ratio(f: &ResultFile, go: &ResultFile) -> Option<String> {
    let points: Vec<(String, Margin)> = f
        .records
        .iter()
        .filter_map(|r| {
            let m = margin_apart(twin(go, r)?, r)?;
            let label = match r.params_label() {
                p if p.is_empty() => format!("`{}`", r.strategy),
                p => format!("`{}` {p}", r.strategy),
            };
            Some((label, m))
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    if points.len() <= 4 {
        let list: Vec<String> = points
            .iter()
            .map(|(label, m)| format!("{label} {m}"))
            .collect();
        return Some(format!(
            "Go's time over Rust's for the same strategy: {} {}.",
            list.join("; "),
            crate::stats::beyond_count(&points)
        ));
    }
    Some(format!("Go {}.", counted(&points, "points both measured")))
}

/// "takes ×0.41–×3.10 the time of Rust: longer at 12 of 14 points both measured, shorter at 1,
/// no measurable difference at 1": a sweep of margins by its range and its counts.
pub(crate) fn counted<T>(points: &[(T, Margin)], what: &str) -> String {
    let (lo, hi) = crate::stats::range(points.iter().map(|(_, m)| m.ratio.median))
        .unwrap_or((f64::INFINITY, 0.0));
    let beyond = |longer: bool| {
        points
            .iter()
            .filter(|(_, m)| m.beyond_noise() && (m.ratio.median > 1.0) == longer)
            .count()
    };
    let (longer, shorter) = (beyond(true), beyond(false));
    format!(
        "takes ×{}–×{} the time of Rust: longer at {longer} of {} {what}, shorter at {shorter}, no measurable difference at {}",
        fmt_x(lo),
        fmt_x(hi),
        points.len(),
        points.len() - longer - shorter
    )
}

#[cfg(test)]
mod tests {
    use super::SCENARIOS;

    #[test]
    fn each_scenario_is_registered_once_in_order() {
        let ids: Vec<&str> = SCENARIOS.iter().map(|s| s.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert!(SCENARIOS
            .iter()
            .all(|s| s.r2c.is_some() || s.c2r.is_some() || s.go.is_some()));
    }

    /// The definitions are the registry: each scenario of `scenarios/` has its conclusions
    /// module here, and each module its definition.
    #[test]
    fn every_definition_has_its_conclusions_and_back() {
        let ids: Vec<&str> = SCENARIOS.iter().map(|s| s.id).collect();
        let defined: Vec<&str> = lab_record::scenario::all()
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        for id in &defined {
            assert!(
                ids.contains(id),
                "scenarios/{id}.toml has no conclusions module (conclusions/{id}.rs)"
            );
        }
        for id in &ids {
            assert!(
                defined.contains(id),
                "conclusions/{id}.rs has no definition (scenarios/{id}.toml)"
            );
        }
    }
}
