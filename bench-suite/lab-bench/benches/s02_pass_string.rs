//! `cargo bench --bench s02_pass_string`: FINDINGS.md S02 (see `lab_bench::r2c::s02_pass_string`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s02_pass_string::SCENARIO],
    });
}
