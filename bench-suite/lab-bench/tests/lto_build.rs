//! The LTO build end to end (quick sweep): its program builds with clang and lld of rustc's LLVM,
//! runs the selected R→C cases and files them as `rust-lto` rows of a build that says it was
//! linked with LTO; without the toolchain, the engine says "not measured" and files nothing.

use std::path::PathBuf;
use std::sync::Mutex;

use lab_bench::case::Sweep;
use lab_bench::engine::Engine;
use lab_bench::engines::lto::{toolchain::Toolchain, LtoBuild};
use lab_bench::options::{Options, Pass};
use lab_record::ResultFile;

/// The tests below set `LAB_CLANG` or read it: one at a time.
static ENV: Mutex<()> = Mutex::new(());

fn opts(name: &str) -> Options {
    let root = std::env::temp_dir().join(format!("lab-lto-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    Options {
        sweep: Sweep::Quick,
        pass: Pass::Time,
        filter: Some("s02_pass_string/ptr_len".into()),
        out_root: root,
    }
}

fn results(opts: &Options) -> PathBuf {
    let machine = lab_bench::fingerprint::detect("quick");
    opts.out_root.join("results").join(machine.id)
}

#[test]
fn the_lto_build_files_its_rows_as_rust_lto() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = Toolchain::detect() {
        println!("skipped: no LTO toolchain here ({e}); scripts/setup installs it");
        return;
    }
    let opts = opts("time");
    let machine = lab_bench::fingerprint::detect("quick");
    let files = LtoBuild
        .time(&opts, &machine)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(files.is_empty(), "the LTO program files its own records");
    let file = ResultFile::read(&results(&opts), "s02_pass_string", "rust-lto", "r2c")
        .unwrap()
        .expect("the LTO build wrote s02_pass_string.rust-lto.r2c.json");
    assert!(file.machine.lto, "an LTO build's records say so");
    assert!(file.machine.cc.contains("clang"), "{}", file.machine.cc);
    assert!(!file.records.is_empty());
    assert!(file.records.iter().all(|r| r.strategy == "ptr_len"));
    assert!(
        ResultFile::read(&results(&opts), "s02_pass_string", "rust", "r2c")
            .unwrap()
            .is_none(),
        "the LTO build writes no normal-build rows"
    );
    std::fs::remove_dir_all(&opts.out_root).unwrap();
}

#[test]
fn without_the_toolchain_the_lto_build_is_not_measured() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let opts = opts("missing");
    std::env::set_var("LAB_CLANG", "/nonexistent/clang");
    let machine = lab_bench::fingerprint::detect("quick");
    let files = LtoBuild.time(&opts, &machine);
    std::env::remove_var("LAB_CLANG");
    assert!(files.unwrap_or_else(|e| panic!("{e}")).is_empty());
    assert!(!opts.out_root.exists(), "nothing is written");
}
