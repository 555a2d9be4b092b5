//! `cargo bench --bench s04_known_length`: FINDINGS.md S04 (see `lab::r2c::s04_known_length`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s04_known_length::SCENARIO]);
}
