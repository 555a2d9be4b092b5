//! The result record: one strategy at one point of its parameter sweep, what the runners measured
//! of it, and the labels its parameters give it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::counts::{Counts, FunctionCost};
use crate::ratios::{Ns, Ratios};

/// The calls over which a record's per-call allocation and copy counts are taken, after one
/// warm-up call: exact counts need no more than a few, and an amortised strategy (a reused buffer)
/// shows as its true average.
pub const COUNT_CALLS: u64 = 64;

/// The strategy name of a scenario's native floor (the same work done by C calling the host,
/// without the boundary): the runners record it, the report divides the other rows by it.
pub const NATIVE: &str = "native";

/// Parameters that tell variants of one strategy apart (S06's stack threshold) rather than the
/// work: rows that differ only in these do the same work, so they share a best and a floor.
pub const VARIANT_PARAMS: &[&str] = &["threshold"];

/// Allocations per call on each side; `None` where that side is not in the measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Allocs {
    pub rust: Option<f64>,
    pub c: Option<f64>,
    pub go: Option<f64>,
}

impl Allocs {
    /// No side counted: for records built by hand (tests, examples).
    pub const NONE: Allocs = Allocs {
        rust: None,
        c: None,
        go: None,
    };
}

/// One strategy at one point of its parameter sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub strategy: String,
    pub params: Map<String, Value>,
    pub ns_per_call: Ns,
    pub allocs_per_call: Allocs,
    pub bytes_allocated_per_call: f64,
    pub bytes_copied_per_call: f64,
    pub percentiles_ns: Option<BTreeMap<String, f64>>,
    pub flamegraph: Option<String>,
    /// The work's checksum, identical for every strategy at the same parameters (checked before
    /// timing), so a strategy cannot look fast by doing less.
    #[serde(default)]
    pub checksum: Option<u64>,
    /// The row's ratios to its floor and to the best strategy at the same work, measured in
    /// interleaved rounds (every case of one work timed in turn, round after round), so both
    /// sides of each ratio see the same moment of the machine; `None` where not measured so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratios: Option<Ratios>,
    /// C→R: heap bytes the extension keeps between requests after the case (its per-thread state,
    /// arena included), where the driver measures it (S07, S11); None elsewhere.
    #[serde(default)]
    pub bytes_retained: Option<f64>,
    /// S15: what a load run of a real proxy measured besides the row's ns (the worker's CPU time
    /// per request): throughput and requests; None elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadFigures>,
    /// Deterministic counts per call from the callgrind pass (`LAB_CALLGRIND=1`), merged into the
    /// timed run's record; `None` where that pass did not count the row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    /// Where the row's counted instructions per call go, by function (the counts file's
    /// [`crate::CountsFile::functions`]); empty where the callgrind pass did not attribute them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionCost>,
    /// The clock and peak instruction rate measured beside the pass that timed the row, which
    /// turn its counted instructions over its ns into instructions per cycle; `None` where not
    /// measured (another architecture, an older record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    /// Go: garbage collections completed during the timed calls, per call (the share of a
    /// collection each call paid for); `None` for the other languages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gc_per_call: Option<f64>,
}

impl Record {
    /// A record of what every runner measures (time and allocations); the runners that measure
    /// more set the other fields on top (`Record { bytes_copied_per_call, ..Record::new(…) }`).
    pub fn new(strategy: &str, params: Map<String, Value>, ns: Ns, allocs: Allocs) -> Record {
        Record {
            strategy: strategy.to_owned(),
            params,
            ns_per_call: ns,
            allocs_per_call: allocs,
            bytes_allocated_per_call: 0.0,
            bytes_copied_per_call: 0.0,
            percentiles_ns: None,
            flamegraph: None,
            checksum: None,
            ratios: None,
            bytes_retained: None,
            load: None,
            counts: None,
            functions: Vec::new(),
            clock: None,
            gc_per_call: None,
        }
    }

    /// The parameters that define the work ([`VARIANT_PARAMS`] aside), as a label: rows with the
    /// same work label do the same work.
    pub fn work_label(&self) -> String {
        work_label(&self.params)
    }

    /// `len=64`, `n=16,k=8`: the parameters as the report and criterion ids show them.
    pub fn params_label(&self) -> String {
        params_label(&self.params)
    }
}

/// The work `params` define ([`VARIANT_PARAMS`] aside), as a label ([`Record::work_label`]; the
/// C→R runner groups the driver's lines by it before they are records).
pub fn work_label(params: &Map<String, Value>) -> String {
    let work: Map<String, Value> = params
        .iter()
        .filter(|(k, _)| !VARIANT_PARAMS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    params_label(&work)
}

pub fn params_label(params: &Map<String, Value>) -> String {
    params
        .iter()
        // Strings without JSON quotes: `filter=basic_auth`, as the driver names them.
        .map(|(k, v)| match v.as_str() {
            Some(s) => format!("{k}={s}"),
            None => format!("{k}={v}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A load run's figures (S15: nginx driven by wrk), medians over the run's rounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoadFigures {
    pub requests_per_s: f64,
    /// Requests over all rounds.
    pub requests: u64,
    /// Responses that were not 2xx or 3xx, and socket errors, over all rounds (0 in a sound run).
    pub non_2xx: u64,
    pub errors: u64,
    pub rounds: u32,
    /// Seconds of load per round.
    pub seconds_per_round: f64,
}
