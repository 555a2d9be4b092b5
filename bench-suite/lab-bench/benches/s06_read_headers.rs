//! `cargo bench --bench s06_read_headers`: FINDINGS.md S06 (see `lab_bench::r2c::s06_read_headers`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s06_read_headers::SCENARIO],
    });
}
