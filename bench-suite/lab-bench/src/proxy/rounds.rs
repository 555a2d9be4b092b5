//! What the proxy engines make of their rounds: every case driven in turn, round after round, so
//! two rows of one group (a filter) compare round by round; a record per case from its rounds.

use lab_record::{quartiles, LoadFigures, Machine, Ns, Ratios, Record, ResultFile};

use super::{load_headers, request, Load};

/// How long a proxy engine drives each case: rounds × seconds, every case in turn within a
/// round (so all cases see the same moments of the shared machine), after a warm-up of plain
/// requests. wrk's `-d` counts whole seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub rounds: u32,
    pub seconds: u32,
    pub warmup_requests: u32,
    pub connections: u32,
}

impl Plan {
    /// `full_rounds` of 1 s per case, 200 warming requests; quick and check: one round and 20, a
    /// smoke of every case.
    pub fn of(opts: &crate::options::Options, full_rounds: u32) -> Plan {
        let quick = opts.driven_sweep() == crate::case::Sweep::Quick;
        Plan {
            rounds: if quick { 1 } else { full_rounds },
            seconds: 1,
            warmup_requests: if quick { 20 } else { 200 },
            connections: 8,
        }
    }

    /// The timed pass's line: `lab: S15: 15 cases, 4 round(s) of 1 s each, in 65.4 s`.
    pub fn said(&self, label: &str, cases: usize, started: std::time::Instant) {
        println!(
            "lab: {label}: {cases} cases, {} round(s) of {} s each, in {:.1} s",
            self.rounds,
            self.seconds,
            started.elapsed().as_secs_f64()
        );
    }
}

/// Each case (its name and port) answers 200 to the load request at `path` before it is timed (a
/// broken case is an error, not a fast row), then takes the plan's warming requests.
pub fn warm(cases: &[(String, u16)], path: &str, plan: Plan) -> Result<(), String> {
    for (name, port) in cases {
        let (status, head) = request(*port, path, &load_headers())?;
        if status != 200 {
            return Err(format!(
                "{name}: status {status} with valid credentials:\n{head}"
            ));
        }
        for _ in 0..plan.warmup_requests {
            request(*port, path, &load_headers())?;
        }
    }
    Ok(())
}

/// The plan's rounds over the cases named `names`: in each, every case driven once by `run`
/// (its index), the first case rotating so no case always runs first (or right after the
/// warm-up); a run with a non-2xx response, a socket error or no request fails. Per case, its
/// runs in round order.
pub fn drive(
    names: &[String],
    plan: Plan,
    mut run: impl FnMut(usize) -> Result<Load, String>,
) -> Result<Vec<Vec<Load>>, String> {
    let mut runs: Vec<Vec<Load>> = vec![Vec::new(); names.len()];
    for round in 0..plan.rounds as usize {
        for k in 0..names.len() {
            let i = (k + round) % names.len();
            let l = run(i)?;
            if l.non_2xx > 0 || l.errors > 0 || l.requests == 0 {
                return Err(format!(
                    "{}: {} non-2xx responses, {} socket errors in {} requests",
                    names[i], l.non_2xx, l.errors, l.requests
                ));
            }
            runs[i].push(l);
        }
    }
    Ok(runs)
}

/// A proxy scenario's one result file (Rust, C→R), its unit from its definition.
pub fn result_file(scenario: &str, machine: &Machine, records: Vec<Record>) -> ResultFile {
    let unit = lab_record::scenario::get(scenario)
        .and_then(|d| d.c2r.as_ref())
        .map_or("request", |d| d.unit.as_str());
    ResultFile::new(scenario, "rust", "c2r", unit, machine, records)
}

/// One case's place in the ratios: its group (rows that do the same work), whether it is the
/// group's floor, and whether it is ranked (a strategy, not a reference).
pub struct Role {
    pub group: Option<String>,
    pub floor: bool,
    pub ranked: bool,
}

/// Per case, its ratios over the rounds (CPU per request in each round): over its group's floor
/// and over the fastest ranked row of the group in the same round. Every case ran in every
/// round, so a slow stretch of the shared machine moves both sides of a ratio.
pub fn ratios(roles: &[Role], runs: &[Vec<Load>]) -> Vec<Option<Ratios>> {
    let mut out = vec![None; roles.len()];
    let groups: std::collections::BTreeSet<&String> =
        roles.iter().filter_map(|r| r.group.as_ref()).collect();
    for g in groups {
        let rows: Vec<usize> = (0..roles.len())
            .filter(|&i| roles[i].group.as_ref() == Some(g))
            .collect();
        let per_round: Vec<Vec<f64>> = rows
            .iter()
            .map(|&i| {
                runs[i]
                    .iter()
                    .map(|l| l.worker_cpu_ns_per_request)
                    .collect()
            })
            .collect();
        let floor = rows.iter().position(|&i| roles[i].floor);
        let ranked: Vec<usize> = (0..rows.len()).filter(|&k| roles[rows[k]].ranked).collect();
        let floors = vec![floor; rows.len()];
        for (k, r) in Ratios::of_rounds(&per_round, &floors, &ranked)
            .into_iter()
            .enumerate()
        {
            out[rows[k]] = Some(r);
        }
    }
    out
}

/// A case's record from its rounds: CPU per request (median, lowest and highest round), wrk's
/// percentiles and throughput (medians of the rounds), the load's totals.
pub fn record(
    strategy: &str,
    params: serde_json::Map<String, serde_json::Value>,
    runs: &[Load],
    ratios: Option<Ratios>,
    seconds_per_round: f64,
) -> Record {
    // The rank the ratios take their median at, so a row's median and its ratios agree.
    let median = |v: Vec<f64>| quartiles(v).median;
    let of = |f: fn(&Load) -> f64| median(runs.iter().map(f).collect());
    let cpu: Vec<f64> = runs.iter().map(|l| l.worker_cpu_ns_per_request).collect();
    let ns = Ns {
        median: median(cpu.clone()),
        low: cpu.iter().copied().fold(f64::INFINITY, f64::min),
        high: cpu.iter().copied().fold(0.0, f64::max),
    };
    let mut pct = std::collections::BTreeMap::new();
    pct.insert("p50".to_string(), of(|l| l.p50_ns));
    pct.insert("p99".to_string(), of(|l| l.p99_ns));
    pct.insert("p99.9".to_string(), of(|l| l.p999_ns));
    Record {
        percentiles_ns: Some(pct),
        load: Some(LoadFigures {
            requests_per_s: of(|l| l.requests_per_s),
            requests: runs.iter().map(|l| l.requests).sum(),
            non_2xx: runs.iter().map(|l| l.non_2xx).sum(),
            errors: runs.iter().map(|l| l.errors).sum(),
            rounds: runs.len() as u32,
            seconds_per_round,
        }),
        ratios,
        ..Record::new(strategy, params, ns, lab_record::Allocs::NONE)
    }
}
