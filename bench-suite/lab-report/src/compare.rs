//! `lab-report compare`: two result sets — two runs, two machines, a saved baseline — row by row,
//! as critcmp does for criterion and `rebar cmp` for rebar. Per record present in both: the ratio
//! of medians (new / old) and whether the change is beyond the noise, sorted by the size of the
//! change.
//!
//! The noise of a row is the larger of a floor set by the caller (the between-run spread measured
//! on this machine class: two runs of one commit, see docs/METHODOLOGY.md) and the two records'
//! own brackets, as relative half-widths added: a change inside it is "no measurable difference".
//!
//! Medians move between runs with the machine; what the report concludes from are the ratios
//! measured within one run (× floor, × best, interleaved), and the conclusions written from them.
//! So the comparison also gives how many of those ratios agree between the sets, the ratios that
//! moved most, and the report's conclusion lines that changed with their numbers set aside: a
//! changed winner or wording is what a reader of two runs would notice.

use std::fmt::Write as _;

use lab_record::{Record, ResultFile};

use crate::format::fmt_instructions;
use crate::render::render;
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
    /// Instructions per call (old, new), where both sides carry the callgrind pass's counts.
    pub instructions: Option<(f64, f64)>,
}

impl Change {
    /// Whether the change is beyond the noise.
    pub fn significant(&self) -> bool {
        (self.ratio - 1.0).abs() > self.noise
    }
}

/// One within-run ratio (a row's × floor or × best) present in both sets.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioChange {
    /// The row's id, then ` × floor` or ` × best`.
    pub id: String,
    pub old: f64,
    pub new: f64,
}

impl RatioChange {
    /// new / old of the ratio itself.
    pub fn change(&self) -> f64 {
        self.new / self.old
    }
}

/// A conclusion line of the report that differs between the sets once its numbers are set aside.
#[derive(Debug, Clone, PartialEq)]
pub struct Reworded {
    /// The report section (its `##` heading) the line is in.
    pub section: String,
    /// The line in the old set's report, or `None` when only the new has it.
    pub old: Option<String>,
    pub new: Option<String>,
}

/// What the comparison found: the rows in both sets, sorted by |log ratio|, largest first, and
/// the ids found in one set only; the within-run ratios of both, sorted alike; the conclusion
/// lines that changed.
#[derive(Debug, Default)]
pub struct Comparison {
    pub changes: Vec<Change>,
    pub only_old: Vec<String>,
    pub only_new: Vec<String>,
    pub ratios: Vec<RatioChange>,
    /// How many conclusion lines the new report has, and which differ from the old's.
    pub conclusions: usize,
    pub reworded: Vec<Reworded>,
}

/// The relative change of instructions per call that `compare` lists: two passes of one binary
/// give identical counts, so anything beyond rounding is a change.
pub const INSTRUCTIONS_MOVED: f64 = 0.005;

fn half_width(r: &Record) -> f64 {
    let ns = &r.ns_per_call;
    if ns.median > 0.0 {
        ((ns.high - ns.low) / 2.0 / ns.median).max(0.0)
    } else {
        0.0
    }
}

/// A row's within-run ratios, as `(label, median)`.
fn within_run(r: &Record) -> Vec<(&'static str, f64)> {
    let Some(x) = &r.ratios else {
        return Vec::new();
    };
    [("× floor", x.to_floor), ("× best", x.to_best)]
        .into_iter()
        .filter_map(|(l, v)| Some((l, v?.median)))
        .collect()
}

/// The report's conclusion lines by section, each with its numbers set aside (every run of digits
/// becomes `#`), so that "×11.7" and "×12.1" read alike and a changed winner or word does not.
/// A conclusion line is any line outside the tables of rows and the machine table, the tables a
/// conclusion holds, HTML comments and headings: bullets, the summary, the guide, the floor
/// sentences.
pub fn conclusion_lines(report: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut section, mut in_rows) = (String::new(), false);
    for line in report.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.to_owned();
            continue;
        }
        // A table of rows or of the machine: its header starts it, a blank line ends it.
        if line.starts_with("| strategy |") || line.starts_with("| machine |") {
            in_rows = true;
        }
        if line.trim().is_empty() {
            in_rows = false;
            continue;
        }
        // A table inside a conclusion (indented: S06's crossovers and thresholds) is the data
        // its sentence counts, not wording: its cells are figures.
        if in_rows
            || line.starts_with('#')
            || line.starts_with("<!--")
            || line.starts_with("|---")
            || line.trim_start().starts_with("| ") && line.starts_with("  ")
        {
            continue;
        }
        out.push((section.clone(), mask_numbers(&strip_link_targets(line))));
    }
    out
}

