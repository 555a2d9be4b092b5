//! Rust calls C (R→C): the copying strategies of FINDINGS.md S01–S06 and the concurrency and
//! lifetime strategies of S08, S09 and S13, one module per scenario.
//!
//! Each module holds its strategies as plain functions `fn(&Input) -> Result<u64, LabError>` named
//! as in FINDINGS.md, returning a checksum of the work, and a `cases` function that registers them
//! over the scenario's sweep. [`SCENARIOS`] lists them all for the bench targets and the tests.

pub mod s01_call_floor;
pub mod s02_pass_string;
pub mod s03_unknown_length;
pub mod s04_known_length;
pub mod s05_pass_batch;
pub mod s06_read_headers;
pub mod s08_cross_thread_writes;
pub mod s09_request_lifetime;
pub mod s13_ownership;

use crate::case::Scenario;

/// Every R→C scenario, in FINDINGS.md order.
pub const SCENARIOS: &[&Scenario] = &[
    &s01_call_floor::SCENARIO,
    &s02_pass_string::SCENARIO,
    &s03_unknown_length::SCENARIO,
    &s04_known_length::SCENARIO,
    &s05_pass_batch::SCENARIO,
    &s06_read_headers::SCENARIO,
    &s08_cross_thread_writes::SCENARIO,
    &s09_request_lifetime::SCENARIO,
    &s13_ownership::SCENARIO,
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_scenario_has_its_definition() {
        for s in super::SCENARIOS {
            let d = s.definition();
            assert!(!d.unit.is_empty(), "{}", s.id);
        }
    }
}
