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

use crate::measure::runner::Scenario;

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

/// What the Rust side does with bytes it read from the host: enough to prove it saw them (length,
/// first and last byte), cheap enough not to hide the cost of getting them.
#[inline(always)]
pub fn digest(bytes: &[u8]) -> u64 {
    match (bytes.first(), bytes.last()) {
        (Some(&f), Some(&l)) => {
            (bytes.len() as u64).rotate_left(17) ^ (u64::from(f) << 8) ^ u64::from(l)
        }
        _ => 0,
    }
}

/// `len` printable bytes without NUL, the same for the same seed: the strings the R→C scenarios
/// hand to the host.
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=;/ ";
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            // xorshift64: deterministic filler, no dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            CHARS[(state % CHARS.len() as u64) as usize]
        })
        .collect()
}
