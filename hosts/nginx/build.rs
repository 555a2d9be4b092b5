//! Compiles the lab's callgrind markers (`c-harness/callgrind/lab_cg.c`) into the module, for the
//! `$ffi_lab_callgrind` variable with which S15's callgrind pass zeroes and dumps the worker's
//! counts around its batches of requests (a few no-op instructions outside valgrind).

use std::path::Path;

fn main() {
    let cg = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../c-harness/callgrind");
    for f in ["lab_cg.c", "lab_cg.h"] {
        println!("cargo:rerun-if-changed={}", cg.join(f).display());
    }
    cc::Build::new()
        .file(cg.join("lab_cg.c"))
        .include(&cg)
        .flag("-std=c11")
        .flag("-Wall")
        .flag("-Wextra")
        .warnings_into_errors(true)
        .compile("lab_cg");
}
