//! ffi-lab's data: the result record (docs/DESIGN.md), the contract between the runners (criterion,
//! the C driver, the Go reference) and the report, and the `results/` store it lives in. One file
//! per scenario, language and direction: `results/<machine-id>/<scenario>.<lang>.<direction>.json`.
//!
//! Serde only: this crate describes and stores what was measured; it measures nothing and probes
//! no toolchain (the fingerprint is taken by lab-bench).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub mod go;
pub mod local;
pub mod scenario;

/// Where and with what a result was measured. A report never mixes machines silently: results
/// live under `results/<id>/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub id: String,
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub rustc: String,
    pub cc: String,
    pub go: Option<String>,
    pub commit: String,
    pub date: String,
    /// Whether Rust and C were linked with cross-language LTO (never, here: every call is real).
    #[serde(default)]
    pub lto: bool,
    /// `full` or `quick`; quick results are for smoke runs, not for quoting.
    #[serde(default)]
    pub mode: String,
}

impl Machine {
    /// A machine of fixed, made-up facts (`id`, one core, mode `full`): for tests and examples
    /// that build records by hand.
    pub fn example(id: &str) -> Machine {
        Machine {
            id: id.into(),
            cpu: "example".into(),
            cores: 1,
            kernel: "k".into(),
            rustc: "r".into(),
            cc: "c".into(),
            go: None,
            commit: "0".into(),
            date: "1970-01-01T00:00:00Z".into(),
            lto: false,
            mode: "full".into(),
        }
    }
}

/// `<family>-<cores>c-<hash>`, e.g. `epyc-2c-3f9a`: readable, and stable across the machines of one
/// class (same CPU model and core count), so CI's and a developer's runs of one class compare.
pub fn machine_id(cpu: &str, cores: usize) -> String {
    const VENDOR_WORDS: &[&str] = &[
        "amd",
        "intel",
        "r",
        "tm",
        "genuine",
        "authentic",
        "processor",
        "cpu",
    ];
    let family = cpu
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .map(|w| w.to_ascii_lowercase())
        .find(|w| {
            !w.is_empty()
                && !VENDOR_WORDS.contains(&w.as_str())
                && w.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .unwrap_or_else(|| "cpu".into());
    // FNV-1a: tiny, and stable across Rust versions (unlike DefaultHasher).
    let mut h: u32 = 0x811c_9dc5;
    for b in cpu.bytes().chain(cores.to_le_bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("{family}-{cores}c-{:04x}", h & 0xffff)
}

/// Formats a time as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn rfc3339_utc(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The calls over which a record's per-call allocation and copy counts are taken, after one
/// warm-up call: exact counts need no more than a few, and an amortised strategy (a reused buffer)
/// shows as its true average.
pub const COUNT_CALLS: u64 = 64;

/// The strategy name of a scenario's native floor (the same work done by C calling the host,
/// without the boundary): the runners record it, the report divides the other rows by it.
pub const NATIVE: &str = "native";

/// Where flame graphs go, relative to the output root (beside `results/<machine-id>/`).
pub const FLAMEGRAPH_DIR: &str = "results/flamegraphs";

/// Where the report's plots go, relative to the output root.
pub const PLOT_DIR: &str = "results/plots";

/// Median and bounds in ns (criterion's 95 % confidence interval of the median, or the C driver's
/// spread).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ns {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

/// Allocations per call on each side; `None` where that side is not in the measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Allocs {
    pub rust: Option<f64>,
    pub c: Option<f64>,
    pub go: Option<f64>,
}

impl Allocs {
    /// No side counted: for records built by hand (tests, examples).
    pub const NONE: Allocs = Allocs {
        rust: None,
        c: None,
        go: None,
    };
}

/// One strategy at one point of its parameter sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub strategy: String,
    pub params: Map<String, Value>,
    pub ns_per_call: Ns,
    pub allocs_per_call: Allocs,
    pub bytes_allocated_per_call: f64,
    pub bytes_copied_per_call: f64,
    pub percentiles_ns: Option<BTreeMap<String, f64>>,
    pub flamegraph: Option<String>,
    /// The work's checksum, identical for every strategy at the same parameters (checked before
    /// timing), so a strategy cannot look fast by doing less.
    #[serde(default)]
    pub checksum: Option<u64>,
    /// The row's ratios to its floor and to the best strategy at the same work, measured in
    /// interleaved rounds (every case of one work timed in turn, round after round), so both
    /// sides of each ratio see the same moment of the machine; `None` where not measured so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratios: Option<Ratios>,
    /// C→R: heap bytes the extension keeps between requests after the case (its per-thread state,
    /// arena included), where the driver measures it (S07, S11); None elsewhere.
    #[serde(default)]
    pub bytes_retained: Option<f64>,
    /// S15: what a load run of a real proxy measured besides the row's ns (the worker's CPU time
    /// per request): throughput and requests; None elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadFigures>,
    /// Deterministic counts per call from the callgrind pass (`LAB_CALLGRIND=1`), merged into the
    /// timed run's record; `None` where that pass did not count the row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
}

/// A load run's figures (S15: nginx driven by wrk), medians over the run's rounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoadFigures {
    pub requests_per_s: f64,
    /// Requests over all rounds.
    pub requests: u64,
    /// Responses that were not 2xx or 3xx, and socket errors, over all rounds (0 in a sound run).
    pub non_2xx: u64,
    pub errors: u64,
    pub rounds: u32,
    /// Seconds of load per round.
    pub seconds_per_round: f64,
}

