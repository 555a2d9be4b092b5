//! Engines and passes. An **engine** is one way of running the lab's cases: criterion in this
//! process (R→C), the C driver on an extension (C→R), the Go reference, a real host (nginx). A
//! **pass** is one way of observing them: checked once, timed, counted under callgrind, profiled.
//! The command layer (`crate::command`) drives any engine through any pass, so a new host or build
//! is one new engine and every pass reaches it.

use lab_record::{Machine, ResultFile};

use crate::options::{Options, Pass};

/// What a pass of an engine gives: the result files to merge into `results/<machine>/` (none
/// where the pass has nothing to write), or an error that ends the run with its message.
pub type Measured = Result<Vec<ResultFile>, String>;

/// One way of running cases. Each method runs the cases `opts` selects; an engine whose cases the
/// filter does not name returns no files, and one whose scenarios the filter names but none of
/// whose cases it selects returns an error naming its cases.
pub trait Engine {
    /// The engine's name in the lab's messages (`r2c`, `c2r driver`, `go reference`, …).
    fn name(&self) -> &str;

    /// Every selected case run once and checked; the files it returns are counted, not written.
    /// By default the timed pass, at the sweep [`Options::driven_sweep`] gives.
    fn check(&self, opts: &Options, machine: &Machine) -> Measured {
        self.time(opts, machine)
    }

    /// The timed pass: the records' ns, ratios and allocation counts.
    fn time(&self, opts: &Options, machine: &Machine) -> Measured;

    /// The callgrind pass: instructions and estimated cycles per call, beside the timed records.
    fn count(&self, _opts: &Options, _machine: &Machine) -> Measured {
        println!("lab: {}: not counted by the callgrind pass", self.name());
        Ok(Vec::new())
    }

    /// The profile pass: flame graphs, linked from the timed records.
    fn profile(&self, _opts: &Options, _machine: &Machine) -> Measured {
        println!("lab: {}: no flame graph in the profile pass", self.name());
        Ok(Vec::new())
    }
}

impl Pass {
    /// Runs this pass of `engine`.
    pub fn drive(self, engine: &dyn Engine, opts: &Options, machine: &Machine) -> Measured {
        match self {
            Pass::Check => engine.check(opts, machine),
            Pass::Time => engine.time(opts, machine),
            Pass::Count => engine.count(opts, machine),
            Pass::Profile => engine.profile(opts, machine),
        }
    }
}
