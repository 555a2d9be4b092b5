//! Builds the C host (`c-harness/host`) with `cc` and generates the Rust bindings of
//! `c-harness/include/lab.h` with bindgen, so the header stays the one declaration of the ABI.

use std::env;
use std::path::PathBuf;

fn main() {
    let harness = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../c-harness");
    let include = harness.join("include");
    let header = include.join("lab.h");
    // host.c is the host's one translation unit; it includes the other files of c-harness/host/.
    let host_dir = harness.join("host");
    let host = host_dir.join("host.c");
    let native = harness.join("native/native.c");
    let digest = include.join("lab_digest.h");
    for path in [&header, &digest, &host_dir, &native] {
        println!("cargo:rerun-if-changed={}", path.display());
    }

    // Frame pointers keep the host's frames visible in the flame graphs; warnings are errors so
    // the C side stays clean under -Wall -Wextra.
    // The cross-language LTO build (`LAB_BUILD=lto`, set with CC=clang-22 by the LTO engine,
    // lab-bench's `engines::lto`): the host and the floors as LLVM bitcode, which lld-22 optimises
    // together with the Rust side's (-Clinker-plugin-lto), so a call into C can be inlined.
    println!("cargo:rerun-if-env-changed=LAB_BUILD");
    let lto = env::var("LAB_BUILD").is_ok_and(|b| b == "lto");
    let mut build = cc::Build::new();
    if lto {
        build.flag("-flto=thin");
    }
    build
        .file(&host)
        // The native floors: C calling the host, a separate translation unit (real calls).
        .file(&native)
        .include(&include)
        .std("c11")
        .flag("-fno-omit-frame-pointer")
        // The host is linked into the extension, never interposed: let gcc inline its own helpers
        // (lab_touch) as it would in Envoy's binary, despite -fPIC.
        .flag("-fno-semantic-interposition")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .compile("labhost");

    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let bindings = bindgen::Builder::default()
        .header(header.to_str().unwrap())
        .allowlist_function("lab_.*")
        .allowlist_type("lab_.*")
        .allowlist_var("LAB_.*")
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .derive_default(true)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        .generate()
        .expect("bindgen could not parse c-harness/include/lab.h (is libclang installed? run scripts/setup)");
    bindings.write_to_file(out.join("lab_sys.rs")).unwrap();
}
