//! The scenario definitions: one TOML file per scenario of `docs/FINDINGS.md` under `scenarios/`,
//! holding every fact about a scenario that is not code — its title, the documents' figure, what
//! one measured call is in each direction, its plots, the points the profile pass samples and the
//! differential flame graphs that explain it. The report, the plots, the runners and the profile
//! pass read them here; nothing else repeats them.
//!
//! The files are embedded at build time (`build.rs`) and parsed on first use; `deny_unknown_fields`
//! makes a misspelt key an error, which `every_definition_parses` turns into a failing test.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// One scenario's definition (`scenarios/<id>.toml`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `s02_pass_string`: the FINDINGS id, the file name, the Rust module and the C function.
    pub id: String,
    /// `S02 pass a string R→C`: the report's heading.
    pub title: String,
    /// The documents' own figure, quoted beside this machine's.
    #[serde(default)]
    pub documents: Option<String>,
    /// Rust calls the host (R→C), if the scenario has that direction.
    #[serde(default)]
    pub r2c: Option<Direction>,
    /// The host calls the extension (C→R), if the scenario has that direction.
    #[serde(default)]
    pub c2r: Option<Direction>,
    #[serde(default, rename = "differential")]
    pub differentials: Vec<Differential>,
    #[serde(default, rename = "plot")]
    pub plots: Vec<PlotSpec>,
    /// The decision guide's questions this scenario answers, in the order the guide asks them.
    #[serde(default, rename = "question")]
    pub questions: Vec<GuideQuestion>,
    /// Per strategy, what differs between its versions (Rust, C, Go) where they cannot do the
    /// same work: the report prints it under the table, so a reader never takes the difference for
    /// the boundary's.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    /// Per strategy, why the instructions it runs above its floor's belong to it (which of them,
    /// in words the attribution by function bears out): the report prints it under "Where the
    /// instructions go" wherever the strategy is a point's best and above ×1.2 of its floor.
    #[serde(default)]
    pub above_floor: BTreeMap<String, String>,
}

/// What a direction of a scenario measures.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Direction {
    /// What one `ns_per_call` covers: one call, one batch, one request.
    pub unit: String,
    /// What the rows' floor is — the same work without the boundary (the scenario's `native`
    /// row for R→C, the C extension for C→R) — for the report to say; none where the scenario has
    /// no native floor and the report falls back to the empty call.
    #[serde(default)]
    pub floor: Option<String>,
    /// Rows that measure a reference or a workload, not a way across the boundary (S01's
    /// `rust_call`, S10's `panic`, S12's workloads): shown, never ranked, never a row's "best".
    #[serde(default)]
    pub references: Vec<String>,
    /// Whether the strategies are alternatives for one work, to be ranked against each other (the
    /// summary's leader and slowest, the guide's). S01's are not: an empty call and a call with
    /// four arguments are two works that share the parameter list, and its conclusions compare
    /// each with its own reference instead.
    #[serde(default = "ranked_by_default")]
    pub ranked: bool,
    /// Parameter labels (`len=1024`; `""` for a case without parameters) whose cases get a flame
    /// graph in the profile pass: one point per strategy keeps the pass short.
    #[serde(default)]
    pub profile_at: Vec<String>,
    /// The engine that runs this direction when it is not the direction's own (criterion for
    /// R→C, the C driver for C→R): `nginx` for S15, `envoy` for S16, whose filters run inside the proxy.
    #[serde(default)]
    pub engine: Option<String>,
    /// Whether every Go release of `go-reference/toolchains` measures this direction, not only
    /// the main toolchain: set where releases differ (cgo's own cost, `#cgo noescape`, a C
    /// thread's first call into Go).
    #[serde(default)]
    pub go_releases: bool,
    /// Where a row's ns is wall time over the calls of threads that run at once: the parameter
    /// that counts them (S09's `threads`), or `"machine"` where more threads than a parameter
    /// says may run (S08's writers and the request's worker). A row's cycles are then its ns on
    /// that many cores, at most the machine's (the report's instructions-per-cycle check).
    #[serde(default)]
    pub parallel: Option<String>,
}

/// A differential flame graph: where `after` spends what `before` does not, at `params`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Differential {
    pub params: String,
    pub before: String,
    pub after: String,
}

/// One question of the report's decision guide (`[[question]]`): its text, and the answer that
/// lab-report computes for it from the scenario's records (`guide.rs`, `ANSWERS`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuideQuestion {
    /// The question as the guide asks it.
    pub text: String,
    /// The name of the answer in lab-report's table: `sweep` (the leader of the scenario's one
    /// direction) or one of the answers written for a scenario (`bulk_or_per_header`, …).
    pub answer: String,
    /// Asked after every other scenario's questions: a question that sums the others up.
    #[serde(default)]
    pub last: bool,
}

