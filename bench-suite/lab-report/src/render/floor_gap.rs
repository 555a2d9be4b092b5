//! A section's "Where the instructions go": at each parameter point whose best strategy (the
//! fewest instructions per call among the ways across, floors and references aside) runs more
//! than [`GAP`] times its floor's instructions, the functions in which it runs more than the
//! floor, and those in which the floor runs more, per call, from the callgrind pass's
//! attribution by function ([`lab_record::FunctionCost`]) of both rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lab_record::{FunctionCost, Record, ResultFile};

use crate::floor::Floor;
use crate::format::fmt_instructions;
use crate::stats::is_reference;

/// The ratio of instructions to the floor's above which a best strategy's are explained.
pub const GAP: f64 = 1.2;

/// The same ratio in the cross-language LTO build, where the call itself is inlined: a best
/// strategy further than this from its floor says why.
pub const LTO_GAP: f64 = 1.05;

/// The ratio above which `f`'s best strategies are explained: [`LTO_GAP`] in the LTO build,
/// else [`GAP`].
fn limit(f: &ResultFile) -> f64 {
    if f.lang == lab_record::builds::LTO {
        LTO_GAP
    } else {
        GAP
    }
}

/// A point's best strategy above [`GAP`] of its floor, and that floor.
struct Gap<'a> {
    best: &'a Record,
    floor: &'a Record,
    ratio: f64,
}

/// The points of `f` whose best strategy runs more than [`limit`] times its floor's instructions,
/// in the order of their parameters.
fn gaps<'a>(f: &'a ResultFile, floor: &Floor<'a>) -> Vec<Gap<'a>> {
    let mut best: BTreeMap<String, &Record> = BTreeMap::new();
    for r in &f.records {
        let Some(c) = r.counts else { continue };
        if is_reference(f, r) {
            continue;
        }
        let slot = best.entry(r.params_label()).or_insert(r);
        if slot.counts.is_some_and(|b| c.instructions < b.instructions) {
            *slot = r;
        }
    }
    best.into_values()
        .filter_map(|b| {
            let fl = floor.row(b)?;
            let (bc, fc) = (b.counts?, fl.counts?);
            let ratio = bc.instructions / fc.instructions;
            (fc.instructions > 0.0 && ratio > limit(f)).then_some(Gap {
                best: b,
                floor: fl,
                ratio,
            })
        })
        .collect()
}

/// Per function, the best row's instructions per call less the floor's, largest first: those
/// of at least [`FunctionCost::LEAST`] either way.
fn differences(best: &[FunctionCost], floor: &[FunctionCost]) -> Vec<(String, f64)> {
    let mut by: BTreeMap<&str, f64> = BTreeMap::new();
    for c in best {
        *by.entry(&c.function).or_default() += c.instructions;
    }
    for c in floor {
        *by.entry(&c.function).or_default() -= c.instructions;
    }
    let mut out: Vec<(String, f64)> = by
        .into_iter()
        .filter(|(_, d)| d.abs() >= FunctionCost::LEAST)
        .map(|(f, d)| (f.to_owned(), d))
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

/// `+31 in `f``, `−12 in other functions`.
fn fmt_difference((function, d): &(String, f64)) -> String {
    let sign = if *d < 0.0 { "−" } else { "+" };
    let name = if function == FunctionCost::OTHER {
        "other functions".to_owned()
    } else {
        format!("`{function}`")
    };
    format!("{sign}{} in {name}", fmt_instructions(d.abs()))
}

/// Writes the part into `out` when a point of `f` is above [`GAP`]; nothing otherwise.
pub(super) fn floor_gap(out: &mut String, f: &ResultFile, floor: &Floor) {
    let gaps = gaps(f, floor);
    if gaps.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n### Where the instructions go\n\nPoints whose best strategy runs more than ×{GAP} of \
         its floor's instructions per call, and the functions that make the difference \
         (callgrind's self instructions per call, the strategy's less the floor's):\n"
    );
    for g in gaps {
        let (bc, fc) = (
            g.best.counts.map_or(0.0, |c| c.instructions),
            g.floor.counts.map_or(0.0, |c| c.instructions),
        );
        let point = match g.best.params_label() {
            p if p.is_empty() => String::new(),
            p => format!(" at {p}"),
        };
        let _ = write!(
            out,
            "- `{}`{point} runs {} instructions per call against the floor's {} (×{:.2})",
            g.best.strategy,
            fmt_instructions(bc),
            fmt_instructions(fc),
            g.ratio
        );
        if g.best.functions.is_empty() || g.floor.functions.is_empty() {
            let _ = writeln!(out, "; not attributed by function in this run.");
            continue;
        }
        let d = differences(&g.best.functions, &g.floor.functions);
        let more: Vec<String> = d.iter().filter(|x| x.1 > 0.0).map(fmt_difference).collect();
        let less: Vec<String> = d
            .iter()
            .rev()
            .filter(|x| x.1 < 0.0)
            .map(fmt_difference)
            .collect();
        if !more.is_empty() {
            let _ = write!(out, ": {}", more.join(", "));
        }
        if !less.is_empty() {
            let _ = write!(out, "; the floor runs {}", less.join(", "));
        }
        let _ = write!(out, ".");
        if let Some(why) = why(f, &g.best.strategy) {
            let _ = write!(out, " {why}");
        }
        out.push('\n');
    }
}

