//! `cargo bench --bench s05_pass_batch`: FINDINGS.md S05 (see `lab::r2c::s05_pass_batch`).
fn main() {
    lab::measure::runner::bench_main(&[&lab::r2c::s05_pass_batch::SCENARIO]);
}
