//! `cargo bench --bench s08_cross_thread_writes`: FINDINGS.md S08 (see `lab_bench::r2c::s08_cross_thread_writes`).
use lab_bench::engines::criterion::R2c;

fn main() {
    lab_bench::command::main(&R2c {
        scenarios: &[&lab_bench::r2c::s08_cross_thread_writes::SCENARIO],
    });
}
