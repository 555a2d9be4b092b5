//! `cargo bench --bench s01_call_floor`: FINDINGS.md S01 (see `lab::r2c::s01_call_floor`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s01_call_floor::SCENARIO]);
}
