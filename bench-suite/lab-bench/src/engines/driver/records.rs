//! The driver's JSON Lines as records: one line per case, the ratios of its interleaved rounds,
//! grouped into result files by scenario.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use lab_record::{Allocs, Machine, Ns, Ratios, Record, ResultFile};

/// What the driver reports an extension's side allocated ("ext"), and the host's ("c").
#[derive(Debug, Clone, Deserialize)]
struct DriverAllocs {
    ext: f64,
    c: f64,
}

/// One line of the driver's output.
#[derive(Debug, Clone, Deserialize)]
pub struct DriverRecord {
    pub scenario: String,
    pub strategy: String,
    pub params: Map<String, Value>,
    pub ns_per_call: Ns,
    allocs_per_call: DriverAllocs,
    pub bytes_allocated_per_call: f64,
    /// The extension's own copies plus the host's copies into its buffers, per call.
    pub bytes_copied_per_call: f64,
    /// The extension's retained-bytes gauge after the case (S07, S11); null elsewhere.
    pub retained_bytes: Option<f64>,
    pub percentiles_ns: Option<BTreeMap<String, f64>>,
    pub checksum: Option<u64>,
    /// S01, S07, S10, S14: the case's ns per call in each interleaved round (every case of its
    /// work timed in turn, round after round); null for cases timed otherwise (S11, S12, S10's
    /// survival).
    #[serde(default)]
    per_round: Option<Vec<f64>>,
    /// The floor extension's (the C extension's) same case in the same rounds; null where the
    /// driver timed no floor (the C extension's own run: it is its own floor).
    #[serde(default)]
    floor_per_round: Option<Vec<f64>>,
    /// The ratios [`parse_lines`] computes from the rounds of the case's work.
    #[serde(skip)]
    pub ratios: Option<Ratios>,
}

impl DriverRecord {
    /// `scenario/strategy/params`, as filters match it.
    pub fn case_id(&self) -> String {
        format!(
            "{}/{}/{}",
            self.scenario,
            self.strategy,
            lab_record::params_label(&self.params)
        )
    }
}

/// Parses the driver's JSON Lines (blank lines ignored), with each interleaved record's ratios;
/// an error names the line.
pub fn parse_lines(text: &str) -> Result<Vec<DriverRecord>, String> {
    let mut records = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("driver output line {}: {e}: {l}", i + 1))
        })
        .collect::<Result<Vec<DriverRecord>, String>>()?;
    attach_ratios(&mut records)?;
    Ok(records)
}

/// The ratios of every record the driver timed in interleaved rounds, by the one computation R→C
/// uses ([`Ratios::of_rounds`]): per work (a scenario's cases with equal parameters, which the
/// driver timed in the same rounds), each row over its floor (the C extension's same strategy and
/// parameters) and over the fastest strategy of the work (references aside), round by round.
/// Computed before any filter drops a row, so a filtered run's best is still its work's best.
fn attach_ratios(records: &mut [DriverRecord]) -> Result<(), String> {
    let mut works: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if r.per_round.is_some() {
            let work = lab_record::work_label(&r.params);
            works.entry((r.scenario.clone(), work)).or_default().push(i);
        }
    }
    for ((scenario, work), members) in works {
        let def = lab_record::scenario::get(&scenario).and_then(|d| d.direction("c2r"));
        // The rows' rounds, then each row's floor's, after them.
        let mut per_round: Vec<Vec<f64>> = members
            .iter()
            .map(|&i| records[i].per_round.clone().unwrap_or_default())
            .collect();
        let mut floors = vec![None; members.len()];
        for (k, &i) in members.iter().enumerate() {
            if let Some(f) = &records[i].floor_per_round {
                floors[k] = Some(per_round.len());
                per_round.push(f.clone());
            }
        }
        floors.resize(per_round.len(), None);
        let n = per_round[0].len();
        if n == 0 || per_round.iter().any(|v| v.len() != n) {
            return Err(format!(
                "driver output: the cases of {scenario} {work} were not timed in the same rounds"
            ));
        }
        let strategies: Vec<usize> = (0..members.len())
            .filter(|&k| !def.is_some_and(|d| d.is_reference(&records[members[k]].strategy)))
            .collect();
        let ratios = Ratios::of_rounds(&per_round, &floors, &strategies);
        // The row's ns is its rounds' too: one measurement for every figure of the row.
        for (&i, r) in members.iter().zip(ratios) {
            records[i].ns_per_call = r.ns().unwrap_or(records[i].ns_per_call);
            records[i].ratios = Some(r);
        }
    }
    Ok(())
}

/// What one C→R `ns_per_call` of `scenario` covers: its definition's `[c2r]` unit.
///
/// # Panics
/// When the driver measured a scenario whose definition has no `[c2r]`: a C function without
/// its definition (the driver's tests check every scenario it runs).
pub fn unit(scenario: &str) -> &'static str {
    lab_record::scenario::get(scenario)
        .and_then(|d| d.c2r.as_ref())
        .map(|d| d.unit.as_str())
        .unwrap_or_else(|| panic!("scenarios/{scenario}.toml defines no [c2r]"))
}

/// Groups driver records into result files, one per scenario; the extension's allocations go to
/// the column of its language (the C extension's are C allocations: with the host's, in `c`).
pub fn to_result_files(
    records: Vec<DriverRecord>,
    lang: &str,
    machine: &Machine,
) -> Vec<ResultFile> {
    let mut by_scenario: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    for r in records {
        let (ext, c) = (Some(r.allocs_per_call.ext), Some(r.allocs_per_call.c));
        let allocs = match lang {
            "go" => Allocs {
                rust: None,
                c,
                go: ext,
            },
            _ => Allocs {
                rust: ext,
                c,
                go: None,
            },
        };
        by_scenario
            .entry(r.scenario.clone())
            .or_default()
            .push(Record {
                bytes_allocated_per_call: r.bytes_allocated_per_call,
                bytes_copied_per_call: r.bytes_copied_per_call,
                bytes_retained: r.retained_bytes,
                percentiles_ns: r.percentiles_ns,
                checksum: r.checksum,
                ratios: r.ratios,
                ..Record::new(&r.strategy, r.params, r.ns_per_call, allocs)
            });
    }
    by_scenario
        .into_iter()
        .map(|(scenario, records)| {
            ResultFile::new(&scenario, lang, "c2r", unit(&scenario), machine, records)
        })
        .collect()
}
