//! `cargo bench --bench c2r_link`: S01, S10 and S11 (C→R) with the Rust extension linked
//! statically into the driver, with cross-language LTO, and built with `panic = "abort"` (see
//! `lab_bench::engines::link`); the dlopen()ed extension is `c2r_driver`'s `rust` rows.
fn main() {
    lab_bench::command::main(&lab_bench::engines::link::LinkModes);
}
