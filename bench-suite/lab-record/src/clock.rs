//! The pace a timed pass ran at: the core's clock and the highest instruction rate it sustains,
//! measured beside the timing (lab-bench's `clock` probe), so that a row's counted instructions
//! over its timed cycles can be checked against what the CPU can run.

use serde::{Deserialize, Serialize};

/// The clock and the instruction rate measured in a timed pass.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    /// Cycles per ns: a chain of dependent one-cycle instructions timed, the fastest of the probes
    /// around the pass (a faster clock makes a row's implied rate lower, never wrongly higher).
    pub ghz: f64,
    /// Instructions per cycle of a loop of independent no-ops: what the front end retires at
    /// most, above any real code's rate.
    pub peak_ipc: f64,
}

impl Clock {
    /// Instructions per cycle implied by `instructions` run in `ns` on `cores_busy` cores at once.
    pub fn implied_ipc(&self, instructions: f64, ns: f64, cores_busy: f64) -> f64 {
        instructions / (ns * self.ghz * cores_busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_rate_is_instructions_over_cycles() {
        let c = Clock {
            ghz: 2.5,
            peak_ipc: 6.0,
        };
        // 100 instructions in 10 ns at 2.5 GHz: 25 cycles, 4 per cycle; on two cores, 2.
        assert_eq!(c.implied_ipc(100.0, 10.0, 1.0), 4.0);
        assert_eq!(c.implied_ipc(100.0, 10.0, 2.0), 2.0);
    }
}
