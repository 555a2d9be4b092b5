//! `cargo bench --bench s05_pass_batch`: FINDINGS.md S05 (see `lab_bench::r2c::s05_pass_batch`).
fn main() {
    lab_bench::runner::bench_main(&[&lab_bench::r2c::s05_pass_batch::SCENARIO]);
}
