//! `cargo bench --bench s02_pass_string`: FINDINGS.md S02 (see `lab::r2c::s02_pass_string`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s02_pass_string::SCENARIO]);
}
