//! `cargo bench --bench c2r_driver`: the C driver loads this crate's cdylib and measures the C→R
//! scenarios of FINDINGS.md (S01, S07, S10, S11, S12, S14); see `lab_bench::engines::driver`.
fn main() {
    lab_bench::command::main(&lab_bench::engines::driver::C2r);
}
