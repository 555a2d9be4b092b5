//! `cargo bench --bench s09_request_lifetime`: FINDINGS.md S09 (see `lab::r2c::s09_request_lifetime`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s09_request_lifetime::SCENARIO]);
}
