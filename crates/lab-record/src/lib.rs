//! ffi-lab's data: the result record of DESIGN.md, the contract between the runners (criterion,
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
    /// C→R: heap bytes the extension keeps between requests after the case (its per-thread state,
    /// arena included), where the driver measures it (S07, S11); None elsewhere.
    #[serde(default)]
    pub bytes_retained: Option<f64>,
}

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
            bytes_retained: None,
        }
    }

    /// `len=64`, `n=16,k=8`: the parameters as the report and criterion ids show them.
    pub fn params_label(&self) -> String {
        params_label(&self.params)
    }
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
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes `self` into `dir`, keeping records of the existing file that this run did not
    /// measure (a filtered `cargo bench` refreshes only what it ran).
    pub fn merge_into(mut self, dir: &Path) -> io::Result<PathBuf> {
        fs::create_dir_all(dir)?;
        let path = dir.join(self.file_name());
        if let Ok(old) = fs::read_to_string(&path) {
            if let Ok(old) = serde_json::from_str::<ResultFile>(&old) {
                let fresh: Vec<(String, String)> = self
                    .records
                    .iter()
                    .map(|r| (r.strategy.clone(), r.params_label()))
                    .collect();
                let kept: Vec<Record> = old
                    .records
                    .into_iter()
                    .filter(|r| !fresh.contains(&(r.strategy.clone(), r.params_label())))
                    .collect();
                let mut all = kept;
                all.append(&mut self.records);
                self.records = all;
            }
        }
        let json = serde_json::to_string_pretty(&self).map_err(io::Error::other)?;
        fs::write(&path, json + "\n")?;
        Ok(path)
    }
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
        .map(|p| {
            let text = fs::read_to_string(p)?;
            serde_json::from_str(&text).map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", p.display()))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
