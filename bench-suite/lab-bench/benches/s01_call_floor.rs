//! `cargo bench --bench s01_call_floor`: FINDINGS.md S01 (see `lab_bench::r2c::s01_call_floor`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s01_call_floor::SCENARIO]);
}
