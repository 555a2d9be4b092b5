//! `cargo bench --bench s03_unknown_length`: FINDINGS.md S03 (see `lab_bench::r2c::s03_unknown_length`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s03_unknown_length::SCENARIO],
    });
}
