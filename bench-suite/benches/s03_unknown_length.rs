//! `cargo bench --bench s03_unknown_length`: FINDINGS.md S03 (see `lab::r2c::s03_unknown_length`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s03_unknown_length::SCENARIO]);
}
