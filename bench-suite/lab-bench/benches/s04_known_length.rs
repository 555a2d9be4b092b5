//! `cargo bench --bench s04_known_length`: FINDINGS.md S04 (see `lab_bench::r2c::s04_known_length`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s04_known_length::SCENARIO]);
}
