//! The conclusions each section of the report opens with, computed from the records — never typed
//! by hand. One module per scenario of FINDINGS.md, named by the scenario's id
//! (`s02_pass_string.rs`), each reading a [`View`] of that scenario's records; [`SCENARIOS`]
//! registers them. Adding a conclusion is its module plus one entry there.
//!
//! A section's lines come in a fixed order: the Rust conclusions of its direction, then, when Go
//! measured the scenario too, the Rust/Go ratio over the points both measured ([`go_ratio`]), then
//! the scenario's own Go lines (the documents' figures re-measured).

use lab_record::ResultFile;

use crate::floor::Floor;
use crate::stats::{fmt_ns, geo_mean, leaders_at_each, lens_list, median, twin, values};

mod s01_call_floor;
mod s02_pass_string;
mod s03_unknown_length;
mod s04_known_length;
mod s05_pass_batch;
mod s06_read_headers;
mod s07_copy_on_demand;
mod s08_cross_thread_writes;
mod s09_request_lifetime;
mod s10_panic;
mod s11_thread_attach;
mod s12_tail_latency;
mod s13_ownership;
mod s14_filters;

/// What one section's conclusions may read.
pub struct View<'a> {
    /// The section's file: Rust's records of the scenario in one direction (R→C or C→R).
    pub file: &'a ResultFile,
    /// Go's records of the same scenario and direction, if Go measured it.
    pub go: Option<&'a ResultFile>,
    /// The floor of the section's direction (S13 quotes its memcpy).
    pub floor: &'a Floor<'a>,
    /// Every file of the machine, for the figures of other sections (S01 C→R quotes the R→C
    /// empty call).
    pub all: &'a [ResultFile],
}

impl View<'_> {
    /// The file of the same scenario measured in `lang` and `direction`.
    pub fn file_of(&self, lang: &str, direction: &str) -> Option<&ResultFile> {
        self.all.iter().find(|o| {
            o.scenario == self.file.scenario && o.lang == lang && o.direction == direction
        })
    }
}

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

/// What Go's figures add to every section Go measured: how much longer Go takes than Rust for the
/// same strategy, over the shared sweep. A geometric mean, so that no one parameter point weighs
/// more than another.
fn go_ratio(f: &ResultFile, go: &ResultFile) -> Option<String> {
    let ratios: Vec<f64> = f
        .records
        .iter()
        .filter_map(|r| Some(twin(go, r)?.ns_per_call.median / r.ns_per_call.median))
        .collect();
    let geo = geo_mean(&ratios)?;
    Some(format!(
        "Go takes ×{geo:.2} the time of Rust for the same strategy (geometric mean over the {} points both measured).",
        ratios.len()
    ))
}

// Sentences more than one scenario says.

/// "Fastest: `a` at 8 B, 64 B; `a` and `b` (no measurable difference) at 4096 B." — who leads at
/// each length of the sweep, a winner named only beyond the noise (S03, S04).
fn fastest_by_len(f: &ResultFile) -> String {
    let list = leaders_at_each(f, "len")
        .iter()
        .map(|(s, ls)| format!("{s} at {}", lens_list(ls)))
        .collect::<Vec<_>>()
        .join("; ");
    format!("Fastest: {list}.")
}

/// `other` against `base` at the shortest and the longest length of the sweep (S03, S04): the two
/// ends say whether a copy's cost is the call's or the bytes'.
fn ratio_at_len_ends(f: &ResultFile, base: &str, other: &str) -> Vec<String> {
    let lens = values(f, "len");
    [lens.first(), lens.last()]
        .into_iter()
        .flatten()
        .filter_map(|&l| {
            let a = median(f, base, &[("len", l)])?;
            let b = median(f, other, &[("len", l)])?;
            Some(format!(
                "At {l} B `{other}` costs ×{:.2} of `{base}` ({} vs {} ns).",
                b / a,
                fmt_ns(b),
                fmt_ns(a)
            ))
        })
        .collect()
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
}
