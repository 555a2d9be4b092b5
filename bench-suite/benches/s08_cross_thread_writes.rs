//! `cargo bench --bench s08_cross_thread_writes`: FINDINGS.md S08 (see `lab::r2c::s08_cross_thread_writes`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s08_cross_thread_writes::SCENARIO]);
}
