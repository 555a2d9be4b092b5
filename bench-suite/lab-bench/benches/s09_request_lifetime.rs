//! `cargo bench --bench s09_request_lifetime`: FINDINGS.md S09 (see `lab_bench::r2c::s09_request_lifetime`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s09_request_lifetime::SCENARIO]);
}
