//! Bad input at the boundary, as properties.
//!
//! The rule (docs/DESIGN.md, "Bad input at the boundary"): every input reaching the boundary gets a
//! clean answer — a `Result` from the wrappers, a `lab_status` from the C functions and the
//! extension's exports — never undefined behaviour, never a crash. `tests/bad_input.rs` checks it
//! on chosen examples; here proptest generates the inputs (arbitrary bytes as names, values and
//! strings, arbitrary capacities, offsets, handles, filter and access numbers, NULL pointers with
//! arbitrary lengths) and each property compares the answer with a small model written here from
//! lab.h and host.c, not with what the code happens to return. Out-parameters and caller buffers
//! are pre-filled with sentinels, with guard slots past the capacity handed over, so "writes
//! nothing on an error" and "writes no more than the capacity" are checked too.
//!
//! The case count is proptest's default (256) unless `PROPTEST_CASES` says otherwise: the `proptest!`
//! macro passes every config through `contextualize_config`, which reads the variable.
//! `scripts/memcheck` runs this target under valgrind with a small count.
//!
//! The host's handle registry is process-wide, so the properties that register requests hold
//! [`registry::registry_lock`]: while one runs, the live handles are exactly those its model knows.
//!
//! One module per area of the boundary, each a `proptest!` block of properties: `headers` (the safe
//! wrappers' header reads and writes), `strings` (strings and batches handed to the host), `raw`
//! (the C functions with NULL pointers and prefixes of real buffers), `handles` (the host API table
//! with arbitrary handles), `extension` (the Rust extension's exports with arbitrary entries). They
//! share `models` (what lab.h and host.c say the answer is), `strategies` (the generated inputs,
//! and the sentinels and guards buffers are pre-filled with) and `registry` (registered requests
//! with their models).

mod extension;
mod handles;
mod headers;
mod models;
mod raw;
mod registry;
mod strategies;
mod strings;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn config() -> ProptestConfig {
    ProptestConfig {
        // An integration test has no lib.rs for proptest's default persistence to find: failing
        // inputs go beside the property's module (tests/properties/<module>.proptest-regressions),
        // replayed first on the next run.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        // `cases` stays the default's: PROPTEST_CASES when set (proptest! passes every config
        // through contextualize_config, which reads it), 256 otherwise.
        ..ProptestConfig::default()
    }
}
