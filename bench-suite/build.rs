//! Builds the C host (`c-harness/host`) with `cc` and generates the Rust bindings of
//! `c-harness/include/lab.h` with bindgen, so the header stays the one declaration of the ABI.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let harness = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../c-harness");
    let include = harness.join("include");
    let header = include.join("lab.h");
    let host = harness.join("host/host.c");
    let driver = harness.join("driver/driver.c");
    let c_ext = harness.join("driver/c_ext.c");
    for path in [&header, &host, &driver, &c_ext] {
        println!("cargo:rerun-if-changed={}", path.display());
    }

    // Frame pointers keep the host's frames visible in the flame graphs; warnings are errors so
    // the C side stays clean under -Wall -Wextra.
    let mut build = cc::Build::new();
    build
        .file(&host)
        .include(&include)
        .std("c11")
        .flag("-fno-omit-frame-pointer")
        // The host is linked into the extension, never interposed: let gcc inline its own helpers
        // (lab_touch) as it would in Envoy's binary, despite -fPIC.
        .flag("-fno-semantic-interposition")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true);
    let compiler = build.get_compiler();
    build.compile("labhost");

    // The C driver (C->R) and the same extension written in C (the driver's language-neutral
    // reference; its tests run the driver on it as well as on the Rust cdylib). Both are linked
    // programs or objects, which cc's library build does not make: the same compiler, the same
    // warnings-as-errors. The driver exports nothing to extensions: they get the host API as a
    // table at init, never by symbol.
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let driver_bin = out.join("lab-driver");
    cc_link(
        &compiler,
        &include,
        &[&driver, &host],
        &["-D_GNU_SOURCE"],
        &["-ldl", "-lpthread", "-lm"],
        &driver_bin,
    );
    println!("cargo:rustc-env=LAB_DRIVER={}", driver_bin.display());
    let c_ext_so = out.join("libc_ext.so");
    cc_link(
        &compiler,
        &include,
        &[&c_ext],
        &["-fPIC", "-shared"],
        &["-lpthread"],
        &c_ext_so,
    );
    println!("cargo:rustc-env=LAB_C_EXTENSION={}", c_ext_so.display());

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

    // The machine fingerprint of every result names the toolchains that built it.
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    println!(
        "cargo:rustc-env=LAB_RUSTC_VERSION={}",
        first_line(Command::new(rustc).arg("--version"))
    );
    println!(
        "cargo:rustc-env=LAB_CC_VERSION={}",
        first_line(compiler.to_command().arg("--version"))
    );
}

/// Compiles and links `sources` into `output` with the lab's C flags plus `flags` and `libs`.
fn cc_link(
    compiler: &cc::Tool,
    include: &Path,
    sources: &[&PathBuf],
    flags: &[&str],
    libs: &[&str],
    output: &Path,
) {
    let status = compiler
        .to_command()
        .args([
            "-std=c11",
            "-O2",
            "-g",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fno-omit-frame-pointer",
        ])
        .args(flags)
        .arg("-I")
        .arg(include)
        .args(sources)
        .arg("-o")
        .arg(output)
        .args(libs)
        .status()
        .expect("running the C compiler");
    assert!(
        status.success(),
        "compiling {sources:?} into {} failed",
        output.display()
    );
}

fn first_line(cmd: &mut Command) -> String {
    cmd.output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}
