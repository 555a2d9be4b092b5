//! `cargo bench --bench s06_read_headers`: FINDINGS.md S06 (see `lab_bench::r2c::s06_read_headers`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s06_read_headers::SCENARIO]);
}
