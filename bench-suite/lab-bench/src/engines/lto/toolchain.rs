//! The cross-language LTO toolchain: clang, lld and llvm-ar of the LLVM major rustc is built on.
//! Rust's bitcode (`-Clinker-plugin-lto`) and C's (`clang -flto=thin`) are optimised together by
//! the linker only when both come from the same LLVM major; another major's bitcode is an error at
//! link time, or worse, so the mismatch is found and named here, before anything is built.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What builds the LTO programs: rustc's LLVM major and the clang, lld and llvm-ar of that major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    /// rustc's LLVM version (`rustc -vV`'s `LLVM version:`), e.g. `22.1.2`.
    pub rustc_llvm: String,
    /// The C compiler, `clang-<major>` (or `$LAB_CLANG`).
    pub clang: PathBuf,
    /// Its first line of `--version`, e.g. `Debian clang version 22.1.8 (1~deb12u1)`.
    pub clang_version: String,
    /// The linker clang is told to use, `ld.lld-<major>` (or `$LAB_LLD`).
    pub lld: PathBuf,
    /// The archiver of bitcode objects, `llvm-ar-<major>` (or `$LAB_LLVM_AR`).
    pub ar: PathBuf,
}

/// The LLVM major of a version string's first `N.M.P`-like word (`22` of `… version 22.1.8 (…)`).
pub fn llvm_major(version_text: &str) -> Option<u32> {
    version_text
        .split_whitespace()
        .filter_map(|w| {
            let (major, rest) = w.split_once('.')?;
            rest.starts_with(|c: char| c.is_ascii_digit())
                .then(|| major.parse().ok())
                .flatten()
        })
        .next()
}

/// The first line a program prints for `--version`, or why there is none.
fn version_of(program: &Path) -> Result<String, String> {
    let out = Command::new(program)
        .arg("--version")
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(str::to_owned)
        .filter(|_| out.status.success())
        .ok_or_else(|| format!("{} --version failed", program.display()))
}

/// rustc's LLVM version, from `rustc -vV` (the rustc cargo builds with: `$RUSTC`, else `rustc`).
pub fn rustc_llvm() -> Result<String, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("LLVM version: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV names no LLVM version".into())
}

impl Toolchain {
    /// Finds the toolchain for rustc's LLVM: `clang-<major>`, `ld.lld-<major>`, `llvm-ar-<major>`
    /// (`$LAB_CLANG`, `$LAB_LLD`, `$LAB_LLVM_AR` override each). The error names what is missing
    /// or which program is of another LLVM major than rustc's.
    pub fn detect() -> Result<Toolchain, String> {
        Toolchain::for_rustc_llvm(&rustc_llvm()?)
    }

    /// [`Toolchain::detect`] for a rustc built on LLVM `rustc_llvm`: the programs of its major.
    pub fn for_rustc_llvm(rustc_llvm: &str) -> Result<Toolchain, String> {
        let major = llvm_major(&format!("v {rustc_llvm}"))
            .ok_or_else(|| format!("rustc's LLVM version {rustc_llvm:?} is not N.M.P"))?;
        let pick = |var: &str, name: &str| {
            std::env::var_os(var)
                .map_or_else(|| PathBuf::from(format!("{name}-{major}")), PathBuf::from)
        };
        Toolchain::of(
            rustc_llvm,
            [
                pick("LAB_CLANG", "clang"),
                pick("LAB_LLD", "ld.lld"),
                pick("LAB_LLVM_AR", "llvm-ar"),
            ],
        )
    }

