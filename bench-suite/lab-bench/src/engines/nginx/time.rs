//! The timed pass of S15: every case driven by wrk in turn, round after round, and its records
//! with per-round ratios over the filter's floor, `c_module` ([`crate::proxy::rounds`]).

use super::cases::{params, Case, CASE_PATH, FLOOR, STRATEGIES};
use super::config::Installation;
use super::load::load;
use super::process::Nginx;
use crate::proxy::rounds::{self, Plan, Role};
/// Measures every selected case with `plan` on a running nginx; one record per case.
pub fn measure(
    inst: &Installation,
    nginx: &Nginx,
    cases: &[Case],
    plan: Plan,
) -> Result<Vec<lab_record::Record>, String> {
    let names: Vec<String> = cases.iter().map(Case::name).collect();
    let ports: Vec<(String, u16)> = cases.iter().map(|c| (c.name(), nginx.port_of(c))).collect();
    rounds::warm(&ports, CASE_PATH, plan)?;
    let runs = rounds::drive(&names, plan, |i| {
        load(inst, nginx, &cases[i], plan.seconds, plan.connections)
    })?;
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
