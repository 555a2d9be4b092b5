//! The timed pass of S15: every case driven by wrk in turn, round after round, and its records
//! with per-round ratios over the filter's floor, `c_module` ([`crate::proxy::rounds`]).

use super::cases::{params, Case, CASE_PATH, FLOOR, STRATEGIES};
use super::config::Installation;
use super::load::load;
use super::process::Nginx;
use crate::proxy::rounds::{self, Plan, Role};
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
    let roles: Vec<Role> = cases
        .iter()
        .map(|c| Role {
            group: c.filter.map(str::to_owned),
            floor: c.strategy == FLOOR,
            ranked: STRATEGIES.contains(&c.strategy),
        })
        .collect();
    let ratios = rounds::ratios(&roles, &runs);
    let median = |v: Vec<f64>| lab_record::quartiles(v).median;
    Ok(cases
        .iter()
        .zip(runs)
        .zip(ratios)
        .map(|((c, r), ratios)| {
            // The module's own counts, measured in the worker; the references' are not counted.
            let module = STRATEGIES.contains(&c.strategy);
            let copied = median(r.iter().map(|l| l.copied_per_request).collect());
            let allocs = module.then(|| median(r.iter().map(|l| l.allocs_per_request).collect()));
            let mut rec = rounds::record(c.strategy, params(c), &r, ratios, plan.seconds as f64);
            rec.allocs_per_call.rust = allocs;
            rec.bytes_copied_per_call = if module { copied } else { 0.0 };
            rec
        })
        .collect())
}
