//! The callgrind pass's counts: what one call costs in instructions and cache misses, the cache
//! model they are simulated on, and the counts files the regression gate compares.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::machine::Machine;

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
    /// Where each case's instructions per call go, by the same keys as `counts`: the functions
    /// that run more than [`FunctionCost::LEAST`] of them per call (at most
    /// [`FunctionCost::MOST`], the rest summed as [`FunctionCost::OTHER`]); empty in files of
    /// passes that did not attribute them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Vec<FunctionCost>>,
}

/// One function's self instructions per call in a counted case (callgrind's per-function `Ir`,
/// its callees' left out), differenced between the two batches as the case's [`Counts`] are: so
/// a row's instructions can be told apart between its strategy, the host it calls, the
/// allocator and the lab's loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCost {
    /// The demangled name, shortened ([`FunctionCost::OTHER`] for the rest).
    pub function: String,
    pub instructions: f64,
}

impl FunctionCost {
    /// The least instructions per call a function must run to be named.
    pub const LEAST: f64 = 1.0;
    /// The most functions named per case.
    pub const MOST: usize = 8;
    /// The name of the sum of the functions not named.
    pub const OTHER: &'static str = "other";
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
    Ok(load_counts_files(dir)?
        .into_iter()
        .flat_map(|f| f.counts)
        .collect())
}

/// Every counts file under `dir`, in the order of their names; none where `dir` does not exist.
pub fn load_counts_files(dir: &Path) -> io::Result<Vec<CountsFile>> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = fs::read_to_string(p)?;
            serde_json::from_str(&text).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{}: damaged counts file ({e}); delete it and rerun",
                        p.display()
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
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
}
