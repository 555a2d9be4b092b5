//! Generates the Rust declarations of hosts/envoy/include/envoy_abi.h with bindgen, so that header
//! stays the one declaration of the Envoy ABI the lab uses (the Go module includes it too).

use std::env;
use std::path::PathBuf;

fn main() {
    let header =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../include/envoy_abi.h");
    println!("cargo:rerun-if-changed={}", header.display());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    bindgen::Builder::default()
        .header(header.to_str().unwrap())
        .allowlist_function("envoy_dynamic_module_.*")
        .allowlist_type("envoy_dynamic_module_.*")
        .allowlist_var("LAB_ENVOY_.*")
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        .generate()
        .expect("bindgen could not parse hosts/envoy/include/envoy_abi.h (is libclang installed? run scripts/setup)")
        .write_to_file(out.join("envoy_abi.rs"))
        .unwrap();
}
