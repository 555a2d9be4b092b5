//! The floor every row of the report is divided by ("× floor"), from S01's records: the empty call
//! of the row's direction, plus S01's R→C `memcpy` of the bytes the row copies (interpolated
//! between the measured lengths) when it copies any. Conclusions read it too (S13 quotes the bare
//! memcpy of a chunk), so there is one definition of what a crossing costs at the least.

use lab_record::{Record, ResultFile};

use crate::stats::{interpolate, param};

/// The floors every row is divided by, from S01's records.
pub struct Floor {
    empty_call: Option<f64>,
    /// (len, median ns) of S01 `memcpy`, sorted by len.
    memcpy: Vec<(f64, f64)>,
}

impl Floor {
    /// The floor of `direction`: its own empty call (C→R through the dlopen()ed symbol, R→C
    /// into the host), with the R→C memcpy sweep for the bytes a row copies.
    pub fn from(files: &[ResultFile], lang: &str, direction: &str) -> Floor {
        let s01_of = |lang: &str, dir: &str| {
            files
                .iter()
                .find(|f| f.scenario.starts_with("s01") && f.lang == lang && f.direction == dir)
        };
        let empty_call = s01_of(lang, direction)
            .and_then(|f| f.records.iter().find(|r| r.strategy == "empty_call"))
            .map(|r| r.ns_per_call.median);
        let s01 = s01_of("rust", "r2c");
        let mut memcpy: Vec<(f64, f64)> = s01
            .map(|f| {
                f.records
                    .iter()
                    .filter(|r| r.strategy == "memcpy")
                    .filter_map(|r| Some((param(r, "len")? as f64, r.ns_per_call.median)))
                    .collect()
            })
            .unwrap_or_default();
        memcpy.sort_by(|a, b| a.0.total_cmp(&b.0));
        Floor { empty_call, memcpy }
    }

    /// S01's memcpy of exactly `len` bytes, where it was measured.
    pub fn memcpy_at(&self, len: u64) -> Option<f64> {
        self.memcpy
            .iter()
            .find(|&&(l, _)| l == len as f64)
            .map(|&(_, ns)| ns)
    }

    /// The floor of a row: the empty call, plus the memcpy of what it copies.
    pub fn of(&self, r: &Record) -> Option<f64> {
        let call = self.empty_call?;
        if r.strategy == "empty_call" || r.bytes_copied_per_call == 0.0 || r.strategy == "memcpy" {
            return Some(call);
        }
        Some(call + interpolate(&self.memcpy, r.bytes_copied_per_call)?)
    }
}
