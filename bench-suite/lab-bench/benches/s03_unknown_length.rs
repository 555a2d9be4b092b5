//! `cargo bench --bench s03_unknown_length`: FINDINGS.md S03 (see `lab_bench::r2c::s03_unknown_length`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s03_unknown_length::SCENARIO]);
}