/// `line` with every link's target emptied (`[→](report/s07_copy_on_demand.md#s07-…)` becomes
/// `[→]()`): a link leads
/// to the row a claim comes from, and which row of a sweep that is (the closest rival's, say) is
/// navigation, not the claim.
fn strip_link_targets(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        rest = rest.find(')').map_or("", |j| &rest[j..]);
    }
    out.push_str(rest);
    out
}

/// `line` with each number (digits with their decimal point and thousands separators, and the
/// sign before them) as `#`: a difference near nothing changes sign between runs that agree. A
/// range of two numbers (`1.00–1.02`) is one `#` too: a range whose ends round alike is written
/// as one number (`fmt_range`), so two runs that agree to within a rounding read `×1.00` and
/// `×1.00–1.02`.
fn mask_numbers(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    let skip_number = |chars: &mut std::iter::Peekable<std::str::Chars>| {
        while chars
            .peek()
            .is_some_and(|&d| d.is_ascii_digit() || d == '.' || d == ',')
        {
            chars.next();
        }
    };
    while let Some(c) = chars.next() {
        if matches!(c, '+' | '-' | '−') && chars.peek().is_some_and(char::is_ascii_digit) {
            continue;
        }
        if c.is_ascii_digit() {
            skip_number(&mut chars);
            let mut ahead = chars.clone();
            if ahead.next() == Some('–') && ahead.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
                skip_number(&mut chars);
            }
            out.push('#');
        } else {
            out.push(c);
        }
    }
    out
}

