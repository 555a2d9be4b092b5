//! `cargo bench --bench s02_pass_string`: FINDINGS.md S02 (see `lab_bench::r2c::s02_pass_string`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s02_pass_string::SCENARIO]);
}
