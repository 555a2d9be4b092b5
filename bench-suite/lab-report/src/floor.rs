//! The floor every row of the report is divided by ("× floor", "− floor ns"): the same work done
//! without the boundary, measured in the same run.
//!
//! - R→C: the scenario's `native` row, C calling the host directly (`c-harness/native/native.c`),
//!   at the same work (a strategy's variant parameters, such as S06's stack threshold, aside);
//! - C→R: the same filter in C (`c-harness/driver/c_ext.c`), the record of the same strategy and
//!   parameters, timed by the same driver;
//! - S15 (a real proxy): the `c_module` row of the same filter, the Rust module's `borrow` as a C
//!   module in the same nginx (hosts/nginx/c); S16 (Envoy): the `cpp` row of the same filter and
//!   route, Envoy's own C++ filter;
//! - where the file has no floor rows at all, the empty call of the row's direction plus S01's R→C
//!   `memcpy` of the bytes the row copies (interpolated between the measured lengths);
//! - a row of a file that has floor rows but none of its work (S06's threshold rows, which no C
//!   loop mirrors; a C→R strategy the C extension lacks) has no floor.
//!
//! Conclusions read it too (S13 quotes the bare memcpy of a chunk), so there is one definition of
//! what the work costs at the least.

use lab_record::{Record, ResultFile, NATIVE};

use crate::stats::{interpolate, param};

/// S15's id and its floor row: the C module doing the same filter as the Rust module's `borrow`.
pub const S15: &str = "s15_real_proxy";
pub const S15_FLOOR: &str = "c_module";

/// S16's id and its floor row: Envoy's own C++ filter doing the same filter.
pub const S16: &str = "s16_envoy";
pub const S16_FLOOR: &str = "cpp";

/// The proxies' scenarios and their floor rows: a row's floor is the floor row of its
/// parameters (the filter, and S16's route) in the same file.
pub const PROXY_FLOORS: [(&str, &str); 2] = [(S15, S15_FLOOR), (S16, S16_FLOOR)];

/// The floor row's strategy of a proxy scenario.
pub fn proxy_floor(scenario: &str) -> Option<&'static str> {
    PROXY_FLOORS
        .iter()
        .find(|(s, _)| *s == scenario)
        .map(|(_, f)| *f)
}

/// What a file's rows are divided by.
pub struct Floor<'a> {
    /// The rows of the native floor: the section's own `native` rows (R→C), or the C extension's
    /// records (C→R).
    native: Vec<&'a Record>,
    /// Whether `native` comes from the C extension (matched by strategy) or the section's own
    /// `native` rows (matched by parameters).
    by_strategy: bool,
    empty_call: Option<f64>,
    /// (len, median ns) of S01 `memcpy`, sorted by len.
    memcpy: Vec<(f64, f64)>,
}

/// Rows with the same work: equal parameters, [`lab_record::VARIANT_PARAMS`] aside.
pub fn same_work(a: &Record, b: &Record) -> bool {
    a.work_label() == b.work_label()
}

impl<'a> Floor<'a> {
    /// The floor of `f`'s rows (see the module doc).
    pub fn of_file(files: &'a [ResultFile], f: &'a ResultFile) -> Floor<'a> {
        let c_ext = files
            .iter()
            .find(|o| o.scenario == f.scenario && o.lang == "c" && o.direction == f.direction);
        let (native, by_strategy) = match (f.direction.as_str(), c_ext) {
            ("c2r", Some(c)) => (c.records.iter().collect(), true),
            // A proxy: the same filter in the host's own way, in the same proxy, is the floor.
            _ if proxy_floor(&f.scenario).is_some() => (
                f.records
                    .iter()
                    .filter(|r| Some(r.strategy.as_str()) == proxy_floor(&f.scenario))
                    .collect(),
                false,
            ),
            _ => (
                f.records.iter().filter(|r| r.strategy == NATIVE).collect(),
                false,
            ),
        };
        Floor {
            native,
            by_strategy,
            ..Floor::from(files, &f.lang, &f.direction)
        }
    }

    /// Whether the rows have a native floor (else the empty call and memcpy stand in).
    pub fn is_native(&self) -> bool {
        !self.native.is_empty()
    }

    /// The empty-call floor of `direction` alone: its own empty call (C→R through the
    /// dlopen()ed symbol, R→C into the host), with the R→C memcpy sweep for the bytes a row
    /// copies.
    pub fn from(files: &[ResultFile], lang: &str, direction: &str) -> Floor<'a> {
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
        Floor {
            native: Vec::new(),
            by_strategy: false,
            empty_call,
            memcpy,
        }
    }

    /// S01's memcpy of exactly `len` bytes, where it was measured.
    pub fn memcpy_at(&self, len: u64) -> Option<f64> {
        self.memcpy
            .iter()
            .find(|&&(l, _)| l == len as f64)
            .map(|&(_, ns)| ns)
    }

    /// A row's "× floor": its interleaved ratio to the floor where measured, else its median over
    /// [`Floor::of`].
    pub fn ratio(&self, r: &Record) -> Option<f64> {
        match r.ratios.as_ref().and_then(|x| x.to_floor) {
            Some(x) => Some(x.median),
            None => Some(r.ns_per_call.median / self.of(r)?),
        }
    }

    /// A row's "− floor", ns: its interleaved rounds' median difference to the floor where
    /// measured (so its sign is always "× floor"'s side of 1), else its median less [`Floor::of`].
    pub fn minus(&self, r: &Record) -> Option<f64> {
        match r.ratios.as_ref().and_then(|x| x.minus_floor) {
            Some(x) => Some(x.median),
            None => Some(r.ns_per_call.median - self.of(r)?),
        }
    }

    /// The measured floor row of `r` (the native row of its work, or the C extension's row of its
    /// strategy and parameters); `None` where the floor is not a row of the run.
    pub fn row(&self, r: &Record) -> Option<&'a Record> {
        self.native
            .iter()
            .find(|n| {
                if self.by_strategy {
                    n.strategy == r.strategy && n.params == r.params
                } else {
                    same_work(n, r)
                }
            })
            .copied()
    }

    /// The floor of a row: its native floor when the scenario has one (none for a row it lacks),
    /// else the empty call plus the memcpy of what it copies.
    pub fn of(&self, r: &Record) -> Option<f64> {
        if self.is_native() {
            return self.row(r).map(|n| n.ns_per_call.median);
        }
        let call = self.empty_call?;
        if r.strategy == "empty_call" || r.bytes_copied_per_call == 0.0 || r.strategy == "memcpy" {
            return Some(call);
        }
        Some(call + interpolate(&self.memcpy, r.bytes_copied_per_call)?)
    }
}
