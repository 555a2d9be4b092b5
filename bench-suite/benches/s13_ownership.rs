//! `cargo bench --bench s13_ownership`: FINDINGS.md S13, body data (see `lab::r2c::s13_ownership`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s13_ownership::SCENARIO]);
}
