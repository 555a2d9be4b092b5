//! The `results/` store: one result file per scenario, language and direction under
//! `results/<machine-id>/`, merged with what it already holds and replaced atomically; and where the
//! report's SVGs go beside it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::machine::Machine;
use crate::record::Record;

/// Where flame graphs go, relative to the output root (beside `results/<machine-id>/`).
pub const FLAMEGRAPH_DIR: &str = "results/flamegraphs";

/// Where the report's plots go, relative to the output root.
pub const PLOT_DIR: &str = "results/plots";

/// `<scenario>.<lang>.<direction>.json`.
pub fn file_name(scenario: &str, lang: &str, direction: &str) -> String {
    format!("{scenario}.{lang}.{direction}.json")
}

/// Everything measured for one scenario, language and direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultFile {
    pub scenario: String,
    pub lang: String,
    pub direction: String,
    /// What one `ns_per_call` covers: one boundary crossing, one batch, one request.
    #[serde(default)]
    pub unit: String,
    pub machine: Machine,
    pub records: Vec<Record>,
}

impl ResultFile {
    pub fn new(
        scenario: &str,
        lang: &str,
        direction: &str,
        unit: &str,
        machine: &Machine,
        records: Vec<Record>,
    ) -> ResultFile {
        ResultFile {
            scenario: scenario.to_owned(),
            lang: lang.to_owned(),
            direction: direction.to_owned(),
            unit: unit.to_owned(),
            machine: machine.clone(),
            records,
        }
    }

    /// `scenario/strategy/params`: a record's id, as criterion, the filters and the report name it.
    pub fn case_id(&self, r: &Record) -> String {
        format!("{}/{}/{}", self.scenario, r.strategy, r.params_label())
    }

    pub fn file_name(&self) -> String {
        file_name(&self.scenario, &self.lang, &self.direction)
    }

    /// The result file of `scenario.lang.direction` in `dir`, if one was written.
    pub fn read(
        dir: &Path,
        scenario: &str,
        lang: &str,
        direction: &str,
    ) -> io::Result<Option<ResultFile>> {
        let path = dir.join(file_name(scenario, lang, direction));
        match fs::read_to_string(&path) {
            Ok(text) => parse(&path, &text).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes `self` into `dir`, keeping records of the existing file that this run did not
    /// measure (a filtered `cargo bench` refreshes only what it ran).
    ///
    /// The file is replaced atomically ([`write_atomically`]), so a run killed mid-write leaves the
    /// old file whole. An existing file that does not parse is an error that names it, and stays
    /// as it was: its records are never dropped silently.
    pub fn merge_into(mut self, dir: &Path) -> io::Result<PathBuf> {
        fs::create_dir_all(dir)?;
        let path = dir.join(self.file_name());
        if let Some(old) = ResultFile::read(dir, &self.scenario, &self.lang, &self.direction)? {
            let fresh: Vec<(String, String)> = self
                .records
                .iter()
                .map(|r| (r.strategy.clone(), r.params_label()))
                .collect();
            let mut all: Vec<Record> = old
                .records
                .into_iter()
                .filter(|r| !fresh.contains(&(r.strategy.clone(), r.params_label())))
                .collect();
            all.append(&mut self.records);
            self.records = all;
        }
        let json = serde_json::to_string_pretty(&self).map_err(io::Error::other)?;
        write_atomically(&path, &(json + "\n"))?;
        Ok(path)
    }
}

/// Writes `text` to `path` through a temporary file beside it, synced, then renamed over it: the
/// rename replaces the old file in one step, so readers (and a later run after a kill) see the
/// old content or the new, never a part. A temporary file left by a kill does not end in `.json`.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let written = fs::File::create(&tmp).and_then(|mut f| {
        use std::io::Write as _;
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    match written.and_then(|()| fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Parses a result file; a damaged one is an error that names it and says what to do.
fn parse(path: &Path, text: &str) -> io::Result<ResultFile> {
    serde_json::from_str(text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: damaged result file ({e}); restore it (git checkout -- {0}) or delete it, then rerun",
                path.display()
            ),
        )
    })
}

