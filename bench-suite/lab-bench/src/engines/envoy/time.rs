//! The timed pass of S16: every case driven by wrk in turn, round after round, Envoy's CPU per
//! request with per-round ratios over the filter's floor, Envoy's C++ filter.

use super::cases::{params, Case, FLOOR, STRATEGIES};
use super::process::Envoy;
use super::Installation;
use crate::proxy::rounds::{self, Plan, Role};
use crate::proxy::wrk;

/// Measures every case with `plan` on a running Envoy; one record per case.
pub fn measure(
    inst: &Installation,
    envoy: &Envoy,
    ports: &[(Case, u16)],
    plan: Plan,
) -> Result<Vec<lab_record::Record>, String> {
    let names: Vec<String> = ports.iter().map(|(c, _)| c.name()).collect();
    let named: Vec<(String, u16)> = ports.iter().map(|(c, p)| (c.name(), *p)).collect();
    rounds::warm(&named, "/", plan)?;
    // GC cycles per request of each run, for the Go rows, in round order as the runs.
    let mut gc: Vec<Vec<f64>> = vec![Vec::new(); ports.len()];
    let script = envoy.dir.join("lab.lua");
    let runs = rounds::drive(&names, plan, |i| {
        let url = format!("http://127.0.0.1:{}/", ports[i].1);
        let gc0 = envoy.gc_cycles();
        let l = wrk::run(
            &inst.wrk,
            &script,
            &url,
            plan.seconds,
            plan.connections,
            || envoy.cpu_ns(),
        )?;
        gc[i].push(envoy.gc_cycles().saturating_sub(gc0) as f64 / l.requests.max(1) as f64);
        Ok(l)
    })?;
    // A filter's rows on one route are one group: the proxied rows compare with the proxied floor.
    let roles: Vec<Role> = ports
        .iter()
        .map(|(c, _)| Role {
            group: c.filter.map(|f| format!("{f}/{}", c.route.name())),
            floor: c.strategy == FLOOR,
            ranked: STRATEGIES.contains(&c.strategy),
        })
        .collect();
    let ratios = rounds::ratios(&roles, &runs);
    Ok(ports
        .iter()
        .zip(runs)
        .zip(ratios)
        .zip(gc)
        .map(|((((c, _), r), ratios), gc)| {
            let mut rec = rounds::record(c.strategy, params(c), &r, ratios, plan.seconds as f64);
            if c.go_strategy().is_some() {
                rec.gc_per_call = Some(lab_record::quartiles(gc).median);
            }
            rec
        })
        .collect())
}
