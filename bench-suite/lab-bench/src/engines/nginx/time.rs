//! The timed pass of S15: every case driven by wrk in turn, round after round, and its records
//! with per-round ratios over the filter's floor, `c_module`.

use super::cases::{params, Case, Plan, CASE_PATH, FLOOR, STRATEGIES};
use super::config::Installation;
use super::load::load;
use super::process::Nginx;
use crate::proxy::{load_headers, request, Load};
/// Measures every selected case with `plan` on a running nginx; one record per case.
pub fn measure(
    inst: &Installation,
    nginx: &Nginx,
    cases: &[Case],
    plan: Plan,
) -> Result<Vec<lab_record::Record>, String> {
    for c in cases {
        // Each case answers as its filter says before it is timed (a broken case is an error,
        // not a fast row).
        let port = nginx.port_of(c);
        let (status, head) = request(port, CASE_PATH, &load_headers())?;
        if status != 200 {
            return Err(format!(
                "{}: status {status} with valid credentials:\n{head}",
                c.name()
            ));
        }
        for _ in 0..plan.warmup_requests {
            request(port, CASE_PATH, &load_headers())?;
        }
    }
    let mut runs: Vec<Vec<Load>> = vec![Vec::new(); cases.len()];
    for round in 0..plan.rounds as usize {
        // The first case rotates, so no case always runs first (or right after the warm-up).
        for k in 0..cases.len() {
            let i = (k + round) % cases.len();
            let l = load(inst, nginx, &cases[i], plan.seconds, plan.connections)?;
            if l.non_2xx > 0 || l.errors > 0 || l.requests == 0 {
                return Err(format!(
                    "{}: {} non-2xx responses, {} socket errors in {} requests",
                    cases[i].name(),
                    l.non_2xx,
                    l.errors,
                    l.requests
                ));
            }
            runs[i].push(l);
        }
    }
    // The rank the ratios take their median at (`lab_record::quartiles`), so a row's median and
    // its ratios are read off its rounds alike.
    let median = |v: Vec<f64>| lab_record::quartiles(v).median;
    let ratios = round_ratios(cases, &runs);
    Ok(cases
        .iter()
        .zip(runs)
        .zip(ratios)
        .map(|((c, r), ratios)| {
            let cpu: Vec<f64> = r.iter().map(|l| l.worker_cpu_ns_per_request).collect();
            let ns = lab_record::Ns {
                median: median(cpu.clone()),
                low: cpu.iter().copied().fold(f64::INFINITY, f64::min),
                high: cpu.iter().copied().fold(0.0, f64::max),
            };
            let mut pct = std::collections::BTreeMap::new();
            pct.insert(
                "p50".to_string(),
                median(r.iter().map(|l| l.p50_ns).collect()),
            );
            pct.insert(
                "p99".to_string(),
                median(r.iter().map(|l| l.p99_ns).collect()),
            );
            pct.insert(
                "p99.9".to_string(),
                median(r.iter().map(|l| l.p999_ns).collect()),
            );
            // The module's own counts, measured in the worker; the references' are not counted.
            let module = STRATEGIES.contains(&c.strategy);
            let allocs = lab_record::Allocs {
                rust: module.then(|| median(r.iter().map(|l| l.allocs_per_request).collect())),
                c: None,
                go: None,
            };
            let copied = median(r.iter().map(|l| l.copied_per_request).collect());
            lab_record::Record {
                bytes_copied_per_call: if module { copied } else { 0.0 },
                percentiles_ns: Some(pct),
                load: Some(lab_record::LoadFigures {
                    requests_per_s: median(r.iter().map(|l| l.requests_per_s).collect()),
                    requests: r.iter().map(|l| l.requests).sum(),
                    non_2xx: r.iter().map(|l| l.non_2xx).sum(),
                    errors: r.iter().map(|l| l.errors).sum(),
                    rounds: plan.rounds,
                    seconds_per_round: plan.seconds as f64,
                }),
                ratios,
                ..lab_record::Record::new(c.strategy, params(c), ns, allocs)
            }
        })
        .collect())
}

/// Per case, its ratios over the rounds (worker CPU per request in each round): over its
/// filter's `c_module` (the floor) and over the fastest of the module's strategies of that filter
/// in the same round. Every case ran in every round, so two rows of a filter compare round by
/// round (a slow stretch of the shared machine moves both), not by medians timed apart.
fn round_ratios(cases: &[Case], runs: &[Vec<Load>]) -> Vec<Option<lab_record::Ratios>> {
    let mut out = vec![None; cases.len()];
    let filters: std::collections::BTreeSet<_> = cases.iter().filter_map(|c| c.filter).collect();
    for f in filters {
        let rows: Vec<usize> = (0..cases.len())
            .filter(|&i| cases[i].filter == Some(f))
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
        let floor = rows.iter().position(|&i| cases[i].strategy == FLOOR);
        let strategies: Vec<usize> = (0..rows.len())
            .filter(|&k| STRATEGIES.contains(&cases[rows[k]].strategy))
            .collect();
        let floors = vec![floor; rows.len()];
        for (k, r) in lab_record::Ratios::of_rounds(&per_round, &floors, &strategies)
            .into_iter()
            .enumerate()
        {
            out[rows[k]] = Some(r);
        }
    }
    out
}