/// What one call costs in simulated instructions and cache misses, from Valgrind's callgrind with
/// a pinned cache model ([`CACHE_MODEL`]), collection limited to the measured calls: each figure is
/// `(total at n2 calls - total at n1 calls) / (n2 - n1)`, so the constant cost of the loop's entry
/// and of the collection cancels and the steady state remains. Identical between runs of one
/// binary on one machine (single-threaded cases).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Instructions executed per call (callgrind's `Ir`).
    pub instructions: f64,
    /// Estimated cycles per call: [`Counts::cycle_estimate`] (callgrind/KCachegrind's `CEst`).
    pub cycles_est: f64,
    /// L1 misses per call (instruction reads, data reads and writes).
    pub l1_misses: f64,
    /// Last-level misses per call (instruction reads, data reads and writes).
    pub ll_misses: f64,
    /// The two call counts whose totals were differenced.
    pub n1: u64,
    pub n2: u64,
    /// The case's counts move a little between passes (the report marks them `~`, the gate holds
    /// them to 5 %): its calls are shared among threads (S08's writers, S09's callers: every
    /// thread's work is counted, not its waits, and the threads interleave differently from pass
    /// to pass), or it runs in a JIT with a garbage collector (S15's Lua reference). Figures:
    /// docs/evidence/2026-12-02-callgrind-pass.md.
    #[serde(default, alias = "threaded")]
    pub varies: bool,
}

/// The cache model every callgrind pass simulates, so that misses and estimated cycles compare
/// between machines: 32 KiB 8-way L1 instruction and data caches, an 8 MiB 16-way last level, all
/// with 64-byte lines (valgrind's command-line options).
pub const CACHE_MODEL: [&str; 3] = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"];

impl Counts {
    /// Counts of `instructions` per call with no cache miss, as a 100/1100-call pass of one thread
    /// gives them: for tests and examples that build records by hand.
    pub fn example(instructions: f64) -> Counts {
        Counts {
            instructions,
            cycles_est: instructions,
            l1_misses: 0.0,
            ll_misses: 0.0,
            n1: 100,
            n2: 1100,
            varies: false,
        }
    }

    /// KCachegrind's cycle estimate: `Ir + 10 * L1 misses + 100 * LL misses`.
    pub fn cycle_estimate(instructions: f64, l1_misses: f64, ll_misses: f64) -> f64 {
        instructions + 10.0 * l1_misses + 100.0 * ll_misses
    }

