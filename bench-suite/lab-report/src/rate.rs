//! Each row's implied instructions per cycle: its counted instructions (callgrind) over the
//! cycles it was timed in (its ns at the clock measured in the run). A count and a time of one
//! row must describe the same work, so a row whose rate exceeds what the CPU retires at most (a
//! loop of independent no-ops, measured in the same run) timed less work than was counted, or
//! counted more than was timed: the report refuses it, naming it, rather than print a row that
//! contradicts itself.

use lab_record::{Record, ResultFile};

use crate::stats::param;

/// Bytes copied per call from which a row is not checked: glibc's `memcpy` moves such copies
/// with `rep movsb` (its threshold is 2 KiB at the least), which callgrind counts once per byte,
/// so its instructions are not ones the CPU ran.
pub const REP_STRING_BYTES: f64 = 2048.0;

/// A row's rate, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// Instructions per cycle, and the most the CPU retires.
    Implied { ipc: f64, peak: f64 },
    /// No count, or no clock measured beside its timing.
    Unmeasured,
    /// It copies enough that `rep movsb` inflates its count.
    RepString,
}

impl Rate {
    /// Whether the row is refused: its rate is above the peak.
    pub fn refused(&self) -> bool {
        matches!(self, Rate::Implied { ipc, peak } if ipc > peak)
    }
}

/// The rate of `r`, a row of `f`.
pub fn of(f: &ResultFile, r: &Record) -> Rate {
    let (Some(c), Some(clock)) = (r.counts, r.clock) else {
        return Rate::Unmeasured;
    };
    if r.bytes_copied_per_call >= REP_STRING_BYTES {
        return Rate::RepString;
    }
    Rate::Implied {
        ipc: clock.implied_ipc(c.instructions, r.ns_per_call.median, cores_busy(f, r)),
        peak: clock.peak_ipc,
    }
}

/// The cores `r`'s ns covers at once: one, or as many as its definition's `parallel` says, at
/// most the machine's.
fn cores_busy(f: &ResultFile, r: &Record) -> f64 {
    let cores = f.machine.cores.max(1) as f64;
    let parallel = lab_record::scenario::get(&f.scenario)
        .and_then(|d| d.direction(&f.direction))
        .and_then(|d| d.parallel.as_deref());
    match parallel {
        None => 1.0,
        Some("machine") => cores,
        Some(p) => param(r, p).map_or(cores, |n| (n as f64).clamp(1.0, cores)),
    }
}

/// A row left out of the report, with its rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub case: String,
    pub lang: String,
    pub direction: String,
    pub ipc: f64,
    pub peak: f64,
}

/// `files` without their refused rows, and those rows.
pub fn refuse(files: &[ResultFile]) -> (Vec<ResultFile>, Vec<Refusal>) {
    let mut refused = Vec::new();
    let kept = files
        .iter()
        .map(|f| {
            let mut f = f.clone();
            let records = std::mem::take(&mut f.records);
            f.records = records
                .into_iter()
                .filter(|r| match of(&f, r) {
                    Rate::Implied { ipc, peak } if ipc > peak => {
                        refused.push(Refusal {
                            case: f.case_id(r),
                            lang: f.lang.clone(),
                            direction: f.direction.clone(),
                            ipc,
                            peak,
                        });
                        false
                    }
                    _ => true,
                })
                .collect();
            f
        })
        .collect();
    (kept, refused)
}

/// The highest implied rate among `files`' rows, with the row's case id.
pub fn highest(files: &[ResultFile]) -> Option<(f64, String)> {
    files
        .iter()
        .flat_map(|f| f.records.iter().map(move |r| (f, r)))
        .filter_map(|(f, r)| match of(f, r) {
            Rate::Implied { ipc, .. } => Some((ipc, format!("{} {}", f.lang, f.case_id(r)))),
            _ => None,
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

#[cfg(test)]
mod tests {
    use lab_record::{Allocs, Clock, Counts, Machine, Ns};
    use serde_json::{json, Map};

    use super::*;

    fn row(strategy: &str, params: Map<String, serde_json::Value>, ns: f64, ir: f64) -> Record {
        let mut r = Record::new(
            strategy,
            params,
            Ns {
                median: ns,
                low: ns,
                high: ns,
            },
            Allocs::NONE,
        );
        r.counts = Some(Counts::example(ir));
        r.clock = Some(Clock {
            ghz: 3.0,
            peak_ipc: 6.0,
        });
        r
    }

    fn file(scenario: &str, records: Vec<Record>) -> ResultFile {
        let mut m = Machine::example("test-2c-0000");
        m.cores = 2;
        ResultFile::new(scenario, "rust", "r2c", "call", &m, records)
    }

    #[test]
    fn a_row_faster_than_the_cpu_can_run_its_count_is_refused_by_name() {
        // 30 instructions in 1 ns at 3 GHz: 10 per cycle, over the peak of 6.
        let f = file(
            "s02_pass_string",
            vec![
                row("ptr_len", Map::new(), 1.0, 30.0),
                row("cstring", Map::new(), 10.0, 60.0),
            ],
        );
        assert_eq!(
            of(&f, &f.records[0]),
            Rate::Implied {
                ipc: 10.0,
                peak: 6.0
            }
        );
        let (kept, refused) = refuse(std::slice::from_ref(&f));
        assert_eq!(kept[0].records.len(), 1);
        assert_eq!(kept[0].records[0].strategy, "cstring");
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].case, "s02_pass_string/ptr_len/");
        assert_eq!(highest(&kept).map(|h| h.0), Some(2.0));
    }

    #[test]
    fn large_copies_and_uncounted_rows_are_not_checked() {
        let mut copying = row("memcpy", Map::new(), 1.0, 65536.0);
        copying.bytes_copied_per_call = 65536.0;
        let mut uncounted = row("ptr_len", Map::new(), 1.0, 30.0);
        uncounted.counts = None;
        let f = file("s01_call_floor", vec![copying, uncounted]);
        assert_eq!(of(&f, &f.records[0]), Rate::RepString);
        assert_eq!(of(&f, &f.records[1]), Rate::Unmeasured);
        assert!(refuse(std::slice::from_ref(&f)).1.is_empty());
    }

    #[test]
    fn rows_on_several_threads_have_the_cycles_of_their_cores() {
        // S09 at 2 threads: 24 instructions in 0.7 ns of wall time, on 2 cores at 3 GHz: 5.7
        // per cycle on each core, not 11.4 on one.
        let mut p = Map::new();
        p.insert("threads".into(), json!(2));
        let f = file("s09_request_lifetime", vec![row("native", p, 0.7, 24.0)]);
        let Rate::Implied { ipc, .. } = of(&f, &f.records[0]) else {
            panic!("counted and clocked")
        };
        assert!((ipc - 24.0 / (0.7 * 3.0 * 2.0)).abs() < 1e-9);
    }
}
