//! Reads criterion's estimate files. They are private to criterion and have changed between
//! versions, so the crate pins criterion 0.8 and this parser is tested on a committed sample
//! (`tests/fixtures/criterion/`). Benchmarks are found through `new/benchmark.json`, which names
//! the full id, not by guessing criterion's directory-name sanitising.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::Deserialize;

use lab_record::Ns;

#[derive(Deserialize)]
struct BenchmarkJson {
    full_id: String,
}

#[derive(Deserialize)]
struct ConfidenceInterval {
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct Estimate {
    confidence_interval: ConfidenceInterval,
    point_estimate: f64,
}

#[derive(Deserialize)]
struct Estimates {
    median: Estimate,
}

/// Median ns per iteration (with its confidence bounds) of every benchmark under `group_dir`
/// (`<criterion home>/<group>`), keyed by criterion's full id `group/function/value`.
pub fn read_group(group_dir: &Path) -> io::Result<HashMap<String, Ns>> {
    let mut out = HashMap::new();
    visit(group_dir, &mut out)?;
    Ok(out)
}

fn visit(dir: &Path, out: &mut HashMap<String, Ns>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        // Only `new/` holds the latest run; `base/` and `change/` are criterion's comparisons.
        if path.file_name().is_some_and(|n| n == "new") {
            let (bench, est) = (path.join("benchmark.json"), path.join("estimates.json"));
            if bench.is_file() && est.is_file() {
                let id: BenchmarkJson = parse(&bench)?;
                let e: Estimates = parse(&est)?;
                out.insert(
                    id.full_id,
                    Ns {
                        median: e.median.point_estimate,
                        low: e.median.confidence_interval.lower_bound,
                        high: e.median.confidence_interval.upper_bound,
                    },
                );
            }
        } else if !matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("base" | "change" | "report")
        ) {
            visit(&path, out)?;
        }
    }
    Ok(())
}

fn parse<T: for<'de> Deserialize<'de>>(path: &Path) -> io::Result<T> {
    let text = fs::read_to_string(path)?;
    serde_json::from_str(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })
}
