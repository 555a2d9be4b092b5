//! `cargo bench --bench s04_known_length`: FINDINGS.md S04 (see `lab_bench::r2c::s04_known_length`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s04_known_length::SCENARIO],
    });
}
