//! Embeds the scenario definitions (`scenarios/*.toml` at the workspace root) into the crate, so
//! every program of the lab reads the same definitions however it is started, and a new
//! definition file needs no line of Rust.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../scenarios");
    // A directory: cargo rescans it, so an added or edited file rebuilds.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for f in &files {
        let f = f.canonicalize().unwrap();
        let name = f.file_name().unwrap().to_str().unwrap();
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    out.push(']');
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("scenarios.rs");
    fs::write(dest, out).unwrap();
}
