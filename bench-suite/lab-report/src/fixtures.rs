//! The committed counts the gate compares with, one fixture per machine class it has seen:
//! `<dir>/<id>.json` (the counts of a quick callgrind pass) beside `<dir>/<id>.machine` (the class
//! line they were counted on, `lab_record::MachineClass::line`). A pass is gated against the
//! fixture of its own class; where only nginx's packages differ, against that class's fixture
//! without S15's rows, which run inside nginx; where no fixture of its class exists the gate fails
//! naming the class, since a CPU or libc of another class runs other string routines and a silent
//! pass would check nothing.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use lab_record::{line_without_nginx, MachineClass};

/// The part of a row id of the rows that run inside nginx.
pub const NGINX_ROWS: &str = "s15_real_proxy";

/// One committed fixture: its counts file and the class line beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixture {
    pub counts: PathBuf,
    pub class: String,
}

/// The fixture a pass is gated against, and the rows left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub counts: PathBuf,
    /// [`NGINX_ROWS`] where only nginx's packages differ from the fixture's class.
    pub skip: Option<&'static str>,
    /// One line saying which fixture was chosen and why.
    pub note: String,
}

/// Where the fixture of `class` goes under `dir`: its counts and its class line.
pub fn paths_for(dir: &Path, class: &MachineClass) -> (PathBuf, PathBuf) {
    let id = class.id();
    (
        dir.join(format!("{id}.json")),
        dir.join(format!("{id}.machine")),
    )
}

/// Every fixture under `dir`: each `<name>.machine` with its `<name>.json`, by name.
pub fn list(dir: &Path) -> io::Result<Vec<Fixture>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "machine") {
            let class = fs::read_to_string(&path)?.trim_end().to_owned();
            out.push(Fixture {
                counts: path.with_extension("json"),
                class,
            });
        }
    }
    out.sort_by(|a, b| a.counts.cmp(&b.counts));
    Ok(out)
}

/// The fixture of class `here` among `fixtures`: the one whose class line equals it; else one whose
/// line equals it but for nginx's packages, without S15's rows; else an error that names the
/// class, the classes committed and how to add this one.
pub fn choose(fixtures: &[Fixture], here: &str, dir: &Path) -> Result<Choice, String> {
    if let Some(f) = fixtures.iter().find(|f| f.class == here) {
        return Ok(Choice {
            counts: f.counts.clone(),
            skip: None,
            note: format!(
                "counts: gated against {} (this machine's class)",
                f.counts.display()
            ),
        });
    }
    let core = line_without_nginx(here);
    if let Some(f) = fixtures
        .iter()
        .find(|f| line_without_nginx(&f.class) == core)
    {
        let nginx = |line: &str| line.rsplit_once(" | ").map_or("", |(_, n)| n).to_owned();
        return Ok(Choice {
            counts: f.counts.clone(),
            skip: Some(NGINX_ROWS),
            note: format!(
                "counts: gated against {}; nginx's packages differ from its class (committed: {}; here: {}): S15's rows are not gated, every other row is",
                f.counts.display(),
                nginx(&f.class),
                nginx(here)
            ),
        });
    }
    let mut msg = format!(
        "counts: NOT GATED: no committed counts of this machine's class under {}\n  here:      {here}\n",
        dir.display()
    );
    for f in fixtures {
        msg += &format!("  committed: {} ({})\n", f.class, f.counts.display());
    }
    msg += "  scripts/bench --refresh-counts writes this class's fixture; commit it to gate this class";
    Err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPYC: &str = "AuthenticAMD AMD EPYC family 25 model 17 stepping 1 | avx avx2 avx512f | 2 cores | glibc 2.36 | valgrind-3.19.0 | nginx 1.22.1";
    const MILAN: &str = "AuthenticAMD AMD EPYC family 25 model 1 stepping 1 | avx avx2 | 2 cores | glibc 2.36 | valgrind-3.19.0 | nginx 1.22.1";

    fn fixtures() -> Vec<Fixture> {
        [("a", EPYC), ("b", MILAN)]
            .map(|(name, class)| Fixture {
                counts: PathBuf::from(format!("{name}.json")),
                class: class.into(),
            })
            .to_vec()
    }

    #[test]
    fn the_fixture_of_this_class_gates_every_row() {
        let c = choose(&fixtures(), MILAN, Path::new("d")).unwrap();
        assert_eq!(c.counts, PathBuf::from("b.json"));
        assert_eq!(c.skip, None);
    }

    #[test]
    fn other_nginx_packages_leave_out_s15_only() {
        let here = EPYC.replace("nginx 1.22.1", "nginx 1.26.0");
        let c = choose(&fixtures(), &here, Path::new("d")).unwrap();
        assert_eq!(c.counts, PathBuf::from("a.json"));
        assert_eq!(c.skip, Some(NGINX_ROWS));
        assert!(c.note.contains("nginx 1.26.0"), "{}", c.note);
    }

    #[test]
    fn another_class_fails_naming_it_and_the_way_to_add_it() {
        for here in [
            EPYC.replace("model 17", "model 97"),
            EPYC.replace("avx512f", "avx512f avx512vl"),
            EPYC.replace("2 cores", "4 cores"),
            EPYC.replace("glibc 2.36", "glibc 2.39"),
            EPYC.replace("valgrind-3.19.0", "valgrind-3.22.0"),
        ] {
            let e = choose(&fixtures(), &here, Path::new("d")).unwrap_err();
            assert!(e.contains(&format!("here:      {here}")), "{e}");
            assert!(e.contains("scripts/bench --refresh-counts"), "{e}");
            assert!(e.contains(EPYC) && e.contains(MILAN), "{e}");
        }
        assert!(choose(&[], EPYC, Path::new("d")).is_err());
    }

    /// `list` pairs each class line with its counts file; the committed fixtures read back so, and
    /// each is named by the id of the class it holds.
    #[test]
    fn lists_the_committed_fixtures_by_their_class() {
        let dir =
            lab_record::local::workspace_root().join("bench-suite/lab-bench/tests/fixtures/counts");
        let listed = list(&dir).unwrap();
        assert!(!listed.is_empty());
        for f in &listed {
            assert!(f.counts.is_file(), "{}", f.counts.display());
            assert!(!f.class.contains('\n'), "one line: {:?}", f.class);
            let id = f.counts.file_stem().unwrap().to_str().unwrap();
            assert_eq!(f.class.split(" | ").count(), 6, "{}", f.class);
            assert!(
                id.ends_with(&format!("-{}", lab_record::line_hash(&f.class))),
                "{id} is not the id of {}",
                f.class
            );
        }
    }
}
