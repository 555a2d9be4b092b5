//! `cargo bench --bench s05_pass_batch`: FINDINGS.md S05 (see `lab_bench::r2c::s05_pass_batch`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s05_pass_batch::SCENARIO],
    });
}
