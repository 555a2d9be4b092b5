//! `cargo bench --bench s13_ownership`: FINDINGS.md S13 (see `lab_bench::r2c::s13_ownership`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s13_ownership::SCENARIO],
    });
}
