//! `cargo bench --bench s06_read_headers`: FINDINGS.md S06 (see `lab::r2c::s06_read_headers`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s06_read_headers::SCENARIO]);
}
