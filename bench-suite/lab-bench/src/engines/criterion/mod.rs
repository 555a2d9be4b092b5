//! The R→C engine: criterion in this process. Each scenario's cases are checked (their work and
//! exact allocation counts, `crate::case`), then timed by criterion with their ratios from
//! interleaved rounds (`time`), counted under callgrind (`crate::passes::callgrind`) or sampled
//! for flame graphs (`profile`). Every R→C bench target is one [`R2c`] engine over its scenario.

mod estimates;
mod profile;
mod time;

pub use estimates::read_group;

use lab_record::Machine;

use crate::case::{check_scenario, Case, Scenario};
use crate::engine::{Engine, Measured};
use crate::options::Options;
use crate::passes::callgrind;

/// The R→C engine over some scenarios (a bench target's).
pub struct R2c<'a> {
    pub scenarios: &'a [&'a Scenario],
}

impl Engine for R2c<'_> {
    fn name(&self) -> &str {
        "r2c"
    }

    fn check(&self, opts: &Options, _machine: &Machine) -> Measured {
        for scenario in self.scenarios {
            if let Some(cases) = select(opts, scenario)? {
                check_scenario(scenario, &cases);
                for c in &cases {
                    println!("{} ... ok", c.id(scenario.id));
                }
            }
        }
        Ok(Vec::new())
    }

    fn time(&self, opts: &Options, machine: &Machine) -> Measured {
        time::time(opts, machine, self.scenarios)
    }

    fn count(&self, opts: &Options, machine: &Machine) -> Measured {
        if callgrind::is_child() {
            return count_child(opts, self.scenarios);
        }
        let mut selected = Vec::new();
        for scenario in self.scenarios {
            if let Some(cases) = select(opts, scenario)? {
                selected.push((*scenario, cases));
            }
        }
        callgrind::pass(opts, machine, selected)
    }

    fn profile(&self, opts: &Options, machine: &Machine) -> Measured {
        let mut files = Vec::new();
        for scenario in self.scenarios {
            if let Some(cases) = select(opts, scenario)? {
                check_scenario(scenario, &cases);
                files.extend(profile::profile_scenario(opts, machine, scenario, &cases)?);
            }
        }
        Ok(files)
    }
}

/// The process valgrind runs in the callgrind pass: counts every selected case on a thread of its
/// own, whose stack and malloc arena are mappings of their own, placed alike whatever the size of
/// the binary, its path or the environment (which move the main thread's stack and heap, and with
/// them the alignment-dependent paths of memcpy and strlen).
fn count_child(opts: &Options, scenarios: &[&Scenario]) -> Measured {
    let opts = opts.clone();
    let jobs: Vec<Scenario> = scenarios
        .iter()
        .map(|s| Scenario {
            id: s.id,
            strategies_agree: s.strategies_agree,
            cases: s.cases,
        })
        .collect();
    std::thread::Builder::new()
        .name("counted".into())
        .spawn(move || {
            for scenario in &jobs {
                if let Some(cases) = select(&opts, scenario)? {
                    callgrind::count_cases(scenario, &cases);
                }
            }
            Ok(Vec::new())
        })
        .expect("spawning the counted thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// The cases of `scenario` the filter selects; `None` when it selects none of a scenario it does
/// not name, an error when it names the scenario and selects none of its cases.
pub(crate) fn select(opts: &Options, scenario: &Scenario) -> Result<Option<Vec<Case>>, String> {
    let all = (scenario.cases)(opts.sweep);
    let strategies: Vec<&str> = all.iter().map(|c| c.strategy).collect();
    let cases: Vec<Case> = all
        .into_iter()
        .filter(|c| opts.selects(&c.id(scenario.id)))
        .collect();
    if !cases.is_empty() {
        return Ok(Some(cases));
    }
    if opts.filter.is_some() && opts.names(scenario.id) {
        let mut strategies = strategies;
        strategies.dedup();
        return Err(format!(
            "the filter {:?} selects no case of {} (its strategies: {})",
            opts.filter.as_deref().unwrap_or_default(),
            scenario.id,
            strategies.join(", ")
        ));
    }
    Ok(None)
}
