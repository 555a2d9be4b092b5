//! The lab's Envoy ABI header (hosts/envoy/include/envoy_abi.h) against the installed Envoy
//! binary: every callback it declares is one Envoy exports, every hook it declares is a name Envoy
//! looks up, and the ABI version a module reports (LAB_ENVOY_ABI_VERSION, what the module's
//! program-init hook returns) is the string Envoy compares it with. Envoy is found at $LAB_ENVOY
//! or .venv-envoy/envoy/_bin/envoy (scripts/setup); without it the test says so and passes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn header() -> String {
    std::fs::read_to_string(root().join("hosts/envoy/include/envoy_abi.h")).unwrap()
}

fn envoy() -> Option<PathBuf> {
    let path = std::env::var_os("LAB_ENVOY")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-envoy/envoy/_bin/envoy"));
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skip: no Envoy at {} (scripts/setup installs it): S16 is not measured",
            path.display()
        );
        None
    }
}

/// The declared function names starting with `prefix` (a name followed by `(`).
fn declared(header: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (i, _) in header.match_indices(prefix) {
        let name: String = header[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if header[i + name.len()..].starts_with('(') && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The NUL-terminated strings of a binary (every run of bytes between two NULs).
fn c_strings(binary: &[u8]) -> std::collections::HashSet<&[u8]> {
    binary.split(|&b| b == 0).collect()
}

#[test]
fn callbacks_are_exported_by_envoy() {
    let Some(envoy) = envoy() else { return };
    let callbacks = declared(&header(), "envoy_dynamic_module_callback_");
    assert_eq!(callbacks.len(), 5, "{callbacks:?}");
    let nm = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&envoy)
        .output()
        .expect("nm (binutils) runs");
    assert!(nm.status.success());
    let exported: Vec<&str> = std::str::from_utf8(&nm.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    for name in &callbacks {
        assert!(
            exported.contains(&name.as_str()),
            "Envoy does not export {name}"
        );
    }
}

#[test]
fn hooks_and_version_are_envoys() {
    let Some(envoy) = envoy() else { return };
    let binary = std::fs::read(&envoy).unwrap();
    let strings = c_strings(&binary);
    let has_c_string = |s: &[u8]| strings.contains(s);
    let header = header();
    let hooks = declared(&header, "envoy_dynamic_module_on_");
    assert_eq!(hooks.len(), 21, "{hooks:?}");
    for name in &hooks {
        // Envoy resolves each hook by name with dlsym: the name is a string in its binary.
        assert!(has_c_string(name.as_bytes()), "Envoy never looks up {name}");
    }
    let define = "#define LAB_ENVOY_ABI_VERSION \"";
    let start = header
        .find(define)
        .expect("the header defines LAB_ENVOY_ABI_VERSION")
        + define.len();
    let version = &header[start..start + header[start..].find('"').unwrap()];
    assert!(version.starts_with('v'), "{version}");
    assert!(
        has_c_string(version.as_bytes()),
        "Envoy holds no ABI version string {version:?}"
    );
    assert!(
        has_c_string(b"Dynamic module ABI version {} matched."),
        "Envoy's version check changed"
    );
    // A version Envoy does not hold is refused by the same check.
    assert!(!has_c_string(b"v0.0.9"));
}
