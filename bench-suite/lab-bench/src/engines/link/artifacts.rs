//! The link modes' programs, built at run time: lab-ext as a static library or as a cdylib with
//! `panic = "abort"` (cargo, into `target/link/`), and the C driver compiled with
//! `-DLAB_EXT_LINKED` and linked with the static library. Each build is incremental: cargo's own,
//! and a driver relinked only when an input or its command changed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::engines::lto::toolchain::Toolchain;
use crate::options::{target_dir, workspace_root};

/// Where the link modes build: apart from the normal build's directory, whose flags differ.
pub fn link_dir() -> PathBuf {
    target_dir().join("link")
}

/// The cargo target directory of the builds with the normal build's compiler flags (the static
/// library, the `panic = "abort"` cdylib: cargo keeps the two apart, the profile setting being part
/// of each artifact's hash), and of the cross-language LTO build's (other `RUSTFLAGS`, which would
/// rebuild everything at every switch).
fn cargo_dir(lto: bool) -> PathBuf {
    link_dir().join(if lto { "cargo-lto" } else { "cargo" })
}

/// The libraries a Rust static library needs on this target (`rustc --print native-static-libs`
/// for x86_64-unknown-linux-gnu).
const RUST_NATIVE_LIBS: [&str; 7] = [
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

/// `cargo <args>` on lab-ext with the `release` profile (the settings of the `bench` profile the
/// normal build's cdylib is built with, which `cargo rustc` would build as a test harness) into
/// `dir`, with `env` besides.
fn cargo(dir: &Path, args: &[&str], env: &[(&'static str, String)]) -> Result<(), String> {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(args)
        .args(["--quiet", "--release", "-p", "lab-ext", "--lib"])
        .env("CARGO_TARGET_DIR", dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building lab-ext ({}) into {} failed ({status})",
            args.join(" "),
            dir.display()
        ));
    }
    Ok(())
}

/// lab-ext as a static library; with `toolchain`, in the cross-language LTO build (its objects
/// LLVM bitcode, `-Clinker-plugin-lto`; the host's C compiled by clang `-flto=thin`).
pub fn static_library(toolchain: Option<&Toolchain>) -> Result<PathBuf, String> {
    let dir = cargo_dir(toolchain.is_some());
    let env = toolchain.map(Toolchain::cargo_env).unwrap_or_default();
    cargo(&dir, &["rustc", "--crate-type", "staticlib"], &env)?;
    Ok(dir.join("release").join("liblab_ext.a"))
}

/// lab-ext's cdylib built with `panic = "abort"`: no landing pads, a panic ends the process.
pub fn abort_cdylib() -> Result<PathBuf, String> {
    let dir = cargo_dir(false);
    cargo(
        &dir,
        &["build", "--config", "profile.release.panic=\"abort\""],
        &[],
    )?;
    Ok(dir.join("release").join("liblab_ext.so"))
}

/// A list build.rs passed at compile time, `:`-separated.
fn env_list(text: &'static str) -> Vec<PathBuf> {
    text.split(':').map(PathBuf::from).collect()
}

/// The C driver with the static library `lib` linked in, as `out`: build.rs's sources, flags and
/// libraries, with `-DLAB_EXT_LINKED` (the extension's exports called directly), compiled and
/// linked by `cc` with `extra` flags. Relinked only when `out` is older than an input (a file of
/// the sources' or the includes' directories, `lib`) or was linked by another command.
pub fn link_driver(cc: &Path, extra: &[String], lib: &Path, out: &Path) -> Result<(), String> {
    let sources = env_list(env!("LAB_DRIVER_SOURCES"));
    let includes = env_list(env!("LAB_DRIVER_INCLUDES"));
    let mut args: Vec<OsString> = env!("LAB_DRIVER_CFLAGS")
        .split(' ')
        .map(OsString::from)
        .collect();
    args.push("-DLAB_EXT_LINKED".into());
    args.extend(extra.iter().map(OsString::from));
    for dir in &includes {
        args.push("-I".into());
        args.push(dir.into());
    }
    args.extend(sources.iter().map(OsString::from));
    args.push(lib.into());
    args.extend(["-o".into(), out.into()]);
    args.extend(env!("LAB_DRIVER_LIBS").split(' ').map(OsString::from));
    args.extend(RUST_NATIVE_LIBS.iter().map(OsString::from));

    let stamp = out.with_extension("cmd");
    let command = format!(
        "{} {}",
        cc.display(),
        args.join(" ".as_ref()).to_string_lossy()
    );
    let dirs: Vec<&Path> = sources
        .iter()
        .filter_map(|s| s.parent())
        .chain(includes.iter().map(PathBuf::as_path))
        .collect();
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == command)
        && newest(&dirs, lib).is_some_and(|t| modified(out).is_some_and(|o| o >= t))
    {
        return Ok(());
    }
    std::fs::create_dir_all(out.parent().expect("the driver has a directory"))
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let status = Command::new(cc)
        .args(&args)
        .status()
        .map_err(|e| format!("{}: {e}", cc.display()))?;
    if !status.success() {
        return Err(format!(
            "linking the driver {} failed ({status}): {command}",
            out.display()
        ));
    }
    std::fs::write(&stamp, command).map_err(|e| format!("{}: {e}", stamp.display()))
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of `lib` and of the files directly in `dirs`; `None` when one
/// cannot be read (then the driver is relinked).
fn newest(dirs: &[&Path], lib: &Path) -> Option<SystemTime> {
    let mut newest = modified(lib)?;
    for dir in dirs {
        for entry in std::fs::read_dir(dir).ok()? {
            let t = modified(&entry.ok()?.path())?;
            newest = newest.max(t);
        }
    }
    Some(newest)
}
