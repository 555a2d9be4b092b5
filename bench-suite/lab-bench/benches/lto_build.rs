//! `cargo bench --bench lto_build`: every R→C scenario in the cross-language LTO build (see
//! `lab_bench::engines::lto`), or "LTO build: not measured" without clang and lld of rustc's LLVM.
fn main() {
    lab_bench::command::main(&lab_bench::engines::lto::LtoBuild);
}