    /// The toolchain of `[clang, lld, llvm-ar]` for a rustc built on LLVM `rustc_llvm`, once each
    /// answers `--version` with rustc's LLVM major.
    pub fn of(rustc_llvm: &str, [clang, lld, ar]: [PathBuf; 3]) -> Result<Toolchain, String> {
        let major = llvm_major(&format!("v {rustc_llvm}"))
            .ok_or_else(|| format!("rustc's LLVM version {rustc_llvm:?} is not N.M.P"))?;
        let mut clang_version = String::new();
        for (program, what) in [(&clang, "clang"), (&lld, "lld"), (&ar, "llvm-ar")] {
            let version = version_of(program).map_err(|e| {
                format!("{e} (cross-language LTO needs {what} of rustc's LLVM {major}: scripts/setup installs clang-{major} and lld-{major})")
            })?;
            match llvm_major(&version) {
                Some(m) if m == major => {}
                other => {
                    return Err(format!(
                        "{} is LLVM {}, rustc is LLVM {rustc_llvm}: cross-language LTO needs one \
                         LLVM major on both sides ({what}-{major}); {} says {version:?}",
                        program.display(),
                        other.map_or_else(|| "of no known version".into(), |m| m.to_string()),
                        program.display(),
                    ))
                }
            }
            if what == "clang" {
                clang_version = version;
            }
        }
        Ok(Toolchain {
            rustc_llvm: rustc_llvm.to_owned(),
            clang,
            clang_version,
            lld,
            ar,
        })
    }

    /// The environment of a cargo build with cross-language LTO: C compiled by this clang to
    /// bitcode (`LAB_BUILD=lto`, which the build scripts turn into `-flto=thin`) and archived by
    /// llvm-ar; Rust emitting bitcode for the linker (`-Clinker-plugin-lto`) and linked by clang
    /// with lld, which optimises both together.
    pub fn cargo_env(&self) -> Vec<(&'static str, String)> {
        let rustflags = format!(
            "-Clinker-plugin-lto -Clinker={} -Clink-arg=-fuse-ld=lld -Clink-arg=--ld-path={}",
            self.clang.display(),
            self.lld.display()
        );
        vec![
            ("LAB_BUILD", "lto".into()),
            ("CC", self.clang.display().to_string()),
            ("AR", self.ar.display().to_string()),
            ("RUSTFLAGS", rustflags),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A program that answers `--version` with `line`.
    fn fake(dir: &Path, name: &str, line: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\necho '{line}'\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn a_mismatched_or_missing_program_is_named() {
        let dir = std::env::temp_dir().join(format!("lab-lto-toolchain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let clang22 = fake(&dir, "clang22", "Debian clang version 22.1.8 (1~deb12u1)");
        let clang21 = fake(&dir, "clang21", "Debian clang version 21.1.0");
        let lld = fake(
            &dir,
            "lld",
            "Debian LLD 22.1.8 (compatible with GNU linkers)",
        );
        let ar = fake(&dir, "ar", "Debian LLVM version 22.1.8");
        let ok = Toolchain::of("22.1.2", [clang22.clone(), lld.clone(), ar.clone()]).unwrap();
        assert_eq!(ok.clang_version, "Debian clang version 22.1.8 (1~deb12u1)");

        let e = Toolchain::of("22.1.2", [clang21.clone(), lld.clone(), ar.clone()]).unwrap_err();
        assert!(
            e.contains("is LLVM 21, rustc is LLVM 22.1.2") && e.contains("clang21"),
            "{e}"
        );
        let e = Toolchain::of("23.0.0", [clang22, lld.clone(), ar.clone()]).unwrap_err();
        assert!(e.contains("is LLVM 22, rustc is LLVM 23.0.0"), "{e}");
        let e = Toolchain::of("22.1.2", [dir.join("no-clang"), lld, ar]).unwrap_err();
        assert!(
            e.contains("no-clang") && e.contains("scripts/setup installs clang-22"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn majors_are_read_from_version_lines() {
        assert_eq!(
            llvm_major("Debian clang version 22.1.8 (1~deb12u1)"),
            Some(22)
        );
        assert_eq!(
            llvm_major("Debian LLD 22.1.8 (compatible with GNU linkers)"),
            Some(22)
        );
        assert_eq!(llvm_major("Debian LLVM version 21.1.0"), Some(21));
        assert_eq!(llvm_major("v 22.1.2"), Some(22));
        assert_eq!(llvm_major("no version here"), None);
    }
}