/// The conclusion lines of `new` that `old` lacks and of `old` that `new` lacks, per section.
fn reworded(old: &str, new: &str) -> (usize, Vec<Reworded>) {
    let (old, new) = (conclusion_lines(old), conclusion_lines(new));
    let mut out = Vec::new();
    let mut sections: Vec<&String> = Vec::new();
    for (s, _) in new.iter().chain(&old) {
        if !sections.contains(&s) {
            sections.push(s);
        }
    }
    for section in sections {
        let of = |set: &[(String, String)]| -> Vec<String> {
            set.iter()
                .filter(|(s, _)| s == section)
                .map(|(_, l)| l.clone())
                .collect()
        };
        let (o, n) = (of(&old), of(&new));
        let gone: Vec<&String> = o.iter().filter(|l| !n.contains(l)).collect();
        let came: Vec<&String> = n.iter().filter(|l| !o.contains(l)).collect();
        // Pair a section's changed lines in order: usually one line reworded.
        for i in 0..gone.len().max(came.len()) {
            out.push(Reworded {
                section: section.clone(),
                old: gone.get(i).map(|l| (*l).clone()),
                new: came.get(i).map(|l| (*l).clone()),
            });
        }
    }
    (new.len(), out)
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
/// The conclusions are those of the report each set renders.
pub fn compare(old_files: &[ResultFile], new_files: &[ResultFile], floor: f64) -> Comparison {
    let (old, new) = (ids(old_files), ids(new_files));
    let mut out = Comparison::default();
    let machine = |f: &[ResultFile]| f.first().map_or(String::new(), |f| f.machine.id.clone());
    (out.conclusions, out.reworded) = reworded(
        &render(old_files, &machine(old_files)).all(),
        &render(new_files, &machine(new_files)).all(),
    );
    for (id, n) in &new {
        match old.iter().find(|(o, _)| o == id) {
            Some((_, o)) => {
                for ((label, new), (_, old)) in within_run(n).into_iter().zip(within_run(o)) {
                    out.ratios.push(RatioChange {
                        id: format!("{id} {label}"),
                        old,
                        new,
                    });
                }
                let ratio = n.ns_per_call.median / o.ns_per_call.median;
                out.changes.push(Change {
                    id: id.clone(),
                    old_ns: o.ns_per_call.median,
                    new_ns: n.ns_per_call.median,
                    ratio,
                    noise: floor.max(half_width(o) + half_width(n)),
                    instructions: o
                        .counts
                        .zip(n.counts)
                        .map(|(o, n)| (o.instructions, n.instructions)),
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
    out.ratios
        .sort_by(|a, b| b.change().ln().abs().total_cmp(&a.change().ln().abs()));
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

    /// The share of within-run ratios in both sets that agree within `within` (e.g. 0.10).
    pub fn ratios_agreeing(&self, within: f64) -> f64 {
        if self.ratios.is_empty() {
            return 1.0;
        }
        let n = self
            .ratios
            .iter()
            .filter(|r| (r.change() - 1.0).abs() <= within)
            .count();
        n as f64 / self.ratios.len() as f64
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
            "{} within-run ratios (× floor, × best) in both: {:.0} % within 5 %, {:.0} % within 10 %, {:.0} % within 25 %",
            self.ratios.len(),
            100.0 * self.ratios_agreeing(0.05),
            100.0 * self.ratios_agreeing(0.10),
            100.0 * self.ratios_agreeing(0.25),
        );
        let _ = writeln!(
            s,
            "{} conclusion lines; {} changed beyond their numbers\n",
            self.conclusions,
            self.reworded.len()
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
        // The ratios that moved beyond 10 % (all of them with `all`), largest first.
        let moved: Vec<&RatioChange> = self
            .ratios
            .iter()
            .filter(|r| all || (r.change() - 1.0).abs() > 0.10)
            .collect();
        if !moved.is_empty() {
            let _ = writeln!(
                s,
                "\n| within-run ratio | old | new | new / old |\n|---|---|---|---|"
            );
            for r in moved {
                let _ = writeln!(
                    s,
                    "| `{}` | {:.3} | {:.3} | {:.3} |",
                    r.id,
                    r.old,
                    r.new,
                    r.change()
                );
            }
        }
        // Instruction counts do not move between runs: any change is the code's (or glibc's).
        let mut counted: Vec<(&Change, f64, f64)> = self
            .changes
            .iter()
            .filter_map(|c| c.instructions.map(|(o, n)| (c, o, n)))
            .collect();
        if !counted.is_empty() {
            let moved = |o: f64, n: f64| (n - o).abs() > INSTRUCTIONS_MOVED * o.abs().max(1.0);
            counted.sort_by(|a, b| {
                let d = |(_, o, n): &(&Change, f64, f64)| ((n - o) / o.abs().max(1.0)).abs();
                d(b).total_cmp(&d(a))
            });
            let changed = counted.iter().filter(|(_, o, n)| moved(*o, *n)).count();
            let _ = writeln!(
                s,
                "\n{} rows with instruction counts (callgrind) in both; {changed} changed by more than {} %",
                counted.len(),
                100.0 * INSTRUCTIONS_MOVED
            );
            let shown: Vec<&(&Change, f64, f64)> = counted
                .iter()
                .filter(|(_, o, n)| all || moved(*o, *n))
                .collect();
            if !shown.is_empty() {
                let _ = writeln!(
                    s,
                    "\n| row | old Ir/call | new Ir/call | new / old |\n|---|---|---|---|"
                );
                for (c, o, n) in shown {
                    let _ = writeln!(
                        s,
                        "| `{}` | {} | {} | {:.3} |",
                        c.id,
                        fmt_instructions(*o),
                        fmt_instructions(*n),
                        n / o.abs().max(1.0)
                    );
                }
            }
        }
        if !self.reworded.is_empty() {
            let _ = writeln!(s, "\nConclusions changed (numbers as `#`):\n");
            for w in &self.reworded {
                let _ = writeln!(
                    s,
                    "- {}\n  - old: {}\n  - new: {}",
                    w.section,
                    w.old.as_deref().unwrap_or("(none)"),
                    w.new.as_deref().unwrap_or("(none)")
                );
            }
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
        let allocs = Allocs::NONE;
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

    #[test]
    fn conclusions_compare_with_their_numbers_set_aside() {
        let old = "# r\n\n| machine | |\n|---|---|\n| commit | `abc1` |\n\n## S02\n\n- At 64 B `cstring` costs ×11.7 of `ptr_len`.\n- Fastest: `ptr_len`.\n\n| strategy | params |\n|---|---|\n| `ptr_len` | len=8 |\n";
        let same = old
            .replace("11.7", "12.1")
            .replace("abc1", "def2")
            .replace("len=8", "len=9");
        assert_eq!(reworded(old, &same), (2, vec![]));
        // A range whose ends round apart in one run and alike in the other is numbers too.
        let ranged = old.replace("×11.7", "×11.7–12.0");
        assert_eq!(reworded(old, &ranged), (2, vec![]));
        assert_eq!(mask_numbers("×1.00–1.02 [0.9–1.1], 3–×4"), "×# [#], #–×#");
        let other = old.replace("Fastest: `ptr_len`", "Fastest: `cstring`");
        let (n, changed) = reworded(old, &other);
        assert_eq!(n, 2);
        assert_eq!(
            changed,
            [Reworded {
                section: "S02".into(),
                old: Some("- Fastest: `ptr_len`.".into()),
                new: Some("- Fastest: `cstring`.".into()),
            }]
        );
        assert_eq!(
            mask_numbers("×11.7 at 8, 16 and 1,024 B"),
            "×# at # # and # B"
        );
        assert_eq!(mask_numbers("−0.4 to +2.1 ns, -3 ns"), "# to # ns, # ns");
        assert_eq!(
            strip_link_targets(
                "- **Q?** `a` [→](report/s07_copy_on_demand.md#s07-c2r-lazy-filter-body) and [b](#x)."
            ),
            "- **Q?** `a` [→]() and [b]()."
        );
    }

    #[test]
    fn instruction_counts_are_compared_where_both_have_them() {
        let counted = |f: &mut ResultFile, i: usize, ir: f64| {
            f.records[i].counts = Some(lab_record::Counts::example(ir));
        };
        let mut old = file(&[
            ("ptr_len", 64, 2.0),
            ("cstring", 64, 20.0),
            ("native", 64, 1.0),
        ]);
        let mut new = file(&[
            ("ptr_len", 64, 2.5),
            ("cstring", 64, 20.0),
            ("native", 64, 1.0),
        ]);
        counted(&mut old, 0, 34.0);
        counted(&mut new, 0, 108.0);
        counted(&mut old, 1, 453.0);
        counted(&mut new, 1, 453.0);
        counted(&mut old, 2, 32.0);
        let c = compare(&[old], &[new], 0.10);
        let text = c.render("a", "b", false);
        assert!(
            text.contains(
                "2 rows with instruction counts (callgrind) in both; 1 changed by more than 0.5 %"
            ),
            "{text}"
        );
        assert!(
            text.contains("| `rust r2c s02_pass_string/ptr_len/len=64` | 34 | 108 | 3.176 |"),
            "{text}"
        );
        assert!(
            !text.contains("cstring/len=64` | 453"),
            "unchanged rows only with --all"
        );
        assert!(c.render("a", "b", true).contains("| 453 | 453 | 1.000 |"));
    }

    #[test]
    fn within_run_ratios_are_compared_row_by_row() {
        let with_ratio = |f: &mut ResultFile, to_best: f64| {
            f.records[0].ratios = Some(lab_record::Ratios {
                to_floor: None,
                minus_floor: None,
                to_best: Some(Ns {
                    median: to_best,
                    low: to_best,
                    high: to_best,
                }),
                rounds: 21,
                per_round: Vec::new(),
            });
        };
        let (mut old, mut new) = (file(&[("cstring", 8, 20.0)]), file(&[("cstring", 8, 30.0)]));
        with_ratio(&mut old, 10.0);
        with_ratio(&mut new, 10.5);
        let c = compare(&[old], &[new], 0.10);
        assert_eq!(c.ratios.len(), 1);
        assert_eq!(
            c.ratios[0].id,
            "rust r2c s02_pass_string/cstring/len=8 × best"
        );
        assert_eq!(c.ratios_agreeing(0.10), 1.0);
        assert_eq!(c.ratios_agreeing(0.04), 0.0);
    }
}