/// Every result file under `dir` (one machine's directory), sorted by file name.
pub fn load_dir(dir: &Path) -> io::Result<Vec<ResultFile>> {
    let mut paths: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    paths.sort();
    paths
        .iter()
        .map(|p| parse(p, &fs::read_to_string(p)?))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};

    use serde_json::{Map, Value};

    use super::*;
    use crate::ratios::Ns;
    use crate::record::Allocs;

    fn sample(records: usize) -> ResultFile {
        let machine = Machine::example("test-1c-0000");
        let ns = Ns {
            median: 1.0,
            low: 1.0,
            high: 1.0,
        };
        let allocs = Allocs {
            rust: Some(0.0),
            c: Some(0.0),
            go: None,
        };
        let records = (0..records)
            .map(|i| {
                let mut params = Map::new();
                params.insert("len".into(), Value::from(i));
                Record::new("ptr_len", params, ns, allocs)
            })
            .collect();
        ResultFile::new(
            "s02_pass_string",
            "rust",
            "r2c",
            "one call",
            &machine,
            records,
        )
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lab-record-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A run killed while it writes leaves a whole file, the old one or the new one. The child (this
    /// test binary again) rewrites a large result file without pause; each kill lands at a random
    /// point of a write. Checked to fail when the file is written in place (`fs::write`): a kill
    /// then leaves it truncated.
    #[test]
    fn a_run_killed_mid_write_leaves_the_results_whole() {
        const CHILD: &str = "LAB_RECORD_WRITER_CHILD";
        if let Some(dir) = std::env::var_os(CHILD) {
            let path = PathBuf::from(dir).join(sample(0).file_name());
            let text = serde_json::to_string_pretty(&sample(40_000)).unwrap();
            loop {
                write_atomically(&path, &text).unwrap();
                println!("wrote");
            }
        }
        let dir = temp_dir("killed");
        sample(3).merge_into(&dir).unwrap();
        for round in 0..12u64 {
            let mut child = Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "store::tests::a_run_killed_mid_write_leaves_the_results_whole",
                ])
                .args(["--nocapture", "--test-threads=1"])
                .env(CHILD, &dir)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            // Once a first write is whole, kill at a different point of a later one each round.
            let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
            let mut line = String::new();
            while !line.contains("wrote") {
                line.clear();
                assert!(out.read_line(&mut line).unwrap() > 0, "the writer died");
            }
            std::thread::sleep(std::time::Duration::from_micros(700 * round + 300));
            child.kill().unwrap();
            child.wait().unwrap();
            let files = load_dir(&dir).expect("the results parse after the kill");
            assert_eq!(
                files.len(),
                1,
                "a killed write's temporary file is not a result"
            );
            assert_eq!(files[0].records.len(), 40_000, "the new file, whole");
        }
        let _ = fs::remove_dir_all(&dir);
    }

    /// A damaged file (truncated by an older lab, a full disk, a hand edit) is named, with what to
    /// do, and nothing merges over it: its records are never dropped.
    #[test]
    fn a_damaged_file_is_named_and_kept() {
        let dir = temp_dir("damaged");
        let path = sample(2).merge_into(&dir).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, &text[..text.len() / 2]).unwrap();
        let e = sample(1).merge_into(&dir).unwrap_err().to_string();
        let (name, what) = (
            format!("{}: damaged result file (", path.display()),
            format!(
                "restore it (git checkout -- {}) or delete it, then rerun",
                path.display()
            ),
        );
        assert!(e.starts_with(&name) && e.ends_with(&what), "{e}");
        assert_eq!(fs::read_to_string(&path).unwrap(), text[..text.len() / 2]);
        let e = load_dir(&dir).unwrap_err().to_string();
        assert!(
            e.contains("damaged result file") && !e.contains('\n'),
            "one line: {e}"
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
