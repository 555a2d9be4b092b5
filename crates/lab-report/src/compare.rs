//! `lab-report compare`: two result sets — two runs, two machines, a saved baseline — row by row,
//! as critcmp does for criterion and `rebar cmp` for rebar. Per record present in both: the ratio
//! of medians (new / old) and whether the change is beyond the noise, sorted by the size of the
//! change.
//!
//! The noise of a row is the larger of a floor set by the caller (the between-run spread measured
//! on this machine class: two runs of one commit, see docs/METHODOLOGY.md) and the two records'
//! own brackets, as relative half-widths added: a change inside it is "no measurable difference".

use std::fmt::Write as _;

use lab_record::{Record, ResultFile};

use crate::stats::fmt_ns;

/// One record present in both sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// `scenario/strategy/params`, with the language and direction: `rust r2c s02_pass_string/…`.
    pub id: String,
    pub old_ns: f64,
    pub new_ns: f64,
    /// new / old.
    pub ratio: f64,
    /// The relative change that counts as noise for this row.
    pub noise: f64,
}

impl Change {
    /// Whether the change is beyond the noise.
    pub fn significant(&self) -> bool {
        (self.ratio - 1.0).abs() > self.noise
    }
}

/// What the comparison found: the rows in both sets, sorted by |log ratio|, largest first, and
/// the ids found in one set only.
#[derive(Debug, Default)]
pub struct Comparison {
    pub changes: Vec<Change>,
    pub only_old: Vec<String>,
    pub only_new: Vec<String>,
}

fn half_width(r: &Record) -> f64 {
    let ns = &r.ns_per_call;
    if ns.median > 0.0 {
        ((ns.high - ns.low) / 2.0 / ns.median).max(0.0)
    } else {
        0.0
    }
}

fn ids(files: &[ResultFile]) -> Vec<(String, &Record)> {
    files
        .iter()
        .flat_map(|f| {
            f.records
                .iter()
                .map(move |r| (format!("{} {} {}", f.lang, f.direction, f.case_id(r)), r))
        })
        .collect()
}

/// Compares `new` against `old`; `floor` is the least relative change counted as a difference.
pub fn compare(old: &[ResultFile], new: &[ResultFile], floor: f64) -> Comparison {
    let (old, new) = (ids(old), ids(new));
    let mut out = Comparison::default();
    for (id, n) in &new {
        match old.iter().find(|(o, _)| o == id) {
            Some((_, o)) => {
                let ratio = n.ns_per_call.median / o.ns_per_call.median;
                out.changes.push(Change {
                    id: id.clone(),
                    old_ns: o.ns_per_call.median,
                    new_ns: n.ns_per_call.median,
                    ratio,
                    noise: floor.max(half_width(o) + half_width(n)),
                });
            }
            None => out.only_new.push(id.clone()),
        }
    }
    out.only_old = old
        .iter()
        .filter(|(id, _)| !new.iter().any(|(n, _)| n == id))
        .map(|(id, _)| id.clone())
        .collect();
    out.changes
        .sort_by(|a, b| b.ratio.ln().abs().total_cmp(&a.ratio.ln().abs()));
    out
}

impl Comparison {
    /// Rows beyond the noise.
    pub fn significant(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.significant())
    }

    /// The share of rows whose ratio is within `within` of 1 (e.g. 0.10): how well two runs agree.
    pub fn agreeing(&self, within: f64) -> f64 {
        if self.changes.is_empty() {
            return 1.0;
        }
        let n = self
            .changes
            .iter()
            .filter(|c| (c.ratio - 1.0).abs() <= within)
            .count();
        n as f64 / self.changes.len() as f64
    }

    /// A Markdown table, largest change first; `all` includes the rows within the noise.
    pub fn render(&self, old_name: &str, new_name: &str, all: bool) -> String {
        let mut s = String::new();
        let sig = self.significant().count();
        let _ = writeln!(
            s,
            "{} rows in both; {sig} beyond the noise; {:.0} % within 5 %, {:.0} % within 10 % (old: {old_name}, new: {new_name})\n",
            self.changes.len(),
            100.0 * self.agreeing(0.05),
            100.0 * self.agreeing(0.10),
        );
        let _ = writeln!(
            s,
            "| row | old ns | new ns | new / old | noise | |\n|---|---|---|---|---|---|"
        );
        for c in self.changes.iter().filter(|c| all || c.significant()) {
            let verdict = match (c.significant(), c.ratio > 1.0) {
                (false, _) => "no measurable difference",
                (true, true) => "slower",
                (true, false) => "faster",
            };
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {:.3} | ±{:.0} % | {verdict} |",
                c.id,
                fmt_ns(c.old_ns),
                fmt_ns(c.new_ns),
                c.ratio,
                100.0 * c.noise
            );
        }
        for (what, list) in [
            ("only in old", &self.only_old),
            ("only in new", &self.only_new),
        ] {
            if !list.is_empty() {
                let _ = writeln!(s, "\n{} rows {what}: {}", list.len(), list.join(", "));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use lab_record::{Allocs, Machine, Ns};
    use serde_json::{Map, Value};

    use super::*;

    fn file(rows: &[(&str, u64, f64)]) -> ResultFile {
        let machine = Machine::example("t-1c-0000");
        let allocs = Allocs {
            rust: None,
            c: None,
            go: None,
        };
        let records = rows
            .iter()
            .map(|&(s, len, ns)| {
                let mut p = Map::new();
                p.insert("len".into(), Value::from(len));
                let ns = Ns {
                    median: ns,
                    low: ns * 0.99,
                    high: ns * 1.01,
                };
                Record::new(s, p, ns, allocs)
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

    #[test]
    fn changes_are_sorted_and_judged_against_the_noise() {
        let old = file(&[("ptr_len", 8, 2.0), ("cstring", 8, 20.0), ("gone", 8, 1.0)]);
        let new = file(&[("ptr_len", 8, 2.1), ("cstring", 8, 30.0), ("added", 8, 1.0)]);
        let c = compare(&[old], &[new], 0.10);
        assert_eq!(c.changes.len(), 2);
        assert_eq!(c.changes[0].id, "rust r2c s02_pass_string/cstring/len=8");
        assert!(c.changes[0].significant(), "+50 % is beyond ±10 %");
        assert!(!c.changes[1].significant(), "+5 % is within ±10 %");
        assert!((c.changes[1].noise - 0.10).abs() < 1e-12);
        assert_eq!(c.only_old, ["rust r2c s02_pass_string/gone/len=8"]);
        assert_eq!(c.only_new, ["rust r2c s02_pass_string/added/len=8"]);
        assert_eq!(c.agreeing(0.10), 0.5);
        let md = c.render("a", "b", true);
        assert!(md.contains("| `rust r2c s02_pass_string/cstring/len=8` | 20.0 | 30.0 | 1.500 | ±10 % | slower |"), "{md}");
        assert!(
            md.contains("| 1.050 | ±10 % | no measurable difference |"),
            "{md}"
        );
        assert!(!c
            .render("a", "b", false)
            .contains("no measurable difference |"));
    }
}