    /// The per-call counts from callgrind's totals at `n1` and `n2` calls, each in its event order
    /// `Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw` (the cache simulation's).
    pub fn from_totals(n1: u64, at_n1: &[u64; 9], n2: u64, at_n2: &[u64; 9]) -> Counts {
        let per = |i: usize| (at_n2[i] as f64 - at_n1[i] as f64) / (n2 - n1) as f64;
        let instructions = per(0);
        let l1_misses = per(3) + per(4) + per(5);
        let ll_misses = per(6) + per(7) + per(8);
        Counts {
            instructions,
            cycles_est: Counts::cycle_estimate(instructions, l1_misses, ll_misses),
            l1_misses,
            ll_misses,
            n1,
            n2,
            varies: false,
        }
    }
}

/// A callgrind pass's counts of one scenario, by case id (`scenario/strategy/params`; for rows
/// other than Rust's R→C, [`counts_key`]), written beside the result files
/// (`results/<machine>/counts/<scenario>.json`, `<scenario>.<lang>.<direction>.json` for the
/// others) whether or not a timed record exists to take them; the regression gate compares these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountsFile {
    pub machine: Machine,
    /// `valgrind --version` of the pass.
    pub valgrind: String,
    pub counts: BTreeMap<String, Counts>,
}

/// Where a machine's callgrind counts go, relative to its results directory.
pub const COUNTS_DIR: &str = "counts";

/// The key of a row's counts in a [`CountsFile`] (and in the map [`load_counts`] merges): the case
/// id for the Rust R→C rows; for the others `<lang>.<direction>:<case id>`
/// (`rust.c2r:s01_call_floor/empty_call/`), since the C→R rows of the Rust and the C extension
/// share their ids, and S01's with R→C.
pub fn counts_key(lang: &str, direction: &str, case_id: &str) -> String {
    if (lang, direction) == ("rust", "r2c") {
        case_id.to_owned()
    } else {
        format!("{lang}.{direction}:{case_id}")
    }
}

/// Every counts file under `dir` (`results/<machine>/counts/`), merged into one map by case id.
pub fn load_counts(dir: &Path) -> io::Result<BTreeMap<String, Counts>> {
    let mut all = BTreeMap::new();
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(all),
        Err(e) => return Err(e),
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for p in paths {
        let text = fs::read_to_string(&p)?;
        let file: CountsFile = serde_json::from_str(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: damaged counts file ({e}); delete it and rerun",
                    p.display()
                ),
            )
        })?;
        all.extend(file.counts);
    }
    Ok(all)
}

/// Ratios of one row over interleaved rounds: the median of the per-round ratios, with their
/// 25th and 75th percentiles as the bracket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ratios {
    /// Over the scenario's native floor at the same work, if it has one.
    pub to_floor: Option<Ns>,
    /// Over the fastest strategy of the same work in the same round.
    pub to_best: Option<Ns>,
    pub rounds: u32,
    /// This row's ns per call in each round, in round order. The rows of one work share their
    /// rounds, so any two of them compare round by round ([`Ratios::over`]), as the floor and the
    /// best do: the report's crossovers and margins come from these. C→R: the rows of one file
    /// (one driver process); a Rust or Go row's C floor ran in its rounds, but the C file's rows
    /// keep the rounds of the C extension's own run, so compare across files only by `to_floor`.
    #[serde(default)]
    pub per_round: Vec<f64>,
}

impl Ratios {
    /// This row over `other` (a row of the same work), round by round: the median of the
    /// per-round ratios with their quartiles; `None` unless both kept the same rounds.
    pub fn over(&self, other: &Ratios) -> Option<Ns> {
        self.per_round_over(other).map(quartiles)
    }

    /// This row over `other`, one ratio per round they shared; `None` unless both kept the same
    /// rounds.
    pub fn per_round_over(&self, other: &Ratios) -> Option<Vec<f64>> {
        let (a, b) = (&self.per_round, &other.per_round);
        (!a.is_empty() && a.len() == b.len()).then(|| a.iter().zip(b).map(|(x, y)| x / y).collect())
    }

