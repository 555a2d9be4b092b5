//! The timed pass of S16: every case driven by wrk in turn, round after round, Envoy's CPU per
//! request with per-round ratios over the filter's floor, Envoy's C++ filter.

use super::cases::{params, Case, FLOOR, STRATEGIES};
use super::process::Envoy;
use super::Installation;
use crate::proxy::rounds::{self, Plan, Role};
use crate::proxy::{load_headers, request, wrk, Load};

/// Measures every case with `plan` on a running Envoy; one record per case.
pub fn measure(
    inst: &Installation,
    envoy: &Envoy,
    ports: &[(Case, u16)],
    plan: Plan,
) -> Result<Vec<lab_record::Record>, String> {
    for (c, port) in ports {
        // Each case answers 200 to the load request before it is timed (a broken case is an
        // error, not a fast row).
        let (status, head) = request(*port, "/", &load_headers())?;
        if status != 200 {
            return Err(format!(
                "{}: status {status} with valid credentials:\n{head}",
                c.name()
            ));
        }
        for _ in 0..plan.warmup_requests {
            request(*port, "/", &load_headers())?;
        }
    }
    let mut runs: Vec<Vec<Load>> = vec![Vec::new(); ports.len()];
    // GC cycles per request of each run, for the Go rows.
    let mut gc: Vec<Vec<f64>> = vec![Vec::new(); ports.len()];
    let script = envoy.dir.join("lab.lua");
    for round in 0..plan.rounds as usize {
        // The first case rotates, so no case always runs first.
        for k in 0..ports.len() {
            let i = (k + round) % ports.len();
            let (c, port) = &ports[i];
            let url = format!("http://127.0.0.1:{port}/");
            let gc0 = envoy.gc_cycles();
            let l = wrk::run(
                &inst.wrk,
                &script,
                &url,
                plan.seconds,
                plan.connections,
                || envoy.cpu_ns(),
            )?;
            if l.non_2xx > 0 || l.errors > 0 || l.requests == 0 {
                return Err(format!(
                    "{}: {} non-2xx responses, {} socket errors in {} requests",
                    c.name(),
                    l.non_2xx,
                    l.errors,
                    l.requests
                ));
            }
            gc[i].push(envoy.gc_cycles().saturating_sub(gc0) as f64 / l.requests as f64);
            runs[i].push(l);
        }
    }
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