/// Why `strategy`'s instructions above its floor belong to it, from its scenario's definition
/// (`above_floor`), if it says.
pub(crate) fn why<'a>(f: &ResultFile, strategy: &str) -> Option<&'a str> {
    lab_record::scenario::get(&f.scenario)?
        .above_floor
        .get(strategy)
        .map(String::as_str)
}

/// The strategies of `f` that are a point's best above [`limit`] of its floor and whose definition
/// does not say why: what a committed run must not have.
pub fn unexplained(files: &[ResultFile]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let floor = Floor::of_file(files, f);
        for g in gaps(f, &floor) {
            if why(f, &g.best.strategy).is_none() {
                out.push(format!(
                    "{} ({} {}): `{}` at {} is ×{:.2} of its floor's instructions",
                    f.scenario,
                    f.lang,
                    f.direction,
                    g.best.strategy,
                    g.best.params_label(),
                    g.ratio
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use lab_record::{Allocs, Counts, FunctionCost, Machine, Ns, Record, ResultFile};
    use serde_json::{Map, Value};

    use super::floor_gap;
    use crate::floor::Floor;

    fn rec(strategy: &str, n: u64, ir: f64, functions: &[(&str, f64)]) -> Record {
        let params: Map<String, Value> = [("n".to_owned(), Value::from(n))].into_iter().collect();
        let ns = Ns {
            median: 1.0,
            low: 1.0,
            high: 1.0,
        };
        let mut r = Record::new(strategy, params, ns, Allocs::NONE);
        r.counts = Some(Counts::example(ir));
        r.functions = functions
            .iter()
            .map(|&(function, instructions)| FunctionCost {
                function: function.to_owned(),
                instructions,
            })
            .collect();
        r
    }

    fn page(files: &[ResultFile]) -> String {
        let mut out = String::new();
        let f = &files[0];
        floor_gap(&mut out, f, &Floor::of_file(files, f));
        out
    }

    /// At n=1 the best strategy (`pinned_batch`, not the slower `packed`) is ×1.33 of the
    /// floor: its functions less the floor's are named, each way; at n=16 it is within ×1.2
    /// and says nothing.
    #[test]
    fn a_best_strategy_above_its_floor_is_explained_by_function() {
        let records = vec![
            rec(
                "native",
                1,
                105.0,
                &[("lab_consume_str_array", 74.0), ("lab_native_s05", 31.0)],
            ),
            rec(
                "pinned_batch",
                1,
                140.0,
                &[
                    ("lab_consume_str_array", 74.0),
                    ("lab_bench::r2c::s05_pass_batch::pinned_batch", 56.0),
                    ("lab_bench::case::Case::new::{{closure}}", 10.0),
                    ("other", 0.4),
                ],
            ),
            rec("packed", 1, 199.0, &[("lab_consume_packed", 199.0)]),
            rec("native", 16, 1478.0, &[]),
            rec("pinned_batch", 16, 1513.0, &[]),
        ];
        let files = [ResultFile::new(
            "s05_pass_batch",
            "rust",
            "r2c",
            "call",
            &Machine::example("t-1c-0000"),
            records,
        )];
        let out = page(&files);
        assert!(out.contains("### Where the instructions go"), "{out}");
        assert!(
            out.contains(
                "- `pinned_batch` at n=1 runs 140 instructions per call against the floor's 105 \
                 (×1.33): +56 in `lab_bench::r2c::s05_pass_batch::pinned_batch`, +10 in \
                 `lab_bench::case::Case::new::{{closure}}`; the floor runs −31 in \
                 `lab_native_s05`. The strategy is a function the case's loop calls"
            ),
            "{out}"
        );
        assert!(!out.contains("n=16"), "{out}");
        assert!(!out.contains("packed"), "{out}");
    }

    /// C→R: a strategy's floor is the C extension's row of the same strategy; without the
    /// attribution the line says so; within ×1.2 everywhere, no part at all.
    #[test]
    fn c2r_floors_by_strategy_and_unattributed_rows() {
        let m = Machine::example("t-1c-0000");
        let rust = ResultFile::new(
            "s07_copy_on_demand",
            "rust",
            "c2r",
            "request",
            &m,
            vec![rec("lazy", 0, 135.0, &[]), rec("eager", 0, 1979.0, &[])],
        );
        let c = ResultFile::new(
            "s07_copy_on_demand",
            "c",
            "c2r",
            "request",
            &m,
            vec![rec("lazy", 0, 92.0, &[]), rec("eager", 0, 2016.0, &[])],
        );
        let out = page(&[rust.clone(), c.clone()]);
        assert!(
            out.contains(
                "- `lazy` at n=0 runs 135 instructions per call against the floor's 92 (×1.47); \
                 not attributed by function in this run.\n"
            ),
            "{out}"
        );
        let mut near = rust;
        near.records[0].counts = Some(Counts::example(100.0));
        assert_eq!(page(&[near, c]), "");
    }
}
