//! Conclusions of S14 end-to-end filters (FINDINGS S14, `s14_filters`, C→R): whether the
//! per-crossing differences of S06's access strategies survive inside a whole filter run per
//! request (basic auth, header get/set).

use lab_record::Record;

use super::View;
use crate::stats::{fmt_ns, is_reference, leaders};

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    // One line per filter and input (the parameter label), comparing the strategies that ran it.
    let mut groups: Vec<String> = f.records.iter().map(Record::params_label).collect();
    groups.sort();
    groups.dedup();
    for g in groups {
        let rows: Vec<&Record> = f
            .records
            .iter()
            .filter(|r| r.params_label() == g && !is_reference(f, r))
            .collect();
        // Ranked by the ratios of interleaved rounds where the driver measured them: medians
        // timed seconds apart swapped the leaders of a 2–8 % gap from one run to the next.
        let leaders = leaders(rows.clone());
        let ratio = |r: &Record| match r.ratios.as_ref().and_then(|x| x.to_best) {
            Some(x) => x.median,
            None => r.ns_per_call.median / leaders[0].ns_per_call.median,
        };
        let Some(worst) = rows.iter().max_by(|a, b| ratio(a).total_cmp(&ratio(b))) else {
            continue;
        };
        let names: Vec<String> = leaders
            .iter()
            .map(|r| format!("`{}`", r.strategy))
            .collect();
        let ns = fmt_ns(leaders[0].ns_per_call.median);
        let fastest = match names.as_slice() {
            [one] => format!("{one} ({ns} ns per request)"),
            [init @ .., last] => format!(
                "{} and {last} (no measurable difference; {ns} ns per request)",
                init.join(", ")
            ),
            [] => continue,
        };
        let slowest = if leaders.iter().any(|l| l.strategy == worst.strategy) {
            String::new()
        } else {
            format!(", slowest `{}` ×{:.2}", worst.strategy, ratio(worst))
        };
        c.push(format!("{g}: fastest {fastest}{slowest}."));
    }
    c
}

#[cfg(test)]
mod tests {
    use lab_record::{Allocs, Machine, Ns, Ratios, ResultFile};
    use serde_json::{Map, Value};

    use super::*;
    use crate::floor::Floor;

    fn row(strategy: &str, ns: f64, to_best: Option<(f64, f64, f64)>) -> Record {
        let mut params = Map::new();
        params.insert("filter".into(), Value::from("header_get_set"));
        let n = |m, l, h| Ns {
            median: m,
            low: l,
            high: h,
        };
        let allocs = Allocs {
            rust: None,
            c: None,
            go: None,
        };
        Record {
            ratios: to_best.map(|(m, l, h)| Ratios {
                to_floor: None,
                to_best: Some(n(m, l, h)),
                rounds: 21,
                per_round: Vec::new(),
            }),
            ..Record::new(strategy, params, n(ns, ns * 0.99, ns * 1.01), allocs)
        }
    }

    fn lines(records: Vec<Record>) -> Vec<String> {
        let machine = Machine::example("t-1c-0000");
        let files = [ResultFile::new(
            "s14_filters",
            "rust",
            "c2r",
            "one request",
            &machine,
            records,
        )];
        let floor = Floor::from(&files, "rust", "c2r");
        c2r(&View {
            file: &files[0],
            go: None,
            floor: &floor,
            all: &files,
        })
    }

    #[test]
    fn a_fastest_strategy_only_beyond_the_noise_of_the_rounds() {
        // bulk_copy's median is the lower, but in the rounds the two are within each other's
        // quartiles: no measurable difference, and the slowest's ratio is the rounds' one.
        let l = lines(vec![
            row("bulk_borrow", 230.0, Some((1.0, 1.0, 1.03))),
            row("bulk_copy", 225.0, Some((1.02, 1.0, 1.05))),
            row("per_header_call", 500.0, Some((2.2, 2.1, 2.3))),
        ]);
        assert_eq!(
            l,
            [
                "filter=header_get_set: fastest `bulk_borrow` and `bulk_copy` (no measurable \
              difference; 230.0 ns per request), slowest `per_header_call` ×2.20."
            ]
        );
        // Rows without rounds (an older record): ranked by their medians and brackets.
        let l = lines(vec![
            row("bulk_borrow", 200.0, None),
            row("per_header_call", 500.0, None),
        ]);
        assert_eq!(
            l,
            [
                "filter=header_get_set: fastest `bulk_borrow` (200.0 ns per request), slowest \
              `per_header_call` ×2.50."
            ]
        );
    }
}
