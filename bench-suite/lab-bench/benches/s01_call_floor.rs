//! `cargo bench --bench s01_call_floor`: FINDINGS.md S01 (see `lab_bench::r2c::s01_call_floor`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s01_call_floor::SCENARIO],
    });
}
