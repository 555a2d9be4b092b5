//! Builds the C programs the runners launch: the C driver (`c-harness/driver`: its engine, and one
//! file per C->R scenario under `scenarios/`, linked with the host) that times the C->R scenarios,
//! and the C extension (`c_ext.c`) it loads as the native reference. The host library and the
//! bindings are lab-sys's (its build.rs).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let harness = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../c-harness");
    let include = harness.join("include");
    // The host's one translation unit, which includes the other files of c-harness/host/.
    let host_dir = harness.join("host");
    let host = host_dir.join("host.c");
    let driver_dir = harness.join("driver");
    let c_ext = driver_dir.join("c_ext.c");
    let cg = harness.join("callgrind");
    // The driver: its engine's files, then every scenario file of driver/scenarios/ (sorted, so
    // that the link order and with it the binary's layout depend on the files alone), so that a
    // new scenario is a file there and a row in scenarios.c, never a line here.
    let scenarios_dir = driver_dir.join("scenarios");
    let mut driver: Vec<PathBuf> = ["engine.c", "count.c", "fixture.c", "main.c", "scenarios.c"]
        .iter()
        .map(|f| driver_dir.join(f))
        .collect();
    let mut scenario_files: Vec<PathBuf> = std::fs::read_dir(&scenarios_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", scenarios_dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    scenario_files.sort();
    driver.extend(scenario_files);
    let headers = [driver_dir.join("engine.h"), driver_dir.join("histogram.h")];
    // The scenarios' directory itself too: cargo rescans it, so an added file rebuilds.
    println!("cargo:rerun-if-changed={}", scenarios_dir.display());
    for path in [
        &include.join("lab.h"),
        &include.join("lab_digest.h"),
        &host_dir,
        &c_ext,
        &cg.join("lab_cg.c"),
        &cg.join("lab_cg.h"),
    ]
    .into_iter()
    .chain(&driver)
    .chain(&headers)
    {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let compiler = cc::Build::new().get_compiler();

    // The callgrind pass's markers (valgrind's client requests from <valgrind/callgrind.h>, which
    // Debian's valgrind package installs): linked into the bench library and the C driver, never
    // into the extension or the host.
    cc::Build::new()
        .file(cg.join("lab_cg.c"))
        .include(&cg)
        .std("c11")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .compile("labcg");

    // The C driver (C->R) and the same extension written in C (the driver's language-neutral
    // reference; its tests run the driver on it as well as on the Rust cdylib). Both are linked
    // programs or objects, which cc's library build does not make: the same compiler, the same
    // warnings-as-errors as lab-sys's host. The driver exports nothing to extensions: they get the
    // host API as a table at init, never by symbol.
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    // The driver counts its cases under the callgrind pass with the same markers (lab_cg.c).
    let driver_bin = out.join("lab-driver");
    let cg_c = cg.join("lab_cg.c");
    let cg_include = format!("-I{}", cg.display());
    // The host and the markers link first: the code every counted window runs besides the case's
    // loop then keeps its addresses when a driver file changes (only main and the files' cold
    // paths come before it), and the callgrind pass's cache figures depend on code addresses.
    let driver_sources: Vec<&PathBuf> = [&host, &cg_c].into_iter().chain(&driver).collect();
    cc_link(
        &compiler,
        &include,
        &driver_sources,
        &[DRIVER_DEFINES, &cg_include],
        &DRIVER_LIBS,
        &driver_bin,
    );
    println!("cargo:rustc-env=LAB_DRIVER={}", driver_bin.display());
    // The link modes (src/engines/link/) build this driver again at run time with the extension
    // linked in: the same sources in the same order, the same flags, the same compiler.
    let joined: Vec<String> = driver_sources
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    println!("cargo:rustc-env=LAB_DRIVER_SOURCES={}", joined.join(":"));
    println!(
        "cargo:rustc-env=LAB_DRIVER_INCLUDES={}:{}",
        include.display(),
        cg.display()
    );
    println!(
        "cargo:rustc-env=LAB_DRIVER_CFLAGS={} {DRIVER_DEFINES}",
        C_FLAGS.join(" ")
    );
    println!("cargo:rustc-env=LAB_DRIVER_LIBS={}", DRIVER_LIBS.join(" "));
    // The target the Rust side is built for: clang's bitcode must name the same triple as rustc's
    // for lld to link the two without a warning.
    println!(
        "cargo:rustc-env=LAB_RUST_TARGET={}",
        env::var("TARGET").unwrap()
    );
    println!(
        "cargo:rustc-env=LAB_DRIVER_CC={}",
        compiler.path().display()
    );
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

    // The cross-language LTO build (`LAB_BUILD=lto`, engines::lto): its records are `rust-lto`
    // rows (src/build.rs).
    println!("cargo:rerun-if-env-changed=LAB_BUILD");
    println!("cargo::rustc-check-cfg=cfg(lab_lto)");
    if env::var("LAB_BUILD").is_ok_and(|b| b == "lto") {
        println!("cargo:rustc-cfg=lab_lto");
    }

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

/// The lab's C flags for the programs and objects linked here.
const C_FLAGS: [&str; 7] = [
    "-std=c11",
    "-O2",
    "-g",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-fno-omit-frame-pointer",
];

/// The driver's own define and libraries.
const DRIVER_DEFINES: &str = "-D_GNU_SOURCE";
const DRIVER_LIBS: [&str; 3] = ["-ldl", "-lpthread", "-lm"];

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
        .args(C_FLAGS)
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
