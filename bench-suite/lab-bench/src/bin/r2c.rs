//! Every R→C scenario in one program: what the cross-language LTO build runs
//! (`lab_bench::engines::lto`), with a bench target's arguments (`--bench`, a filter, `--quick`).
//! In the normal build each scenario has its bench target (`benches/sNN_*.rs`) instead.
fn main() {
    lab_bench::command::main(&lab_bench::engines::criterion::R2c {
        scenarios: lab_bench::r2c::SCENARIOS,
    });
}
