//! The load generator: `wrk` driving one case's server ([`crate::proxy::wrk`]), the worker's CPU
//! time per request and the module's counters beside it.

use super::cases::Case;
use super::config::Installation;
use super::http::counters;
use super::process::Nginx;
use crate::proxy::{wrk, Load};

/// Drives `case` with wrk (one thread, `connections` connections) for `seconds`, reading the
/// worker's CPU time and the module's counters (at the control server) before and after.
pub fn load(
    inst: &Installation,
    nginx: &Nginx,
    case: &Case,
    seconds: u32,
    connections: u32,
) -> Result<Load, String> {
    let counts0 = counters(nginx.control())?;
    let mut l = wrk::run(
        &inst.wrk,
        &nginx.prefix.join("lab.lua"),
        &nginx.url_of(case),
        seconds,
        connections,
        || nginx.worker_cpu_ns(),
    )?;
    let counts1 = counters(nginx.control())?;
    let per = |a: u64, b: u64| b.saturating_sub(a) as f64 / l.requests.max(1) as f64;
    l.allocs_per_request = per(counts0.0, counts1.0);
    l.copied_per_request = per(counts0.1, counts1.1);
    Ok(l)
}