    /// The ratios of the rows of one work from their interleaved rounds, the one place the
    /// per-round arithmetic is done (R→C's runner and C→R's driver records both come here).
    /// `per_round[i]` is row `i`'s ns per call in each round (every row timed in every round, so
    /// all are as long); `floors[i]` the row that is row `i`'s floor (R→C: the one `native` row
    /// for all; C→R: the C extension's same strategy, a row per strategy), `None` for none;
    /// `strategies` the rows that may be the best (not floors or references). Per round, a row's
    /// ns over its floor's and over the fastest strategy's of that same round; each ratio is the
    /// median of the rounds with their quartiles, so a slow round moves both sides together.
    ///
    /// # Panics
    /// When the rows' rounds differ in number, or `floors` does not name one entry per row: the
    /// rows were not timed in the same rounds, and no ratio of them would mean anything.
    pub fn of_rounds(
        per_round: &[Vec<f64>],
        floors: &[Option<usize>],
        strategies: &[usize],
    ) -> Vec<Ratios> {
        let n = per_round.first().map_or(0, Vec::len);
        assert!(
            per_round.iter().all(|v| v.len() == n) && floors.len() == per_round.len(),
            "rows of one work must share their rounds"
        );
        let best: Vec<f64> = (0..n)
            .map(|r| {
                strategies
                    .iter()
                    .map(|&s| per_round[s][r])
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        let over =
            |row: &[f64], den: &[f64]| quartiles(row.iter().zip(den).map(|(x, y)| x / y).collect());
        per_round
            .iter()
            .zip(floors)
            .map(|(row, floor)| Ratios {
                to_floor: floor.map(|f| over(row, &per_round[f])),
                to_best: (!strategies.is_empty() && n > 0).then(|| over(row, &best)),
                rounds: n as u32,
                per_round: row.clone(),
            })
            .collect()
    }
}

/// The median of `v` with its 25th and 75th percentiles (nearest rank) as the bounds.
pub fn quartiles(mut v: Vec<f64>) -> Ns {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    Ns {
        median: at(0.5),
        low: at(0.25),
        high: at(0.75),
    }
}

/// Parameters that tell variants of one strategy apart (S06's stack threshold) rather than the
/// work: rows that differ only in these do the same work, so they share a best and a floor.
pub const VARIANT_PARAMS: &[&str] = &["threshold"];

impl Record {
    /// A record of what every runner measures (time and allocations); the runners that measure
    /// more set the other fields on top (`Record { bytes_copied_per_call, ..Record::new(…) }`).
    pub fn new(strategy: &str, params: Map<String, Value>, ns: Ns, allocs: Allocs) -> Record {
        Record {
            strategy: strategy.to_owned(),
            params,
            ns_per_call: ns,
            allocs_per_call: allocs,
            bytes_allocated_per_call: 0.0,
            bytes_copied_per_call: 0.0,
            percentiles_ns: None,
            flamegraph: None,
            checksum: None,
            ratios: None,
            bytes_retained: None,
            load: None,
            counts: None,
        }
    }

    /// The parameters that define the work ([`VARIANT_PARAMS`] aside), as a label: rows with the
    /// same work label do the same work.
    pub fn work_label(&self) -> String {
        work_label(&self.params)
    }

    /// `len=64`, `n=16,k=8`: the parameters as the report and criterion ids show them.
    pub fn params_label(&self) -> String {
        params_label(&self.params)
    }
}

/// The work `params` define ([`VARIANT_PARAMS`] aside), as a label ([`Record::work_label`]; the
/// C→R runner groups the driver's lines by it before they are records).
pub fn work_label(params: &Map<String, Value>) -> String {
    let work: Map<String, Value> = params
        .iter()
        .filter(|(k, _)| !VARIANT_PARAMS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    params_label(&work)
}

pub fn params_label(params: &Map<String, Value>) -> String {
    params
        .iter()
        // Strings without JSON quotes: `filter=basic_auth`, as the driver names them.
        .map(|(k, v)| match v.as_str() {
            Some(s) => format!("{k}={s}"),
            None => format!("{k}={v}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

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

    use super::*;

    #[test]
    fn counts_keys_keep_the_rust_r2c_ids_and_qualify_the_others() {
        let id = "s01_call_floor/empty_call/";
        assert_eq!(counts_key("rust", "r2c", id), id);
        assert_eq!(
            counts_key("rust", "c2r", id),
            "rust.c2r:s01_call_floor/empty_call/"
        );
        assert_eq!(
            counts_key("c", "c2r", id),
            "c.c2r:s01_call_floor/empty_call/"
        );
    }

    #[test]
    fn rows_of_one_work_compare_round_by_round() {
        let ratios = |per_round: Vec<f64>| Ratios {
            to_floor: None,
            to_best: None,
            rounds: per_round.len() as u32,
            per_round,
        };
        // The machine slows down in round 2; both rows see it, so their ratio does not move.
        let a = ratios(vec![2.0, 4.0, 2.0, 2.2, 2.0]);
        let b = ratios(vec![1.0, 2.0, 1.0, 1.0, 1.0]);
        let r = a.over(&b).unwrap();
        assert_eq!((r.median, r.low, r.high), (2.0, 2.0, 2.0));
        // Rows of other rounds do not compare.
        assert_eq!(a.over(&ratios(vec![1.0])), None);
        assert_eq!(ratios(vec![]).over(&ratios(vec![])), None);
    }

    #[test]
    fn ratios_of_rounds_divide_within_each_round() {
        // Rows 0 and 1 are strategies, 2 a reference, 3 row 0's floor and 4 row 1's (C→R: a
        // floor per strategy). Round 1 is slow for everyone; round 2 row 1 is the faster.
        let per_round = vec![
            vec![2.0, 20.0, 2.0],
            vec![3.0, 30.0, 1.0],
            vec![1.0, 10.0, 1.0],
            vec![1.0, 10.0, 1.0],
            vec![1.5, 15.0, 0.5],
        ];
        let floors = [Some(3), Some(4), None, None, None];
        let r = Ratios::of_rounds(&per_round, &floors, &[0, 1]);
        assert_eq!(r.len(), 5);
        let ns = |x: Option<Ns>| x.map(|x| (x.median, x.low, x.high));
        assert_eq!(ns(r[0].to_floor), Some((2.0, 2.0, 2.0)));
        assert_eq!(ns(r[1].to_floor), Some((2.0, 2.0, 2.0)));
        assert_eq!(r[2].to_floor, None);
        // The best is the fastest strategy of each round: row 0, row 0, then row 1.
        assert_eq!(ns(r[0].to_best), Some((1.0, 1.0, 2.0)));
        assert_eq!(ns(r[1].to_best), Some((1.5, 1.5, 1.5)));
        // A reference is divided by the best but never is it.
        assert_eq!(ns(r[2].to_best), Some((0.5, 0.5, 1.0)));
        assert_eq!((r[1].rounds, &r[1].per_round), (3, &per_round[1]));
        // Without strategies there is no best.
        assert_eq!(Ratios::of_rounds(&per_round, &floors, &[])[0].to_best, None);
    }

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
                    "tests::a_run_killed_mid_write_leaves_the_results_whole",
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

    #[test]
    fn machine_id_is_readable_and_stable() {
        assert_eq!(machine_id("AMD EPYC", 2), machine_id("AMD EPYC", 2));
        assert!(machine_id("AMD EPYC", 2).starts_with("epyc-2c-"));
        assert!(
            machine_id("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 8).starts_with("xeon"),
            "{}",
            machine_id("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 8)
        );
        assert_ne!(machine_id("AMD EPYC", 2), machine_id("AMD EPYC", 4));
    }

    #[test]
    fn rfc3339_dates() {
        use std::time::{Duration, UNIX_EPOCH};
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // 2026-11-23T06:00:00Z
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH + Duration::from_secs(1_795_413_600)),
            "2026-11-23T06:00:00Z"
        );
        // A leap day.
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
