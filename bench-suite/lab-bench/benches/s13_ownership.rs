//! `cargo bench --bench s13_ownership`: FINDINGS.md S13, body data (see `lab_bench::r2c::s13_ownership`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s13_ownership::SCENARIO]);
}
