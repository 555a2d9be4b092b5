//! `cargo bench --bench s08_cross_thread_writes`: FINDINGS.md S08 (see `lab_bench::r2c::s08_cross_thread_writes`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s08_cross_thread_writes::SCENARIO]);
}
