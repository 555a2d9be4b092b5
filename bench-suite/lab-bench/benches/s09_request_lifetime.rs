//! `cargo bench --bench s09_request_lifetime`: FINDINGS.md S09 (see `lab_bench::r2c::s09_request_lifetime`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s09_request_lifetime::SCENARIO],
    });
}