/// What a plot draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlotKind {
    /// Median ns against the parameter `x`, one line per strategy (or per value of `series`).
    #[default]
    Sweep,
    /// p50, p99, p99.9 and max of each strategy's single-call latencies.
    Percentiles,
    /// Median ns of each strategy and reference, one category each on x (in record order), with
    /// the record's [low, high] as a bar: one marker per value of `series` (S15's filters), on a
    /// linear y from 0. For rows that share no swept parameter.
    Strategies,
}

/// A bound on a parameter in a plot's `where`: a number, or the name of another parameter it
/// must equal (`k = "n"`: the filter reads all n headers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    Value(u64),
    Param(String),
}

/// One SVG plot of the scenario's records (`results/plots/<file>.svg`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlotSpec {
    pub file: String,
    pub title: String,
    #[serde(default)]
    pub kind: PlotKind,
    /// The records it draws: language and direction.
    #[serde(default = "rust")]
    pub lang: String,
    #[serde(default = "r2c")]
    pub direction: String,
    /// The x parameter of a sweep (none for `strategies`, whose x is the strategy).
    #[serde(default)]
    pub x: Option<String>,
    /// Only records whose parameters meet these bounds.
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, Bound>,
    /// Only this strategy's records.
    #[serde(default)]
    pub strategy: Option<String>,
    /// One line per value of this parameter instead of one per strategy (`strategies`: one
    /// marker per value at each strategy; numbers or strings).
    #[serde(default)]
    pub series: Option<String>,
    /// A logarithmic x (sweeps); `strategies` ignores it.
    #[serde(default = "yes")]
    pub log_x: bool,
    pub x_desc: String,
    pub y_desc: String,
}

fn rust() -> String {
    "rust".into()
}

fn r2c() -> String {
    "r2c".into()
}

fn yes() -> bool {
    true
}

impl Differential {
    /// `diff-<scenario>-<before>-vs-<after>`: the graph's file name under `results/flamegraphs/`,
    /// without `.svg`.
    pub fn file_name(&self, scenario: &str) -> String {
        format!("diff-{scenario}-{}-vs-{}", self.before, self.after)
    }
}

fn ranked_by_default() -> bool {
    true
}

impl Direction {
    /// Whether `strategy` names a reference row rather than a strategy (the native floor is one
    /// in every scenario).
    pub fn is_reference(&self, strategy: &str) -> bool {
        strategy == crate::NATIVE || self.references.iter().any(|r| r == strategy)
    }
}

impl Scenario {
    /// The definition of `direction` (`r2c` or `c2r`), if the scenario has it.
    pub fn direction(&self, direction: &str) -> Option<&Direction> {
        match direction {
            "r2c" => self.r2c.as_ref(),
            "c2r" => self.c2r.as_ref(),
            _ => None,
        }
    }
}

/// The embedded files: (file name, text), sorted by name.
const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/scenarios.rs"));

/// Every scenario's definition, in id order (FINDINGS order).
///
/// # Panics
/// On a definition that does not parse or whose id is not its file name: the files are part of
/// the build, and `every_definition_parses` fails on them first.
pub fn all() -> &'static [Scenario] {
    static ALL: OnceLock<Vec<Scenario>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, text)| {
                let s: Scenario =
                    toml::from_str(text).unwrap_or_else(|e| panic!("scenarios/{name}: {e}"));
                assert_eq!(
                    format!("{}.toml", s.id),
                    *name,
                    "scenarios/{name}: the id must be the file name"
                );
                s
            })
            .collect()
    })
}

/// The definition of scenario `id`.
pub fn get(id: &str) -> Option<&'static Scenario> {
    all().iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_definition_parses() {
        let all = all();
        assert_eq!(all.len(), 16, "S01–S16");
        for s in all {
            assert!(s.r2c.is_some() || s.c2r.is_some(), "{}: no direction", s.id);
            for p in &s.plots {
                match p.kind {
                    PlotKind::Sweep => {
                        assert!(p.x.is_some(), "{}: plot {} has no x", s.id, p.file)
                    }
                    PlotKind::Strategies => assert!(
                        p.x.is_none(),
                        "{}: plot {}: a strategies plot's x is the strategy",
                        s.id,
                        p.file
                    ),
                    PlotKind::Percentiles => {}
                }
            }
        }
        assert_eq!(
            get("s02_pass_string").unwrap().title,
            "S02 pass a string R→C"
        );
    }

    #[test]
    fn a_misspelt_key_is_an_error() {
        let e =
            toml::from_str::<Scenario>("id = \"x\"\ntitle = \"X\"\ntitel = \"X\"\n").unwrap_err();
        assert!(e.to_string().contains("titel"), "{e}");
    }
}
