//! The nginx engine, S15 `s15_real_proxy`: the packaged nginx as a host the lab starts itself.
//! It builds the Rust module and the C module, the floor (`hosts/nginx/build`), writes one
//! configuration with a server per case, each on its own port with the one location `= /`
//! ([`config`]: the module's strategies, the C module, and the references, nginx's built-in
//! directives, Lua, njs and no filter), so that every case's location lookup is the same, and a
//! control server for the module's counters; starts nginx with one worker on free ports of
//! 127.0.0.1 ([`process`]), drives it with `wrk` ([`load`]) and reads the worker's CPU time
//! ([`time`]); the callgrind pass counts the worker ([`count`]) and the profile pass samples it
//! with perf ([`profile`]). The tests (`tests/nginx_module.rs`) use the same pieces, and skip
//! with a message when nginx is not installed.

pub mod cases;
pub mod config;
pub mod count;
pub mod http;
pub mod load;
pub mod process;
pub mod profile;
pub mod time;

pub use cases::*;
pub use config::{build_modules, config, Installation, Listen, Modules, C_MODULE_FILE};
pub use count::{CALLGRIND_LOCATION, COUNT_BATCHES, LUA_COUNT_BATCHES};
pub use http::{counters, STATS};
pub use load::load;
pub use process::Nginx;
pub use profile::{graph_name, link_graphs, profile_case, profiled_cases, MODULE_FILE};

use std::time::Instant;

use lab_record::Machine;

use crate::engine::{Engine, Measured};
use crate::options::Options;
use crate::proxy::rounds::{result_file, Plan};

/// The nginx engine: S15's cases in the packaged nginx. Without nginx installed every pass says
/// "nginx: not measured" and writes nothing.
pub struct NginxHost;

impl NginxHost {
    /// The installation and the cases the filter selects; `None` when the filter does not name
    /// S15 or nginx is not installed (said in one line).
    fn prepare(opts: &Options) -> Result<Option<(Installation, Vec<Case>)>, String> {
        if !opts.names(SCENARIO) {
            return Ok(None);
        }
        let inst = match Installation::detect() {
            Ok(i) => i,
            Err(e) => {
                println!("lab: nginx: not measured ({e})");
                return Ok(None);
            }
        };
        let selected: Vec<Case> = cases()
            .into_iter()
            .filter(|c| opts.selects(&case_id(c)))
            .collect();
        if selected.is_empty() {
            return Err(format!(
                "the filter {:?} selects no case of {SCENARIO}",
                opts.filter.as_deref().unwrap_or_default()
            ));
        }
        Ok(Some((inst, selected)))
    }
}

impl Engine for NginxHost {
    fn name(&self) -> &str {
        "s15 real proxy"
    }

    fn time(&self, opts: &Options, machine: &Machine) -> Measured {
        let Some((inst, selected)) = Self::prepare(opts)? else {
            return Ok(Vec::new());
        };
        let modules = build_modules()?;
        let nginx = Nginx::start(&inst, &modules, "bench", "")?;
        let plan = Plan::of(opts, FULL_ROUNDS);
        let started = Instant::now();
        let records = time::measure(&inst, &nginx, &selected, plan);
        nginx.stop()?;
        let records = records?;
        plan.said("S15", records.len(), started);
        Ok(vec![result_file(SCENARIO, machine, records)])
    }

    fn count(&self, opts: &Options, machine: &Machine) -> Measured {
        match Self::prepare(opts)? {
            Some((inst, selected)) => count::count_pass(opts, machine, &inst, &selected),
            None => Ok(Vec::new()),
        }
    }

    fn profile(&self, opts: &Options, machine: &Machine) -> Measured {
        match Self::prepare(opts)? {
            Some((inst, selected)) => profile::profile_pass(opts, machine, &inst, &selected),
            None => Ok(Vec::new()),
        }
    }
}
